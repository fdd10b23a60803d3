/**
 * Restore of a backup into an empty data folder (`npm run restore -- --from latest|<id>`):
 *   1. refuses when a database is already there (a live portal's or any other): nothing is
 *      overwritten, ever;
 *   2. finds the set (the newest with a manifest, or the one named) and downloads the snapshot;
 *   3. checks size and SHA-256 of the compressed file against the manifest, unpacks it and checks
 *      the SHA-256 of the database, `PRAGMA integrity_check`, and every table's row count and
 *      checksum — any difference refuses the restore with the reason;
 *   4. applies the migrations the snapshot has not seen (a backup of an older portal), refuses a
 *      snapshot of a newer one;
 *   5. moves the file into place with one rename.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import zlib from 'node:zlib';
import { inspectDatabase } from './sqlite-task';
import { listBackups, readManifest, type Manifest } from './backup';
import { SNAPSHOT_FILE, type BackupStore } from './backup-store';
import { readJournal } from './schema-version';
import { openDatabase } from '../db/client';
import { runMigrations } from '../db/migrate';

export class RestoreError extends Error {
	constructor(
		message: string,
		public code: 'live_database' | 'not_found' | 'truncated' | 'checksum' | 'corrupt' | 'integrity' | 'tables' | 'newer_schema'
	) {
		super(message);
		this.name = 'RestoreError';
	}
}

export interface RestoreOptions {
	store: BackupStore;
	/** 'latest' or a backup id. */
	from: string;
	/** Where the database goes ($DATA_DIR/portal.db or DATABASE_PATH). */
	dbPath: string;
	log?: (msg: string) => void;
}

export interface RestoreResult {
	id: string;
	manifest: Manifest;
	/** Migrations applied on top of the snapshot. */
	migrated: string[];
	dbPath: string;
}

export async function resolveBackup(store: BackupStore, from: string): Promise<{ id: string; manifest: Manifest }> {
	if (from === 'latest') {
		const sets = (await listBackups(store)).filter((s) => s.complete);
		const last = sets.at(-1);
		if (!last) throw new RestoreError(`В хранилище ${store.location} нет ни одной завершённой резервной копии`, 'not_found');
		return { id: last.id, manifest: (await readManifest(store, last.id))! };
	}
	const id = from.replace(/\/+$/, '').split('/').filter(Boolean).at(-1) ?? from;
	const manifest = await readManifest(store, id);
	if (!manifest) throw new RestoreError(`Копия «${id}» не найдена в ${store.location} или не завершена (нет manifest.json)`, 'not_found');
	return { id, manifest };
}

function existingDatabase(dbPath: string): string | null {
	for (const f of [dbPath, `${dbPath}-wal`, `${dbPath}-shm`]) {
		try {
			if (fs.statSync(f).size > 0 || f === dbPath) return f;
		} catch {
			/* absent */
		}
	}
	return null;
}

