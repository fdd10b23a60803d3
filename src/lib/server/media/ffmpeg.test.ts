import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultFixturesDir, makeFixtures } from '../../../../tests/fixtures/make-fixtures';
import {
	ffmpegAvailable,
	makePoster,
	makeRendition,
	MediaError,
	probe,
	validateFacts,
	type MediaFacts,
	type RenditionProfile
} from './ffmpeg';

const execFileP = promisify(execFile);
const available = await ffmpegAvailable();

interface StreamInfo {
	codec_type: string;
	codec_name: string;
	width?: number;
	height?: number;
	pix_fmt?: string;
	color_transfer?: string;
	side_data_list?: Array<{ rotation?: number }>;
}
async function streamsOf(file: string): Promise<StreamInfo[]> {
	const { stdout } = await execFileP('ffprobe', ['-v', 'error', '-show_streams', '-of', 'json', file]);
	return (JSON.parse(stdout) as { streams: StreamInfo[] }).streams;
}

/** Top-level ISO-BMFF box types in file order. */
async function topLevelBoxes(file: string): Promise<string[]> {
	const buf = await readFile(file);
	const types: string[] = [];
	let off = 0;
	while (off + 8 <= buf.length) {
		let size = buf.readUInt32BE(off);
		const type = buf.toString('latin1', off + 4, off + 8);
		if (size === 1) size = Number(buf.readBigUInt64BE(off + 8));
		else if (size === 0) size = buf.length - off;
		types.push(type);
		if (size < 8) break;
		off += size;
	}
	return types;
}

async function expectMediaError(p: Promise<unknown>, codes: string[]): Promise<MediaError> {
	const e = await p.then(
		() => null,
		(err: unknown) => err
	);
	expect(e).toBeInstanceOf(MediaError);
	const me = e as MediaError;
	expect(codes).toContain(me.code);
	expect(me.messageRu).toMatch(/[а-яё]/i);
	return me;
}

const limits = { maxDurationSec: 3, maxSizeBytes: 50 * 1024 * 1024 };

