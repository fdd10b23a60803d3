import path from 'node:path';
import { config } from './config';
import { db, closeDb } from './db/client';
import { runMigrations } from './db/migrate';
import { seedDemo } from './seed';
import { embeddedS3Keys, keysDir } from './keys';
import { ensureBucket, s3Settings, checkBucketRegion, s3Reachable } from './storage/s3';
import { logFor } from './ops/log';
import { superviseEmbeddedS3, type Supervised } from './ops/supervisor';
import { setSupervisorState, jobStats } from './ops/health';
import { setStateSources } from './ops/metrics';
import { lastBackupAt, startBackupSchedule } from './ops/backup-service';
import { registerDefaultHandlers, startConfiguredWorker } from './workers';

let booted: Promise<void> | undefined;
let embedded: Supervised | undefined;
const log = logFor('portal');
const stoppers: (() => Promise<void> | void)[] = [];

/** Registers work to stop on shutdown (workers, servers). */
export function onShutdown(fn: () => Promise<void> | void) {
	stoppers.push(fn);
}

/**
 * Start-up of the server process: configuration, migrations, the embedded S3 when no S3 endpoint
 * is configured, the bucket, and the demo data for the unconfigured default.
 */
export function boot(): Promise<void> {
	booted ??= (async () => {
		const c = config();
		const d = db();
		runMigrations(d);
		const origins = [...new Set([c.origin, `http://localhost:${c.PORT}`, `http://127.0.0.1:${c.PORT}`])];
		if (c.embeddedS3) {
			embeddedS3Keys(c.dataDir);
			embedded = await superviseEmbeddedS3({ dir: path.join(c.dataDir, 's3'), port: c.EMBEDDED_S3_PORT, bucket: c.S3_BUCKET, origins, keysFile: path.join(keysDir(c.dataDir), 'embedded-s3.json') });
			setSupervisorState(embedded.state);
			log.info(`встроенное хранилище s3rver: ${embedded.endpoint} (данные в ${path.join(c.dataDir, 's3')})`);
		}
		await ensureBucket(origins);
		const wrongRegion = await checkBucketRegion();
		if (wrongRegion) throw new Error(wrongRegion);
		setStateSources({ jobs: () => jobStats(d), databaseFiles: () => [c.databasePath, `${c.databasePath}-wal`], lastBackupAt, s3Up: () => s3Reachable(1500).then((up) => (up ? 1 : 0)) });
		if (c.demo) {
			const seeded = await seedDemo(d);
			if (seeded) log.info('созданы демо-данные и демо-учётные записи (см. README)');
		}
		log.info(`база ${c.databasePath}; S3 ${s3Settings().endpoint}/${c.S3_BUCKET}`);
		// The job queue: mail and video processing (JOB_WORKER=false leaves it to `npm run worker`).
		registerDefaultHandlers();
		if (c.JOB_WORKER) {
			const worker = startConfiguredWorker(d);
			onShutdown(() => worker.stop());
		}
		if (c.backupIntervalMin > 0) {
			const schedule = startBackupSchedule();
			onShutdown(() => schedule.stop());
		}
	})();
	return booted;
}

/** How long the process may take to stop after SIGTERM/SIGINT before it exits anyway. */
export const SHUTDOWN_DEADLINE_MS = 9500;

let stopping: Promise<void> | undefined;

/**
 * First step of stopping, at the signal: the job worker stops taking jobs and hands running ones
 * back (they resume after a restart), while adapter-node lets requests in flight finish
 * (SHUTDOWN_TIMEOUT, set by scripts/start.js). A watchdog makes sure the process is gone within
 * SHUTDOWN_DEADLINE_MS whatever hangs.
 */
export function beginShutdown(): Promise<void> {
	stopping ??= (async () => {
		setTimeout(() => {
			log.error('остановка не уложилась в срок — процесс завершается принудительно');
			process.exit(1);
		}, SHUTDOWN_DEADLINE_MS).unref();
		for (const fn of stoppers.splice(0).reverse()) {
			try {
				await fn();
			} catch (e) {
				log.error({ err: e }, 'ошибка при остановке');
			}
		}
	})();
	return stopping;
}

/** Last step, once the HTTP server has closed (no request in flight any more): storage and the database. */
export async function shutdown() {
	await beginShutdown();
	await embedded?.close();
	embedded = undefined;
	closeDb();
}
