/**
 * The worker: claims due jobs and runs their handlers with bounded concurrency, in two lanes —
 * `heavy` (video processing: `concurrency` slots, default half the cores, at least 1) and
 * `light` (mail: a few slots of their own, so a long transcode never delays a confirmation mail).
 * While a handler runs, the worker extends the job's lease and stores its progress; when the
 * lease cannot be extended (the job was cancelled, or another worker took it over after this one
 * stalled) the handler's signal is aborted. `stop()` aborts running handlers and gives their jobs
 * back to the queue without counting the attempt, so a restart resumes them at once.
 */
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import type { DbOrTx } from '../db/client';
import type { Job } from '../db/schema';
import {
	claim,
	completeJob,
	DEFAULT_LEASE_MS,
	errorText,
	failJob,
	getJob,
	heartbeat,
	isOwned,
	onEnqueued,
	PermanentJobError,
	purgeFinished,
	registeredHandlers,
	releaseJob,
	type JobContext,
	type JobHandler,
	type Lane
} from './queue';
import { jobsFinished } from '../ops/metrics';
import { logFor } from '../ops/log';

export interface WorkerOptions {
	db: DbOrTx;
	/** Heavy-lane slots (video processing). */
	concurrency?: number;
	/** Light-lane slots (mail). */
	lightConcurrency?: number;
	/** How often to look for due jobs when nothing woke the worker. */
	pollMs?: number;
	leaseMs?: number;
	/** Defaults to every registered handler. */
	handlers?: JobHandler[];
	workerId?: string;
	/** Periodic housekeeping (purge of old jobs, orphaned objects). */
	maintenance?: ((db: DbOrTx) => unknown)[];
	maintenanceEveryMs?: number;
	/** Finished (done, cancelled) jobs are deleted after this long. */
	retainMs?: number;
	log?: (msg: string, err?: unknown) => void;
	/** Called on every turn of the loop (at least every pollMs): the worker is alive. */
	onHeartbeat?: () => void;
}

export interface Worker {
	id: string;
	/** Number of jobs being run now. */
	running(): number;
	wake(): void;
	stop(): Promise<void>;
}

export function defaultConcurrency(): number {
	return Math.max(1, Math.floor(os.availableParallelism() / 2));
}

interface Running {
	job: Job;
	abort(reason: AbortReason): void;
	done: Promise<void>;
}
type AbortReason = 'shutdown' | 'lost' | 'timeout';

/** How long stop() waits for aborted handlers (their jobs go back to the queue either way). */
export const STOP_GRACE_MS = 5000;

