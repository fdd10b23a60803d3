/** The schema version of a database = its last applied drizzle migration (drizzle/meta/_journal.json). */
import fs from 'node:fs';
import path from 'node:path';
import { migrationsFolder } from '../db/migrate';

export interface JournalEntry {
	idx: number;
	when: number;
	tag: string;
}

export function readJournal(folder = migrationsFolder()): JournalEntry[] {
	const j = JSON.parse(fs.readFileSync(path.join(folder, 'meta', '_journal.json'), 'utf8')) as { entries: JournalEntry[] };
	return j.entries;
}
