/**
 * The whole `media.process` job path — S3 in (ffprobe/ffmpeg read a presigned URL with ranges),
 * ffmpeg (probe, poster, rendition), S3 out (streamed PutObject / multipart), database — run by a
 * real worker process (`scripts/worker.ts`, JOB_CONCURRENCY=1) against an embedded s3rver:
 *
 *   - h264_1080p: 1080p30 H.264/AAC mp4 — web-playable but larger than 720p → transcoded (downscale);
 *   - hevc_1080p: 1080p30 HEVC/AAC mov (iPhone-like) → transcoded;
 *   - h264_720p:  720p30 H.264/AAC mp4 → remuxed (stream copy + faststart).
 *
 *   npx tsx bench/processing.ts                        # 180 s inputs (default)
 *   BENCH_MEDIA_SECONDS=30 npx tsx bench/processing.ts
 *
 * For each case: job time (claimed → done, from the job row) as a ratio to the video's duration,
 * the steps' times, the peak RSS of the worker process (VmRSS sampled every 50 ms, and its VmHWM;
 * compare with its idle RSS: node + tsx + the app's modules) and the peak RSS of its
 * ffmpeg/ffprobe children (VmHWM). Inputs are shared with bench/media.ts
 * (cached in os.tmpdir()/media-bench). Prints one JSON line on stdout.
 */
import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { ensureInput } from './media';
import { tempDb } from '../tests/helpers/db';
import { addVideo, seedApplication, startTestStorage } from '../tests/helpers/media';
import { ffmpegAvailable } from '../src/lib/server/media/ffmpeg';
import { enqueueMediaProcess } from '../src/lib/server/media/process';
import { getJob } from '../src/lib/server/jobs/queue';
import { assets } from '../src/lib/server/db/schema';

const SECONDS = Math.max(5, Number(process.env.BENCH_MEDIA_SECONDS ?? 180) || 180);
const root = path.resolve(import.meta.dirname, '..');
const log = (...a: unknown[]) => console.error('[bench:processing]', ...a);
const mb = (kb: number) => Math.round((kb / 1024) * 10) / 10;

async function status(pid: number): Promise<string | null> {
	return readFile(`/proc/${pid}/status`, 'utf8').catch(() => null);
}
const field = (s: string, name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)\\s+kB`, 'm').exec(s)?.[1] ?? 0);

/** Samples the worker's RSS and the peak of its children (ffmpeg, ffprobe). */
class Monitor {
	workerPeakKB = 0;
	childPeakKB = 0;
	private timer?: NodeJS.Timeout;
	constructor(private pid: number) {}
	start() {
		this.workerPeakKB = 0;
		this.childPeakKB = 0;
		this.timer = setInterval(() => void this.poll(), 50);
	}
	private async poll() {
		const s = await status(this.pid);
		if (s) this.workerPeakKB = Math.max(this.workerPeakKB, field(s, 'VmRSS'));
		for (const p of (await readdir('/proc').catch(() => [] as string[])).filter((n) => /^\d+$/.test(n))) {
			const c = await status(Number(p));
			if (c && Number(/^PPid:\s+(\d+)/m.exec(c)?.[1]) === this.pid) this.childPeakKB = Math.max(this.childPeakKB, field(c, 'VmHWM'));
		}
	}
	stop() {
		clearInterval(this.timer);
	}
}

async function main() {
	if (!(await ffmpegAvailable())) {
		console.log(JSON.stringify({ name: 'processing', skipped: 'ffmpeg unavailable' }));
		return;
	}
	const t0 = Date.now();
	const inputs = { h264_1080p: await ensureInput('h264', 1080), hevc_1080p: await ensureInput('hevc', 1080), h264_720p: await ensureInput('h264', 720) };
	log(`inputs ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

	const storage = await startTestStorage();
	const t = tempDb();
	const db = t.db;
	const app = seedApplication(db, { videoMaxSeconds: SECONDS + 60, videoMaxBytes: 4 * 1024 ** 3 });
	const worker = spawn(process.execPath, ['--import', 'tsx', 'scripts/worker.ts'], {
		cwd: root,
		env: { ...process.env, ...storage.env, DATABASE_PATH: t.file, JOB_CONCURRENCY: '1' },
		stdio: ['ignore', 'pipe', 'inherit']
	});
	const results: Record<string, unknown> = {};
	try {
		await new Promise<void>((resolve, reject) => {
			worker.stdout!.on('data', (d) => String(d).includes('обработчик запущен') && resolve());
			worker.once('exit', () => reject(new Error('the worker exited')));
		});
		await new Promise((r) => setTimeout(r, 1000));
		const workerIdleRssMB = mb(field((await status(worker.pid!)) ?? '', 'VmRSS'));
		results.workerIdleRssMB = workerIdleRssMB;
		log(`worker idle RSS ${workerIdleRssMB} MB`);
		for (const [name, file] of Object.entries(inputs)) {
			const ext = path.extname(file).slice(1);
			const asset = await addVideo(db, app, file, ext);
			const mon = new Monitor(worker.pid!);
			mon.start();
			const job = enqueueMediaProcess(db, asset.id);
			let j = getJob(db, job.id)!;
			while (j.status === 'queued' || j.status === 'running') {
				if (worker.exitCode !== null) throw new Error('the worker exited');
				await new Promise((r) => setTimeout(r, 200));
				j = getJob(db, job.id)!;
			}
			mon.stop();
			const r = j.result as { outcome: string; mode?: string; durationSec?: number; renditionBytes?: number; timings?: Record<string, number> } | null;
			if (j.status !== 'done' || r?.outcome !== 'ready') throw new Error(`${name}: ${j.status} ${JSON.stringify(r)} ${j.lastError ?? ''}`);
			const seconds = (j.finishedAt!.getTime() - j.startedAt!.getTime()) / 1000;
			const facts = db.select({ facts: assets.facts }).from(assets).where(eq(assets.id, asset.id)).get()!.facts as { video: { codec: string; width: number; height: number } };
			const hwm = field((await status(worker.pid!)) ?? '', 'VmHWM');
			results[name] = {
				path: r.mode,
				input: `${facts.video.codec} ${facts.video.width}x${facts.video.height}`,
				durationSec: r.durationSec,
				jobSec: Math.round(seconds * 100) / 100,
				ratio: Math.round((seconds / r.durationSec!) * 1000) / 1000,
				stepsSec: Object.fromEntries(Object.entries(r.timings ?? {}).map(([k, v]) => [k, Math.round(v / 10) / 100])),
				renditionMB: Math.round((r.renditionBytes ?? 0) / 1e5) / 10,
				workerPeakRssMB: mb(mon.workerPeakKB),
				workerHwmMB: mb(hwm),
				ffmpegPeakRssMB: mb(mon.childPeakKB)
			};
			log(name, results[name]);
		}
		console.log(JSON.stringify({ name: 'processing', inputSeconds: SECONDS, cpus: os.availableParallelism(), ...results }));
	} finally {
		worker.kill('SIGTERM');
		await new Promise((r) => worker.once('exit', r));
		t.cleanup();
		await storage.close();
	}
}

main().catch((e) => {
	console.error(e);
	process.exit(1);
});