export async function restoreBackup(o: RestoreOptions): Promise<RestoreResult> {
	const say = o.log ?? (() => undefined);
	const existing = existingDatabase(o.dbPath);
	if (existing)
		throw new RestoreError(
			`В ${path.dirname(o.dbPath)} уже есть база (${path.basename(existing)}): восстановление никогда не перезаписывает базу. Остановите портал и восстанавливайте в пустую папку данных (DATA_DIR)`,
			'live_database'
		);
	const { id, manifest } = await resolveBackup(o.store, o.from);
	say(`копия ${id} от ${manifest.createdAt}: ${Object.values(manifest.tables).reduce((s, t) => s + t.rows, 0)} строк в ${Object.keys(manifest.tables).length} таблицах`);
	const dir = path.dirname(o.dbPath);
	fs.mkdirSync(dir, { recursive: true });
	const work = fs.mkdtempSync(path.join(dir, '.restore-'));
	const zst = path.join(work, SNAPSHOT_FILE);
	const tmpDb = path.join(work, 'portal.db');
	try {
		await o.store.getFile(`${id}/${manifest.snapshot.file ?? SNAPSHOT_FILE}`, zst);
		const size = fs.statSync(zst).size;
		if (size !== manifest.snapshot.bytes)
			throw new RestoreError(`Копия ${id} обрезана или подменена: файл снимка ${size} байт, а по манифесту ${manifest.snapshot.bytes}`, 'truncated');
		const packed = await sha256File(zst);
		if (packed !== manifest.snapshot.sha256)
			throw new RestoreError(`Копия ${id} повреждена: SHA-256 снимка ${packed.slice(0, 16)}… не совпадает с манифестом (${manifest.snapshot.sha256.slice(0, 16)}…)`, 'checksum');
		const raw = createHash('sha256');
		try {
			await pipeline(
				fs.createReadStream(zst),
				zlib.createZstdDecompress(),
				new Transform({
					transform(chunk: Buffer, _e, cb) {
						raw.update(chunk);
						cb(null, chunk);
					}
				}),
				fs.createWriteStream(tmpDb)
			);
		} catch (e) {
			throw new RestoreError(`Копия ${id} повреждена: снимок не распаковывается (${(e as Error).message})`, 'corrupt');
		}
		const rawSha = raw.digest('hex');
		if (rawSha !== manifest.snapshot.rawSha256) throw new RestoreError(`Копия ${id} повреждена: SHA-256 распакованной базы не совпадает с манифестом`, 'checksum');
		let inspection;
		try {
			inspection = await inspectDatabase(tmpDb, true);
		} catch (e) {
			throw new RestoreError(`Копия ${id} повреждена: файл не открывается как база SQLite (${(e as Error).message})`, 'corrupt');
		}
		if (inspection.integrity.length !== 1 || inspection.integrity[0] !== 'ok')
			throw new RestoreError(`Копия ${id} не прошла PRAGMA integrity_check: ${inspection.integrity.slice(0, 3).join('; ')}`, 'integrity');
		const diff = tableDifferences(manifest.tables, inspection.tables);
		if (diff.length) throw new RestoreError(`Копия ${id}: таблицы не совпадают с манифестом — ${diff.slice(0, 5).join('; ')}`, 'tables');
		say('контрольные суммы, integrity_check и таблицы совпадают с манифестом');

		// Migrations: a snapshot of an older portal is brought up to date; of a newer one, refused.
		const journal = readJournal();
		const known = new Set(journal.map((j) => j.when));
		const unknown = inspection.migrations.filter((m) => !known.has(Number(m.createdAt)));
		if (unknown.length)
			throw new RestoreError(
				`Копия ${id} сделана более новой версией портала (в ней ${unknown.length} неизвестных этой версии миграций): обновите портал и повторите восстановление`,
				'newer_schema'
			);
		const applied = new Set(inspection.migrations.map((m) => Number(m.createdAt)));
		const migrated = journal.filter((j) => !applied.has(j.when)).map((j) => j.tag);
		const d = openDatabase(tmpDb);
		try {
			if (migrated.length) {
				say(`применяю миграции: ${migrated.join(', ')}`);
				runMigrations(d);
			}
			const check = d.$client.pragma('quick_check', { simple: true });
			if (check !== 'ok') throw new RestoreError(`После миграций база не прошла проверку: ${String(check)}`, 'integrity');
			d.$client.pragma('wal_checkpoint(TRUNCATE)');
		} finally {
			d.$client.close();
		}
		// Someone may have started a portal meanwhile: check again right before the rename.
		if (existingDatabase(o.dbPath)) throw new RestoreError(`Пока шло восстановление, в ${dir} появилась база: ничего не перезаписано`, 'live_database');
		for (const ext of ['-wal', '-shm']) fs.rmSync(tmpDb + ext, { force: true });
		fs.renameSync(tmpDb, o.dbPath);
		return { id, manifest, migrated, dbPath: o.dbPath };
	} finally {
		fs.rmSync(work, { recursive: true, force: true });
	}
}

export function tableDifferences(expected: Manifest['tables'], actual: Manifest['tables']): string[] {
	const out: string[] = [];
	for (const [name, t] of Object.entries(expected)) {
		const a = actual[name];
		if (!a) out.push(`нет таблицы ${name}`);
		else if (a.rows !== t.rows) out.push(`${name}: ${a.rows} строк вместо ${t.rows}`);
		else if (a.sha256 !== t.sha256) out.push(`${name}: контрольная сумма строк не совпадает`);
	}
	for (const name of Object.keys(actual)) if (!expected[name]) out.push(`лишняя таблица ${name}`);
	return out;
}

async function sha256File(file: string): Promise<string> {
	const h = createHash('sha256');
	for await (const chunk of fs.createReadStream(file)) h.update(chunk as Buffer);
	return h.digest('hex');
}
