/**
 * Prints the relevance figures of the current search: `npx tsx src/lib/server/library/relevance/report.ts`
 * (the same measurement as relevance.test.ts, with every query's top 5).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../db/client';
import { runMigrations } from '../../db/migrate';
import { loadRelevanceCorpus } from './corpus';
import { evaluateRelevance, formatReport } from './evaluate';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relevance-'));
try {
	const db = openDatabase(path.join(dir, 'r.db'));
	runMigrations(db);
	const keys = loadRelevanceCorpus(db);
	const r = evaluateRelevance(db, keys);
	console.log(process.argv.includes('--json') ? JSON.stringify(r) : formatReport(r));
	db.$client.close();
} finally {
	fs.rmSync(dir, { recursive: true, force: true });
}
