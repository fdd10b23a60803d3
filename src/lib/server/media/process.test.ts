import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { tempDb } from '../../../../tests/helpers/db';
import { addVideo, listKeys, seedApplication, startTestStorage, type TestStorage } from '../../../../tests/helpers/media';
import { defaultFixturesDir, makeFixtures } from '../../../../tests/fixtures/make-fixtures';
import type { DB } from '../db/client';
import { assets, jobs, type Asset } from '../db/schema';
import { ffmpegAvailable, MediaError, probe, makeRendition } from './ffmpeg';
import { derivedKeys, enqueueMediaProcess, jpegSize, NotOwnedError, mediaHandler, processVideo, sweepMedia, TECHNICAL_FAILURE_RU } from './process';
import { playbackFor, videoState } from './playback';
import { getJob, type JobHandler } from '../jobs/queue';
import { FINAL_PHASES, VIDEO_PHASE_TITLE } from '../../media/status';
import { startWorker } from '../jobs/worker';
import { MAIL_KIND } from '../jobs/mail';

const available = await ffmpegAvailable();

let storage: TestStorage;
let fx: Record<string, string>;
let scratch: string;
let t: ReturnType<typeof tempDb>;
let db: DB;

beforeAll(async () => {
	fx = await makeFixtures(defaultFixturesDir());
	storage = await startTestStorage();
	scratch = await mkdtemp(path.join(os.tmpdir(), 'media-proc-'));
});
afterAll(async () => {
	await storage?.close();
	if (scratch) await rm(scratch, { recursive: true, force: true });
});
beforeEach(() => {
	t = tempDb();
	db = t.db;
});
afterEach(() => t.cleanup());

const reload = (id: string) => db.select().from(assets).where(eq(assets.id, id)).get()!;
const children = (id: string) => db.select().from(assets).where(eq(assets.parentId, id)).all();
const mailJobs = () => db.select().from(jobs).where(eq(jobs.kind, MAIL_KIND)).all();
const prefixOf = (a: Asset) => a.key.replace(/\.[a-z0-9]+$/, '');

async function downloadProbe(url: string) {
	const file = path.join(scratch, `dl-${Math.random().toString(36).slice(2)}`);
	const r = await fetch(url);
	expect(r.status).toBe(200);
	await writeFile(file, Buffer.from(await r.arrayBuffer()));
	return probe(file);
}

async function video(file: string, settings: Record<string, unknown> = {}, ext?: string) {
	const app = seedApplication(db, { videoMaxSeconds: 3, ...settings });
	return { app, asset: await addVideo(db, app, file, ext) };
}

