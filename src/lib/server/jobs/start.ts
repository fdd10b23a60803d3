import type { DB } from '../db/client';
import { config } from '../config';
import { registerDefaultHandlers, defaultMaintenance } from './handlers';
import { startWorker, defaultConcurrency, type Worker } from './worker';
import { heartbeatWriter } from '../ops/heartbeat';
import { registeredHandlers } from './queue';
import { remoteKinds } from './remote';
import { startRedisBridge } from './bullmq';
import { logFor } from '../ops/log';

/** Starts the worker of this process with the configured concurrency and lease. */
export function startConfiguredWorker(db: DB): Worker {
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
