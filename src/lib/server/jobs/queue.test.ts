import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { dbPerTest } from '../../../../tests/helpers/db';
import type { DB } from '../db/client';
import { jobs, users } from '../db/schema';
import { parseConfig, setConfig } from '../config';
import {
	backoffDelay,
	cancelJob,
	claim,
	completeJob,
	enqueue,
	errorText,
	failJob,
	getJob,
	heartbeat,
	jobCounts,
	listJobs,
	LOST_WORKER_ERROR,
	PermanentJobError,
	purgeFinished,
	releaseJob,
	retryJob,
	type JobHandler
} from './queue';
import { startWorker, runJobNow } from './worker';
import { enqueueMail, mailHandler } from './mail';

let db: DB;
dbPerTest((d) => (db = d));

const T0 = new Date('2026-03-01T10:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const W = { workerId: 'w1', kinds: ['k'], limit: 10, leaseMs: 1000 };

async function until(fn: () => boolean, ms = 10_000) {
	const end = Date.now() + ms;
	while (!fn()) {
		if (Date.now() > end) throw new Error('timeout waiting for condition');
		await new Promise((r) => setTimeout(r, 20));
	}
}

describe('enqueue and claim', () => {
	it('claims only due jobs of the given kinds, each once', () => {
		const a = enqueue(db, 'k', { n: 1 }, { now: T0 });
		enqueue(db, 'k', { n: 2 }, { now: T0, runAt: at(60_000) });
		enqueue(db, 'other', { n: 3 }, { now: T0 });
		const first = claim(db, { ...W, now: at(10) });
		expect(first.claimed.map((j) => j.id)).toEqual([a.id]);
		expect(first.claimed[0]).toMatchObject({ status: 'running', attempts: 1, lockedBy: 'w1' });
		expect(first.claimed[0].lockedUntil!.getTime()).toBe(at(1010).getTime());
		// Another worker at the same moment gets nothing: the job is leased.
		expect(claim(db, { ...W, workerId: 'w2', now: at(20) }).claimed).toEqual([]);
		expect(completeJob(db, first.claimed[0], 'w1', null, undefined, at(30))).toBe(true);
		// The delayed one becomes due.
		expect(claim(db, { ...W, workerId: 'w2', now: at(60_000) }).claimed.map((j) => j.payload)).toEqual([{ n: 2 }]);
	});

	it('respects the limit', () => {
		for (let i = 0; i < 5; i++) enqueue(db, 'k', { i }, { now: at(i) });
		const r = claim(db, { ...W, limit: 2, now: at(100) });
		expect(r.claimed.map((j) => j.payload.i)).toEqual([0, 1]);
	});

	it('enqueue inside a rolled-back transaction leaves no job; a committed one does', () => {
		expect(() =>
			db.transaction((tx) => {
				tx.insert(users).values({ id: 'u1', email: 'a@b.ru', fio: 'Тест' }).run();
				enqueue(tx, 'k', { user: 'u1' });
				throw new Error('rollback');
			})
		).toThrow('rollback');
		expect(db.select().from(jobs).all()).toEqual([]);
		expect(db.select().from(users).all()).toEqual([]);
		db.transaction((tx) => {
			tx.insert(users).values({ id: 'u2', email: 'c@d.ru', fio: 'Тест' }).run();
			enqueue(tx, 'k', { user: 'u2' });
		});
		expect(db.select().from(jobs).all()).toHaveLength(1);
	});

	it('a dedupe key gives back the active job, and allows a new one after it finished', () => {
		const a = enqueue(db, 'k', { x: 1 }, { dedupeKey: 'same', now: T0 });
		const b = enqueue(db, 'k', { x: 2 }, { dedupeKey: 'same', now: T0 });
		expect(b.id).toBe(a.id);
		const [c] = claim(db, { ...W, now: at(1) }).claimed;
		expect(enqueue(db, 'k', {}, { dedupeKey: 'same' }).id).toBe(a.id); // running counts as active
		completeJob(db, c, 'w1', { ok: true }, undefined, at(2));
		const d = enqueue(db, 'k', { x: 3 }, { dedupeKey: 'same', now: at(3) });
		expect(d.id).not.toBe(a.id);
		expect(db.select().from(jobs).all()).toHaveLength(2);
	});

	it('rejects a silly maxAttempts', () => {
		expect(() => enqueue(db, 'k', {}, { maxAttempts: 0 })).toThrow();
	});
});

describe('retries, backoff, dead letter', () => {
	it('backoff doubles with jitter and is capped', () => {
		expect(backoffDelay(1, 1000, 60_000, () => 0.5)).toBe(1000);
		expect(backoffDelay(2, 1000, 60_000, () => 0.5)).toBe(2000);
		expect(backoffDelay(4, 1000, 60_000, () => 0.5)).toBe(8000);
		expect(backoffDelay(4, 1000, 60_000, () => 0)).toBe(6400);
		expect(backoffDelay(4, 1000, 60_000, () => 1)).toBe(9600);
		expect(backoffDelay(20, 1000, 60_000, () => 1)).toBe(60_000);
	});

	it('a failed attempt goes back to the queue after the backoff, and dies after maxAttempts', () => {
		enqueue(db, 'k', {}, { maxAttempts: 3, now: T0 });
		let now = at(0);
		for (let attempt = 1; attempt <= 3; attempt++) {
			const [job] = claim(db, { ...W, now }).claimed;
			expect(job.attempts).toBe(attempt);
			const r = failJob(db, job, 'w1', `сбой ${attempt}`, { backoffMs: 1000, now, rand: () => 0.5 });
			if (attempt < 3) {
				expect(r.outcome).toBe('retry');
				expect(r.job!.runAt.getTime() - now.getTime()).toBe(1000 * 2 ** (attempt - 1));
				// Not due before the backoff.
				expect(claim(db, { ...W, now: new Date(now.getTime() + 10) }).claimed).toEqual([]);
				now = r.job!.runAt;
			} else {
				expect(r.outcome).toBe('dead');
				expect(r.job).toMatchObject({ status: 'dead', lastError: 'сбой 3', lockedBy: null });
			}
		}
		expect(claim(db, { ...W, now: at(3_600_000) }).claimed).toEqual([]);
	});

	it('a permanent error fails at once', () => {
		enqueue(db, 'k', {}, { now: T0 });
		const [job] = claim(db, { ...W, now: at(1) }).claimed;
		expect(failJob(db, job, 'w1', 'неверные данные', { permanent: true }).outcome).toBe('failed');
		expect(getJob(db, job.id)!.status).toBe('failed');
	});

	it('errorText hides presigned URL signatures and keeps the ffmpeg tail short', () => {
		const e = Object.assign(new Error('ffprobe failed: http://127.0.0.1:9000/portal/a.mp4?X-Amz-Signature=abc&X-Amz-Credential=key'), {
			code: 'crashed',
			stderrTail: 'l1\nl2\nl3\nServer returned 403 Forbidden (access denied) https://s3/x?X-Amz-Signature=zzz'
		});
		const s = errorText(e);
		expect(s).not.toContain('abc');
		expect(s).not.toContain('zzz');
		expect(s).toContain('[crashed]');
		expect(s).toContain('403');
		expect(s.split('\n')).toHaveLength(4);
	});
});

describe('leases', () => {
	it('after the lease of a crashed worker expires, another worker takes the job over', () => {
		enqueue(db, 'k', {}, { now: T0 });
		const [a] = claim(db, { ...W, workerId: 'crashed', now: at(0) }).claimed;
		expect(claim(db, { ...W, workerId: 'w2', now: at(999) }).claimed).toEqual([]);
		const [b] = claim(db, { ...W, workerId: 'w2', now: at(1001) }).claimed;
		expect(b.id).toBe(a.id);
		expect(b.attempts).toBe(2);
		// The stalled first worker cannot extend or finish it any more.
		expect(heartbeat(db, a.id, 'crashed', { now: at(1002) })).toBe(false);
		expect(completeJob(db, a, 'crashed', null)).toBe(false);
		expect(failJob(db, a, 'crashed', 'x').outcome).toBe('lost');
		expect(completeJob(db, b, 'w2', { ok: 1 })).toBe(true);
		expect(getJob(db, a.id)).toMatchObject({ status: 'done', result: { ok: 1 }, progress: 100 });
	});

	it('heartbeats keep the lease; progress is stored', () => {
		enqueue(db, 'k', {}, { now: T0 });
		const [a] = claim(db, { ...W, now: at(0) }).claimed;
		expect(heartbeat(db, a.id, 'w1', { leaseMs: 1000, progress: 42.4, now: at(900) })).toBe(true);
		expect(claim(db, { ...W, workerId: 'w2', now: at(1500) }).claimed).toEqual([]);
		expect(getJob(db, a.id)!.progress).toBe(42);
	});

	it('a job whose worker keeps crashing ends dead with a clear error', () => {
		enqueue(db, 'k', {}, { now: T0, maxAttempts: 2 });
		claim(db, { ...W, now: at(0) });
		claim(db, { ...W, now: at(2000) });
		const r = claim(db, { ...W, now: at(4000) });
		expect(r.claimed).toEqual([]);
		expect(r.dead).toHaveLength(1);
		expect(r.dead[0]).toMatchObject({ status: 'dead', lastError: LOST_WORKER_ERROR, attempts: 2 });
	});

	it('release gives the job back without counting the attempt', () => {
		enqueue(db, 'k', {}, { now: T0 });
		const [a] = claim(db, { ...W, now: at(0) }).claimed;
		expect(releaseJob(db, a, 'w1', at(5))).toBe(true);
		expect(getJob(db, a.id)).toMatchObject({ status: 'queued', attempts: 0, lockedBy: null });
	});
});

describe('organizer actions', () => {
	it('cancel a queued job; cancel a running job (its worker loses it); retry a dead one', async () => {
		const q = enqueue(db, 'k', {}, { now: T0 });
		expect((await cancelJob(db, q.id)).status).toBe('cancelled');
		expect(claim(db, { ...W, now: at(10) }).claimed).toEqual([]);
		await expect(cancelJob(db, q.id)).rejects.toMatchObject({ status: 409 });

		const r = enqueue(db, 'k', {}, { now: T0, maxAttempts: 1 });
		const [running] = claim(db, { ...W, now: at(20) }).claimed;
		await cancelJob(db, r.id);
		expect(heartbeat(db, running.id, 'w1')).toBe(false);
		expect(completeJob(db, running, 'w1', null)).toBe(false);
		expect(getJob(db, r.id)!.status).toBe('cancelled');

		const again = retryJob(db, r.id, at(30));
		expect(again).toMatchObject({ status: 'queued', attempts: 0 });
		const [c] = claim(db, { ...W, now: at(40) }).claimed;
		expect(failJob(db, c, 'w1', 'снова').outcome).toBe('dead');
		expect(retryJob(db, r.id).status).toBe('queued');
		expect(() => retryJob(db, r.id)).toThrow(/только задачу с ошибкой/);
		await expect(cancelJob(db, 'nope')).rejects.toMatchObject({ status: 404 });
	});

	it('retry refuses when the same job is active again', () => {
		const a = enqueue(db, 'k', {}, { dedupeKey: 'x', now: T0, maxAttempts: 1 });
		const [c] = claim(db, { ...W, now: at(1) }).claimed;
		failJob(db, c, 'w1', 'e');
		enqueue(db, 'k', {}, { dedupeKey: 'x' });
		expect(() => retryJob(db, a.id)).toThrow(/уже стоит в очереди/);
	});

	it('counts, filters and purges', () => {
		enqueue(db, 'k', {}, { now: T0 });
		enqueue(db, 'm', {}, { now: T0 });
		const [c] = claim(db, { ...W, now: at(1) }).claimed;
		completeJob(db, c, 'w1', null, undefined, at(2));
		const counts = jobCounts(db);
		expect(counts.byStatus).toMatchObject({ queued: 1, done: 1, running: 0 });
		expect(counts.byKind).toEqual({ k: { done: 1 }, m: { queued: 1 } });
		expect(listJobs(db, { status: 'queued' }).map((j) => j.kind)).toEqual(['m']);
		expect(listJobs(db, { kind: 'k' })).toHaveLength(1);
		expect(purgeFinished(db, 1000, at(500))).toBe(0);
		expect(purgeFinished(db, 1000, at(5000))).toBe(1);
		expect(listJobs(db)).toHaveLength(1);
	});
});

describe('worker', () => {
	it('runs handlers: success with progress, retries then success, dead with onDead, permanent failure', async () => {
		const deadCalls: string[] = [];
		let flaky = 0;
		const handlers: JobHandler[] = [
			{
				kind: 'ok',
				async run(p, ctx) {
					ctx.progress(50);
					return { echoed: p.v };
				}
			},
			{
				kind: 'flaky',
				backoffMs: 10,
				async run() {
					if (++flaky < 3) throw new Error(`flaky ${flaky}`);
					return { flaky };
				}
			},
			{
				kind: 'broken',
				backoffMs: 10,
				async run() {
					throw new Error('всегда ломается');
				},
				onDead: (_db, job, err) => void deadCalls.push(`${job.id}:${err}`)
			},
			{
				kind: 'bad',
				async run() {
					throw new PermanentJobError('нечего повторять');
				}
			}
		];
		const ok = enqueue(db, 'ok', { v: 7 });
		const fl = enqueue(db, 'flaky', {}, { maxAttempts: 5 });
		const br = enqueue(db, 'broken', {}, { maxAttempts: 2 });
		const bad = enqueue(db, 'bad', {});
		const w = startWorker({ db, handlers, pollMs: 20, leaseMs: 1000, log: () => undefined });
		try {
			await until(() => [ok, fl, br, bad].every((j) => ['done', 'dead', 'failed'].includes(getJob(db, j.id)!.status)));
		} finally {
			await w.stop();
		}
		expect(getJob(db, ok.id)).toMatchObject({ status: 'done', result: { echoed: 7 }, attempts: 1 });
		expect(getJob(db, fl.id)).toMatchObject({ status: 'done', result: { flaky: 3 }, attempts: 3, lastError: 'flaky 2' });
		expect(getJob(db, br.id)).toMatchObject({ status: 'dead', attempts: 2, lastError: 'всегда ломается' });
		expect(deadCalls).toEqual([`${br.id}:всегда ломается`]);
		expect(getJob(db, bad.id)).toMatchObject({ status: 'failed', attempts: 1, lastError: 'нечего повторять' });
	});

	it('bounded concurrency per lane; a heavy job does not hold up light ones', async () => {
		let heavyNow = 0;
		let heavyMax = 0;
		let release!: () => void;
		const gate = new Promise<void>((r) => (release = r));
		const handlers: JobHandler[] = [
			{
				kind: 'heavy',
				lane: 'heavy',
				async run() {
					heavyMax = Math.max(heavyMax, ++heavyNow);
					await gate;
					heavyNow--;
				}
			},
			{ kind: 'light', async run() {} }
		];
		for (let i = 0; i < 3; i++) enqueue(db, 'heavy', { i });
		const w = startWorker({ db, handlers, concurrency: 1, pollMs: 20, leaseMs: 1000, log: () => undefined });
		try {
			await until(() => heavyNow === 1);
			const mail = enqueue(db, 'light', {});
			await until(() => getJob(db, mail.id)!.status === 'done', 3000);
			expect(heavyNow).toBe(1);
			release();
			await until(() => jobCounts(db).byStatus.done === 4);
			expect(heavyMax).toBe(1);
		} finally {
			release();
			await w.stop();
		}
	});

	it('cancel aborts the running handler; stop() gives a running job back to the queue', async () => {
		const seen: string[] = [];
		const handlers: JobHandler[] = [
			{
				kind: 'slow',
				async run(_p, ctx) {
					seen.push('start');
					await new Promise<void>((resolve, reject) => {
						ctx.signal.addEventListener('abort', () => {
							seen.push('aborted');
							reject(ctx.signal.reason);
						});
						void resolve;
					});
				}
			}
		];
		const a = enqueue(db, 'slow', {});
		let w = startWorker({ db, handlers, pollMs: 20, leaseMs: 300, log: () => undefined });
		await until(() => getJob(db, a.id)!.status === 'running' && seen.length === 1);
		await cancelJob(db, a.id);
		await until(() => seen.includes('aborted'), 3000);
		await new Promise((r) => setTimeout(r, 50));
		expect(getJob(db, a.id)!.status).toBe('cancelled');

		const b = enqueue(db, 'slow', {});
		await until(() => getJob(db, b.id)!.status === 'running');
		await w.stop();
		expect(getJob(db, b.id)).toMatchObject({ status: 'queued', attempts: 0, lockedBy: null });
		// A new worker (a restart) picks it up at once.
		w = startWorker({ db, handlers, pollMs: 20, leaseMs: 300, log: () => undefined });
		await until(() => getJob(db, b.id)!.status === 'running');
		expect(getJob(db, b.id)!.attempts).toBe(1);
		await w.stop();
	});

	it('a handler timeout aborts the attempt and counts it', async () => {
		const handlers: JobHandler[] = [
			{
				kind: 'hang',
				timeoutMs: 100,
				backoffMs: 10,
				run: (_p, ctx) => new Promise((_r, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)))
			}
		];
		const a = enqueue(db, 'hang', {}, { maxAttempts: 2 });
		const w = startWorker({ db, handlers, pollMs: 20, leaseMs: 1000, log: () => undefined });
		try {
			await until(() => getJob(db, a.id)!.status === 'dead');
		} finally {
			await w.stop();
		}
		expect(getJob(db, a.id)!.lastError).toMatch(/превысила отведённое время/);
	});
});

