/**
 * Backups in the running portal and in `npm run backup`: the configured store, one run (backup +
 * retention), the schedule (every BACKUP_INTERVAL_MIN), and the state /health and /metrics show.
 */
import fs from 'node:fs';
import path from 'node:path';
import { config } from '../config';
import { s3 } from '../storage/s3';
import { logFor } from './log';
import { createBackup, listBackups, readManifest, type BackupResult, type RetryOptions } from './backup';
import { DirStore, S3Store, type BackupStore } from './backup-store';
import { parseKeep, planRetention } from './retention';

export function configuredStore(): BackupStore {
	const c = config();
	if (c.BACKUP_DIR) return new DirStore(path.resolve(c.BACKUP_DIR));
	return new S3Store(s3(), c.BACKUP_S3_BUCKET ?? c.S3_BUCKET, c.BACKUP_S3_PREFIX);
}

export interface BackupStatus {
	enabled: boolean;
	intervalMin: number;
	location: string;
	running: boolean;
	lastSuccess: { id: string; at: string; bytes: number; durationMs: number } | null;
	lastAttemptAt: string | null;
	lastError: string | null;
	consecutiveFailures: number;
}

const state: Omit<BackupStatus, 'enabled' | 'intervalMin' | 'location'> & { refreshedAt: number } = {
	running: false,
	lastSuccess: null,
	lastAttemptAt: null,
	lastError: null,
	consecutiveFailures: 0,
	refreshedAt: 0
};

export function backupStatus(): BackupStatus {
	const c = config();
	let location = '';
	try {
		location = configuredStore().location;
	} catch {
		/* unconfigured */
	}
	return { enabled: c.backupIntervalMin > 0, intervalMin: c.backupIntervalMin, location, ...state, refreshedAt: undefined } as BackupStatus;
}

/** Time of the last successful backup known to this process (ms), or null. */
export function lastBackupAt(): number | null {
	return state.lastSuccess ? Date.parse(state.lastSuccess.at) : null;
}

/**
 * Reads the newest complete backup from the store (also those made by `npm run backup` or another
 * machine), at most every `maxAgeMs`. Failures leave the known state as it was.
 */
export async function refreshBackupStatus(maxAgeMs = 60_000): Promise<void> {
	if (Date.now() - state.refreshedAt < maxAgeMs) return;
	state.refreshedAt = Date.now();
	try {
		const store = configuredStore();
		const last = (await listBackups(store)).filter((s) => s.complete).at(-1);
		if (!last) return;
		if (state.lastSuccess && Date.parse(state.lastSuccess.at) >= last.time) return;
		const m = await readManifest(store, last.id);
		if (m) state.lastSuccess = { id: m.id, at: m.createdAt, bytes: m.snapshot.bytes, durationMs: m.durationMs };
	} catch {
		/* the store is down: the status shows what was known */
	}
}

export interface RunOptions extends RetryOptions {
	store?: BackupStore;
	now?: Date;
}

/** One backup with the configured settings, then retention. Updates the status either way. */
export async function runBackup(o: RunOptions = {}): Promise<BackupResult> {
	const c = config();
	const store = o.store ?? configuredStore();
	const log = logFor('backup');
	state.running = true;
	state.lastAttemptAt = new Date().toISOString();
	try {
		cleanWorkDir(c.backupWorkDir);
		const r = await createBackup({ dbPath: c.databasePath, store, workDir: c.backupWorkDir, now: o.now, retries: o.retries, retryDelayMs: o.retryDelayMs, log });
		state.lastSuccess = { id: r.id, at: r.manifest.createdAt, bytes: r.manifest.snapshot.bytes, durationMs: r.durationMs };
		state.lastError = null;
		state.consecutiveFailures = 0;
		log.info({ id: r.id, bytes: r.manifest.snapshot.bytes, rawBytes: r.manifest.snapshot.rawBytes, ms: r.durationMs, location: store.location }, 'резервная копия создана');
		try {
			const { remove } = planRetention(await listBackups(store), parseKeep(c.BACKUP_KEEP), Date.now());
			if (remove.length) {
				await store.remove(remove.flatMap((s) => s.files));
				log.info({ removed: remove.map((s) => s.id) }, 'старые резервные копии удалены по BACKUP_KEEP');
			}
		} catch (e) {
			log.warn({ err: e }, 'не удалось применить BACKUP_KEEP (копия при этом создана)');
		}
		return r;
	} catch (e) {
		state.lastError = (e as Error).message;
		state.consecutiveFailures++;
		log.error({ err: e, failures: state.consecutiveFailures }, 'резервная копия не создана');
		throw e;
	} finally {
		state.running = false;
	}
}

/** Work files of a backup killed half-way (older than an hour: a running backup may own newer). */
function cleanWorkDir(dir: string) {
	let names: string[] = [];
	try {
		names = fs.readdirSync(dir);
	} catch {
		return;
	}
	for (const n of names) {
		const f = path.join(dir, n);
		try {
			if (Date.now() - fs.statSync(f).mtimeMs > 3600_000) fs.rmSync(f, { force: true, recursive: true });
		} catch {
			/* gone */
		}
	}
}

/**
 * Backups every BACKUP_INTERVAL_MIN. The first one comes one interval after the last known backup
 * (at once if that is overdue, a minute after start at the earliest); a failed one is tried again
 * after min(interval, 5 min).
 */
export function startBackupSchedule(o: { intervalMs?: number; retryMs?: number; firstDelayMs?: number } & RunOptions = {}): { stop(): Promise<void> } {
	const c = config();
	const interval = o.intervalMs ?? c.backupIntervalMin * 60_000;
	const retry = o.retryMs ?? Math.min(interval, 5 * 60_000);
	let timer: NodeJS.Timeout | undefined;
	let stopped = false;
	let current: Promise<unknown> | undefined;
	const schedule = (ms: number) => {
		if (stopped) return;
		timer = setTimeout(tick, Math.max(0, ms));
		timer.unref();
	};
	const tick = () => {
		current = runBackup(o).then(
			() => schedule(interval),
			() => schedule(retry)
		);
	};
	void (async () => {
		await refreshBackupStatus(0);
		const last = lastBackupAt();
		// After a failed attempt, try again soon; else one interval after the last backup.
		const due = state.consecutiveFailures > 0 ? retry : last ? last + interval - Date.now() : 0;
		schedule(Math.max(o.firstDelayMs ?? 60_000, due));
	})();
	logFor('backup').info({ everyMin: interval / 60_000, location: configuredStore().location, keep: c.BACKUP_KEEP }, 'резервные копии по расписанию');
	return {
		async stop() {
			stopped = true;
			clearTimeout(timer);
			// A backup in progress gets a few seconds; its work files are removed either way.
			await Promise.race([current, new Promise((r) => setTimeout(r, 5000))]);
		}
	};
}
