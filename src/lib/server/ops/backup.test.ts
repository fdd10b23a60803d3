/**
 * Backups and restores on real SQLite files and a real backup folder, with the faults of the
 * issue: writes during the backup, kill -9 half-way, a crash before the manifest, corrupt and
 * truncated snapshots, a database of an older (and of a newer) schema, a live database in the
 * way, and the disk filling up during the backup.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { createHash } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { openDatabase, type DB } from '../db/client';
import { runMigrations, migrationsFolder } from '../db/migrate';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { users } from '../db/schema';
import { createBackup, listBackups, readManifest, BackupError } from './backup';
import { DirStore, SNAPSHOT_FILE } from './backup-store';
import { restoreBackup, RestoreError } from './restore';
import { inspectDatabase } from './sqlite-task';
import { readJournal } from './schema-version';
import { registry } from './metrics';

let root: string;
let dbFile: string;
let db: DB;
let store: DirStore;
let workDir: string;

beforeEach(() => {
	root = fs.mkdtempSync(path.join(os.tmpdir(), 'backup-test-'));
	dbFile = path.join(root, 'live', 'portal.db');
	db = openDatabase(dbFile);
	runMigrations(db);
	store = new DirStore(path.join(root, 'store'));
	workDir = path.join(root, 'work');
});
afterEach(() => {
	try {
		db.$client.close();
	} catch {
		/* closed */
	}
	fs.rmSync(root, { recursive: true, force: true });
});

