/**
 * Backups of the database: a consistent online snapshot, compressed with zstd, with a manifest,
 * written to the backup store (S3 prefix or folder).
 *
 *  1. snapshot   VACUUM INTO a work file on a read-only connection in a worker thread (sqlite-task.ts):
 *                one read transaction — the copy is what the database was at one instant, while the
 *                portal keeps writing (WAL);
 *  2. inspect    quick_check of the copy, applied migrations, row count and SHA-256 of every table;
 *  3. compress   zstd (node:zlib), SHA-256 of the compressed and of the raw bytes on the way;
 *  4. upload     `<id>/portal.db.zst`, retried with backoff when the store does not answer;
 *  5. manifest   `<id>/manifest.json` last — a set without a manifest is never taken for a backup.
 *
 * Work files live in BACKUP_WORK_DIR and are removed whatever happens; a full disk fails the run
 * with a clear message and leaves the live database alone (it is only read).
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import type { Logger } from 'pino';
import { snapshotDatabase, type Inspection, type TableDigest } from './sqlite-task';
import { MANIFEST_FILE, SNAPSHOT_FILE, type BackupStore } from './backup-store';
import { backupDuration, backupRetries, backupRuns, backupSize } from './metrics';
import { readJournal } from './schema-version';

export const MANIFEST_FORMAT = 1;

export interface Manifest {
	format: number;
	id: string;
	createdAt: string;
	durationMs: number;
	schema: { migrations: number; lastTag: string | null; lastCreatedAt: number | null };
	tables: Record<string, TableDigest>;
	snapshot: { file: string; compression: 'zstd'; bytes: number; sha256: string; rawBytes: number; rawSha256: string };
	integrity: 'ok';
	portal: { node: string; host: string };
}

export class BackupError extends Error {
	constructor(
		message: string,
		public code: 'no_space' | 'store_unavailable' | 'snapshot_failed' | 'integrity' | 'busy',
		options?: { cause?: unknown }
	) {
		super(message, options);
		this.name = 'BackupError';
	}
}

/** Backup ids are UTC times that sort as text: 2026-05-01T12-00-00-000Z. */
export function backupId(d: Date): string {
	return d.toISOString().replace(/[:.]/g, '-');
}
export function backupIdTime(id: string): number {
	const m = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z$/.exec(id);
	return m ? Date.parse(`${m[1]}T${m[2]}:${m[3]}:${m[4]}.${m[5]}Z`) : NaN;
}

export interface RetryOptions {
	/** Attempts after the first one. */
	retries?: number;
	/** First pause; doubles each time. */
	retryDelayMs?: number;
}

/** Retries a store operation with exponential pauses (counted in portal_backup_retries_total). */
export async function withRetries<T>(what: string, fn: () => Promise<T>, o: RetryOptions & { log?: Logger } = {}): Promise<T> {
	const retries = o.retries ?? 4;
	let delay = o.retryDelayMs ?? 2000;
	for (let attempt = 0; ; attempt++) {
		try {
			return await fn();
		} catch (e) {
			if (attempt >= retries) throw e;
			backupRetries.inc();
			o.log?.warn({ err: e, attempt: attempt + 1 }, `${what}: хранилище копий не ответило, повтор через ${Math.round(delay / 1000)} с`);
			await new Promise((r) => setTimeout(r, delay));
			delay *= 2;
		}
	}
}

function hashing(h: ReturnType<typeof createHash>, count: { n: number }) {
	return new Transform({
		transform(chunk: Buffer, _enc, cb) {
			h.update(chunk);
			count.n += chunk.length;
			cb(null, chunk);
		}
	});
}

function isNoSpace(e: unknown): boolean {
	const code = (e as { code?: string })?.code;
	const msg = String((e as Error)?.message ?? '');
	return code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL' || /database or disk is full|no space left/i.test(msg);
}

export interface BackupOptions extends RetryOptions {
	dbPath: string;
	store: BackupStore;
	workDir: string;
	now?: Date;
	/** zstd level (default 6). */
	level?: number;
	log?: Logger;
}

export interface BackupResult {
	id: string;
	manifest: Manifest;
	durationMs: number;
}

let running: Promise<BackupResult> | undefined;

/** Takes one backup (only one at a time per process). */
export function createBackup(o: BackupOptions): Promise<BackupResult> {
	if (running) return Promise.reject(new BackupError('Резервная копия уже создаётся', 'busy'));
	const p = doBackup(o).finally(() => {
		running = undefined;
	});
	running = p;
	return p;
}

