/**
 * Scale-out of the video lane on Redis + BullMQ: the same backlog of N one-minute videos (default
 * 12; 720p H.264 → remux + light 480p transcode, poster) drained by one `npm run worker -- --media`
 * process, then by two, side by side in one run, with ffmpeg limited to one thread per job
 * (MEDIA_FFMPEG_THREADS=1). The portal's part (relay + recording the reports) runs in this process;
 * its RSS is sampled while the backlog drains — it must not grow with the backlog.
 *
 * A «machine» is simulated by one CPU core: each worker process (and so its ffmpeg children, which
 * inherit the affinity) is pinned to its own core with `taskset -c <core>` — one worker on core 0,
 * then two workers on cores 0 and 1 — and runs ffmpeg with one thread (MEDIA_FFMPEG_THREADS=1,
 * matching its one core). Without taskset or with fewer than 2 cores the workers are not pinned
 * (`pinned: false` in the output). This process (the embedded S3 serving the sources and taking the
 * renditions, the relay) is not pinned: with one worker it has the other core to itself, with two
 * it shares both — the comparison is, if anything, unfair to two workers. Prints drain time, the
 * ratio two/one and videos per hour per worker (= per core at one ffmpeg thread). Because the
 * neighbours of a shared machine make drain times noisy (and the scheduler moves them off a pinned
 * core), it also prints the CPU seconds the workers and their ffmpegs spent per video and what that
 * makes per fully available core and hour (`videosPerCoreHourByCpu`); `benchProcessCpuSec` is this
 * process' own CPU (embedded S3, relay, recording).
 *
 *   npx tsx bench/scale-out.ts
 *   BENCH_SCALE_N=4 BENCH_MEDIA_SECONDS=20 npx tsx bench/scale-out.ts     # quicker
 *   BENCH_SCALE_SOURCE=hevc …                                             # 1080p HEVC .mov (iPhone) sources
 *   BENCH_SCALE_PIN=0 …                                                   # no pinning (as before)
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureInput } from './media';
import { addVideo, seedApplication, startTestStorage } from '../tests/helpers/media';
import { startTestRedis } from '../tests/helpers/redis';
import { tempDb } from '../tests/helpers/db';
import { ffmpegAvailable } from '../src/lib/server/media/ffmpeg';
import { enqueueMediaProcess, mediaHandler, mediaRemote } from '../src/lib/server/media/process';
import { getJob, registerHandler } from '../src/lib/server/jobs/queue';
import { registerRemote, type RemoteJob } from '../src/lib/server/jobs/remote';
import { startRedisBridge } from '../src/lib/server/jobs/bullmq';

const N = Math.max(2, Number(process.env.BENCH_SCALE_N ?? 12) || 12);
const root = path.resolve(import.meta.dirname, '..');
/** Pin each worker to its own core when taskset exists and there are at least 2 cores. */
const PIN =
	process.env.BENCH_SCALE_PIN !== '0' && os.availableParallelism() >= 2 && spawnSync('taskset', ['-c', '0', 'true']).status === 0;
/** BENCH_SCALE_SOURCE=hevc: 1080p HEVC .mov sources (light 480p + 720p transcodes) instead of 720p H.264. */
const HEVC = process.env.BENCH_SCALE_SOURCE === 'hevc';
const log = (...a: unknown[]) => console.error('[bench:scale-out]', ...a);

/** CPU seconds (user + system) of this process' waited-for children and theirs, from /proc/self/stat (Linux; 0 elsewhere). */
function childCpuSec(): number {
	try {
		const st = readFileSync('/proc/self/stat', 'utf8');
		const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
		return (Number(f[13]) + Number(f[14])) / 100;
	} catch {
		return 0;
	}
}