function addUsers(d: DB, n: number, from = 0) {
	d.transaction((tx) => {
		for (let i = from; i < from + n; i++) tx.insert(users).values({ id: `u${i}`, email: `user${i}@example.ru`, fio: `Пользователь ${i}`, role: 'applicant' }).run();
	});
}
const count = (d: Database.Database, table = 'users') => (d.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
const metric = async (name: string, labels = '') => {
	const text = await registry.metrics();
	const m = new RegExp(`^${name}${labels ? `\\{${labels}\\}` : ''} (\\S+)$`, 'm').exec(text);
	return m ? Number(m[1]) : 0;
};

describe('backup and restore', () => {
	it('a snapshot taken while the portal writes is consistent, restores with every table verified, and keeps what was committed before', async () => {
		addUsers(db, 500);
		// Keep writing from the portal's own connection while the snapshot is taken in its thread.
		let writing = true;
		let written = 0;
		const writer = (async () => {
			while (writing) {
				addUsers(db, 5, 10_000 + written);
				written += 5;
				await new Promise((r) => setImmediate(r));
			}
		})();
		const r = await createBackup({ dbPath: dbFile, store, workDir });
		writing = false;
		await writer;
		expect(written).toBeGreaterThan(0); // the event loop kept turning during the backup
		const m = r.manifest;
		expect(m.schema.lastTag).toBe(readJournal().at(-1)!.tag);
		expect(m.tables.users.rows).toBeGreaterThanOrEqual(500);
		expect(m.snapshot.compression).toBe('zstd');
		expect(m.snapshot.bytes).toBeLessThan(m.snapshot.rawBytes);
		// Work files are gone; the set has the snapshot and the manifest.
		expect(fs.readdirSync(workDir)).toEqual([]);
		expect((await listBackups(store)).map((s) => [s.id, s.complete])).toEqual([[r.id, true]]);

		const target = path.join(root, 'new-data', 'portal.db');
		const restored = await restoreBackup({ store, from: 'latest', dbPath: target });
		expect(restored.id).toBe(r.id);
		expect(restored.migrated).toEqual([]);
		const again = await inspectDatabase(target);
		expect(again.integrity).toEqual(['ok']);
		expect(again.tables).toEqual(m.tables);
		const d = new Database(target);
		expect(d.pragma('journal_mode', { simple: true })).toBe('wal');
		// All 500 committed before the backup began are there; the concurrent ones form a prefix.
		expect(count(d)).toBe(m.tables.users.rows);
		expect((d.prepare("select count(*) as n from users where id like 'u_' or id like 'u__' or id like 'u___'").get() as { n: number }).n).toBe(500);
		d.close();
	});

	it('refuses to overwrite a database that is there (a live portal) and leaves it untouched', async () => {
		addUsers(db, 3);
		await createBackup({ dbPath: dbFile, store, workDir });
		const before = createHash('sha256').update(fs.readFileSync(dbFile)).digest('hex');
		const e = await restoreBackup({ store, from: 'latest', dbPath: dbFile }).catch((x) => x);
		expect(e).toBeInstanceOf(RestoreError);
		expect(e.code).toBe('live_database');
		expect(e.message).toMatch(/никогда не перезаписывает/);
		expect(createHash('sha256').update(fs.readFileSync(dbFile)).digest('hex')).toBe(before);
		expect(count(db.$client)).toBe(3);
	});

	it('a truncated or corrupted snapshot is refused with the reason, nothing is left in the data folder', async () => {
		addUsers(db, 50);
		const { id } = await createBackup({ dbPath: dbFile, store, workDir });
		const snap = path.join(root, 'store', id, SNAPSHOT_FILE);
		const good = fs.readFileSync(snap);
		const target = path.join(root, 'restore', 'portal.db');

		fs.writeFileSync(snap, good.subarray(0, Math.floor(good.length / 2)));
		let e = await restoreBackup({ store, from: id, dbPath: target }).catch((x) => x);
		expect(e.code).toBe('truncated');
		expect(e.message).toMatch(/обрезана/);

		const flipped = Buffer.from(good);
		flipped[Math.floor(flipped.length / 2)] ^= 0xff;
		fs.writeFileSync(snap, flipped);
		e = await restoreBackup({ store, from: id, dbPath: target }).catch((x) => x);
		expect(e.code).toBe('checksum');
		expect(e.message).toMatch(/повреждена: SHA-256/);
		expect(fs.existsSync(target)).toBe(false);
		expect(fs.readdirSync(path.dirname(target))).toEqual([]);
	});

	it('a snapshot whose pages are damaged (checksums made to match) fails PRAGMA integrity_check or the table checks', async () => {
		addUsers(db, 2000);
		const { id } = await createBackup({ dbPath: dbFile, store, workDir });
		const snap = path.join(root, 'store', id, SNAPSHOT_FILE);
		const raw = zlib.zstdDecompressSync(fs.readFileSync(snap));
		// Damage b-tree pages in the middle of the file (not the header).
		for (let i = Math.floor(raw.length / 2); i < Math.floor(raw.length / 2) + 4096 * 3; i += 7) raw[i] = (raw[i] + 91) & 0xff;
		const packed = zlib.zstdCompressSync(raw);
		fs.writeFileSync(snap, packed);
		const m = (await readManifest(store, id))!;
		const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
		m.snapshot = { ...m.snapshot, bytes: packed.length, sha256: sha(packed), rawBytes: raw.length, rawSha256: sha(raw) };
		fs.writeFileSync(path.join(root, 'store', id, 'manifest.json'), JSON.stringify(m));
		const target = path.join(root, 'restore', 'portal.db');
		const e = await restoreBackup({ store, from: id, dbPath: target }).catch((x) => x);
		expect(e).toBeInstanceOf(RestoreError);
		expect(['integrity', 'tables', 'corrupt']).toContain(e.code);
		expect(e.message).toMatch(/integrity_check|не совпадают|повреждена/);
		expect(fs.existsSync(target)).toBe(false);
	});

	it('a snapshot of an older schema is migrated on restore; one of a newer portal is refused', async () => {
		// A database of the portal as it was four migrations ago.
		const journal = readJournal();
		const oldFolder = path.join(root, 'old-migrations');
		fs.cpSync(migrationsFolder(), oldFolder, { recursive: true });
		const old = journal.slice(0, journal.length - 2);
		fs.writeFileSync(path.join(oldFolder, 'meta', '_journal.json'), JSON.stringify({ version: '7', dialect: 'sqlite', entries: old }));
		const oldFile = path.join(root, 'old', 'portal.db');
		const oldDb = openDatabase(oldFile);
		migrate(oldDb, { migrationsFolder: oldFolder });
		addUsers(oldDb, 7);
		oldDb.$client.close();
		const { id, manifest } = await createBackup({ dbPath: oldFile, store, workDir });
		expect(manifest.schema.lastTag).toBe(old.at(-1)!.tag);
		const target = path.join(root, 'restore', 'portal.db');
		const r = await restoreBackup({ store, from: id, dbPath: target });
		expect(r.migrated).toEqual(journal.slice(-2).map((j) => j.tag));
		const d = new Database(target);
		expect(count(d)).toBe(7);
		expect(count(d, '__drizzle_migrations')).toBe(journal.length);
		// What the two newest migrations make exists: 0007 replaced FTS5 by the library's term index,
		// 0008 added the per-round results version.
		expect(d.prepare("select name from sqlite_schema where name = 'library_fts'").get()).toBeFalsy();
		expect(d.prepare("select name from sqlite_schema where name = 'library_doc_index'").get()).toBeTruthy();
		expect(d.prepare("select name from sqlite_schema where name = 'round_versions'").get()).toBeTruthy();
		d.close();

		// A snapshot made by a newer portal (a migration this code does not know).
		db.$client.prepare('insert into __drizzle_migrations (hash, created_at) values (?, ?)').run('f'.repeat(64), Date.now() + 86400_000);
		const newer = await createBackup({ dbPath: dbFile, store, workDir });
		const e = await restoreBackup({ store, from: newer.id, dbPath: path.join(root, 'restore2', 'portal.db') }).catch((x) => x);
		expect(e.code).toBe('newer_schema');
		expect(e.message).toMatch(/более новой версией портала/);
	});

	it('a backup that dies before its manifest is not a backup: «latest» is the previous good one', async () => {
		addUsers(db, 10);
		const first = await createBackup({ dbPath: dbFile, store, workDir, now: new Date(Date.now() - 60_000) });
		addUsers(db, 10, 100);
		class CrashBeforeManifest extends DirStore {
			async putText(): Promise<void> {
				throw Object.assign(new Error('процесс убит'), { code: 'EKILLED' });
			}
		}
		const crashing = new CrashBeforeManifest(path.join(root, 'store'));
		await expect(createBackup({ dbPath: dbFile, store: crashing, workDir, retries: 0 })).rejects.toThrow();
		const sets = await listBackups(store);
		expect(sets.map((s) => s.complete)).toEqual([true, false]);
		const r = await restoreBackup({ store, from: 'latest', dbPath: path.join(root, 'r', 'portal.db') });
		expect(r.id).toBe(first.id);
		const e = await restoreBackup({ store, from: sets[1].id, dbPath: path.join(root, 'r2', 'portal.db') }).catch((x) => x);
		expect(e.code).toBe('not_found');
		expect(e.message).toMatch(/не завершена/);
	});

	it('kill -9 in the middle of `npm run backup` leaves no set marked good and the live database intact', async () => {
		// ~48 MB that does not compress, so the backup takes long enough to be killed half-way.
		db.$client.exec('create table filler (b blob)');
		const ins = db.$client.prepare('insert into filler values (randomblob(1048576))');
		db.$client.transaction(() => {
			for (let i = 0; i < 48; i++) ins.run();
		})();
		addUsers(db, 20);
		const env = { ...process.env, NODE_ENV: 'test', DATA_DIR: path.dirname(dbFile), BACKUP_DIR: path.join(root, 'store'), BACKUP_WORK_DIR: workDir, LOG_LEVEL: 'silent' };
		const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/backup.ts'], { env, stdio: 'ignore' });
		// Kill it as soon as it has started writing (work files or the store's .part files).
		const started = Date.now();
		let killedAt = '';
		while (Date.now() - started < 60_000) {
			const work = fs.existsSync(workDir) ? fs.readdirSync(workDir) : [];
			const inStore = fs.existsSync(path.join(root, 'store')) ? (await store.list()) : [];
			if (work.length || inStore.length) {
				child.kill('SIGKILL');
				killedAt = work.length ? `работа: ${work.join(',')}` : `хранилище: ${inStore.join(',')}`;
				break;
			}
			await new Promise((r) => setTimeout(r, 5));
		}
		await new Promise((r) => child.once('exit', r));
		expect(child.signalCode, killedAt).toBe('SIGKILL');
		expect((await listBackups(store)).filter((s) => s.complete)).toEqual([]);
		const e = await restoreBackup({ store, from: 'latest', dbPath: path.join(root, 'r', 'portal.db') }).catch((x) => x);
		expect(e.code).toBe('not_found');
		expect(db.$client.pragma('integrity_check', { simple: true })).toBe('ok');
		addUsers(db, 1, 5000);
		expect(count(db.$client)).toBe(21);
		// The next backup cleans up and succeeds.
		const ok = await createBackup({ dbPath: dbFile, store, workDir });
		expect((await listBackups(store)).filter((s) => s.complete).map((s) => s.id)).toEqual([ok.id]);
	});
});

describe('the disk fills up during a backup', () => {
	const mnt = path.join(os.tmpdir(), `backup-full-${process.pid}`);
	let mounted = false;
	beforeEach(() => {
		fs.mkdirSync(mnt, { recursive: true });
		mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=20m', 'tmpfs', mnt]).status === 0;
	});
	afterEach(() => {
		if (mounted) spawnSync('umount', ['-l', mnt]);
		fs.rmSync(mnt, { recursive: true, force: true });
	});

	// Needs a small filesystem of its own: a tmpfs mount (root, as in CI). Elsewhere it says why it did not run.
	it('fails with a clear reason, removes its work files, and the live database on the same disk stays whole and writable', async (ctx) => {
		if (!mounted) ctx.skip('нужен root: тест монтирует маленький tmpfs, чтобы заполнить диск');
		const liveFile = path.join(mnt, 'data', 'portal.db');
		const live = openDatabase(liveFile);
		runMigrations(live);
		live.$client.exec('create table filler (b blob)');
		const ins = live.$client.prepare('insert into filler values (randomblob(65536))');
		// ~8 MB that does not compress, on a 20 MB disk: the snapshot and its compressed copy do not both fit.
		for (let chunk = 0; chunk < 4; chunk++) {
			live.$client.transaction(() => {
				for (let i = 0; i < 32; i++) ins.run();
			})();
			live.$client.pragma('wal_checkpoint(TRUNCATE)');
		}
		addUsers(live, 30);
		live.$client.pragma('wal_checkpoint(TRUNCATE)');
		const failedBefore = await metric('portal_backup_runs_total', 'outcome="failed"');
		const e = await createBackup({ dbPath: liveFile, store: new DirStore(path.join(root, 'store')), workDir: path.join(mnt, 'work') }).catch((x) => x);
		expect(e).toBeInstanceOf(BackupError);
		expect(e.code).toBe('no_space');
		expect(e.message).toMatch(/Недостаточно места на диске/);
		expect(await metric('portal_backup_runs_total', 'outcome="failed"')).toBe(failedBefore + 1);
		expect(fs.readdirSync(path.join(mnt, 'work'))).toEqual([]);
		expect((await listBackups(new DirStore(path.join(root, 'store')))).length).toBe(0);
		expect(live.$client.pragma('integrity_check', { simple: true })).toBe('ok');
		addUsers(live, 5, 1000);
		expect(count(live.$client)).toBe(35);
		live.$client.close();
	});
});