async function doBackup(o: BackupOptions): Promise<BackupResult> {
	const started = performance.now();
	const now = o.now ?? new Date();
	const id = backupId(now);
	const rawFile = path.join(o.workDir, `${id}.db`);
	const zstFile = path.join(o.workDir, `${id}.db.zst`);
	try {
		fs.mkdirSync(o.workDir, { recursive: true });
		let inspection: Inspection;
		try {
			inspection = await snapshotDatabase(o.dbPath, rawFile);
		} catch (e) {
			throw new BackupError(`Не удалось сделать снимок базы: ${(e as Error).message}`, 'snapshot_failed', { cause: e });
		}
		if (inspection.integrity.length !== 1 || inspection.integrity[0] !== 'ok')
			throw new BackupError(`Снимок базы не прошёл проверку целостности: ${inspection.integrity.slice(0, 3).join('; ')}`, 'integrity');
		const raw = createHash('sha256');
		const packed = createHash('sha256');
		const rawCount = { n: 0 };
		const packedCount = { n: 0 };
		await pipeline(
			fs.createReadStream(rawFile),
			hashing(raw, rawCount),
			zlib.createZstdCompress({ params: { [zlib.constants.ZSTD_c_compressionLevel]: o.level ?? 6 } }),
			hashing(packed, packedCount),
			fs.createWriteStream(zstFile)
		);
		await fs.promises.rm(rawFile, { force: true });
		const journal = readJournal();
		const last = inspection.migrations.at(-1);
		const manifest: Manifest = {
			format: MANIFEST_FORMAT,
			id,
			createdAt: now.toISOString(),
			durationMs: 0,
			schema: {
				migrations: inspection.migrations.length,
				lastTag: last ? (journal.find((j) => j.when === Number(last.createdAt))?.tag ?? null) : null,
				lastCreatedAt: last ? Number(last.createdAt) : null
			},
			tables: inspection.tables,
			snapshot: { file: SNAPSHOT_FILE, compression: 'zstd', bytes: packedCount.n, sha256: packed.digest('hex'), rawBytes: rawCount.n, rawSha256: raw.digest('hex') },
			integrity: 'ok',
			portal: { node: process.version, host: (await import('node:os')).hostname() }
		};
		try {
			await withRetries('запись снимка', () => o.store.putFile(`${id}/${SNAPSHOT_FILE}`, zstFile), { ...o, log: o.log });
			manifest.durationMs = Math.round(performance.now() - started);
			// The manifest goes last: it is what makes the set a backup.
			await withRetries('запись манифеста', () => o.store.putText(`${id}/${MANIFEST_FILE}`, JSON.stringify(manifest, null, '\t')), { ...o, log: o.log });
		} catch (e) {
			if (isNoSpace(e)) throw e;
			throw new BackupError(`Хранилище копий ${o.store.location} недоступно: ${(e as Error).message}`, 'store_unavailable', { cause: e });
		}
		backupRuns.inc({ outcome: 'ok' });
		backupDuration.set(manifest.durationMs / 1000);
		backupSize.set(manifest.snapshot.bytes);
		return { id, manifest, durationMs: manifest.durationMs };
	} catch (e) {
		backupRuns.inc({ outcome: 'failed' });
		if (isNoSpace(e) || isNoSpace((e as Error).cause))
			throw new BackupError(`Недостаточно места на диске для резервной копии (папка ${o.workDir}); база не затронута, рабочие файлы копии удалены`, 'no_space', { cause: e });
		throw e;
	} finally {
		await fs.promises.rm(rawFile, { force: true }).catch(() => undefined);
		await fs.promises.rm(zstFile, { force: true }).catch(() => undefined);
		// SQLite's VACUUM INTO may leave its journal beside the target.
		await fs.promises.rm(`${rawFile}-journal`, { force: true }).catch(() => undefined);
	}
}

export interface BackupSet {
	id: string;
	time: number;
	complete: boolean;
	files: string[];
}

/** Backup sets found in the store, oldest first; `complete` = has a manifest. */
export async function listBackups(store: BackupStore): Promise<BackupSet[]> {
	const byId = new Map<string, BackupSet>();
	for (const name of await store.list()) {
		const [id, file] = name.split('/');
		if (!file) continue;
		const time = backupIdTime(id);
		if (Number.isNaN(time)) continue;
		const s = byId.get(id) ?? { id, time, complete: false, files: [] };
		s.files.push(name);
		if (file === MANIFEST_FILE) s.complete = true;
		byId.set(id, s);
	}
	return [...byId.values()].sort((a, b) => a.time - b.time);
}

export async function readManifest(store: BackupStore, id: string): Promise<Manifest | null> {
	const text = await store.getText(`${id}/${MANIFEST_FILE}`);
	if (text === null) return null;
	return JSON.parse(text) as Manifest;
}
