import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import type { RunResult } from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import * as schema from './schema';
import { config } from '../config';

export type DB = BetterSQLite3Database<typeof schema> & { $client: Database.Database };
/**
 * The database or a transaction on it: what a domain function that reads and writes takes, so
 * that it runs inside its caller's transaction (`db.transaction((tx) => f(tx, …))`) as well as
 * on its own. Only code that needs the raw better-sqlite3 handle (`$client`) takes `DB`.
 */
export type DbOrTx = BaseSQLiteDatabase<'sync', RunResult, typeof schema>;

export function openDatabase(file: string): DB {
	if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
	const sqlite = new Database(file);
	sqlite.pragma('journal_mode = WAL');
	sqlite.pragma('foreign_keys = ON');
	sqlite.pragma('busy_timeout = 5000');
	sqlite.pragma('synchronous = NORMAL');
	return drizzle(sqlite, { schema }) as DB;
}

let current: DB | undefined;

/** The process-wide database handle, opened lazily from the configuration. */
export function db(): DB {
	current ??= openDatabase(config().databasePath);
	return current;
}

/** Tests and scripts can point the process at another database. */
export function setDb(next: DB | undefined) {
	current = next;
}

export function closeDb() {
	current?.$client.close();
	current = undefined;
}