describe('mail through the queue', () => {
	let dir: string;
	beforeEach(() => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailq-'));
		setConfig(parseConfig({ DATA_DIR: dir, NODE_ENV: 'test' }));
	});
	afterEach(() => {
		setConfig(undefined);
		fs.rmSync(dir, { recursive: true, force: true });
	});

	it('enqueueMail + mail.send writes the message and drops its text from the stored payload', async () => {
		const job = enqueueMail(db, { to: 'anna@example.ru', subject: 'Проверка', text: 'Ссылка: http://x/verify/secret-token' });
		const done = await runJobNow(db, job.id, [mailHandler]);
		expect(done).toMatchObject({ status: 'done' });
		expect(done!.payload).toEqual({ to: 'anna@example.ru', subject: 'Проверка', text: '(текст удалён после отправки)' });
		const files = fs.readdirSync(path.join(dir, 'outbox'));
		expect(files).toHaveLength(1);
		expect(fs.readFileSync(path.join(dir, 'outbox', files[0]), 'utf8')).toContain('secret-token');
	});

	it('a broken payload fails without retries; an SMTP outage is retried', async () => {
		const bad = enqueue(db, 'mail.send', { to: 'x' });
		expect(await runJobNow(db, bad.id, [mailHandler])).toMatchObject({ status: 'failed' });
		setConfig(parseConfig({ DATA_DIR: dir, NODE_ENV: 'test', SMTP_URL: 'smtp://127.0.0.1:9' }));
		const job = enqueueMail(db, { to: 'anna@example.ru', subject: 'Проверка', text: 'текст' });
		const after = await runJobNow(db, job.id, [mailHandler]);
		expect(after).toMatchObject({ status: 'queued', attempts: 1 });
		expect(after!.lastError).toMatch(/ECONNREFUSED|connect/i);
		expect(after!.runAt.getTime()).toBeGreaterThan(Date.now());
		expect(db.select().from(jobs).where(eq(jobs.id, job.id)).get()!.payload).toMatchObject({ text: 'текст' });
	});
});