describe.skipIf(!available)('media.process with real ffmpeg and S3', () => {
	it('H.264 mp4 → facts, poster and a remuxed rendition beside the original; playback uses them', async () => {
		const { asset } = await video(fx.mp4);
		const progress: number[] = [];
		const r = await processVideo(db, asset.id, { progress: (p) => progress.push(p) });
		expect(r).toMatchObject({ outcome: 'ready', mode: 'remux' });
		const v = reload(asset.id);
		expect(v.status).toBe('ready');
		expect(v.error).toBeNull();
		expect(v.facts).toMatchObject({
			durationSec: expect.closeTo(2, 0),
			video: { codec: 'h264', width: 320, height: 240, rotation: 0 },
			audio: { codec: 'aac' },
			processing: { state: 'done', mode: 'remux' }
		});
		const keys = derivedKeys(asset.key);
		expect(await listKeys(prefixOf(asset))).toEqual([asset.key, keys.poster, keys.rendition, keys.light].sort());
		const kids = children(asset.id);
		expect(kids.map((k) => [k.kind, k.status, k.key]).sort()).toEqual([
			['poster', 'ready', keys.poster],
			['rendition', 'ready', keys.light],
			['rendition', 'ready', keys.rendition]
		]);
		// «high» is the remux, «light» a ≤ 480p transcode; the remux came first (the job's result tells the order).
		expect(kids.find((k) => k.key === keys.rendition)!.facts).toMatchObject({ quality: 'high', mode: 'remux' });
		expect(kids.find((k) => k.key === keys.light)!.facts).toMatchObject({ quality: 'light', mode: 'transcode', video: { codec: 'h264' } });
		expect((r as { renditions: { quality: string }[] }).renditions.map((x) => x.quality)).toEqual(['high', 'light']);
		expect(kids.find((k) => k.kind === 'poster')!.facts).toEqual({ width: 320, height: 240 });
		expect(progress.at(-1)).toBe(100);
		expect(progress.every((p, i) => i === 0 || p >= progress[i - 1])).toBe(true);

		const pb = await playbackFor(db, asset.id, { expiresIn: 120 });
		// The descriptor offers the web rendition only (never the original beside it; the light one
		// of a 240p card is no smaller, so it is not offered as a choice).
		expect(pb).toMatchObject({ status: 'ready', renditions: [{ id: 'web', type: 'video/mp4', label: '240p', height: 240 }], width: 320, height: 240, expiresIn: 120 });
		expect(pb.renditions).toHaveLength(1);
		const src = pb.renditions[0].url;
		expect(src).toContain(encodeURI(keys.rendition).replace(/\//g, '/'));
		expect(src).toContain('X-Amz-Expires=120');
		// Seeking: S3 answers range requests on the presigned URL.
		const part = await fetch(src, { headers: { Range: 'bytes=100-199' } });
		expect(part.status).toBe(206);
		expect((await part.arrayBuffer()).byteLength).toBe(100);
		const poster = await fetch(pb.poster!);
		expect(poster.headers.get('content-type')).toBe('image/jpeg');
		expect(Buffer.from(await poster.arrayBuffer()).readUInt16BE(0)).toBe(0xffd8);
		const st = await videoState(db, asset.id);
		expect(st).toMatchObject({ phase: 'ready', progress: null, poster: expect.stringContaining('poster.jpg') });

		// A second run is a no-op: nothing duplicated.
		expect(await processVideo(db, asset.id)).toMatchObject({ outcome: 'skipped' });
		expect(children(asset.id)).toHaveLength(3);
	});

	it('HEVC .mov and VP9 .webm are transcoded to H.264/AAC', async () => {
		for (const [file, ext] of [
			[fx.hevcMov, 'mov'],
			[fx.vp9Webm, 'webm']
		] as const) {
			const { asset } = await video(file, {}, ext);
			const r = await processVideo(db, asset.id);
			expect(r).toMatchObject({ outcome: 'ready', mode: 'transcode' });
			const v = reload(asset.id);
			expect((v.facts as { video: { codec: string } }).video.codec).toMatch(ext === 'mov' ? /hevc|mpeg4/ : /vp9|vp8/);
			const rendition = children(asset.id).find((k) => k.kind === 'rendition')!;
			expect(rendition.facts).toMatchObject({ mode: 'transcode', webPlayable: true, video: { codec: 'h264', pixFmt: 'yuv420p' }, audio: { codec: 'aac' } });
			const pb = await playbackFor(db, asset.id);
			const out = await downloadProbe(pb.renditions[0].url);
			expect(out.video).toMatchObject({ codec: 'h264', width: 320, height: 240 });
			expect(out.durationSec).toBeCloseTo(2, 0);
		}
	});

	it('a rotated portrait clip: rotation in the facts, an upright poster, a portrait rendition', async () => {
		const { asset } = await video(fx.portraitRotated);
		expect(await processVideo(db, asset.id)).toMatchObject({ outcome: 'ready', mode: 'remux' });
		expect(reload(asset.id).facts).toMatchObject({ video: { rotation: 90, displayWidth: 180, displayHeight: 320 } });
		const pb = await playbackFor(db, asset.id);
		expect([pb.width, pb.height]).toEqual([180, 320]);
		const poster = jpegSize(Buffer.from(await (await fetch(pb.poster!)).arrayBuffer()))!;
		expect(poster.height).toBeGreaterThan(poster.width);
		expect(children(asset.id).find((k) => k.kind === 'poster')!.facts).toEqual(poster);
		const rendition = await downloadProbe(pb.renditions[0].url);
		expect(rendition.video).toMatchObject({ displayWidth: 180, displayHeight: 320 });
	});

	it('refusals: corrupt, over-long, audio only, zero-length — failed with a Russian reason, one mail, nothing written', async () => {
		const cases: [string, RegExp, string?][] = [
			[fx.corrupt, /повреждён/],
			[fx.longClip, /Видео длится 5 с, а допускается не больше 3 с/],
			[fx.audioOnly, /не найдено видео/, 'm4a'],
			[fx.empty, /пуст|повреждён/]
		];
		for (const [file, reason, ext] of cases) {
			const before = mailJobs().length;
			const { asset } = await video(file, {}, ext);
			const r = await processVideo(db, asset.id);
			expect(r.outcome, file).toBe('failed');
			const v = reload(asset.id);
			expect(v.status).toBe('failed');
			expect(v.error).toMatch(reason);
			expect(await listKeys(prefixOf(asset))).toEqual([asset.key]);
			expect(children(asset.id)).toEqual([]);
			const mails = mailJobs();
			expect(mails).toHaveLength(before + 1);
			const mail = mails.find((m) => m.dedupeKey === `video-failed:${asset.id}`)!;
			expect(mail.payload).toMatchObject({ subject: 'Видеовизитку не удалось обработать', text: expect.stringMatching(reason) });
			expect(String(mail.payload.text)).toContain(`/cabinet/applications/${asset.applicationId}`);
			// A re-run (e.g. after a crash) sends no second mail.
			expect((await processVideo(db, asset.id)).outcome).toBe('failed');
			expect(mailJobs()).toHaveLength(before + 1);
			const st = await videoState(db, asset.id);
			expect(st).toMatchObject({ phase: 'failed', error: v.error });
		}
	});

	it('without ffmpeg: stays uploaded, marked unavailable, the original is served', async () => {
		const { asset } = await video(fx.hevcMov, {}, 'mov');
		const r = await processVideo(db, asset.id, { deps: { available: async () => false } });
		expect(r).toEqual({ outcome: 'unavailable' });
		expect(reload(asset.id)).toMatchObject({ status: 'uploaded', facts: { processing: { state: 'unavailable' } } });
		const pb = await playbackFor(db, asset.id);
		expect(pb).toMatchObject({ renditions: [{ id: 'original', label: 'Исходный файл' }], poster: null, status: 'uploaded' });
		expect(pb.renditions[0].url).toContain(asset.key);
		expect((await videoState(db, asset.id)).phase).toBe('unavailable');
	});

	it('a hanging ffmpeg is killed by the timeout: retried, then dead, the video failed with a technical reason; no objects', async () => {
		const { asset } = await video(fx.hevcMov, {}, 'mov');
		// Direct: the timeout is a retryable error, nothing written.
		await expect(processVideo(db, asset.id, { timeouts: { renditionMs: 1 } })).rejects.toMatchObject({ code: 'timeout' });
		expect(reload(asset.id).status).toBe('processing');
		expect(await listKeys(prefixOf(asset))).toEqual([asset.key]);
		// Through the queue: same handler as in production, with the tiny timeout.
		const handler: JobHandler = {
			...mediaHandler,
			backoffMs: 10,
			run: async (p, ctx) => (await processVideo(ctx.db, String(p.assetId), { signal: ctx.signal, progress: ctx.progress, stillOwned: ctx.stillOwned, timeouts: { renditionMs: 1 } })) as never
		};
		const job = enqueueMediaProcess(db, asset.id);
		const w = startWorker({ db, handlers: [handler], pollMs: 20, log: () => undefined });
		try {
			for (let i = 0; i < 300 && getJob(db, job.id)!.status !== 'dead'; i++) await new Promise((r) => setTimeout(r, 50));
		} finally {
			await w.stop();
		}
		expect(getJob(db, job.id)).toMatchObject({ status: 'dead', attempts: 3 });
		expect(getJob(db, job.id)!.lastError).toMatch(/timeout/);
		expect(reload(asset.id)).toMatchObject({ status: 'failed', error: TECHNICAL_FAILURE_RU });
		expect(mailJobs()).toHaveLength(1);
		expect(await listKeys(prefixOf(asset))).toEqual([asset.key]);
	});

	it('a crashing ffmpeg (non-zero exit) is retried, never half-written', async () => {
		const { asset } = await video(fx.mp4);
		const crash = async () => {
			throw new MediaError('crashed', { message: 'ffmpeg exited with signal SIGSEGV' });
		};
		await expect(processVideo(db, asset.id, { deps: { makeRendition: crash } })).rejects.toMatchObject({ code: 'crashed' });
		expect(await listKeys(prefixOf(asset))).toEqual([asset.key]);
		expect(children(asset.id)).toEqual([]);
		// The retry succeeds.
		expect(await processVideo(db, asset.id)).toMatchObject({ outcome: 'ready' });
	});

	it('a re-run after a crash between upload and record overwrites the same keys, no duplicates', async () => {
		const { asset } = await video(fx.mp4);
		await processVideo(db, asset.id);
		// As if the first attempt died after writing: the video is back in 'processing'.
		db.update(assets).set({ status: 'processing' }).where(eq(assets.id, asset.id)).run();
		expect(await processVideo(db, asset.id)).toMatchObject({ outcome: 'ready' });
		expect(children(asset.id)).toHaveLength(3);
		expect(await listKeys(prefixOf(asset))).toHaveLength(4);
	});

	it('a job cancelled (or taken away) just before recording leaves no objects behind', async () => {
		const { asset } = await video(fx.mp4);
		await expect(processVideo(db, asset.id, { stillOwned: () => false })).rejects.toBeInstanceOf(NotOwnedError);
		expect(await listKeys(prefixOf(asset))).toEqual([asset.key]);
		expect(children(asset.id)).toEqual([]);
		// While another attempt is active on the same video, its objects are left alone.
		enqueueMediaProcess(db, asset.id);
		await expect(processVideo(db, asset.id, { stillOwned: () => false })).rejects.toBeInstanceOf(NotOwnedError);
		expect(await listKeys(prefixOf(asset))).toHaveLength(3);
	});

	it('a video replaced during processing leaves no objects; the sweep removes derivatives of replaced videos', async () => {
		const { asset } = await video(fx.mp4);
		const r = await processVideo(db, asset.id, {
			deps: {
				makeRendition: async (input, out, facts, o) => {
					const res = await makeRendition(input, out, facts, o);
					db.update(assets).set({ status: 'replaced' }).where(eq(assets.id, asset.id)).run();
					return res;
				}
			}
		});
		expect(r).toMatchObject({ outcome: 'skipped' });
		expect(await listKeys(prefixOf(asset))).toEqual([asset.key]);
		expect(children(asset.id)).toEqual([]);

		const { asset: b } = await video(fx.mp4);
		await processVideo(db, b.id);
		db.update(assets).set({ status: 'replaced' }).where(eq(assets.id, b.id)).run();
		expect(await sweepMedia(db)).toMatchObject({ removed: 3 });
		expect(children(b.id)).toEqual([]);
		expect(await listKeys(prefixOf(b))).toEqual([b.key]);
	});

	it('cancel puts a processing video back to uploaded; the sweep re-queues a video left processing without a job', async () => {
		const { asset } = await video(fx.mp4);
		db.update(assets).set({ status: 'processing' }).where(eq(assets.id, asset.id)).run();
		const job = enqueueMediaProcess(db, asset.id);
		expect((await videoState(db, asset.id)).phase).toBe('queued');
		await mediaHandler.onCancel!(db, { ...job, status: 'cancelled' });
		expect(reload(asset.id)).toMatchObject({ status: 'uploaded', facts: { processing: { state: 'cancelled' } } });
		db.update(jobs).set({ status: 'cancelled' }).where(eq(jobs.id, job.id)).run();
		db.update(assets).set({ status: 'processing' }).where(eq(assets.id, asset.id)).run();
		expect(await sweepMedia(db)).toMatchObject({ requeued: 1 });
		expect(db.select().from(jobs).where(and(eq(jobs.kind, 'media.process'), eq(jobs.status, 'queued'))).all()).toHaveLength(1);
	});

	it('after the first rendition the video is playable but not «готово»: «partial» until every rendition is made (issue 15)', async () => {
		const { asset } = await video(fx.mp4);
		enqueueMediaProcess(db, asset.id);
		const seen: Awaited<ReturnType<typeof videoState>>[] = [];
		const r = await processVideo(db, asset.id, {
			deps: {
				makeRendition: async (...args) => {
					// The second rendition starts: the first one is recorded by now.
					if (args[3]?.profile === 'light') seen.push(await videoState(db, asset.id, { withPlayback: true }));
					return makeRendition(...args);
				}
			}
		});
		expect(r).toMatchObject({ outcome: 'ready' });
		expect(seen).toHaveLength(1);
		// Playable: the status carries the playback descriptor with the first rendition…
		expect(seen[0].playback?.renditions.map((x) => x.id)).toEqual(['web']);
		// …but the phase says the job goes on, and it is not a final phase (the page keeps polling).
		expect(seen[0].phase).toBe('partial');
		expect(FINAL_PHASES.has(seen[0].phase)).toBe(false);
		expect(VIDEO_PHASE_TITLE[seen[0].phase]).toBe('можно смотреть');
		// The job done: «готово».
		db.update(jobs).set({ status: 'done' }).where(eq(jobs.kind, 'media.process')).run();
		expect((await videoState(db, asset.id)).phase).toBe('ready');
	});

	it('a video left with its first rendition by a job that died is «готово» with what it has (no endless «partial»)', async () => {
		const { asset } = await video(fx.mp4);
		const job = enqueueMediaProcess(db, asset.id);
		await processVideo(db, asset.id, {
			deps: {
				makeRendition: async (...args) => {
					if (args[3]?.profile === 'light') throw new MediaError('crashed', { message: 'killed' });
					return makeRendition(...args);
				}
			}
		}).catch(() => undefined);
		expect(reload(asset.id)).toMatchObject({ status: 'ready', facts: { processing: { state: 'partial' } } });
		expect((await videoState(db, asset.id)).phase).toBe('partial');
		db.update(jobs).set({ status: 'dead' }).where(eq(jobs.id, job.id)).run();
		expect((await videoState(db, asset.id)).phase).toBe('ready');
	});

	it('processes through the worker and shows the progress of the running job', async () => {
		const { asset } = await video(fx.vp9Webm, {}, 'webm');
		const job = enqueueMediaProcess(db, asset.id);
		expect(enqueueMediaProcess(db, asset.id).id).toBe(job.id); // deduplicated
		const w = startWorker({ db, handlers: [mediaHandler], pollMs: 20, log: () => undefined });
		const phases = new Set<string>();
		try {
			for (let i = 0; i < 600 && getJob(db, job.id)!.status !== 'done'; i++) {
				phases.add((await videoState(db, asset.id)).phase);
				await new Promise((r) => setTimeout(r, 25));
			}
		} finally {
			await w.stop();
		}
		expect(getJob(db, job.id)).toMatchObject({ status: 'done', progress: 100, result: { outcome: 'ready', mode: 'transcode' } });
		expect(phases.has('processing')).toBe(true);
		expect((await videoState(db, asset.id)).phase).toBe('ready');
	});
});
