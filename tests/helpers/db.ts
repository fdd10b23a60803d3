import { afterEach, beforeEach } from 'vitest';
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

/**
 * A fresh migrated database for every test of the calling suite (or file): opened in
 * `beforeEach`, handed to `open` (assign it, seed it), closed and removed in `afterEach`.
 */
export function dbPerTest(open: (db: DB) => void): void {
	let t: ReturnType<typeof tempDb>;
	beforeEach(() => {
		t = tempDb();
		open(t.db);
	});
	afterEach(() => t.cleanup());
}
