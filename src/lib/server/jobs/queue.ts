/**
 * A durable job queue on the `jobs` table (SQLite).
 *
 * Life of a job:
 *   queued ──claim──▶ running ──ok──▶ done
 *     ▲                  │ error, attempts left: back to queued, run_at = now + backoff
 *     │                  │ error, no attempts left (or the lease ran out too often): dead
 *     │                  │ PermanentJobError: failed (not retried)
 *     └──retry (manual)──┘ cancel: cancelled (a running handler is aborted at its next heartbeat)
 *
 * - `enqueue` is a plain INSERT: call it with the transaction handle of the change that needs the
 *   job, and a rolled-back transaction leaves no job behind.
 * - `claim` is one IMMEDIATE transaction (SQLite has one writer), so two workers never take the
 *   same job. A claimed job carries a lease (`locked_until`) that the worker extends while the
 *   handler runs; a crashed worker stops extending it, and after it expires the job is due again.
 * - Every write of a running job's outcome is guarded by `status = 'running' AND locked_by = me`:
 *   a worker that lost its lease (or whose job was cancelled) cannot overwrite what happened since.
 * - Handlers must be idempotent: an attempt may be cut off at any point and run again.
 */
import { and, asc, desc, eq, inArray, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { DB, DbOrTx } from '../db/client';
import { jobs, JOB_STATUSES, type Job, type JobStatus } from '../db/schema';
import { newId } from '../ids';
import { DomainError, notFound } from '../errors';


export type JobPayload = Record<string, unknown>;

export const DEFAULT_MAX_ATTEMPTS = 5;
export const DEFAULT_LEASE_MS = 60_000;

// ---------------------------------------------------------------------------
// Handlers
// ---------------------------------------------------------------------------

export interface JobContext {
	job: Job;
	db: DbOrTx;
	/** 1 on the first run. */
	attempt: number;
	maxAttempts: number;
	/** Aborted on cancel, on a lost lease, on the handler's timeout and on shutdown. */
	signal: AbortSignal;
	/** 0…100; written to the row (throttled) so the console and the applicant see it. */
	progress(percent: number): void;
	/** True while this worker still holds the job (use inside the final transaction). */
	stillOwned(tx: DbOrTx): boolean;
}

/** Lanes keep slow work from delaying quick work: a transcode never holds up a confirmation mail. */
export type Lane = 'heavy' | 'light';

export interface JobHandler {
	kind: string;
	run(payload: JobPayload, ctx: JobContext): Promise<Record<string, unknown> | void>;
	lane?: Lane;
	maxAttempts?: number;
	/** First retry delay; doubles with every attempt (with ±20 % jitter), capped at maxBackoffMs. */
	backoffMs?: number;
	maxBackoffMs?: number;
	/** The signal is aborted after this long (the handler must honour it). */
	timeoutMs?: number;
	leaseMs?: number;
	/** Called once when the job becomes dead (also when a worker crashed on it too often). */
	onDead?(db: DbOrTx, job: Job, error: string): void | Promise<void>;
	/** Called when an organizer cancels the job. */
	onCancel?(db: DbOrTx, job: Job): void | Promise<void>;
	/** Payload kept after success (e.g. drop the text of a sent mail with its one-time link). */
	redactOnDone?(payload: JobPayload): JobPayload;
	/** Short human description of a payload for the console. */
	describe?(payload: JobPayload): string;
}

const registry = new Map<string, JobHandler>();

export function registerHandler(h: JobHandler) {
	registry.set(h.kind, h);
}
export function handlerFor(kind: string): JobHandler | undefined {
	return registry.get(kind);
}
export function registeredHandlers(): JobHandler[] {
	return [...registry.values()];
}

/** A refusal that no retry can fix: the job ends as `failed` at once. */
export class PermanentJobError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'PermanentJobError';
	}
}

// ---------------------------------------------------------------------------
// Wake-ups of local workers
// ---------------------------------------------------------------------------

const listeners = new Set<() => void>();
/** Workers of this process subscribe to be woken when a job is enqueued. */
export function onEnqueued(fn: () => void): () => void {
	listeners.add(fn);
	return () => listeners.delete(fn);
}
function notify() {
	if (!listeners.size) return;
	// After the caller's (synchronous) transaction has committed.
	setImmediate(() => listeners.forEach((fn) => fn()));
}

const cancelListeners = new Set<(job: Job) => void | Promise<void>>();
/** The Redis bridge subscribes to forward cancels of jobs it handed to BullMQ. */
export function onCancelled(fn: (job: Job) => void | Promise<void>): () => void {
	cancelListeners.add(fn);
	return () => cancelListeners.delete(fn);
}

