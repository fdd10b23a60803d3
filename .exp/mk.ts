import fs from 'node:fs';
import { openDatabase } from '../src/lib/server/db/client';
import { runMigrations } from '../src/lib/server/db/migrate';
import { bulkInsertPublished, generatePractices } from '../src/lib/server/library/generate';
const n = Number(process.argv[2]); const file = process.argv[3];
fs.rmSync(file, { force: true });
const db = openDatabase(file); runMigrations(db);
for (let at = 0; at < n; at += 10_000) bulkInsertPublished(db, generatePractices(Math.min(10000, n - at), 2026 + at), new Date(Date.UTC(2026, 0, 1) - at * 3600_000), at);
db.$client.pragma('wal_checkpoint(TRUNCATE)'); db.$client.close();
