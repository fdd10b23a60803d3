/**
 * Media pipeline benchmark: probe + poster + rendition on
 *   - remux:          a 720p30 H.264/AAC mp4 (web-playable and already ≤ 720p → stream copy);
 *   - transcode:      a 1080p30 HEVC/AAC mov (→ 720p H.264/AAC);
 *   - downscaleH264:  a 1080p30 H.264/AAC mp4 — web-playable but > 720p, so by the rendition
 *                     rule ("remux only when it fits 1280x720") it is transcoded too.
 *
 *   npx tsx bench/media.ts                      # 180 s inputs (default)
 *   BENCH_MEDIA_SECONDS=30 npx tsx bench/media.ts
 *
 * Inputs are cached under os.tmpdir()/media-bench. To keep generation fast on 2 cores,
 * a 10 s 1080p30 segment (testsrc2 + sine; x264/x265 -preset ultrafast) is encoded once
 * and looped with stream copy up to the wanted length.
 * Peak RSS of the ffmpeg/ffprobe children is read by polling /proc/<pid>/status (VmHWM)
 * for every child of this process; the node figure is process.resourceUsage().maxRSS.
 * Prints one JSON line on stdout.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { pathToFileURL } from 'node:url';
import { ffmpegAvailable, makePoster, makeRendition, probe } from '../src/lib/server/media/ffmpeg';

const execFileP = promisify(execFile);
const SECONDS = Math.max(5, Number(process.env.BENCH_MEDIA_SECONDS ?? 180) || 180);
const SEGMENT = Math.min(10, SECONDS);
const FPS = 30;
const DIR = path.join(os.tmpdir(), 'media-bench');

const log = (...a: unknown[]) => console.error('[bench:media]', ...a);

async function ff(args: string[]): Promise<void> {
	await execFileP('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...args], {
		maxBuffer: 16 << 20
	});
}

async function hasEncoder(name: string): Promise<boolean> {
	const { stdout } = await execFileP('ffmpeg', ['-hide_banner', '-encoders'], { maxBuffer: 16 << 20 });
	return new RegExp(`^\\s*\\S+\\s+${name}\\s`, 'm').test(stdout);
}

/** `seconds`: the input's duration (default BENCH_MEDIA_SECONDS, else 180 — read when this module loads). */
export async function ensureInput(kind: 'h264' | 'hevc', height: 720 | 1080, seconds: number = SECONDS): Promise<string> {
	const SECONDS_ = Math.max(5, seconds);
	const SEGMENT_ = Math.min(10, SECONDS_);
	await mkdir(DIR, { recursive: true });
	const ext = kind === 'h264' ? 'mp4' : 'mov';
	const size = height === 1080 ? '1920x1080' : '1280x720';
	const out = path.join(DIR, `${kind}-${height}p${FPS}-${SECONDS_}s.${ext}`);
	if (existsSync(out)) return out;
	const seg = path.join(DIR, `${kind}-${height}p${FPS}-segment-${SEGMENT_}s.${ext}`);
	if (!existsSync(seg)) {
		const t0 = Date.now();
		const venc =
			kind === 'h264'
				? ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p']
				: (await hasEncoder('libx265'))
					? ['-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'log-level=error', '-pix_fmt', 'yuv420p', '-tag:v', 'hvc1']
					: ['-c:v', 'mpeg4', '-q:v', '4']; // no libx265: still a transcode-path input
		const tmp = `${seg}.part.${ext}`;
		await ff([
			'-f',
			'lavfi',
			'-i',
			`testsrc2=size=${size}:rate=${FPS}:duration=${SEGMENT_}`,
			'-f',
			'lavfi',
			'-i',
			`sine=frequency=440:sample_rate=48000:duration=${SEGMENT_}`,
			...venc,
			'-g',
			String(FPS * 2),
			'-c:a',
			'aac',
			'-b:a',
			'128k',
			'-shortest',
			tmp
		]);
		await rename(tmp, seg);
		log(`encoded ${kind} ${SEGMENT_}s segment in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
	}
	const loops = Math.ceil(SECONDS_ / SEGMENT_) - 1;
	const tmp = `${out}.part.${ext}`;
	await ff(['-stream_loop', String(loops), '-i', seg, '-map', '0', '-c', 'copy', '-t', String(SECONDS_), tmp]);
	await rename(tmp, out);
	log(`built ${path.basename(out)} (${((await stat(out)).size / 1e6).toFixed(1)} MB)`);
	return out;
}

/** Polls /proc for children of this process and records their peak RSS (VmHWM). */
class ChildRssMonitor {
	private peakKB = 0;
	private timer: NodeJS.Timeout | undefined;
	start(): void {
		this.peakKB = 0;
		this.timer = setInterval(() => void this.poll(), 50);
	}
	private async poll(): Promise<void> {
		let pids: string[];
		try {
			pids = (await readdir('/proc')).filter((n) => /^\d+$/.test(n));
		} catch {
			return;
		}
		for (const pid of pids) {
			try {
				const status = await readFile(`/proc/${pid}/status`, 'utf8');
				const ppid = /^PPid:\s+(\d+)/m.exec(status)?.[1];
				if (Number(ppid) !== process.pid) continue;
				const hwm = Number(/^VmHWM:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? 0);
				if (hwm > this.peakKB) this.peakKB = hwm;
			} catch {
				/* process exited meanwhile */
			}
		}
	}
	stop(): number {
		if (this.timer) clearInterval(this.timer);
		return Math.round((this.peakKB / 1024) * 10) / 10;
	}
}

async function runCase(input: string, work: string, name: string) {
	const mon = new ChildRssMonitor();
	mon.start();
	const t0 = performance.now();
	const facts = await probe(input);
	const t1 = performance.now();
	await makePoster(input, path.join(work, `${name}.jpg`), facts);
	const t2 = performance.now();
	const out = path.join(work, `${name}.mp4`);
	const { mode } = await makeRendition(input, out, facts);
	const t3 = performance.now();
	const ffmpegPeakRssMB = mon.stop();
	const seconds = (t3 - t0) / 1000;
	const r3 = (x: number) => Math.round(x * 1000) / 1000;
	return {
		mode,
		input: `${facts.video?.codec} ${facts.video?.width}x${facts.video?.height}`,
		durationSec: facts.durationSec,
		seconds: r3(seconds),
		ratio: r3(seconds / facts.durationSec),
		probeSec: r3((t1 - t0) / 1000),
		posterSec: r3((t2 - t1) / 1000),
		renditionSec: r3((t3 - t2) / 1000),
		inputMB: Math.round(facts.sizeBytes / 1e5) / 10,
		outputMB: Math.round((await stat(out)).size / 1e5) / 10,
		ffmpegPeakRssMB
	};
}

async function main(): Promise<void> {
	if (!(await ffmpegAvailable())) {
		console.log(JSON.stringify({ name: 'media', skipped: 'ffmpeg unavailable' }));
		return;
	}
	const t0 = Date.now();
	const h264720 = await ensureInput('h264', 720);
	const hevc = await ensureInput('hevc', 1080);
	const h2641080 = await ensureInput('h264', 1080);
	log(`inputs ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
	const work = await mkdtemp(path.join(os.tmpdir(), 'media-bench-out-'));
	try {
		const remux = await runCase(h264720, work, 'remux');
		log('remux', remux);
		const transcode = await runCase(hevc, work, 'transcode');
		log('transcode', transcode);
		const downscaleH264 = await runCase(h2641080, work, 'downscale');
		log('downscaleH264', downscaleH264);
		const nodePeakRssMB = Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
		console.log(
			JSON.stringify({ name: 'media', inputSeconds: SECONDS, fps: FPS, cpus: os.availableParallelism(), remux, transcode, downscaleH264, nodePeakRssMB })
		);
	} finally {
		await rm(work, { recursive: true, force: true });
	}
}

// Run only as a script (bench/processing.ts imports ensureInput).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
	main().catch((e) => {
		console.error(e);
		process.exit(1);
	});
}