// ---------------------------------------------------------------------------
// Enqueue
// ---------------------------------------------------------------------------

export interface EnqueueOptions {
	runAt?: Date;
	maxAttempts?: number;
	/** While a job with this key is queued or running, enqueue returns it instead of adding one. */
	dedupeKey?: string;
	/**
	 * With `dedupeKey`: when the active job is queued for later (a retry waiting out its backoff),
	 * bring it forward to `runAt` (default now) — «send now» from a console.
	 */
	hurry?: boolean;
	now?: Date;
}

/**
 * Adds a job. Pass the transaction handle to make the job part of the caller's change.
 * Returns the new job, or the active job with the same dedupe key.
 */
export function enqueue(db: DbOrTx, kind: string, payload: JobPayload, opts: EnqueueOptions = {}): Job {
	if (!kind || kind.length > 100) throw new Error('enqueue: bad kind');
	const now = opts.now ?? new Date();
	const maxAttempts = opts.maxAttempts ?? registry.get(kind)?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
	if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 100) throw new Error('enqueue: maxAttempts must be 1…100');
	const inserted = db
		.insert(jobs)
		.values({
			id: newId(),
			kind,
			payload,
			status: 'queued',
			attempts: 0,
			maxAttempts,
			runAt: opts.runAt ?? now,
			dedupeKey: opts.dedupeKey ?? null,
			createdAt: now,
			updatedAt: now
		})
		// The only unique constraint that can fire is the active dedupe key.
		.onConflictDoNothing()
		.returning()
		.get();
	if (inserted) {
		notify();
		return inserted;
	}
	const existing = db
		.select()
		.from(jobs)
		.where(and(eq(jobs.dedupeKey, opts.dedupeKey!), inArray(jobs.status, ['queued', 'running'])))
		.get();
	if (!existing) throw new Error('enqueue: conflict without an active job');
	const at = opts.runAt ?? now;
	if (opts.hurry && existing.status === 'queued' && existing.runAt.getTime() > at.getTime()) {
		const hurried = db.update(jobs).set({ runAt: at, updatedAt: now }).where(and(eq(jobs.id, existing.id), eq(jobs.status, 'queued'))).returning().get();
		if (hurried) {
			notify();
			return hurried;
		}
	}
	return existing;
}

// ---------------------------------------------------------------------------
// Claim, heartbeat, outcome
// ---------------------------------------------------------------------------

export interface ClaimOptions {
	workerId: string;
	kinds: string[];
	limit: number;
	leaseMs?: number;
	now?: Date;
}

export interface ClaimResult {
	claimed: Job[];
	/** Jobs found with an expired lease and no attempts left: now dead (call their onDead). */
	dead: Job[];
}

export const LOST_WORKER_ERROR = 'Процесс обработчика остановился во время выполнения задачи (сбой или перезапуск сервера), попытки исчерпаны';

/** Atomically takes up to `limit` due jobs of the given kinds (queued and due, or running with an expired lease). */
export function claim(db: DbOrTx, o: ClaimOptions): ClaimResult {
	if (!o.kinds.length || o.limit < 1) return { claimed: [], dead: [] };
	const now = o.now ?? new Date();
	const leaseMs = o.leaseMs ?? DEFAULT_LEASE_MS;
	return db.transaction(
		(tx) => {
			const expired = and(eq(jobs.status, 'running'), lt(jobs.lockedUntil, now), inArray(jobs.kind, o.kinds));
			const dead = tx
				.update(jobs)
				.set({ status: 'dead', lastError: LOST_WORKER_ERROR, lockedUntil: null, lockedBy: null, finishedAt: now, updatedAt: now })
				.where(and(expired, sql`${jobs.attempts} >= ${jobs.maxAttempts}`))
				.returning()
				.all();
			const due = or(and(eq(jobs.status, 'queued'), lte(jobs.runAt, now)), and(eq(jobs.status, 'running'), lt(jobs.lockedUntil, now)));
			const ids = tx
				.select({ id: jobs.id })
				.from(jobs)
				.where(and(due, inArray(jobs.kind, o.kinds)))
				.orderBy(asc(jobs.runAt), asc(jobs.createdAt))
				.limit(o.limit)
				.all()
				.map((r) => r.id);
			if (!ids.length) return { claimed: [], dead };
			const claimed = tx
				.update(jobs)
				.set({
					status: 'running',
					attempts: sql`${jobs.attempts} + 1`,
					lockedBy: o.workerId,
					lockedUntil: new Date(now.getTime() + leaseMs),
					startedAt: now,
					progress: 0,
					updatedAt: now
				})
				.where(inArray(jobs.id, ids))
				.returning()
				.all();
			return { claimed, dead };
		},
		{ behavior: 'immediate' }
	);
}

