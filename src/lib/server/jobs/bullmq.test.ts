/**
 * The media lane on a real Redis (redis-server started here) with BullMQ, and the embedded S3:
 * relay, completion, leases, retries, cancel, dead letters, and the faults of issue 15 — a worker
 * killed mid-transcode, Redis down and back, Redis restarted without its data, two portals
 * relaying, a worker with a wrong S3 key. The same media handler also runs in the embedded
 * (SQLite) queue at the end: both modes give the same outcome.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { and, eq } from 'drizzle-orm';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { tempDb } from '../../../../tests/helpers/db';
import { addVideo, listKeys, seedApplication, startTestStorage, type TestStorage } from '../../../../tests/helpers/media';
import { redisAvailable, startTestRedis, type TestRedis } from '../../../../tests/helpers/redis';
import { defaultFixturesDir, makeFixtures } from '../../../../tests/fixtures/make-fixtures';
import { openDatabase, type DB } from '../db/client';
import { assets, jobs } from '../db/schema';
import { ffmpegAvailable } from '../media/ffmpeg';
import { derivedKeys, enqueueMediaProcess, MEDIA_PROCESS_KIND, mediaHandler, mediaRemote, TECHNICAL_FAILURE_RU } from '../media/process';
import { cancelJob, enqueue, getJob, registerHandler, retryJob, type JobHandler } from './queue';
import { registerRemote, type RemoteJob } from './remote';
import { startRedisBridge, MEDIA_QUEUE, RELAYED, type Bridge } from './bullmq';
import { startMediaWorker, type MediaWorker } from './media-worker';
import { startWorker } from './worker';
import { capacity } from './capacity';
import { MAIL_KIND } from './mail';

const execFileP = promisify(execFile);
const ffmpeg = await ffmpegAvailable();
const root = path.resolve(import.meta.dirname, '../../../..');

// A cheap remote kind for the queue's own behaviour (relay, retries, cancel, outages): its
// execute counts runs in Redis, fails while the input asks so, or waits until it is aborted.
const ECHO = 'test.echo';
let redis: TestRedis;
let counter: Redis;
const echoHandler: JobHandler = { kind: ECHO, lane: 'heavy', maxAttempts: 3, backoffMs: 100, maxBackoffMs: 400, run: async () => ({}) };
const echoRemote: RemoteJob<{ id: string; failTimes?: number; hang?: boolean; slowMs?: number; prefix: string }, { runs: number }> = {
	kind: ECHO,
	prepare: (_db, payload, job) => ({ input: { id: job.id, failTimes: Number(payload.failTimes ?? 0), hang: !!payload.hang, slowMs: Number(payload.slowMs ?? 0), prefix: String(payload.prefix) } }),
	async execute(input, ctx) {
		const runs = await counter.incr(`${input.prefix}:runs:${input.id}`);
		if (input.hang) {
			ctx.progress(50);
			await new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }));
		}
		if (input.slowMs) await new Promise((r) => setTimeout(r, input.slowMs));
		if (runs <= (input.failTimes ?? 0)) throw new Error(`сбой попытки ${runs}`);
		return { runs };
	},
	record: async (_db, _job, out) => ({ runs: out.runs }),
	discard: async () => undefined
};

let storage: TestStorage;
let fx: Record<string, string>;
let t: ReturnType<typeof tempDb>;
let db: DB;
let prefix: string;
let n = 0;
const stops: (() => Promise<unknown>)[] = [];
const children: ChildProcess[] = [];

beforeAll(async () => {
	if (!redisAvailable) return;
	redis = await startTestRedis();
	counter = new Redis(redis.url, { maxRetriesPerRequest: null });
	counter.on('error', () => undefined);
	storage = await startTestStorage();
	fx = await makeFixtures(defaultFixturesDir());
	registerHandler(mediaHandler);
	registerRemote(mediaRemote as RemoteJob);
	registerHandler(echoHandler);
	registerRemote(echoRemote as RemoteJob);
});
afterAll(async () => {
	counter?.disconnect();
	await redis?.close();
	await storage?.close();
});
beforeEach(() => {
	t = tempDb();
	db = t.db;
	prefix = `t${process.pid}x${++n}`;
});
afterEach(async () => {
	for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
	for (const s of stops.splice(0).reverse()) await s().catch(() => undefined);
	t.cleanup();
});

async function waitFor<T>(fn: () => T | undefined | false | Promise<T | undefined | false>, ms: number, what: string): Promise<T> {
	const end = Date.now() + ms;
	for (;;) {
		const v = await fn();
		if (v) return v;
		if (Date.now() > end) throw new Error(`timeout: ${what}`);
		await new Promise((r) => setTimeout(r, 100));
	}
}

function bridge(o: { db?: DB } = {}): Bridge {
	const b = startRedisBridge({ db: o.db ?? db, redisUrl: redis.url, prefix, relayEveryMs: 100, syncEveryMs: 300, log: () => undefined });
	stops.push(() => b.stop());
	return b;
}
function worker(o: { leaseMs?: number; name?: string } = {}): MediaWorker {
	const w = startMediaWorker({ redisUrl: redis.url, prefix, leaseMs: o.leaseMs ?? 5000, stalledIntervalMs: 500, name: o.name, log: () => undefined });
	stops.push(() => w.stop());
	return w;
}
/** `npm run worker -- --media` in its own process with only REDIS_URL and the S3 settings. */
function childWorker(extra: Record<string, string> = {}): { proc: ChildProcess; logs: string[] } {
	const s3 = Object.fromEntries(Object.entries(storage.env).filter(([k]) => k.startsWith('S3_')));
	const proc = spawn(process.execPath, ['--import', 'tsx', 'scripts/worker.ts', '--media'], {
		cwd: root,
		env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NODE_ENV: 'test', REDIS_URL: redis.url, REDIS_PREFIX: prefix, ...s3, ...extra },
		stdio: ['ignore', 'pipe', 'pipe']
	});
	const logs: string[] = [];
	proc.stdout!.on('data', (d) => logs.push(String(d)));
	proc.stderr!.on('data', (d) => logs.push(String(d)));
	children.push(proc);
	return { proc, logs };
}
const job = (id: string) => getJob(db, id)!;
const finished = (id: string) => ['done', 'dead', 'failed', 'cancelled'].includes(job(id).status);
const kids = (assetId: string) => db.select().from(assets).where(eq(assets.parentId, assetId)).all();
async function bullCount(): Promise<number> {
	const q = new Queue(MEDIA_QUEUE, { connection: { url: redis.url }, prefix });
	try {
		const c = await q.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized');
		return Object.values(c).reduce((s, x) => s + x, 0);
	} finally {
		await q.close();
	}
}

