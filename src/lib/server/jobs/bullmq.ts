/**
 * The heavy lane on Redis + BullMQ (when REDIS_URL is set): the portal's side.
 *
 * SQLite stays the system of record. `enqueue(tx, …)` records a media job in the caller's
 * transaction as before; this bridge, running in the portal, then
 *
 *  - relays due jobs to the BullMQ queue `media` (prepare → Queue.addBulk). The BullMQ job id is
 *    `<our id>-<run_at ms>`: two portals, or a portal restarted between the add and its own
 *    bookkeeping, add the same id and BullMQ keeps one job. A manual retry changes run_at, so it is
 *    a new BullMQ job. While Redis is down the add fails and the jobs simply wait in SQLite.
 *  - consumes the reports of the media workers from the queue `media-results` (a BullMQ queue, so
 *    a report survives a portal restart): partial outputs (the first playable rendition), the final
 *    output, a failed attempt (BullMQ retries it with our backoff), the final failure. Only the
 *    portal writes SQLite; every write is guarded by "still active, same run_at".
 *  - mirrors the running jobs (BullMQ's active list: worker, attempt, progress) into the rows
 *    for /admin/jobs, and reconciles what no report told: a job BullMQ failed after its lock
 *    expired too often (a worker killed mid-job), a job that vanished from Redis (restarted
 *    without persistence) — relayed again.
 *  - forwards cancels: a waiting BullMQ job is removed, a running one is signalled to its worker.
 *
 * Leases are BullMQ's locks (lockDuration = JOB_LEASE_SEC): a worker killed mid-job stops renewing
 * its lock, another worker's stalled check puts the job back to wait, another worker finishes it
 * (objects are written under fixed keys, rows are upserted: nothing twice).
 */
import os from 'node:os';
import { and, asc, eq, inArray, isNotNull, isNull, lte, sql } from 'drizzle-orm';
import { Queue, Worker, type ConnectionOptions, type Job as BullJob } from 'bullmq';
import { Redis } from 'ioredis';
import type { DbOrTx } from '../db/client';
import { jobs, type Job } from '../db/schema';
import { LOST_WORKER_ERROR, handlerFor, onCancelled, onEnqueued } from './queue';
import { remoteFor, remoteKinds } from './remote';
import { jobsFinished } from '../ops/metrics';
import { logFor } from '../ops/log';

export const MEDIA_QUEUE = 'media';
export const RESULTS_QUEUE = 'media-results';
export const DEFAULT_PREFIX = 'nst';
/** Marks a row relayed to Redis and waiting there (lockedBy); a running one carries its worker's name. */
export const RELAYED = 'redis';

/** Job data in the `media` queue. */
export interface RelayedData {
	jobId: string;
	kind: string;
	input: unknown;
	backoffMs: number;
	maxBackoffMs: number;
}

/** A media worker's report in the `media-results` queue. */
export type Report =
	| { type: 'partial' | 'done'; jobId: string; bullId: string; attempt: number; worker: string; output: unknown }
	| { type: 'attempt-failed' | 'failed'; jobId: string; bullId: string; attempt: number; worker: string; error: string; permanent: boolean; retryAt?: number };

export function redisConnection(url: string, o: { failFast?: boolean } = {}): ConnectionOptions {
	// A producer fails fast while Redis is down (the jobs wait in SQLite); a worker keeps trying.
	return o.failFast ? { url, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000 } : { url, maxRetriesPerRequest: null };
}

export function bullIdOf(job: Pick<Job, 'id' | 'runAt'>): string {
	return `${job.id}-${job.runAt.getTime()}`;
}
export function cancelKey(prefix: string, bullId: string): string {
	return `${prefix}:${MEDIA_QUEUE}:cancel:${bullId}`;
}
export function workersKey(prefix: string): string {
	return `${prefix}:${MEDIA_QUEUE}:workers`;
}

