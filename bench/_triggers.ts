// For the «before» figures of bulk writes (issue 18): BENCH_TRIGGERS=per-row puts back the
// version triggers of migration 0008 (one UPDATE of round_versions per written row) in place of
// those of 0010 (one bump per change burst), so both are measured by the same benchmark run on
// the same machine: `BENCH_TRIGGERS=per-row npx tsx bench/results-db.ts` vs without.
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';

export const TRIGGERS_MODE = process.env.BENCH_TRIGGERS === 'per-row' ? 'per-row' : 'per-burst';

export function applyTriggerMode(sqlite: Database.Database): void {
	if (TRIGGERS_MODE !== 'per-row') return;
	const text = fs.readFileSync(path.resolve(import.meta.dirname, '../drizzle/0008_console_scale.sql'), 'utf8');
	for (const [body, name] of text.matchAll(/(CREATE TRIGGER `(\w+)`[\s\S]*?END;)/g).map((m) => [m[1], m[2]])) {
		sqlite.exec(`DROP TRIGGER IF EXISTS \`${name}\``);
		sqlite.exec(body);
	}
}
