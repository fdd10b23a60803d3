import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import path from 'node:path';
import fs from 'node:fs';
import type { DB } from './client';

/** Finds the drizzle/ folder whether we run from the source tree or from build/. */
export function migrationsFolder(): string {
	const candidates = [process.env.MIGRATIONS_DIR, path.resolve('drizzle'), path.resolve(import.meta.dirname ?? '.', '../../../../drizzle')];
	for (const c of candidates) if (c && fs.existsSync(path.join(c, 'meta', '_journal.json'))) return c;
	throw new Error('Не найдена папка миграций drizzle/');
}

export function runMigrations(db: DB) {
	migrate(db, { migrationsFolder: migrationsFolder() });
}