export function startWorker(o: WorkerOptions): Worker {
	const db = o.db;
	const id = o.workerId ?? `${os.hostname()}:${process.pid}:${randomBytes(2).toString('hex')}`;
	const leaseMs = o.leaseMs ?? DEFAULT_LEASE_MS;
	const pollMs = o.pollMs ?? 1000;
	const jobLog = logFor('jobs');
	const log = o.log ?? ((m: string, e?: unknown) => (e ? jobLog.error({ err: e }, m) : jobLog.info(m)));
	const handlers = new Map((o.handlers ?? registeredHandlers()).map((h) => [h.kind, h]));
	const lanes: Record<Lane, { max: number; kinds: string[]; running: number }> = {
		heavy: { max: Math.max(1, o.concurrency ?? defaultConcurrency()), kinds: [], running: 0 },
		light: { max: Math.max(1, o.lightConcurrency ?? 4), kinds: [], running: 0 }
	};
	for (const h of handlers.values()) lanes[h.lane ?? 'light'].kinds.push(h.kind);

	const active = new Map<string, Running>();
	let stopping = false;
	let woken = false;
	let wakeSleep: (() => void) | undefined;

	const wake = () => {
		woken = true;
		wakeSleep?.();
	};
	const unsubscribe = onEnqueued(wake);

	const sleep = (ms: number) =>
		new Promise<void>((resolve) => {
			if (woken || stopping) return resolve();
			const t = setTimeout(done, ms);
			function done() {
				clearTimeout(t);
				wakeSleep = undefined;
				resolve();
			}
			wakeSleep = done;
		});

	async function callOnDead(job: Job, error: string) {
		try {
			await handlers.get(job.kind)?.onDead?.(db, job, error);
		} catch (e) {
			log(`onDead ${job.kind} ${job.id} не выполнен`, e);
		}
	}

	function runOne(job: Job): Running {
		const h = handlers.get(job.kind)!;
		const ac = new AbortController();
		let reason: AbortReason | undefined;
		const abort = (r: AbortReason) => {
			if (reason) return;
			reason = r;
			ac.abort(new Error(`job aborted: ${r}`));
		};
		let progress: number | undefined;
		let progressWritten: number | undefined;
		let lastWrite = 0;
		const hbLease = h.leaseMs ?? leaseMs;
		const beat = (withProgress: boolean) => {
			try {
				const ok = heartbeat(db, job.id, id, { leaseMs: hbLease, progress: withProgress ? progress : undefined });
				if (withProgress) progressWritten = progress;
				lastWrite = Date.now();
				if (!ok) abort('lost');
			} catch (e) {
				log(`не удалось продлить аренду задачи ${job.id}`, e);
			}
		};
		const hb = setInterval(() => beat(progress !== progressWritten), Math.max(100, Math.floor(hbLease / 3)));
		const timeout = h.timeoutMs ? setTimeout(() => abort('timeout'), h.timeoutMs) : undefined;
		const ctx: JobContext = {
			job,
			db,
			attempt: job.attempts,
			maxAttempts: job.maxAttempts,
			signal: ac.signal,
			progress(p: number) {
				if (!Number.isFinite(p)) return;
				progress = Math.max(0, Math.min(100, Math.round(p)));
				if (progress !== progressWritten && Date.now() - lastWrite > 500) beat(true);
			},
			stillOwned: (tx) => isOwned(tx, job.id, id)
		};
		const done = (async () => {
			try {
				const result = await h.run(job.payload, ctx);
				if (reason === 'lost') return;
				if (completeJob(db, job, id, result ?? null, h.redactOnDone?.(job.payload))) jobsFinished.inc({ kind: job.kind, outcome: 'done' });
			} catch (e) {
				if (reason === 'lost') return; // cancelled, or taken over by another worker
				if (reason === 'shutdown') {
					releaseJob(db, job, id);
					return;
				}
				const msg = reason === 'timeout' ? `Задача превысила отведённое время (${Math.round((h.timeoutMs ?? 0) / 1000)} с) и была прервана` : errorText(e);
				const r = failJob(db, job, id, msg, { permanent: e instanceof PermanentJobError, backoffMs: h.backoffMs, maxBackoffMs: h.maxBackoffMs });
				if (r.outcome !== 'lost') jobsFinished.inc({ kind: job.kind, outcome: r.outcome });
				if (r.outcome === 'retry') log(`${job.kind} ${job.id}: попытка ${job.attempts} из ${job.maxAttempts} не удалась, повтор в ${r.job!.runAt.toISOString()}: ${msg.split('\n')[0]}`);
				else if (r.outcome === 'dead') {
					log(`${job.kind} ${job.id}: попытки исчерпаны: ${msg.split('\n')[0]}`);
					await callOnDead(r.job!, msg);
				} else if (r.outcome === 'failed') log(`${job.kind} ${job.id}: ошибка без повтора: ${msg.split('\n')[0]}`);
			} finally {
				clearInterval(hb);
				if (timeout) clearTimeout(timeout);
			}
		})().catch((e) => log(`сбой учёта задачи ${job.id}`, e));
		return { job, abort, done };
	}

	let lastMaintenance = 0;
	async function maintenance() {
		const every = o.maintenanceEveryMs ?? 10 * 60_000;
		if (Date.now() - lastMaintenance < every) return;
		lastMaintenance = Date.now();
		try {
			purgeFinished(db, o.retainMs ?? 30 * 86400_000);
		} catch (e) {
			log('очистка старых задач не удалась', e);
		}
		for (const m of o.maintenance ?? []) {
			try {
				await m(db);
			} catch (e) {
				log('обслуживание не удалось', e);
			}
		}
	}

	const loop = (async () => {
		while (!stopping) {
			woken = false;
			try {
				o.onHeartbeat?.();
			} catch (e) {
				log('не удалось записать отметку жизни обработчика', e);
			}
			let got = 0;
			for (const lane of Object.values(lanes)) {
				const free = lane.max - lane.running;
				if (free <= 0 || !lane.kinds.length || stopping) continue;
				let claimed: Job[] = [];
				try {
					const r = claim(db, { workerId: id, kinds: lane.kinds, limit: free, leaseMs });
					claimed = r.claimed;
					for (const d of r.dead) {
						jobsFinished.inc({ kind: d.kind, outcome: 'dead' });
						log(`${d.kind} ${d.id}: ${d.lastError}`);
						await callOnDead(d, d.lastError ?? '');
					}
				} catch (e) {
					log('не удалось взять задачи из очереди', e);
				}
				for (const job of claimed) {
					lane.running++;
					const r = runOne(job);
					active.set(job.id, r);
					void r.done.finally(() => {
						lane.running--;
						active.delete(job.id);
						wake();
					});
				}
				got += claimed.length;
			}
			await maintenance();
			if (!got) await sleep(pollMs);
		}
	})();

	return {
		id,
		running: () => active.size,
		wake,
		async stop() {
			if (stopping) return;
			stopping = true;
			unsubscribe();
			wake();
			await loop;
			for (const r of active.values()) r.abort('shutdown');
			const all = Promise.all([...active.values()].map((r) => r.done));
			// Aborted handlers get a few seconds to clean up; the timer never holds the process.
			let timer: NodeJS.Timeout | undefined;
			await Promise.race([all, new Promise((r) => (timer = setTimeout(r, STOP_GRACE_MS)))]);
			clearTimeout(timer);
		}
	};
}

/** Runs one queued job right here (scripts without a worker, e.g. user:create sending its mail). */
export async function runJobNow(db: DbOrTx, jobId: string, handlersList: JobHandler[] = registeredHandlers()): Promise<Job | undefined> {
	const job = getJob(db, jobId);
	if (!job || job.status !== 'queued') return job;
	const w = startWorker({ db, handlers: handlersList.filter((h) => h.kind === job.kind), pollMs: 50, log: () => undefined });
	const deadline = Date.now() + 60_000;
	try {
		for (;;) {
			const j = getJob(db, jobId);
			if (!j || (j.status !== 'queued' && j.status !== 'running') || (j.status === 'queued' && j.attempts > 0) || Date.now() > deadline) return j;
			await new Promise((r) => setTimeout(r, 50));
		}
	} finally {
		await w.stop();
	}
}