describe.skipIf(!redisAvailable)('BullMQ media lane on a real Redis', () => {
	it('relay + completion: a job recorded in a transaction is relayed once, a worker with only REDIS_URL and S3 (no DB, no DATA_DIR) processes it, the portal records poster and both renditions', async () => {
		if (!ffmpeg) return;
		const app = seedApplication(db, { videoMaxSeconds: 10 });
		const asset = await addVideo(db, app, fx.mp4);
		// The job is part of the caller's transaction: a rolled-back one leaves nothing to relay.
		expect(() =>
			db.transaction((tx) => {
				enqueueMediaProcess(tx, asset.id);
				throw new Error('rollback');
			})
		).toThrow('rollback');
		expect(db.select().from(jobs).all()).toHaveLength(0);
		const j = db.transaction((tx) => enqueueMediaProcess(tx, asset.id));
		const b = bridge();
		await waitFor(() => job(j.id).lockedBy === RELAYED || job(j.id).status === 'running', 10_000, 'relay');
		const { logs } = childWorker();
		await waitFor(() => finished(j.id), 90_000, `the media worker\n${logs.join('')}`);
		expect(job(j.id)).toMatchObject({ status: 'done', progress: 100, result: { outcome: 'ready', mode: 'remux' } });
		const keys = derivedKeys(asset.key);
		expect(kids(asset.id).map((k) => k.key).sort()).toEqual([keys.light, keys.poster, keys.rendition].sort());
		expect(db.select().from(assets).where(eq(assets.id, asset.id)).get()!.status).toBe('ready');
		expect(await listKeys(asset.key.replace(/\.mp4$/, ''))).toEqual([asset.key, keys.light, keys.poster, keys.rendition].sort());
		// One BullMQ job, and a second relay pass adds nothing.
		await b.relayOnce();
		expect(await bullCount()).toBe(1);
		expect(logs.join('')).toContain('обработчик видео');
	});

	it('two portals relaying the same jobs: BullMQ holds each once, each runs once', async () => {
		const ids = db.transaction((tx) => Array.from({ length: 6 }, () => enqueue(tx, ECHO, { prefix }).id));
		const other = openDatabase(t.file);
		stops.push(async () => other.$client.close());
		const a = bridge();
		const b = bridge({ db: other });
		await Promise.all([a.relayOnce(), b.relayOnce(), a.relayOnce(), b.relayOnce()]);
		expect(await bullCount()).toBe(6);
		worker();
		await waitFor(() => ids.every(finished), 20_000, 'echo jobs');
		for (const id of ids) {
			expect(job(id)).toMatchObject({ status: 'done', result: { runs: 1 } });
			expect(await counter.get(`${prefix}:runs:${id}`)).toBe('1');
		}
	});

	it('retries with backoff, then dead; a retry from the console runs it again; dedupe as in SQLite', async () => {
		const ok = enqueue(db, ECHO, { prefix, failTimes: 2 });
		const dead = enqueue(db, ECHO, { prefix, failTimes: 99 });
		bridge();
		worker();
		await waitFor(() => finished(ok.id) && finished(dead.id), 30_000, 'retries');
		expect(job(ok.id)).toMatchObject({ status: 'done', attempts: 3, result: { runs: 3 } });
		expect(job(dead.id)).toMatchObject({ status: 'dead', attempts: 3, lastError: 'сбой попытки 3' });
		// Retry from /admin/jobs: a new run_at, so a new BullMQ job.
		await counter.set(`${prefix}:runs:${dead.id}`, 200); // the next run succeeds
		retryJob(db, dead.id);
		await waitFor(() => job(dead.id).status === 'done', 20_000, 'retried job');
		// Dedupe: while a job with the key is active, enqueue returns it.
		const d1 = enqueue(db, ECHO, { prefix, hang: true }, { dedupeKey: 'same' });
		const d2 = enqueue(db, ECHO, { prefix }, { dedupeKey: 'same' });
		expect(d2.id).toBe(d1.id);
		await cancelJob(db, d1.id);
	});

	it('the portal restarted while workers run: the report waits in Redis, nothing is processed twice', async () => {
		const first = bridge();
		worker();
		const ids = [enqueue(db, ECHO, { prefix, slowMs: 1500 }).id, enqueue(db, ECHO, { prefix, slowMs: 1500 }).id];
		await waitFor(() => ids.some((id) => job(id).status === 'running'), 10_000, 'running');
		await first.stop();
		await new Promise((r) => setTimeout(r, 2000));
		bridge(); // the restarted portal
		await waitFor(() => ids.every(finished), 20_000, 'after the restart');
		for (const id of ids) {
			expect(job(id)).toMatchObject({ status: 'done', result: { runs: 1 } });
			expect(await counter.get(`${prefix}:runs:${id}`)).toBe('1');
		}
		expect(await bullCount()).toBe(2);
	});

	it('/admin/jobs capacity: workers with host, start, current job and heartbeat; depth; throughput and time to drain', async () => {
		bridge();
		const w = worker({ name: 'w-capacity' });
		const hung = enqueue(db, ECHO, { prefix, hang: true });
		const waiting = [enqueue(db, MEDIA_PROCESS_KIND, { assetId: 'x1' }), enqueue(db, MEDIA_PROCESS_KIND, { assetId: 'x2' })];
		await waitFor(() => job(hung.id).status === 'running', 10_000, 'running');
		const cap = await waitFor(async () => {
			const c = await capacity(db);
			return c.workers.find((x) => x.name === w.name && x.current.length) ? c : undefined;
		}, 10_000, 'worker in the hash');
		expect(cap.mode).toBe('redis');
		expect(cap.redisUp).toBe(true);
		const me = cap.workers.find((x) => x.name === w.name)!;
		expect(me).toMatchObject({ host: (await import('node:os')).hostname(), alive: true, current: [{ jobId: hung.id }] });
		expect(me.startedAt).toBeLessThanOrEqual(Date.now());
		expect(Date.now() - me.heartbeatAt).toBeLessThan(5000);
		// Two media jobs wait (no remote handler takes them: they are 'x' assets that prepare skips → done).
		await waitFor(() => waiting.every((j) => finished(j.id)), 10_000, 'skipped media jobs');
		const after = await capacity(db);
		expect(after.perHour).toBe(2);
		expect(after.depth).toMatchObject({ waiting: 0, relayed: 0 });
		await cancelJob(db, hung.id);
	});

	it('cancel from the console: a waiting job leaves BullMQ, a running one is aborted on its worker and never recorded', async () => {
		bridge();
		const waiting = enqueue(db, ECHO, { prefix });
		await waitFor(() => job(waiting.id).lockedBy === RELAYED, 5000, 'relayed');
		await cancelJob(db, waiting.id);
		const running = enqueue(db, ECHO, { prefix, hang: true });
		worker();
		await waitFor(() => job(running.id).status === 'running', 10_000, 'running');
		expect(job(running.id).lockedBy).not.toBe(RELAYED);
		await cancelJob(db, running.id);
		await new Promise((r) => setTimeout(r, 2500));
		expect(job(waiting.id).status).toBe('cancelled');
		expect(await counter.get(`${prefix}:runs:${waiting.id}`)).toBeNull();
		expect(job(running.id)).toMatchObject({ status: 'cancelled', result: null });
		// The worker let go of it (not active in BullMQ any more) and goes on with new work.
		const next = enqueue(db, ECHO, { prefix });
		await waitFor(() => job(next.id).status === 'done', 10_000, 'next job');
	});

	it('Redis down: enqueues succeed, jobs wait in SQLite, then flow when it is back', async () => {
		const b = bridge();
		worker();
		await redis.stop();
		let restarted = false;
		try {
			const ids = db.transaction((tx) => [enqueue(tx, ECHO, { prefix }).id, enqueue(tx, ECHO, { prefix }).id]);
			await new Promise((r) => setTimeout(r, 1500));
			for (const id of ids) expect(job(id)).toMatchObject({ status: 'queued', lockedBy: null });
			expect(b.connected()).toBe(false);
			await redis.start();
			restarted = true;
			await waitFor(() => ids.every(finished), 30_000, 'jobs after Redis came back');
			for (const id of ids) expect(job(id)).toMatchObject({ status: 'done', result: { runs: 1 } });
		} finally {
			if (!restarted) await redis.start();
		}
	});

	it('Redis restarted without persistence while jobs waited there: the portal notices and relays them again', async () => {
		const b = bridge();
		const id = enqueue(db, ECHO, { prefix }).id;
		await waitFor(() => job(id).lockedBy === RELAYED, 5000, 'relayed');
		await redis.stop();
		await redis.start();
		await waitFor(async () => {
			await b.syncOnce().catch(() => undefined);
			return job(id).lockedBy !== RELAYED;
		}, 15_000, 'noticed');
		worker();
		await waitFor(() => finished(id), 20_000, 'relayed again');
		expect(job(id)).toMatchObject({ status: 'done', result: { runs: 1 } });
	});

	it('a worker killed with kill -9 mid-transcode: another worker finishes, no duplicate rows or objects', async () => {
		if (!ffmpeg || process.platform !== 'linux') return;
		const input = path.join(storage.dataDir, `slow-${prefix}.mov`);
		await execFileP('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30:duration=12', '-c:v', 'mpeg4', '-q:v', '6', input]);
		const app = seedApplication(db, { videoMaxSeconds: 60 });
		const asset = await addVideo(db, app, input, 'mov');
		const j = enqueueMediaProcess(db, asset.id);
		bridge();
		const { proc, logs } = childWorker({ JOB_LEASE_SEC: '2' });
		await waitFor(() => {
			const r = job(j.id);
			return r.status === 'running' && (r.progress ?? 0) >= 10 && r.progress! < 40 ? r : undefined;
		}, 90_000, `transcode in the child worker\n${logs.join('')}`);
		const exited = new Promise((r) => proc.once('exit', r));
		proc.kill('SIGKILL');
		await exited;
		worker({ leaseMs: 2000, name: 'second' });
		await waitFor(() => finished(j.id), 180_000, 'the second worker');
		expect(job(j.id)).toMatchObject({ status: 'done', result: { outcome: 'ready', mode: 'transcode' } });
		const keys = derivedKeys(asset.key);
		expect(kids(asset.id).map((k) => k.key).sort()).toEqual([keys.light, keys.poster, keys.rendition].sort());
		expect(await listKeys(asset.key.replace(/\.mov$/, ''))).toEqual([asset.key, keys.light, keys.poster, keys.rendition].sort());
		expect(await bullCount()).toBe(1);
	}, 240_000);

	it('a worker with a wrong S3 key: its job fails with a clear reason; a worker with the right key goes on', async () => {
		if (!ffmpeg) return;
		const app = seedApplication(db, { videoMaxSeconds: 10 });
		const a1 = await addVideo(db, app, fx.mp4);
		const j1 = enqueue(db, MEDIA_PROCESS_KIND, { assetId: a1.id }, { maxAttempts: 1, dedupeKey: `${MEDIA_PROCESS_KIND}:${a1.id}` });
		bridge();
		const { logs } = childWorker({ S3_SECRET_ACCESS_KEY: 'wrong-secret-key-000000000000' });
		await waitFor(() => finished(j1.id), 60_000, `bad worker\n${logs.join('')}`);
		expect(job(j1.id).status).toBe('dead');
		expect(job(j1.id).lastError).toMatch(/S3.*(SignatureDoesNotMatch|InvalidAccessKeyId|HTTP 403).*S3_SECRET_ACCESS_KEY/s);
		// onDead: the applicant sees the technical reason (and can be helped), the video is not stuck.
		expect(db.select().from(assets).where(eq(assets.id, a1.id)).get()).toMatchObject({ status: 'failed', error: TECHNICAL_FAILURE_RU });
		children.splice(0).forEach((c) => c.kill('SIGKILL'));
		const a2 = await addVideo(db, app, fx.mp4);
		const j2 = enqueueMediaProcess(db, a2.id);
		worker();
		await waitFor(() => finished(j2.id), 60_000, 'good worker');
		expect(job(j2.id)).toMatchObject({ status: 'done', result: { outcome: 'ready' } });
	});

	describe.each(['sqlite', 'redis'] as const)('the same media handler in the %s mode', (mode) => {
		async function runAll(ids: string[]) {
			if (mode === 'redis') {
				bridge();
				worker();
			} else {
				const w = startWorker({ db, handlers: [mediaHandler], pollMs: 50, log: () => undefined });
				stops.push(() => w.stop());
			}
			await waitFor(() => ids.every(finished), 120_000, `${mode} jobs`);
		}
		it('an H.264 card is ready with poster, remux and light; an audio file is refused with a Russian reason and a mail', async () => {
			if (!ffmpeg) return;
			const app = seedApplication(db, { videoMaxSeconds: 10 });
			const good = await addVideo(db, app, fx.mp4);
			const bad = await addVideo(db, app, fx.audioOnly, 'mp4');
			const ids = [enqueueMediaProcess(db, good.id).id, enqueueMediaProcess(db, bad.id).id];
			await runAll(ids);
			expect(job(ids[0])).toMatchObject({ status: 'done', attempts: 1, result: { outcome: 'ready', mode: 'remux', renditions: [{ quality: 'high' }, { quality: 'light' }] } });
			expect(kids(good.id)).toHaveLength(3);
			expect(job(ids[1])).toMatchObject({ status: 'done', result: { outcome: 'failed', code: 'no_video' } });
			expect(db.select().from(assets).where(eq(assets.id, bad.id)).get()).toMatchObject({ status: 'failed', error: expect.stringContaining('не найдено видео') });
			expect(db.select().from(jobs).where(and(eq(jobs.kind, MAIL_KIND))).all()).toHaveLength(1);
		});
	});
});