async function main() {
	if (!(await ffmpegAvailable())) {
		console.log(JSON.stringify({ name: 'scale-out', skipped: 'ffmpeg unavailable' }));
		return;
	}
	// One-minute videos by default. bench/media.ts reads BENCH_MEDIA_SECONDS (default 180) when it is
	// imported, before this line ran — so the seconds are passed explicitly (setting the variable
	// here, as before, left the default run on 3-minute sources).
	process.env.BENCH_MEDIA_SECONDS ??= '60';
	const seconds = Number(process.env.BENCH_MEDIA_SECONDS) || 60;
	const src = HEVC ? await ensureInput('hevc', 1080, seconds) : await ensureInput('h264', 720, seconds);
	const storage = await startTestStorage();
	const redis = await startTestRedis();
	registerHandler(mediaHandler);
	registerRemote(mediaRemote as RemoteJob);
	const s3 = Object.fromEntries(Object.entries(storage.env).filter(([k]) => k.startsWith('S3_')));
	const results: Record<string, unknown> = {};
	try {
		for (const workers of [1, 2]) {
			const t = tempDb();
			const prefix = `bench${workers}`;
			const app = seedApplication(t.db, { videoMaxSeconds: 3600 });
			const ids: string[] = [];
			for (let i = 0; i < N; i++) ids.push(enqueueMediaProcess(t.db, (await addVideo(t.db, app, src)).id).id);
			const cpu0 = childCpuSec();
			const self0 = process.cpuUsage();
			const rss0 = process.memoryUsage().rss;
			const load0 = Math.round(os.loadavg()[0] * 10) / 10;
			let rssPeak = rss0;
			const bridge = startRedisBridge({ db: t.db, redisUrl: redis.url, prefix, relayEveryMs: 200, syncEveryMs: 1000, log: () => undefined });
			const procs: ChildProcess[] = [];
			const t0 = performance.now();
			for (let w = 0; w < workers; w++) {
				const node = [process.execPath, '--import', 'tsx', 'scripts/worker.ts', '--media'];
				const [cmd, ...args] = PIN ? ['taskset', '-c', String(w), ...node] : node;
				procs.push(
					spawn(cmd, args, {
						cwd: root,
						env: { PATH: process.env.PATH ?? '', HOME: os.homedir(), REDIS_URL: redis.url, REDIS_PREFIX: prefix, MEDIA_FFMPEG_THREADS: '1', ...s3 },
						stdio: 'ignore'
					})
				);
			}
			for (;;) {
				rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
				const done = ids.filter((id) => ['done', 'dead', 'failed'].includes(getJob(t.db, id)!.status)).length;
				if (done === N) break;
				await new Promise((r) => setTimeout(r, 250));
			}
			const sec = (performance.now() - t0) / 1000;
			const bad = ids.filter((id) => getJob(t.db, id)!.status !== 'done').length;
			for (const p of procs) p.kill('SIGTERM');
			await Promise.all(procs.map((p) => new Promise((r) => (p.exitCode !== null ? r(null) : p.once('exit', r)))));
			await bridge.stop();
			t.cleanup();
			// The workers have exited and been waited for: their CPU and their ffmpegs' is in cutime.
			const workerCpu = childCpuSec() - cpu0;
			const self = process.cpuUsage(self0);
			results[`workers${workers}`] = {
				drainSec: Math.round(sec * 10) / 10,
				notDone: bad,
				videosPerHourPerWorker: Math.round(((N - bad) / sec) * 3600 / workers * 10) / 10,
				loadavg: [load0, Math.round(os.loadavg()[0] * 10) / 10],
				workerCpuSecPerVideo: Math.round((workerCpu / N) * 10) / 10,
				/** Capacity of one fully available core: 3600 / CPU seconds per video (less sensitive to neighbours than the drain time). */
				videosPerCoreHourByCpu: workerCpu > 0 ? Math.round((3600 / (workerCpu / N)) * 10) / 10 : null,
				benchProcessCpuSec: Math.round((self.user + self.system) / 1e5) / 10,
				portalRssStartMB: Math.round(rss0 / 1e6), portalRssPeakMB: Math.round(rssPeak / 1e6) };
			log(`workers=${workers}`, JSON.stringify(results[`workers${workers}`]));
		}
		const one = (results.workers1 as { drainSec: number }).drainSec;
		const two = (results.workers2 as { drainSec: number }).drainSec;
		console.log(JSON.stringify({ name: 'scale-out', source: HEVC ? 'hevc_1080' : 'h264_720', videos: N, videoSeconds: Number(process.env.BENCH_MEDIA_SECONDS), cpus: os.availableParallelism(), pinned: PIN, ...results, twoOverOne: Math.round((two / one) * 1000) / 1000 }));
	} finally {
		await redis.close();
		await storage.close();
	}
}

main().catch((e) => {
	console.error(e);
	process.exit(1);
});
