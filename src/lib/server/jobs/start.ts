import type { DbOrTx } from '../db/client';
import { config } from '../config';
import { registerDefaultHandlers, defaultMaintenance } from './handlers';
import { startWorker, defaultConcurrency, type Worker } from './worker';
import { heartbeatWriter } from '../ops/heartbeat';
import { logFor } from '../ops/log';

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
