/**
 * Playable in seconds (issue 15): time from upload completion to the first playable rendition,
 * and to the end of processing (poster + «high» + «light»), as a fraction of the video's duration,
 * for three phone-like sources measured side by side in one run:
 *   - h264_1080: 1080p30 H.264/AAC mp4 (most Android phones) → «high» is a remux, made first;
 *   - hevc_1080: 1080p30 HEVC/AAC .mov (iPhone) → «light» 480p first, then a 720p transcode;
 *   - h264_720:  720p30 H.264/AAC mp4 → remux first.
 * plus the HEVC case once more with the light rendition encoded the way it was before tuning
 * (x264 `veryfast`, full decode) against the chosen `superfast` + decoder loop filter skipped. The pipeline is the real one (executeMedia): the source is
 * read from S3 (embedded s3rver) through a presigned URL, renditions are uploaded back to S3; the
 * queue's pick-up time is not included (a free worker takes a job within ~1 s).
 * Also the light rendition's bitrate and size per minute.
 *
 *   npx tsx bench/first-playable.ts                        # 180 s sources (default)
 *   BENCH_MEDIA_SECONDS=60 npx tsx bench/first-playable.ts
 *   BENCH_CASES=h264_1080,h264_1080_queued BENCH_SKIP_BEFORE=1 npx tsx bench/first-playable.ts   # some cases only
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { ensureInput } from './media';
import { putFile } from '../src/lib/server/storage/put-file';
import { ENCODE, ffmpegAvailable } from '../src/lib/server/media/ffmpeg';
import { enqueueMediaProcess, executeMedia, mediaHandler, type MediaOutput } from '../src/lib/server/media/process';
import { addVideo, seedApplication, startTestStorage } from '../tests/helpers/media';
import { tempDb } from '../tests/helpers/db';
import { getJob } from '../src/lib/server/jobs/queue';
import { startWorker } from '../src/lib/server/jobs/worker';
import { assets } from '../src/lib/server/db/schema';
import { eq } from 'drizzle-orm';

const log = (...a: unknown[]) => console.error('[bench:first-playable]', ...a);
const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** CPU seconds (user + system) of this process' finished children, from /proc/self/stat (Linux; 0 elsewhere). */
function childCpuSec(): number {
	try {
		const st = readFileSync('/proc/self/stat', 'utf8');
		const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
		return (Number(f[13]) + Number(f[14])) / 100; // cutime, cstime in clock ticks (USER_HZ = 100)
	} catch {
		return 0;
	}
}

async function runCase(file: string, name: string) {
	const key = `bench/${name}-${Date.now()}${file.endsWith('.mov') ? '.mov' : '.mp4'}`;
	await putFile(key, file, 'video/mp4');
	const t0 = performance.now();
	const cpu0 = childCpuSec();
	let first: { sec: number; quality: string; mode: string } | null = null;
	const out = (await executeMedia(
		{ assetId: name, key, limits: { maxDurationSec: 3600, maxSizeBytes: 10 * 1024 ** 3 } },
		{
			report: async (p) => {
				if (p.outcome === 'partial' && !first) first = { sec: (performance.now() - t0) / 1000, quality: p.renditions[0].quality, mode: p.renditions[0].mode };
			}
		}
	)) as Extract<MediaOutput, { outcome: 'ready' }>;
	const total = (performance.now() - t0) / 1000;
	if (out.outcome !== 'ready') throw new Error(`${name}: ${JSON.stringify(out)}`);
	const d = out.facts.durationSec;
	const light = out.renditions.find((r) => r.quality === 'light')!;
	const high = out.renditions.find((r) => r.quality === 'high')!;
	const f = first as { sec: number; quality: string; mode: string } | null;
	return {
		durationSec: d,
		firstPlayable: f ? { quality: f.quality, mode: f.mode, sec: r3(f.sec), ratio: r3(f.sec / d) } : null,
		totalSec: r3(total),
		totalRatio: r3(total / d),
		/** CPU seconds of ffmpeg/ffprobe (children) per second of video: less sensitive to neighbours than the wall clock. */
		ffmpegCpuRatio: r3((childCpuSec() - cpu0) / d),
		loadavg: Math.round(os.loadavg()[0] * 10) / 10,
		high: { mode: high.mode, height: (high.facts.video as { height: number }).height, kbps: Math.round((high.size * 8) / d / 1000) },
		light: {
			height: (light.facts.video as { height: number }).height,
			kbps: Math.round((light.size * 8) / d / 1000),
			mbPerMinute: Math.round((light.size / 1e6 / (d / 60)) * 100) / 100
		},
		timings: out.timings
	};
}