const owned = (id: string, workerId: string) => and(eq(jobs.id, id), eq(jobs.status, 'running'), eq(jobs.lockedBy, workerId));

/** Extends the lease (and stores progress). False when the job is no longer ours: stop working on it. */
export function heartbeat(db: DbOrTx, id: string, workerId: string, o: { leaseMs?: number; progress?: number; now?: Date } = {}): boolean {
	const now = o.now ?? new Date();
	const r = db
		.update(jobs)
		.set({
			lockedUntil: new Date(now.getTime() + (o.leaseMs ?? DEFAULT_LEASE_MS)),
			...(o.progress !== undefined ? { progress: clampProgress(o.progress) } : {}),
			updatedAt: now
		})
		.where(owned(id, workerId))
		.run();
	return r.changes > 0;
}

export function isOwned(db: DbOrTx, id: string, workerId: string): boolean {
	return !!db.select({ id: jobs.id }).from(jobs).where(owned(id, workerId)).get();
}

function clampProgress(p: number) {
	return Math.max(0, Math.min(100, Math.round(p)));
}

export function completeJob(db: DbOrTx, job: Job, workerId: string, result: Record<string, unknown> | null, payload?: JobPayload, now = new Date()): boolean {
	const r = db
		.update(jobs)
		.set({ status: 'done', progress: 100, result, lockedUntil: null, lockedBy: null, finishedAt: now, updatedAt: now, ...(payload ? { payload } : {}) })
		.where(owned(job.id, workerId))
		.run();
	return r.changes > 0;
}

/** Exponential backoff with jitter: base·2^(attempt−1) ±20 %, capped. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, rand: () => number = Math.random): number {
	const exp = baseMs * 2 ** Math.max(0, attempt - 1);
	const jitter = 0.8 + 0.4 * rand();
	return Math.round(Math.min(maxMs, exp * jitter));
}

export type FailOutcome = 'retry' | 'dead' | 'failed' | 'lost';

/**
 * Records a failed attempt: back to the queue with a backoff, or dead when no attempts are left,
 * or failed at once for a permanent error. 'lost': the job is not ours anymore (nothing written).
 */
export function failJob(
	db: DbOrTx,
	job: Job,
	workerId: string,
	error: string,
	o: { permanent?: boolean; backoffMs?: number; maxBackoffMs?: number; now?: Date; rand?: () => number } = {}
): { outcome: FailOutcome; job?: Job } {
	const now = o.now ?? new Date();
	const attempts = job.attempts;
	const msg = error.slice(0, 4000);
	if (o.permanent || attempts >= job.maxAttempts) {
		const status = o.permanent ? 'failed' : 'dead';
		const row = db
			.update(jobs)
			.set({ status, lastError: msg, lockedUntil: null, lockedBy: null, finishedAt: now, updatedAt: now })
			.where(owned(job.id, workerId))
			.returning()
			.get();
		return row ? { outcome: status, job: row } : { outcome: 'lost' };
	}
	const delay = backoffDelay(attempts, o.backoffMs ?? 5_000, o.maxBackoffMs ?? 3_600_000, o.rand);
	const row = db
		.update(jobs)
		.set({ status: 'queued', lastError: msg, runAt: new Date(now.getTime() + delay), lockedUntil: null, lockedBy: null, updatedAt: now })
		.where(owned(job.id, workerId))
		.returning()
		.get();
	return row ? { outcome: 'retry', job: row } : { outcome: 'lost' };
}

/** Gives a job back without counting the attempt (clean shutdown in the middle of it). */
export function releaseJob(db: DbOrTx, job: Job, workerId: string, now = new Date()): boolean {
	const r = db
		.update(jobs)
		.set({ status: 'queued', attempts: sql`max(${jobs.attempts} - 1, 0)`, runAt: now, lockedUntil: null, lockedBy: null, updatedAt: now })
		.where(owned(job.id, workerId))
		.run();
	return r.changes > 0;
}

// ---------------------------------------------------------------------------
// Organizer actions
// ---------------------------------------------------------------------------

export function getJob(db: DbOrTx, id: string): Job | undefined {
	return db.select().from(jobs).where(eq(jobs.id, id)).get();
}