describe.skipIf(!available)('media/ffmpeg', () => {
	let fx: Record<string, string>;
	let out: string;

	beforeAll(async () => {
		fx = await makeFixtures(defaultFixturesDir());
		out = await mkdtemp(path.join(os.tmpdir(), 'media-test-'));
	});
	afterAll(async () => {
		if (out) await rm(out, { recursive: true, force: true });
	});

	describe('probe', () => {
		it('reads an H.264/AAC mp4 as web-playable', async () => {
			const f = await probe(fx.mp4);
			expect(f.durationSec).toBeCloseTo(2, 0);
			expect(f.sizeBytes).toBe((await stat(fx.mp4)).size);
			expect(f.formatName).toContain('mp4');
			expect(f.video).toMatchObject({
				codec: 'h264',
				width: 320,
				height: 240,
				rotation: 0,
				displayWidth: 320,
				displayHeight: 240,
				pixFmt: 'yuv420p'
			});
			expect(f.video!.fps).toBeCloseTo(25, 1);
			expect(f.audio).toMatchObject({ codec: 'aac', channels: 1, sampleRate: 48000 });
			expect(f.webPlayable).toBe(true);
			expect(validateFacts(f, limits)).toBeNull();
		});

		it('HEVC .mov and VP9 .webm are not web-playable', async () => {
			const hevc = await probe(fx.hevcMov);
			expect(['hevc', 'mpeg4']).toContain(hevc.video!.codec);
			expect(hevc.formatName).toContain('mov');
			expect(hevc.webPlayable).toBe(false);
			const vp9 = await probe(fx.vp9Webm);
			expect(['vp9', 'vp8']).toContain(vp9.video!.codec);
			expect(vp9.formatName).toContain('webm');
			expect(vp9.audio?.codec).toMatch(/opus|vorbis/);
			expect(vp9.durationSec).toBeCloseTo(2, 0);
			expect(vp9.webPlayable).toBe(false);
		});

		it('portrait clip: rotation 90 and swapped display dims', async () => {
			const f = await probe(fx.portraitRotated);
			expect(f.video).toMatchObject({
				width: 320,
				height: 180,
				rotation: 90,
				displayWidth: 180,
				displayHeight: 320
			});
			expect(f.webPlayable).toBe(true);
		});

		it('finds the duration of a streamed WebM without one in its header (MediaRecorder-like)', async () => {
			const f = await probe(fx.streamedWebm);
			expect(f.durationSec).toBeGreaterThan(1.8);
			expect(f.durationSec).toBeLessThan(2.3);
		});

		it('flags HDR (HLG) HEVC', async () => {
			if (!fx.hdrHevc) return;
			const f = await probe(fx.hdrHevc);
			expect(f.video!.hdr).toBe(true);
			expect(f.video!.pixFmt).toBe('yuv420p10le');
			expect(f.webPlayable).toBe(false);
		});

		it('audio-only → no_video via validateFacts', async () => {
			const f = await probe(fx.audioOnly);
			expect(f.video).toBeNull();
			expect(f.webPlayable).toBe(false);
			const e = validateFacts(f, limits);
			expect(e).toBeInstanceOf(MediaError);
			expect(e!.code).toBe('no_video');
			expect(e!.messageRu).toMatch(/видео/i);
		});

		it('corrupt (truncated) file → clear error, no hang', async () => {
			const t0 = Date.now();
			const e = await expectMediaError(probe(fx.corrupt, { timeoutMs: 20_000 }), ['corrupt', 'no_video']);
			expect(Date.now() - t0).toBeLessThan(10_000);
			expect(e.stderrTail).toBeTruthy(); // kept for the logs
			expect(e.messageRu).not.toContain(e.stderrTail!); // never shown to users
		});

		it('empty file → empty; text named .mp4 → corrupt', async () => {
			await expectMediaError(probe(fx.empty), ['empty']);
			await expectMediaError(probe(fx.fakeMp4), ['corrupt']);
		});

		it('refuses an HLS playlist disguised as .mp4 (no local file / SSRF reads)', async () => {
			const evil = path.join(out, 'evil.mp4');
			await writeFile(
				evil,
				'#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:10.0,\nfile:///etc/passwd\n#EXTINF:10.0,\nhttp://127.0.0.1:9/x.ts\n#EXT-X-ENDLIST\n'
			);
			await expectMediaError(probe(evil), ['corrupt']);
		});

		it('missing ffprobe input path → crashed (our bug, not the applicant’s)', async () => {
			await expectMediaError(probe(path.join(out, 'nope.mp4')), ['crashed']);
		});
	});

	describe('validateFacts', () => {
		it('too long by duration, too large by size, empty by size', async () => {
			const long = await probe(fx.longClip);
			expect(long.durationSec).toBeCloseTo(5, 0);
			const e = validateFacts(long, limits)!;
			expect(e.code).toBe('too_long');
			expect(e.details).toMatchObject({ limit: 'duration' });
			expect(e.messageRu).toContain('3 с');
			expect(validateFacts(long, { maxDurationSec: 10, maxSizeBytes: 50 * 1024 * 1024 })).toBeNull();
			const big = validateFacts(long, { maxDurationSec: 10, maxSizeBytes: 1000 })!;
			expect(big.code).toBe('too_long');
			expect(big.details).toMatchObject({ limit: 'size' });
			expect(big.messageRu).toMatch(/большой/);
			const emptyFacts: MediaFacts = { ...long, sizeBytes: 0 };
			expect(validateFacts(emptyFacts, limits)!.code).toBe('empty');
		});

		it('MediaError shape', () => {
			const e = new MediaError('timeout', { stderrTail: 'x' });
			expect(e).toBeInstanceOf(Error);
			expect(e.name).toBe('MediaError');
			expect(e.retryable).toBe(true);
			expect(new MediaError('corrupt').retryable).toBe(false);
			for (const c of ['no_video', 'corrupt', 'too_long', 'empty', 'timeout', 'crashed', 'unavailable'] as const) {
				expect(new MediaError(c).messageRu).toMatch(/[а-яё]{4}/i);
			}
		});
	});

	describe('makePoster', () => {
		it('writes a JPEG ≤ 1280 wide', async () => {
			const facts = await probe(fx.mp4);
			const p = path.join(out, 'poster.jpg');
			await makePoster(fx.mp4, p, facts);
			const head = (await readFile(p)).subarray(0, 3);
			expect([...head]).toEqual([0xff, 0xd8, 0xff]);
			const [s] = await streamsOf(p);
			expect(s.width).toBe(320);
			expect(s.height).toBe(240);
		});

		it('portrait poster is upright (taller than wide)', async () => {
			const facts = await probe(fx.portraitRotated);
			const p = path.join(out, 'poster-portrait.jpg');
			await makePoster(fx.portraitRotated, p, facts);
			const [s] = await streamsOf(p);
			expect(s.height!).toBeGreaterThan(s.width!);
			expect(s.width).toBe(180);
		});

		it('HEVC, VP9, HDR and a streamed WebM get posters too', async () => {
			for (const k of ['hevcMov', 'vp9Webm', 'streamedWebm', 'hdrHevc']) {
				if (!fx[k]) continue;
				const p = path.join(out, `poster-${k}.jpg`);
				await makePoster(fx[k], p, await probe(fx[k]));
				expect((await readFile(p)).readUInt16BE(0)).toBe(0xffd8);
			}
		});
	});

	describe('makeRendition', () => {
		it('remuxes a web-playable mp4 with faststart (moov before mdat)', async () => {
			const facts = await probe(fx.mp4);
			expect(await topLevelBoxes(fx.mp4)).toEqual(expect.arrayContaining(['ftyp', 'mdat', 'moov']));
			const src = await topLevelBoxes(fx.mp4);
			expect(src.indexOf('moov')).toBeGreaterThan(src.indexOf('mdat')); // input is NOT faststart
			const o = path.join(out, 'remux.mp4');
			const progress: number[] = [];
			const r = await makeRendition(fx.mp4, o, facts, { onProgress: (f) => progress.push(f) });
			expect(r.mode).toBe('remux');
			const boxes = await topLevelBoxes(o);
			expect(boxes.indexOf('moov')).toBeGreaterThanOrEqual(0);
			expect(boxes.indexOf('moov')).toBeLessThan(boxes.indexOf('mdat'));
			const st = await streamsOf(o);
			expect(st.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
			expect(progress.at(-1)).toBe(1);
			const f2 = await probe(o);
			expect(f2.durationSec).toBeCloseTo(2, 0);
			expect(f2.webPlayable).toBe(true);
		});

		it('remux keeps the rotation of a portrait clip', async () => {
			const facts = await probe(fx.portraitRotated);
			const o = path.join(out, 'portrait-remux.mp4');
			expect((await makeRendition(fx.portraitRotated, o, facts)).mode).toBe('remux');
			const f2 = await probe(o);
			expect(f2.video).toMatchObject({ rotation: 90, displayWidth: 180, displayHeight: 320 });
		});

		it('transcodes HEVC and VP9 to H.264/AAC with progress', async () => {
			for (const k of ['hevcMov', 'vp9Webm']) {
				const facts = await probe(fx[k]);
				const o = path.join(out, `${k}.mp4`);
				const progress: number[] = [];
				const r = await makeRendition(fx[k], o, facts, { onProgress: (f) => progress.push(f) });
				expect(r.mode).toBe('transcode');
				const f2 = await probe(o);
				expect(f2.video).toMatchObject({ codec: 'h264', pixFmt: 'yuv420p', width: 320, height: 240 });
				expect(f2.audio?.codec).toBe('aac');
				expect(f2.webPlayable).toBe(true);
				expect(f2.durationSec).toBeCloseTo(2, 0);
				const boxes = await topLevelBoxes(o);
				expect(boxes.indexOf('moov')).toBeLessThan(boxes.indexOf('mdat'));
				expect(progress.length).toBeGreaterThan(0);
				expect(progress.at(-1)).toBe(1);
				expect(progress.every((x, i) => i === 0 || x >= progress[i - 1])).toBe(true);
			}
		});

		it('audio-less HDR input → video-only SDR output', async () => {
			if (!fx.hdrHevc) return;
			const facts = await probe(fx.hdrHevc);
			const o = path.join(out, 'hdr.mp4');
			expect((await makeRendition(fx.hdrHevc, o, facts)).mode).toBe('transcode');
			const st = await streamsOf(o);
			expect(st).toHaveLength(1);
			expect(st[0]).toMatchObject({ codec_type: 'video', codec_name: 'h264', pix_fmt: 'yuv420p' });
			expect(st[0].color_transfer ?? 'bt709').not.toBe('arib-std-b67');
		});

		it('audio-less web-playable input → video-only remux', async () => {
			const o = path.join(out, 'video-only.mp4');
			expect((await makeRendition(fx.videoOnly, o, await probe(fx.videoOnly))).mode).toBe('remux');
			expect((await streamsOf(o)).map((s) => s.codec_type)).toEqual(['video']);
		});

		it('transcoding a rotated clip bakes the rotation in (portrait stays portrait)', async () => {
			const facts = { ...(await probe(fx.portraitRotated)), webPlayable: false };
			const o = path.join(out, 'portrait-transcode.mp4');
			expect((await makeRendition(fx.portraitRotated, o, facts)).mode).toBe('transcode');
			const f2 = await probe(o);
			expect(f2.video).toMatchObject({ rotation: 0, width: 180, height: 320 });
		});

		it('«high» remuxes H.264 up to 1080p and downscales anything bigger to 720p; «light» fits 854x480 / 480x854', async () => {
			const cases: Array<[string, RenditionProfile, 'remux' | 'transcode', [number, number]]> = [
				['2560x1440', 'high', 'transcode', [1280, 720]],
				['1440x2560', 'high', 'transcode', [720, 1280]],
				['1600x900', 'high', 'remux', [1600, 900]], // ≤ 1080p H.264/AAC: remux as is
				['1000x700', 'high', 'remux', [1000, 700]],
				['1600x900', 'light', 'transcode', [852, 480]], // 854 rounded down to an even width keeping 16:9
				['900x1600', 'light', 'transcode', [480, 852]]
			];
			for (const [size, profile, mode, [w, h]] of cases) {
				const input = path.join(out, `big-${size}.mp4`);
				await execFileP('ffmpeg', [
					'-hide_banner',
					'-loglevel',
					'error',
					'-y',
					'-f',
					'lavfi',
					'-i',
					`testsrc2=size=${size}:rate=10:duration=0.3`,
					'-c:v',
					'libx264',
					'-preset',
					'ultrafast',
					'-pix_fmt',
					'yuv420p',
					input
				]);
				const facts = await probe(input);
				const o = path.join(out, `big-${size}-${profile}-out.mp4`);
				const r = await makeRendition(input, o, facts, { profile });
				expect([size, profile, r.mode]).toEqual([size, profile, mode]);
				const f2 = await probe(o);
				expect([f2.video!.displayWidth, f2.video!.displayHeight]).toEqual([w, h]);
			}
		});

		it('timeout kills the job and leaves no temp or output file', async () => {
			const facts = await probe(fx.hevcMov);
			const dir = await mkdtemp(path.join(out, 'timeout-'));
			const o = path.join(dir, 'r.mp4');
			const t0 = Date.now();
			const e = await expectMediaError(makeRendition(fx.hevcMov, o, facts, { timeoutMs: 1 }), ['timeout']);
			expect(e.retryable).toBe(true);
			expect(Date.now() - t0).toBeLessThan(5_000);
			expect(await readdir(dir)).toEqual([]);
			await expectMediaError(makePoster(fx.hevcMov, path.join(dir, 'p.jpg'), facts, { timeoutMs: 1 }), ['timeout']);
			expect(await readdir(dir)).toEqual([]);
		});
	});

	describe('over HTTP (presigned-URL style)', () => {
		let server: http.Server;
		let hang: http.Server;
		let base: string;
		let hangBase: string;
		const hanging = new Set<import('node:net').Socket>();
		let rangeRequests = 0;

		beforeAll(async () => {
			server = http.createServer(async (req, res) => {
				const url = new URL(req.url ?? '/', 'http://x');
				const file = fx[url.pathname.slice(1)];
				if (!file || !url.searchParams.get('X-Amz-Signature')) {
					res.writeHead(403).end();
					return;
				}
				const { size } = await stat(file);
				const m = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
				if (m) {
					rangeRequests++;
					const start = m[1] ? Number(m[1]) : Math.max(0, size - Number(m[2]));
					const end = m[1] && m[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
					if (start >= size) {
						res.writeHead(416, { 'Content-Range': `bytes */${size}` }).end();
						return;
					}
					res.writeHead(206, {
						'Content-Type': 'video/mp4',
						'Accept-Ranges': 'bytes',
						'Content-Range': `bytes ${start}-${end}/${size}`,
						'Content-Length': end - start + 1
					});
					if (req.method === 'HEAD') return void res.end();
					createReadStream(file, { start, end }).pipe(res);
				} else {
					res.writeHead(200, { 'Content-Type': 'video/mp4', 'Accept-Ranges': 'bytes', 'Content-Length': size });
					if (req.method === 'HEAD') return void res.end();
					createReadStream(file).pipe(res);
				}
			});
			hang = http.createServer(() => {
				/* never answers */
			});
			hang.on('connection', (s) => hanging.add(s));
			await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
			await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
			base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
			hangBase = `http://127.0.0.1:${(hang.address() as AddressInfo).port}`;
		});
		afterAll(async () => {
			for (const s of hanging) s.destroy();
			server?.closeAllConnections();
			await new Promise((r) => server?.close(r));
			await new Promise((r) => hang?.close(r));
		});

		const sig = '?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=900&X-Amz-Signature=abc123';

		it('probes a URL with the same facts as the local file (moov at the end → ranged reads)', async () => {
			const local = await probe(fx.mp4);
			const remote = await probe(`${base}/mp4${sig}`);
			expect(remote).toEqual(local);
			expect(rangeRequests).toBeGreaterThan(0);
			expect((await probe(`${base}/portraitRotated${sig}`)).video?.rotation).toBe(90);
		});

		it('poster and rendition read from a URL', async () => {
			const url = `${base}/hevcMov${sig}`;
			const facts = await probe(url);
			await makePoster(url, path.join(out, 'http-poster.jpg'), facts);
			expect((await readFile(path.join(out, 'http-poster.jpg'))).readUInt16BE(0)).toBe(0xffd8);
			expect((await makeRendition(url, path.join(out, 'http-r.mp4'), facts)).mode).toBe('transcode');
		});

		it('a 403 (expired URL) is a retryable crash, not the applicant’s corrupt file', async () => {
			const e = await expectMediaError(probe(`${base}/mp4?X-Amz-Signature=`), ['crashed']);
			expect(e.retryable).toBe(true);
		});

		it('a server that never answers → timeout', async () => {
			const t0 = Date.now();
			await expectMediaError(probe(`${hangBase}/mp4${sig}`, { timeoutMs: 1_000 }), ['timeout']);
			expect(Date.now() - t0).toBeLessThan(5_000);
		});
	});
});