/**
 * The same source end to end through the queue, as the portal runs it: the upload is completed
 * (the job enqueued in SQLite), a worker waiting on the queue wakes, processes and records; the
 * clock runs from the enqueue to the moment the video is playable in SQLite (its first rendition
 * recorded) and to the job's end. The difference to runCase is the queue's and the recording's share.
 */
async function runQueued(file: string, name: string) {
	const t = tempDb();
	const app = seedApplication(t.db, { videoMaxSeconds: 3600, videoMaxBytes: 10 * 1024 ** 3 });
	const asset = await addVideo(t.db, app, file, file.endsWith('.mov') ? 'mov' : 'mp4');
	const w = startWorker({ db: t.db, handlers: [mediaHandler], log: () => undefined });
	await new Promise((r) => setTimeout(r, 300)); // the worker is waiting on the queue
	try {
		const t0 = performance.now();
		const job = enqueueMediaProcess(t.db, asset.id);
		let playable: number | null = null;
		for (;;) {
			const a = t.db.select({ status: assets.status }).from(assets).where(eq(assets.id, asset.id)).get()!;
			if (playable === null && a.status === 'ready') playable = (performance.now() - t0) / 1000;
			const st = getJob(t.db, job.id)!.status;
			if (st === 'done' || st === 'dead') break;
			await new Promise((r) => setTimeout(r, 20));
		}
		const total = (performance.now() - t0) / 1000;
		const res = getJob(t.db, job.id)!.result as { durationSec: number; timings: Record<string, number> };
		const d = res.durationSec;
		return { durationSec: d, firstPlayableSec: r3(playable ?? NaN), firstPlayableRatio: r3((playable ?? NaN) / d), totalSec: r3(total), totalRatio: r3(total / d), timings: res.timings };
	} finally {
		await w.stop();
		t.cleanup();
	}
}

async function main() {
	if (!(await ffmpegAvailable())) {
		console.log(JSON.stringify({ name: 'first-playable', skipped: 'ffmpeg unavailable' }));
		return;
	}
	const inputs = { h264_1080: await ensureInput('h264', 1080), hevc_1080: await ensureInput('hevc', 1080), h264_720: await ensureInput('h264', 720) };
	const storage = await startTestStorage();
	try {
		const results: Record<string, unknown> = {};
		const only = process.env.BENCH_CASES?.split(',');
		for (const [name, file] of Object.entries(inputs)) {
			if (only && !only.includes(name)) continue;
			results[name] = await runCase(file, name);
			log(name, JSON.stringify(results[name]));
		}
		// The remux uploaded after ffmpeg has finished (as before), beside the upload while it writes.
		if (!only || only.includes('h264_1080_upload_after')) {
			ENCODE.remuxWhileUploading = false;
			results.h264_1080_upload_after = await runCase(inputs.h264_1080, 'h264_1080_upload_after');
			ENCODE.remuxWhileUploading = true;
			log('h264_1080_upload_after', JSON.stringify(results.h264_1080_upload_after));
		}
		// End to end through the queue (enqueue → playable in SQLite) for the remuxable 1080p source.
		if (!only || only.includes('h264_1080_queued')) {
			results.h264_1080_queued = await runQueued(inputs.h264_1080, 'h264_1080_queued');
			log('h264_1080_queued', JSON.stringify(results.h264_1080_queued));
		}
		// The same HEVC source with the light rendition encoded as before the tuning (veryfast, full decode).
		const { lightPreset, lightSkipLoopFilter } = ENCODE;
		if (process.env.BENCH_SKIP_BEFORE !== '1') {
		ENCODE.lightPreset = 'veryfast';
		ENCODE.lightSkipLoopFilter = false;
		results.hevc_1080_light_veryfast = await runCase(inputs.hevc_1080, 'hevc_1080_light_veryfast');
		log('hevc_1080_light_veryfast', JSON.stringify(results.hevc_1080_light_veryfast));
		Object.assign(ENCODE, { lightPreset, lightSkipLoopFilter });
		}
		console.log(
			JSON.stringify({ name: 'first-playable', cpus: os.availableParallelism(), loadavg: os.loadavg()[0], preset: ENCODE.preset, lightPreset, lightSkipLoopFilter, results })
		);
	} finally {
		await storage.close();
	}
}

main().catch((e) => {
	console.error(e);
	process.exit(1);
});