/** Cancels a queued or running job (a running handler is aborted at its next heartbeat). */
export async function cancelJob(db: DbOrTx, id: string, now = new Date()): Promise<Job> {
	const job = getJob(db, id);
	if (!job) throw notFound('Задача не найдена');
	if (job.status !== 'queued' && job.status !== 'running') throw new DomainError(409, 'not_active', 'Отменить можно только задачу в очереди или в работе');
	const row = db
		.update(jobs)
		.set({ status: 'cancelled', lockedUntil: null, lockedBy: null, finishedAt: now, updatedAt: now })
		.where(and(eq(jobs.id, id), inArray(jobs.status, ['queued', 'running'])))
		.returning()
		.get();
	if (!row) throw new DomainError(409, 'not_active', 'Задача уже завершилась — обновите страницу');
	await registry.get(row.kind)?.onCancel?.(db, row);
	for (const fn of cancelListeners) await fn(job);
	return row;
}

/** Puts a failed, dead or cancelled job back in the queue with a fresh count of attempts. */
export function retryJob(db: DbOrTx, id: string, now = new Date()): Job {
	const job = getJob(db, id);
	if (!job) throw notFound('Задача не найдена');
	if (job.status !== 'failed' && job.status !== 'dead' && job.status !== 'cancelled')
		throw new DomainError(409, 'not_finished', 'Повторить можно только задачу с ошибкой или отменённую');
	try {
		const row = db
			.update(jobs)
			.set({ status: 'queued', attempts: 0, runAt: now, progress: null, lockedUntil: null, lockedBy: null, finishedAt: null, result: null, updatedAt: now })
			.where(and(eq(jobs.id, id), inArray(jobs.status, ['failed', 'dead', 'cancelled'])))
			.returning()
			.get();
		if (!row) throw new DomainError(409, 'not_finished', 'Задачу уже перезапустили — обновите страницу');
		notify();
		return row;
	} catch (e) {
		if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE')
			throw new DomainError(409, 'duplicate', 'Такая же задача уже стоит в очереди или выполняется');
		throw e;
	}
}

// ---------------------------------------------------------------------------
// Console queries
// ---------------------------------------------------------------------------

export interface JobFilter {
	status?: JobStatus;
	kind?: string;
	limit?: number;
	offset?: number;
}

export function listJobs(db: DbOrTx, f: JobFilter = {}): Job[] {
	const where: SQL[] = [];
	if (f.status) where.push(eq(jobs.status, f.status));
	if (f.kind) where.push(eq(jobs.kind, f.kind));
	return db
		.select()
		.from(jobs)
		.where(where.length ? and(...where) : undefined)
		.orderBy(desc(jobs.updatedAt), desc(jobs.id))
		.limit(Math.min(f.limit ?? 50, 500))
		.offset(f.offset ?? 0)
		.all();
}

export function countJobs(db: DbOrTx, f: Omit<JobFilter, 'limit' | 'offset'> = {}): number {
	const where: SQL[] = [];
	if (f.status) where.push(eq(jobs.status, f.status));
	if (f.kind) where.push(eq(jobs.kind, f.kind));
	return db.select({ n: sql<number>`count(*)` }).from(jobs).where(where.length ? and(...where) : undefined).get()?.n ?? 0;
}

/** Counts by status and by kind × status. */
export function jobCounts(db: DbOrTx) {
	const rows = db.select({ kind: jobs.kind, status: jobs.status, n: sql<number>`count(*)` }).from(jobs).groupBy(jobs.kind, jobs.status).all();
	const byStatus = Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as Record<JobStatus, number>;
	const byKind: Record<string, Record<string, number>> = {};
	for (const r of rows) {
		byStatus[r.status] += r.n;
		(byKind[r.kind] ??= {})[r.status] = r.n;
	}
	return { byStatus, byKind, total: rows.reduce((s, r) => s + r.n, 0) };
}

/** Deletes finished jobs (done, cancelled) older than the retention; dead and failed stay for the console. */
export function purgeFinished(db: DbOrTx, olderThanMs: number, now = new Date()): number {
	return db
		.delete(jobs)
		.where(and(inArray(jobs.status, ['done', 'cancelled']), lt(jobs.finishedAt, new Date(now.getTime() - olderThanMs))))
		.run().changes;
}

/** Text of an error for the console: no stack, no signatures of presigned URLs, bounded. */
export function errorText(e: unknown): string {
	let s: string;
	if (e instanceof Error) {
		s = e.message;
		const tail = (e as { stderrTail?: string }).stderrTail;
		const code = (e as { code?: unknown }).code;
		if (typeof code === 'string' && !s.includes(code)) s = `[${code}] ${s}`;
		if (tail) s += `\n${tail.split('\n').filter((l) => l.trim()).slice(-3).join('\n')}`;
	} else s = String(e);
	return redactUrls(s).slice(0, 4000);
}

/** Removes query strings (signatures, credentials) from URLs in a text. */
export function redactUrls(s: string): string {
	return s.replace(/(https?:\/\/[^\s?'"]+)\?[^\s'"]*/gi, '$1?…');
}
