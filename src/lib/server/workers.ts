/**
 * The composition root of the job queue: which handlers this portal runs and what housekeeping
 * the worker does. The queue (jobs/) knows no domain; the domains (mail, media, results,
 * storage) know the queue; this file — outside both — puts them together, for the portal
 * process (boot.ts) and the separate worker (`npm run worker`, scripts/worker.ts).
 */
import type { DbOrTx } from './db/client';
import { config } from './config';
import { registerHandler, registeredHandlers } from './jobs/queue';
import { registerRemote, remoteKinds } from './jobs/remote';
import { startRedisBridge } from './jobs/bullmq';
import { startWorker, defaultConcurrency, type Worker } from './jobs/worker';
import { mailHandler } from './jobs/mail';
import { mediaHandler, mediaRemote, sweepMedia } from './media/process';
import { decisionMailHandler } from './results/mailing';
import { routingApplyHandler, routingPreviewHandler } from './review/routing-jobs';
import { sweepStaleUploads } from './applications/uploads';
import { heartbeatWriter } from './ops/heartbeat';
import { logFor } from './ops/log';

export function registerDefaultHandlers() {
	registerHandler(mailHandler);
	registerHandler(mediaHandler);
	registerHandler(decisionMailHandler);
	registerHandler(routingPreviewHandler);
	registerHandler(routingApplyHandler);
	registerRemote(mediaRemote);
}

/** Housekeeping run by the worker every few minutes. */
export const defaultMaintenance = [sweepMedia, (db: Parameters<typeof sweepMedia>[0]) => sweepStaleUploads(db)];

/** Starts the worker of this process with the configured concurrency and lease. */
export function startConfiguredWorker(db: DbOrTx): Worker {
	const c = config();
	registerDefaultHandlers();
	let hb: ReturnType<typeof heartbeatWriter> | undefined;
	// With REDIS_URL the video lane runs on BullMQ: this process relays and records, the work is
	// done by `npm run worker -- --media` processes (jobs/bullmq.ts); mail stays here.
	const bridge = c.REDIS_URL ? startRedisBridge({ db, redisUrl: c.REDIS_URL, prefix: c.REDIS_PREFIX, leaseMs: c.JOB_LEASE_SEC * 1000 }) : undefined;
	const remote = new Set(bridge ? remoteKinds() : []);
	const w = startWorker({
		db,
		handlers: registeredHandlers().filter((h) => !remote.has(h.kind)),
		concurrency: c.JOB_CONCURRENCY ?? defaultConcurrency(),
		leaseMs: c.JOB_LEASE_SEC * 1000,
		maintenance: defaultMaintenance,
		onHeartbeat: () => hb?.beat()
	});
	hb = heartbeatWriter(c.dataDir, w.id, () => w.running());
	hb.beat();
	logFor('jobs').info(
		bridge
			? `обработчик запущен (${w.id}); видео обрабатывают процессы «npm run worker -- --media» через Redis (BullMQ)`
			: `обработчик запущен (${w.id}), видео одновременно: ${c.JOB_CONCURRENCY ?? defaultConcurrency()}`
	);
	const stop = w.stop;
	return {
		...w,
		async stop() {
			await stop();
			await bridge?.stop();
			hb?.remove();
		}
	};
}
