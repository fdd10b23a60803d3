import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type DB } from '../../src/lib/server/db/client';
import { runMigrations } from '../../src/lib/server/db/migrate';

/** A real SQLite file in a temporary folder, migrated. */
export function tempDb(): { db: DB; file: string; cleanup(): void } {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-db-'));
	const file = path.join(dir, 'test.db');
	const db = openDatabase(file);
	runMigrations(db);
	return {
		db,
		file,
		cleanup() {
			db.$client.close();
			fs.rmSync(dir, { recursive: true, force: true });
		}
	};
}
