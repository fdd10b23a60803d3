/**
 * The composition root of the job queue: which handlers this portal runs and what housekeeping
 * the worker does. The queue (jobs/) knows no domain; the domains (mail, media, results,
 * storage) know the queue; this file — outside both — puts them together, for the portal
 * process (boot.ts) and the separate worker (`npm run worker`, scripts/worker.ts).
 */
import type { DbOrTx } from './db/client';
import { config } from './config';
import { registerHandler } from './jobs/queue';
import { startWorker, defaultConcurrency, type Worker } from './jobs/worker';
import { mailHandler } from './jobs/mail';
import { mediaHandler, sweepMedia } from './media/process';
import { decisionMailHandler } from './results/mailing';
import { sweepStaleUploads } from './applications/uploads';
import { heartbeatWriter } from './ops/heartbeat';
import { logFor } from './ops/log';

export function registerDefaultHandlers() {
	registerHandler(mailHandler);
	registerHandler(mediaHandler);
	registerHandler(decisionMailHandler);
}

/** Housekeeping run by the worker every few minutes. */
export const defaultMaintenance = [sweepMedia, (db: Parameters<typeof sweepMedia>[0]) => sweepStaleUploads(db)];

/** Starts the worker of this process with the configured concurrency and lease. */
export function startConfiguredWorker(db: DbOrTx): Worker {
	const c = config();
	registerDefaultHandlers();
	let hb: ReturnType<typeof heartbeatWriter> | undefined;
	const w = startWorker({
		db,
		concurrency: c.JOB_CONCURRENCY ?? defaultConcurrency(),
		leaseMs: c.JOB_LEASE_SEC * 1000,
		maintenance: defaultMaintenance,
		onHeartbeat: () => hb?.beat()
	});
	hb = heartbeatWriter(c.dataDir, w.id, () => w.running());
	hb.beat();
	logFor('jobs').info(`обработчик запущен (${w.id}), видео одновременно: ${c.JOB_CONCURRENCY ?? defaultConcurrency()}`);
	const stop = w.stop;
	return {
		...w,
		async stop() {
			await stop();
			hb?.remove();
		}
	};
}
