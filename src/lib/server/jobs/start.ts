import type { DB } from '../db/client';
import { config } from '../config';
import { registerDefaultHandlers, defaultMaintenance } from './handlers';
import { startWorker, defaultConcurrency, type Worker } from './worker';

/** Starts the worker of this process with the configured concurrency and lease. */
export function startConfiguredWorker(db: DB): Worker {
	const c = config();
	registerDefaultHandlers();
	const w = startWorker({
		db,
		concurrency: c.JOB_CONCURRENCY ?? defaultConcurrency(),
		leaseMs: c.JOB_LEASE_SEC * 1000,
		maintenance: defaultMaintenance
	});
	console.log(`[задачи] обработчик запущен (${w.id}), видео одновременно: ${c.JOB_CONCURRENCY ?? defaultConcurrency()}`);
	return w;
}
