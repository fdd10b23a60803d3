/**
 * A media worker on BullMQ (`npm run worker -- --media`): runs on any machine with REDIS_URL and
 * the S3 settings — no database, no DATA_DIR. It takes jobs from the queue `media`, runs the
 * remote handler's `execute` (ffmpeg + S3) and reports partial and final outputs, failed attempts
 * and final failures to the queue `media-results`, which the portal records in SQLite.
 *
 * - Lease: BullMQ's lock (lockDuration), renewed while the job runs; a worker killed mid-job stops
 *   renewing it and the job goes back to wait for another worker (maxStalledCount times).
 * - Retries: BullMQ's attempts with our backoff (base · 2^(n−1) ± 20 %, capped), the same as the
 *   embedded queue; a PermanentJobError is not retried (UnrecoverableError).
 * - Cancel: the portal sets a key that this worker checks every second; the handler is aborted.
 * - Capacity: every few seconds the worker writes itself (host, start, current jobs, heartbeat) into
 *   a hash that /admin/jobs reads.
 */
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { Queue, UnrecoverableError, WaitingError, Worker, type Job as BullJob } from 'bullmq';
import { backoffDelay, errorText, PermanentJobError } from './queue';
import { remoteFor } from './remote';
import { cancelKey, DEFAULT_PREFIX, MEDIA_QUEUE, redisConnection, RESULTS_QUEUE, workersKey, type RelayedData, type Report, type WorkerInfo } from './bullmq';

export interface MediaWorkerOptions {
	redisUrl: string;
	prefix?: string;
	/** Jobs at once (default 1: ffmpeg already uses every core). */
	concurrency?: number;
	/** BullMQ lock: how long a silent worker keeps its job. */
	leaseMs?: number;
	/** How often BullMQ looks for stalled jobs (default leaseMs / 2). */
	stalledIntervalMs?: number;
	/** How many times a job may lose its worker before it is dead. */
	maxStalled?: number;
	name?: string;
	log?: (msg: string, err?: unknown) => void;
}

export interface MediaWorker {
	name: string;
	running(): number;
	stop(): Promise<void>;
}

class Cancelled extends Error {
	constructor() {
		super('cancelled by an organizer');
	}
}