export interface BridgeOptions {
	db: DbOrTx;
	redisUrl: string;
	prefix?: string;
	/** How often due jobs are relayed (also on every enqueue). */
	relayEveryMs?: number;
	/** How often running jobs are mirrored and lost ones reconciled. */
	syncEveryMs?: number;
	/** Lease shown on running rows (BullMQ's lock is the real one). */
	leaseMs?: number;
	log?: (msg: string, err?: unknown) => void;
}

export interface WorkerInfo {
	name: string;
	host: string;
	pid: number;
	startedAt: number;
	heartbeatAt: number;
	concurrency: number;
	current: { jobId: string; since: number; progress: number | null }[];
	processed: number;
	failed: number;
}

export interface Bridge {
	/** Relays due jobs now; resolves with the number handed to BullMQ. */
	relayOnce(): Promise<number>;
	/** Mirrors running jobs and reconciles lost ones now. */
	syncOnce(): Promise<void>;
	/** True while Redis answers. */
	connected(): boolean;
	workers(): Promise<WorkerInfo[]>;
	counts(): Promise<Record<string, number>>;
	stop(): Promise<void>;
}

let current: Bridge | undefined;
/** The bridge of this process (the portal's), for /admin/jobs. */
export function activeBridge(): Bridge | undefined {
	return current;
}

