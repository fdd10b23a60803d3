/**
 * A worker process killed (SIGKILL) in the middle of a transcode: after its lease expires a new
 * worker takes the job over, kills the orphaned ffmpeg of the dead attempt, and finishes — with
 * exactly one poster and one rendition, in the database and in S3.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { eq } from 'drizzle-orm';
import { tempDb } from '../../../../tests/helpers/db';
import { addVideo, listKeys, seedApplication, startTestStorage, type TestStorage } from '../../../../tests/helpers/media';
import { assets } from '../db/schema';
import { ffmpegAvailable } from './ffmpeg';
import { derivedKeys, enqueueMediaProcess, mediaHandler } from './process';
import { getJob } from '../jobs/queue';
import { startWorker } from '../jobs/worker';

const execFileP = promisify(execFile);
const available = await ffmpegAvailable();
const root = path.resolve(import.meta.dirname, '../../../..');

let storage: TestStorage;
let t: ReturnType<typeof tempDb>;
let child: ChildProcess | undefined;

beforeAll(async () => {
	storage = await startTestStorage();
	t = tempDb();
});
afterAll(async () => {
	if (child && child.exitCode === null) child.kill('SIGKILL');
	t?.cleanup();
	await storage?.close();
});

async function processesUsing(dir: string): Promise<number> {
	let n = 0;
	for (const pid of (await readdir('/proc')).filter((p) => /^\d+$/.test(p))) {
		const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
		if (cmd.includes(dir)) n++;
	}
	return n;
}

async function waitFor<T>(fn: () => T | undefined | false, ms: number, what: string): Promise<T> {
	const end = Date.now() + ms;
	for (;;) {
		const v = fn();
		if (v) return v;
		if (Date.now() > end) throw new Error(`timeout: ${what}`);
		await new Promise((r) => setTimeout(r, 100));
	}
}

describe.skipIf(!available || process.platform !== 'linux')('a worker killed mid-job', () => {
	it('resumes in a new worker and finishes without duplicate child assets or objects', async () => {
		const db = t.db;
		// 12 s of 720p MPEG-4 Part 2: not web-playable, so the rendition is a real transcode that
		// takes a few seconds on two cores.
		const input = path.join(storage.dataDir, 'slow.mov');
		await execFileP('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30:duration=12', '-c:v', 'mpeg4', '-q:v', '6', input]);
		const app = seedApplication(db, { videoMaxSeconds: 60 });
		const asset = await addVideo(db, app, input, 'mov');
		const job = enqueueMediaProcess(db, asset.id);
		const workDir = path.join(storage.dataDir, 'tmp', 'media', asset.id);

		child = spawn(process.execPath, ['--import', 'tsx', 'scripts/worker.ts'], {
			cwd: root,
			env: { ...process.env, ...storage.env, DATABASE_PATH: t.file, JOB_LEASE_SEC: '1', JOB_CONCURRENCY: '1' },
			stdio: ['ignore', 'pipe', 'pipe']
		});
		const logs: string[] = [];
		child.stdout!.on('data', (d) => logs.push(String(d)));
		child.stderr!.on('data', (d) => logs.push(String(d)));

		// Wait until the child is inside the first transcode (the light one; nothing recorded yet).
		await waitFor(() => {
			const j = getJob(db, job.id)!;
			return j.status === 'running' && (j.progress ?? 0) >= 10 && j.progress! < 35 ? j : undefined; // inside the first (light) transcode
		}, 90_000, `transcode in the child worker\n${logs.join('')}`);
		expect(getJob(db, job.id)!.attempts).toBe(1);
		const exited = new Promise((r) => child!.once('exit', r));
		child.kill('SIGKILL');
		await exited;
		// The dead worker's ffmpeg is an orphan, still writing into the work folder.
		const orphans = await processesUsing(workDir);
		expect(db.select().from(assets).where(eq(assets.id, asset.id)).get()!.status).toBe('processing');

		// A new worker (in this process) takes the job over once the 1 s lease has expired.
		const w = startWorker({ db, handlers: [mediaHandler], leaseMs: 1000, pollMs: 100, log: () => undefined });
		try {
			await waitFor(() => ['done', 'dead', 'failed'].includes(getJob(db, job.id)!.status), 120_000, 'the second worker');
		} finally {
			await w.stop();
		}
		const done = getJob(db, job.id)!;
		expect(done).toMatchObject({ status: 'done', attempts: 2, result: { outcome: 'ready', mode: 'transcode' } });
		expect(db.select().from(assets).where(eq(assets.id, asset.id)).get()!.status).toBe('ready');
		const kids = db.select().from(assets).where(eq(assets.parentId, asset.id)).all();
		expect(kids.map((k) => k.kind).sort()).toEqual(['poster', 'rendition', 'rendition']);
		const keys = derivedKeys(asset.key);
		expect(await listKeys(asset.key.replace(/\.mov$/, ''))).toEqual([asset.key, keys.poster, keys.rendition, keys.light].sort());
		// The orphaned ffmpeg was killed, the work folder is gone.
		expect(orphans).toBeGreaterThanOrEqual(1);
		expect(await processesUsing(workDir)).toBe(0);
		expect(existsSync(workDir)).toBe(false);
	});
});