export function startMediaWorker(o: MediaWorkerOptions): MediaWorker {
	const prefix = o.prefix ?? DEFAULT_PREFIX;
	const name = o.name ?? `${os.hostname()}:${process.pid}:${randomBytes(2).toString('hex')}`;
	const leaseMs = o.leaseMs ?? 60_000;
	const log = o.log ?? ((m: string, e?: unknown) => (e ? console.error(m, e) : console.log(m)));
	const results = new Queue<Report>(RESULTS_QUEUE, { connection: redisConnection(o.redisUrl), prefix });
	results.on('error', () => undefined);
	const raw = new Redis(o.redisUrl, { maxRetriesPerRequest: 1 });
	raw.on('error', () => undefined);
	const current = new Map<string, { jobId: string; since: number; progress: number | null; abort: () => void; bullId: string }>();
	const startedAt = Date.now();
	let processed = 0;
	let failed = 0;
	let shuttingDown = false;

	async function report(rep: Report, n = 0): Promise<void> {
		await results.add(rep.type, rep, {
			jobId: `${rep.bullId}-${rep.type}-${rep.attempt}-${n}`,
			attempts: 20,
			backoff: { type: 'exponential', delay: 1000 },
			removeOnComplete: { count: 1000 },
			removeOnFail: { count: 5000 }
		});
	}

	async function processor(job: BullJob<RelayedData>, token?: string, signal?: AbortSignal) {
		const d = job.data;
		const h = remoteFor(d.kind);
		if (!h) throw new UnrecoverableError(`нет обработчика задачи ${d.kind} в этом процессе`);
		const attempt = job.attemptsMade + 1;
		const ac = new AbortController();
		let cancelled = false;
		signal?.addEventListener('abort', () => ac.abort(signal.reason), { once: true });
		const bullId = job.id!;
		current.set(bullId, { jobId: d.jobId, since: Date.now(), progress: null, bullId, abort: () => ((cancelled = true), ac.abort(new Cancelled())) });
		let lastProgress = 0;
		let partials = 0;
		const base = { jobId: d.jobId, bullId, attempt, worker: name };
		try {
			const out = await h.execute(d.input, {
				signal: ac.signal,
				progress: (p) => {
					const cur = current.get(bullId);
					if (cur) cur.progress = Math.round(p);
					if (Date.now() - lastProgress < 1000) return;
					lastProgress = Date.now();
					void job.updateProgress(Math.round(p)).catch(() => undefined);
				},
				report: (partial) => report({ ...base, type: 'partial', output: partial }, ++partials)
			});
			await report({ ...base, type: 'done', output: out });
			processed++;
			return out;
		} catch (e) {
			if (shuttingDown && !cancelled) {
				// A clean stop: the job goes back to wait for another worker, the attempt is not counted.
				await job.moveToWait(token);
				throw new WaitingError();
			}
			if (cancelled) throw new UnrecoverableError('отменено организатором');
			failed++;
			const error = e instanceof Cancelled ? 'отменено' : errorText(e);
			const permanent = e instanceof PermanentJobError || e instanceof UnrecoverableError;
			const final = permanent || attempt >= (job.opts.attempts ?? 1);
			const retryAt = final ? undefined : Date.now() + backoffDelay(attempt, d.backoffMs, d.maxBackoffMs);
			await report({ ...base, type: final ? 'failed' : 'attempt-failed', error, permanent, retryAt }).catch((re) => log('отчёт об ошибке не отправлен', re));
			log(`${d.kind} ${d.jobId}: попытка ${attempt} не удалась: ${error.split('\n')[0]}`);
			if (permanent) throw new UnrecoverableError(error);
			throw new Error(error);
		} finally {
			current.delete(bullId);
		}
	}

	const worker = new Worker<RelayedData>(MEDIA_QUEUE, processor, {
		connection: redisConnection(o.redisUrl),
		prefix,
		name,
		concurrency: Math.max(1, o.concurrency ?? 1),
		lockDuration: leaseMs,
		stalledInterval: o.stalledIntervalMs ?? Math.max(1000, Math.floor(leaseMs / 2)),
		maxStalledCount: o.maxStalled ?? 2,
		removeOnComplete: { age: 7 * 86400, count: 50_000 },
		removeOnFail: { age: 30 * 86400 },
		settings: {
			// The same backoff as the embedded queue: base · 2^(n−1) ± 20 %, capped.
			backoffStrategy: (attemptsMade: number, _type?: string, _err?: Error, job?: { data?: RelayedData }) =>
				backoffDelay(attemptsMade, job?.data?.backoffMs ?? 5_000, job?.data?.maxBackoffMs ?? 3_600_000)
		}
	});
	worker.on('error', (e) => log('связь с Redis: ошибка (повторю)', e?.message ?? e));

	// Heartbeat into the workers hash, and cancels from the portal.
	const beat = async () => {
		const client = raw;
		const info: WorkerInfo = {
			name,
			host: os.hostname(),
			pid: process.pid,
			startedAt,
			heartbeatAt: Date.now(),
			concurrency: worker.concurrency,
			current: [...current.values()].map((c) => ({ jobId: c.jobId, since: c.since, progress: c.progress })),
			processed,
			failed
		};
		await client.hset(workersKey(prefix), name, JSON.stringify(info));
		if (current.size) {
			const ids = [...current.values()];
			const flags = await client.mget(...ids.map((c) => cancelKey(prefix, c.bullId)));
			ids.forEach((c, i) => flags[i] && c.abort());
		}
	};
	let beating = false;
	const timer = setInterval(() => {
		if (beating) return;
		beating = true;
		beat()
			.catch(() => undefined)
			.finally(() => (beating = false));
	}, 1000);
	void beat().catch(() => undefined);

	return {
		name,
		running: () => current.size,
		async stop() {
			clearInterval(timer);
			// Running jobs are aborted and go back to wait at once (not counted as an attempt).
			shuttingDown = true;
			worker.cancelAllJobs('shutdown');
			await worker.close().catch(() => undefined);
			try {
				await raw.hdel(workersKey(prefix), name);
			} catch {
				/* Redis gone */
			}
			raw.disconnect();
			await worker.disconnect().catch(() => undefined);
			await results.close().catch(() => undefined);
		}
	};
}