export function startRedisBridge(o: BridgeOptions): Bridge {
	const db = o.db;
	const prefix = o.prefix ?? DEFAULT_PREFIX;
	const leaseMs = o.leaseMs ?? 60_000;
	const jobLog = logFor('jobs');
	const log = o.log ?? ((m: string, e?: unknown) => (e ? jobLog.error({ err: e }, m) : jobLog.info(m)));
	const queue = new Queue<RelayedData>(MEDIA_QUEUE, { connection: redisConnection(o.redisUrl, { failFast: true }), prefix });
	queue.on('error', () => undefined); // reported by the loops below, once per outage
	// Our own keys (cancel flags, the workers' hash, existence checks): a plain client, failing fast.
	const raw = new Redis(o.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000 });
	raw.on('error', () => undefined);
	let up = false;
	let stopping = false;
	let downSince = 0;

	const live = (row: Job | undefined, bullId: string): boolean => !!row && (row.status === 'queued' || row.status === 'running') && bullIdOf(row) === bullId;
	const stillLive = (id: string, runAt: Date) => (tx: DbOrTx) =>
		!!tx
			.select({ id: jobs.id })
			.from(jobs)
			.where(and(eq(jobs.id, id), inArray(jobs.status, ['queued', 'running']), eq(jobs.runAt, runAt)))
			.get();
	const guard = (row: Job) => and(eq(jobs.id, row.id), inArray(jobs.status, ['queued', 'running']), eq(jobs.runAt, row.runAt));

	function finish(row: Job, status: 'done' | 'failed' | 'dead', fields: { result?: Record<string, unknown> | null; lastError?: string; attempts?: number }): Job | undefined {
		const now = new Date();
		const h = handlerFor(row.kind);
		return db
			.update(jobs)
			.set({
				status,
				...(status === 'done' ? { progress: 100, result: fields.result ?? null, ...(h?.redactOnDone ? { payload: h.redactOnDone(row.payload) } : {}) } : {}),
				...(fields.lastError !== undefined ? { lastError: fields.lastError.slice(0, 4000) } : {}),
				...(fields.attempts !== undefined ? { attempts: Math.max(row.attempts, fields.attempts) } : {}),
				lockedBy: null,
				lockedUntil: null,
				finishedAt: now,
				updatedAt: now
			})
			.where(guard(row))
			.returning()
			.get();
	}

	async function failFinally(row: Job, error: string, permanent: boolean) {
		const r = finish(row, permanent ? 'failed' : 'dead', { lastError: error });
		if (!r) return;
		jobsFinished.inc({ kind: row.kind, outcome: r.status });
		log(`${row.kind} ${row.id}: ${permanent ? 'ошибка без повтора' : 'попытки исчерпаны'}: ${error.split('\n')[0]}`);
		if (r.status === 'dead') {
			try {
				await handlerFor(row.kind)?.onDead?.(db, r, error);
			} catch (e) {
				log(`onDead ${row.kind} ${row.id} не выполнен`, e);
			}
		}
	}

	/** Applies one report of a worker (also used by the reconciler with BullMQ's own record). */
	async function apply(rep: Report): Promise<void> {
		const row = db.select().from(jobs).where(eq(jobs.id, rep.jobId)).get();
		const h = row ? remoteFor(row.kind) : undefined;
		if (!row || !h) return;
		if (!live(row, rep.bullId)) {
			// Cancelled, retried anew, or already recorded: an output nobody will record is removed.
			if ((rep.type === 'done' || rep.type === 'partial') && row.status !== 'done') await h.discard(db, row, rep.output);
			return;
		}
		const stillOwned = stillLive(row.id, row.runAt);
		switch (rep.type) {
			case 'partial':
			case 'done': {
				let result: Record<string, unknown>;
				try {
					result = await h.record(db, row, rep.output, { stillOwned });
				} catch (e) {
					if ((e as Error).name === 'NotOwnedError' || /no longer held/.test(String((e as Error).message))) return void (await h.discard(db, row, rep.output));
					throw e;
				}
				if (rep.type === 'done' && finish(row, 'done', { result, attempts: rep.attempt })) jobsFinished.inc({ kind: row.kind, outcome: 'done' });
				return;
			}
			case 'attempt-failed': {
				const now = new Date();
				db.update(jobs)
					.set({ status: 'queued', lastError: rep.error.slice(0, 4000), attempts: rep.attempt, lockedBy: RELAYED, lockedUntil: rep.retryAt ? new Date(rep.retryAt) : null, progress: null, updatedAt: now })
					.where(guard(row))
					.run();
				jobsFinished.inc({ kind: row.kind, outcome: 'retry' });
				log(`${row.kind} ${row.id}: попытка ${rep.attempt} из ${row.maxAttempts} не удалась (${rep.worker}): ${rep.error.split('\n')[0]}`);
				return;
			}
			case 'failed':
				db.update(jobs).set({ attempts: rep.attempt }).where(guard(row)).run();
				return failFinally(row, rep.error, rep.permanent);
		}
	}

	// Reports of the workers: a BullMQ worker of the portal on the results queue (one at a time, in order).
	const results = new Worker<Report>(RESULTS_QUEUE, async (j) => apply(j.data), {
		connection: redisConnection(o.redisUrl),
		prefix,
		concurrency: 1,
		removeOnComplete: { count: 1000 },
		removeOnFail: { count: 5000 },
		name: `portal:${os.hostname()}:${process.pid}`
	});
	results.on('error', () => undefined);
	results.on('failed', (j, e) => log(`отчёт обработчика ${j?.data?.jobId ?? ''} не записан`, e));

	async function relayOnce(): Promise<number> {
		const kinds = remoteKinds();
		if (!kinds.length || stopping) return 0;
		const now = new Date();
		let total = 0;
		for (;;) {
			const rows = db
				.select()
				.from(jobs)
				.where(and(inArray(jobs.kind, kinds), eq(jobs.status, 'queued'), isNull(jobs.lockedBy), lte(jobs.runAt, now)))
				.orderBy(asc(jobs.runAt), asc(jobs.createdAt))
				.limit(200)
				.all();
			if (!rows.length) return total;
			const adds: { row: Job; data: RelayedData }[] = [];
			for (const row of rows) {
				const h = remoteFor(row.kind)!;
				const p = h.prepare(db, row.payload, row);
				if ('result' in p) {
					if (finish(row, 'done', { result: p.result })) jobsFinished.inc({ kind: row.kind, outcome: 'done' });
					continue;
				}
				const jh = handlerFor(row.kind);
				adds.push({ row, data: { jobId: row.id, kind: row.kind, input: p.input, backoffMs: jh?.backoffMs ?? 5_000, maxBackoffMs: jh?.maxBackoffMs ?? 3_600_000 } });
			}
			if (adds.length) {
				await queue.addBulk(
					adds.map(({ row, data }) => ({
						name: row.kind,
						data,
						opts: {
							jobId: bullIdOf(row),
							attempts: Math.max(1, row.maxAttempts),
							backoff: { type: 'jitter', delay: data.backoffMs },
							removeOnComplete: { age: 7 * 86400, count: 50_000 },
							removeOnFail: { age: 30 * 86400 }
						}
					}))
				);
				const t = new Date();
				for (const { row } of adds)
					db.update(jobs)
						.set({ lockedBy: RELAYED, updatedAt: t })
						.where(and(eq(jobs.id, row.id), eq(jobs.status, 'queued'), isNull(jobs.lockedBy), eq(jobs.runAt, row.runAt)))
						.run();
				total += adds.length;
			}
			if (rows.length < 200) return total;
		}
	}

	async function syncOnce(): Promise<void> {
		const kinds = remoteKinds();
		if (!kinds.length) return;
		const now = new Date();
		const active = await queue.getActive(0, 500);
		const seen = new Set<string>();
		for (const bj of active) {
			const d = bj.data;
			if (!d?.jobId || !bj.id) continue;
			seen.add(d.jobId);
			const row = db.select().from(jobs).where(eq(jobs.id, d.jobId)).get();
			if (!row || !live(row, bj.id)) continue;
			const progress = typeof bj.progress === 'number' ? Math.max(0, Math.min(100, Math.round(bj.progress))) : row.progress;
			db.update(jobs)
				.set({
					status: 'running',
					lockedBy: bj.processedBy ?? RELAYED,
					lockedUntil: new Date(now.getTime() + leaseMs),
					attempts: Math.max(row.attempts, bj.attemptsMade + 1),
					progress: progress ?? 0,
					...(row.status !== 'running' ? { startedAt: bj.processedOn ? new Date(bj.processedOn) : now } : {}),
					updatedAt: now
				})
				.where(guard(row))
				.run();
		}
		// Rows we believe running that BullMQ no longer has active: ask BullMQ what became of them.
		const running = db
			.select()
			.from(jobs)
			.where(and(inArray(jobs.kind, kinds), eq(jobs.status, 'running'), isNotNull(jobs.lockedBy)))
			.all()
			.filter((r) => !seen.has(r.id));
		for (const row of running) await reconcile(row);
		await checkRelayed();
	}

	async function reconcile(row: Job) {
		const bullId = bullIdOf(row);
		const bj: BullJob<RelayedData> | undefined = await queue.getJob(bullId);
		const state = bj ? await bj.getState() : 'unknown';
		const now = new Date();
		if (state === 'completed') {
			// The 'done' report is in the results queue, or was lost: BullMQ kept the output too.
			if (bj?.returnvalue) await apply({ type: 'done', jobId: row.id, bullId, attempt: bj.attemptsMade, worker: bj.processedBy ?? RELAYED, output: bj.returnvalue });
		} else if (state === 'failed') {
			const reason = bj?.failedReason ?? '';
			const stalled = /stalled/i.test(reason);
			await failFinally(row, stalled ? LOST_WORKER_ERROR : reason || LOST_WORKER_ERROR, false);
		} else if (state === 'unknown') {
			// Gone from Redis (flushed, restarted without persistence): relay it again.
			db.update(jobs).set({ status: 'queued', lockedBy: null, lockedUntil: null, progress: null, updatedAt: now }).where(guard(row)).run();
		} else if (state !== 'active') {
			// Back in BullMQ's wait (its worker stalled) or delayed for a retry.
			db.update(jobs).set({ status: 'queued', lockedBy: RELAYED, progress: null, updatedAt: now }).where(guard(row)).run();
		}
	}

	let lastRelayedCheck = 0;
	/** Relayed rows whose BullMQ job is gone (Redis lost its data): relayed again. */
	async function checkRelayed(force = false) {
		if (!force && Date.now() - lastRelayedCheck < 30_000) return;
		lastRelayedCheck = Date.now();
		const rows = db
			.select({ id: jobs.id, runAt: jobs.runAt })
			.from(jobs)
			.where(and(inArray(jobs.kind, remoteKinds()), eq(jobs.status, 'queued'), eq(jobs.lockedBy, RELAYED)))
			.limit(50_000)
			.all();
		if (!rows.length) return;
		const client = raw;
		for (let i = 0; i < rows.length; i += 1000) {
			const chunk = rows.slice(i, i + 1000);
			const pipe = client.pipeline();
			for (const r of chunk) pipe.exists(`${prefix}:${MEDIA_QUEUE}:${bullIdOf(r)}`);
			const res = (await pipe.exec()) ?? [];
			const gone = chunk.filter((_, k) => res[k]?.[1] === 0).map((r) => r.id);
			if (gone.length)
				db.update(jobs)
					.set({ lockedBy: null, updatedAt: new Date() })
					.where(and(inArray(jobs.id, gone), eq(jobs.status, 'queued'), eq(jobs.lockedBy, RELAYED)))
					.run();
		}
	}

	// Cancels from /admin/jobs.
	const unCancel = onCancelled(async (row) => {
		if (!remoteFor(row.kind)) return;
		const bullId = bullIdOf(row);
		try {
			const bj = await queue.getJob(bullId);
			const state = bj ? await bj.getState() : 'unknown';
			if (bj && state !== 'active' && state !== 'completed' && state !== 'failed') await bj.remove();
			else if (state === 'active') await raw.set(cancelKey(prefix, bullId), '1', 'EX', 86400);
		} catch (e) {
			log(`отмена задачи ${row.id} не передана в Redis (её отчёт будет отброшен)`, e);
		}
	});

	// Loops.
	let wakeRelay: (() => void) | undefined;
	const unEnq = onEnqueued(() => wakeRelay?.());
	const sleep = (ms: number) =>
		new Promise<void>((r) => {
			const t = setTimeout(done, ms);
			function done() {
				clearTimeout(t);
				wakeRelay = undefined;
				r();
			}
			wakeRelay = done;
		});
	const outage = (e: unknown) => {
		if (up || !downSince) {
			downSince = Date.now();
			log(`Redis недоступен (${(e as Error)?.message ?? e}): задачи видео ждут в SQLite и уйдут, когда он вернётся`);
		}
		up = false;
	};
	const back = () => {
		if (!up) {
			if (downSince) log('Redis снова доступен: передаю задачи видео');
			up = true;
			downSince = 0;
			lastRelayedCheck = 0; // after an outage, check that Redis still has what it had
		}
	};
	let lastSync = 0;
	const loop = (async () => {
		while (!stopping) {
			try {
				await relayOnce();
				if (Date.now() - lastSync >= (o.syncEveryMs ?? 2000)) {
					lastSync = Date.now();
					await syncOnce();
				}
				back();
			} catch (e) {
				outage(e);
			}
			if (!stopping) await sleep(up ? (o.relayEveryMs ?? 1000) : 2000);
		}
	})();

	const bridge: Bridge = {
		relayOnce,
		async syncOnce() {
			await syncOnce();
			await checkRelayed(true);
		},
		connected: () => up,
		async workers() {
			const all = await raw.hgetall(workersKey(prefix));
			return Object.values(all)
				.map((v) => {
					try {
						return JSON.parse(v) as WorkerInfo;
					} catch {
						return null;
					}
				})
				.filter((w): w is WorkerInfo => !!w)
				.sort((a, b) => a.name.localeCompare(b.name));
		},
		counts: () => queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized'),
		async stop() {
			if (stopping) return;
			stopping = true;
			unEnq();
			unCancel();
			wakeRelay?.();
			await loop;
			await results.close().catch(() => undefined);
			await queue.close().catch(() => undefined);
			raw.disconnect();
			if (current === bridge) current = undefined;
		}
	};
	current = bridge;
	return bridge;
}

/** Rows of remote kinds that are relayed and waiting in Redis (for the console). */
export function relayedCount(db: DbOrTx): number {
	return db.select({ n: sql<number>`count(*)` }).from(jobs).where(and(eq(jobs.status, 'queued'), eq(jobs.lockedBy, RELAYED))).get()?.n ?? 0;
}
