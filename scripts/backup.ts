// A backup of the database now, while the portal runs (see README, «Резервные копии»):
//   npm run backup            → BACKUP_DIR, or BACKUP_S3_PREFIX in the configured S3
//   npm run backup -- --list  → the backups in the store
// Then applies BACKUP_KEEP. Exit code 1 with the reason when the backup failed.
import fs from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { config, ConfigError } from '../src/lib/server/config';
import { configuredStore, runBackup } from '../src/lib/server/ops/backup-service';
import { listBackups, readManifest } from '../src/lib/server/ops/backup';
import { fmtBytes } from '../src/lib/format';

const { values } = parseArgs({ options: { list: { type: 'boolean', default: false } } });
// A backup is background work: the portal's requests come first (nice 10).
try {
	os.setPriority(10);
} catch {
	/* not permitted */
}

try {
	const c = config();
	const store = configuredStore();
	if (values.list) {
		const sets = await listBackups(store);
		if (!sets.length) console.log(`В ${store.location} резервных копий нет`);
		for (const s of sets) {
			const m = s.complete ? await readManifest(store, s.id) : null;
			console.log(m ? `${s.id}  ${fmtBytes(m.snapshot.bytes)}  схема ${m.schema.lastTag ?? '—'}` : `${s.id}  (не завершена — не копия)`);
		}
		process.exit(0);
	}
	if (!fs.existsSync(c.databasePath)) throw new Error(`Нет базы ${c.databasePath}: проверьте DATA_DIR / DATABASE_PATH`);
	const r = await runBackup();
	const rows = Object.values(r.manifest.tables).reduce((s, t) => s + t.rows, 0);
	console.log(
		`Резервная копия ${r.id} → ${store.location}${r.id}/: ${fmtBytes(r.manifest.snapshot.bytes)} (база ${fmtBytes(r.manifest.snapshot.rawBytes)}), ${rows} строк, схема ${r.manifest.schema.lastTag}, ${(r.durationMs / 1000).toFixed(1).replace(".", ",")} с`
	);
	process.exit(0);
} catch (e) {
	console.error(e instanceof ConfigError ? e.message : `Ошибка: ${(e as Error).message}`);
	process.exit(1);
}
