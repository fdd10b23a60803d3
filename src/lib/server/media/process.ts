/**
 * Processing of an uploaded video (the `media.process` job): an applicant's video business card
 * or a practice's own video in the library — both arrive through media/intake.ts.
 *
 *   uploaded ──▶ processing ──▶ ready   (poster + web rendition stored beside the original)
 *                          └──▶ failed  (a Russian reason; an applicant also gets a mail)
 *   without ffmpeg: stays uploaded, facts.processing.state = 'unavailable', the original is served.
 *
 * ffprobe/ffmpeg read the original through a presigned URL of the internal S3 endpoint (ranged
 * reads, the video never passes through this process' memory) and write to temp files in a work
 * folder of the asset; finished files are streamed to S3 under fixed keys derived from the
 * original's key, then the child assets are recorded and the video marked ready in one
 * transaction. Every step can run again: the keys are the same (objects are overwritten), child
 * rows are upserted by key, the work folder is wiped (and ffmpeg processes of a crashed attempt
 * that still write into it are killed) before each attempt.
 */
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { and, eq, inArray, isNull, notInArray, or, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { applications, assets, contests, jobs, users, type Asset } from '../db/schema';
import { config } from '../config';
import { newId } from '../ids';
import { contestSettings } from '../contests/settings';
import { videoFailedMail } from '../mail/templates';
import { enqueueMail } from '../jobs/mail';
import { enqueue, type JobHandler } from '../jobs/queue';
import { putFile } from '../storage/put-file';
import { deleteObjectQuietly, headSize } from '../storage/objects';
import { presignGet } from '../storage/presign';
import { ffmpegAvailable, makePoster, makeRendition, MediaError, probe, validateFacts, type MediaFacts } from './ffmpeg';

export const MEDIA_PROCESS_KIND = 'media.process';

export interface MediaDeps {
	available: () => Promise<boolean>;
	probe: typeof probe;
	makePoster: typeof makePoster;
	makeRendition: typeof makeRendition;
}
const realDeps: MediaDeps = { available: ffmpegAvailable, probe, makePoster, makeRendition };

export interface ProcessContext {
	signal?: AbortSignal;
	progress?: (percent: number) => void;
	/** False when the job was taken away (cancelled / lease lost): nothing may be recorded then. */
	stillOwned?: (tx: DbOrTx) => boolean;
	/** Folder for temp files; default DATA_DIR/tmp/media. */
	workRoot?: string;
	deps?: Partial<MediaDeps>;
	timeouts?: { probeMs?: number; posterMs?: number; renditionMs?: number };
	now?: () => Date;
}

export type ProcessResult =
	| {
			outcome: 'ready';
			mode: 'remux' | 'transcode';
			posterKey: string;
			renditionKey: string;
			durationSec: number;
			renditionBytes: number;
			/** Milliseconds per step, for the console and the benchmark. */
			timings: { probe: number; poster: number; rendition: number; upload: number };
	  }
	| { outcome: 'failed'; code: string; message: string }
	| { outcome: 'skipped'; reason: string }
	| { outcome: 'unavailable' };

/** Processing bookkeeping kept in the video asset's facts (beside the ffprobe facts). */
export interface ProcessingNote {
	state: 'unavailable' | 'cancelled' | 'done' | 'failed';
	mode?: 'remux' | 'transcode';
	code?: string;
	at: number;
}

export class NotOwnedError extends Error {
	constructor() {
		super('job is no longer held by this worker');
	}
}

/** Keys of the poster and the rendition: beside the original, fixed (a re-run overwrites them). */
export function derivedKeys(originalKey: string) {
	const base = originalKey.replace(/\.[a-z0-9]{1,5}$/i, '');
	return { poster: `${base}.poster.jpg`, rendition: `${base}.web.mp4` };
}

export function enqueueMediaProcess(db: DbOrTx, assetId: string, now = new Date()) {
	return enqueue(db, MEDIA_PROCESS_KIND, { assetId }, { dedupeKey: `${MEDIA_PROCESS_KIND}:${assetId}`, maxAttempts: 3, now });
}

const TERMINAL = new Set(['uploading', 'rejected', 'replaced']);

function withNote(facts: Record<string, unknown> | null | undefined, note: ProcessingNote): Record<string, unknown> {
	return { ...(facts ?? {}), processing: note };
}

/**
 * A library practice's own video (not part of a contest entry): up to 1 GiB and an hour. The
 * library checks the size when the upload starts (library/files.ts); duration and streams are
 * checked here and at completion (media/intake.ts).
 */
export const LIBRARY_VIDEO_LIMITS = { maxSizeBytes: 1024 ** 3, maxDurationSec: 60 * 60 };

/** The limits of the video's contest (an entry's video) or of the library (a practice's video). */
function limitsFor(db: DbOrTx, asset: Asset) {
	if (!asset.applicationId && asset.practiceId) return LIBRARY_VIDEO_LIMITS;
	const row = asset.applicationId
		? db
				.select({ settings: contests.settings })
				.from(applications)
				.innerJoin(contests, eq(contests.id, applications.contestId))
				.where(eq(applications.id, asset.applicationId))
				.get()
		: undefined;
	const s = contestSettings(row?.settings);
	return { maxDurationSec: s.videoMaxSeconds, maxSizeBytes: s.videoMaxBytes };
}

/** Width and height from a JPEG's SOF marker (posters are small; the whole file is passed). */
export function jpegSize(buf: Uint8Array): { width: number; height: number } | null {
	if (buf.length < 4 || buf[0] !== 0xff || buf[1] !== 0xd8) return null;
	let i = 2;
	while (i + 9 < buf.length) {
		if (buf[i] !== 0xff) return null;
		const marker = buf[i + 1];
		if (marker === 0xff) {
			i++;
			continue;
		}
		const len = (buf[i + 2] << 8) | buf[i + 3];
		// SOF0…SOF15 except DHT (C4), JPG (C8), DAC (CC).
		if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
			return { height: (buf[i + 5] << 8) | buf[i + 6], width: (buf[i + 7] << 8) | buf[i + 8] };
		}
		i += 2 + len;
	}
	return null;
}

/** Kills processes (a crashed attempt's ffmpeg) whose command line names the folder. Linux only. */
export async function killProcessesUsing(dir: string): Promise<number> {
	if (process.platform !== 'linux') return 0;
	let killed = 0;
	let pids: string[];
	try {
		pids = (await readdir('/proc')).filter((n) => /^\d+$/.test(n) && Number(n) !== process.pid);
	} catch {
		return 0;
	}
	for (const pid of pids) {
		try {
			const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8');
			if (cmd.split('\0').some((a) => a.includes(dir))) {
				process.kill(Number(pid), 'SIGKILL');
				killed++;
			}
		} catch {
			/* gone or not ours */
		}
	}
	return killed;
}

/**
 * Processes one video asset. Returns what happened; throws on errors worth a retry (timeouts,
 * ffmpeg crashes, S3 or network failures) so that the queue retries with backoff.
 */
export async function processVideo(db: DbOrTx, assetId: string, ctx: ProcessContext = {}): Promise<ProcessResult> {
	const deps = { ...realDeps, ...ctx.deps };
	const now = ctx.now ?? (() => new Date());
	const progress = (p: number) => ctx.progress?.(p);
	const asset = db.select().from(assets).where(eq(assets.id, assetId)).get();
	if (!asset || asset.kind !== 'video') return { outcome: 'skipped', reason: 'нет такого видео' };
	if (TERMINAL.has(asset.status)) return { outcome: 'skipped', reason: `видео в состоянии ${asset.status}` };
	const keys = derivedKeys(asset.key);
	if (asset.status === 'ready') {
		const kids = db.select({ kind: assets.kind }).from(assets).where(and(eq(assets.parentId, asset.id), eq(assets.status, 'ready'))).all();
		if (kids.some((k) => k.kind === 'poster') && kids.some((k) => k.kind === 'rendition')) return { outcome: 'skipped', reason: 'уже обработано' };
	}

	if (!(await deps.available())) {
		db.update(assets)
			.set({ status: 'uploaded', facts: withNote(asset.facts, { state: 'unavailable', at: now().getTime() }), updatedAt: now() })
			.where(and(eq(assets.id, asset.id), inArray(assets.status, ['uploaded', 'processing'])))
			.run();
		return { outcome: 'unavailable' };
	}

	const started = db
		.update(assets)
		.set({ status: 'processing', error: null, updatedAt: now() })
		.where(and(eq(assets.id, asset.id), inArray(assets.status, ['uploaded', 'processing', 'failed', 'ready'])))
		.run();
	if (!started.changes) return { outcome: 'skipped', reason: 'видео изменилось' };
	progress(1);

	const workDir = path.join(ctx.workRoot ?? path.join(config().dataDir, 'tmp', 'media'), asset.id);
	await killProcessesUsing(workDir);
	await rm(workDir, { recursive: true, force: true });
	await mkdir(workDir, { recursive: true });
	const uploaded: string[] = [];
	const mark = { t: performance.now() };
	const lap = () => {
		const n = performance.now();
		const d = Math.round(n - mark.t);
		mark.t = n;
		return d;
	};
	try {
		const url = await presignGet(asset.key, { internal: true, expiresIn: 6 * 3600 });
		let facts: MediaFacts;
		try {
			// An empty object: a clear refusal without asking ffprobe (whose HTTP reading of a
			// zero-length body ends in a range error that looks like a network failure).
			const size = await headSize(asset.key);
			if (size === null) throw new Error(`object ${asset.key} is missing`);
			if (size === 0) throw new MediaError('empty', { details: { sizeBytes: 0 } });
			facts = await deps.probe(url, { timeoutMs: ctx.timeouts?.probeMs ?? 60_000, signal: ctx.signal });
			const bad = validateFacts(facts, limitsFor(db, asset));
			if (bad) throw bad;
		} catch (e) {
			if (e instanceof MediaError && !e.retryable) return failVideo(db, asset, e, null, ctx, now());
			throw e;
		}
		const tProbe = lap();
		progress(5);
		const posterFile = path.join(workDir, 'poster.jpg');
		const renditionFile = path.join(workDir, 'web.mp4');
		let mode: 'remux' | 'transcode';
		let tPoster = 0;
		try {
			await deps.makePoster(url, posterFile, facts, { timeoutMs: ctx.timeouts?.posterMs ?? 120_000, signal: ctx.signal });
			tPoster = lap();
			progress(10);
			({ mode } = await deps.makeRendition(url, renditionFile, facts, {
				timeoutMs: ctx.timeouts?.renditionMs,
				signal: ctx.signal,
				onProgress: (f) => progress(10 + f * 75)
			}));
		} catch (e) {
			if (e instanceof MediaError && !e.retryable) return failVideo(db, asset, e, facts, ctx, now());
			throw e;
		}
		const tRendition = lap();
		ctx.signal?.throwIfAborted();
		// Facts of what we made, from the finished local files (and a check that they are sound).
		const rFacts = await deps.probe(renditionFile, { timeoutMs: 60_000, signal: ctx.signal });
		const pSize = jpegSize(await readFile(posterFile));
		if (!pSize) throw new MediaError('crashed', { message: 'poster: not a JPEG' });
		progress(88);
		ctx.signal?.throwIfAborted();
		const poster = await putFile(keys.poster, posterFile, 'image/jpeg', { signal: ctx.signal });
		uploaded.push(keys.poster);
		progress(90);
		const rendition = await putFile(keys.rendition, renditionFile, 'video/mp4', { signal: ctx.signal });
		uploaded.push(keys.rendition);
		const tUpload = lap();
		progress(98);

		const t = now();
		const recorded = db.transaction((tx) => {
			if (ctx.stillOwned && !ctx.stillOwned(tx)) throw new NotOwnedError();
			const cur = tx.select({ status: assets.status, facts: assets.facts }).from(assets).where(eq(assets.id, asset.id)).get();
			if (!cur || cur.status !== 'processing') return false;
			const child = (kind: 'poster' | 'rendition', key: string, size: number, mime: string, f: Record<string, unknown>) =>
				tx
					.insert(assets)
					.values({ id: newId(), ownerId: asset.ownerId, parentId: asset.id, kind, status: 'ready', key, originalName: path.basename(key), mime, size, facts: f, createdAt: t, updatedAt: t })
					.onConflictDoUpdate({ target: assets.key, set: { status: 'ready', parentId: asset.id, size, mime, facts: f, error: null, updatedAt: t } })
					.run();
			child('poster', keys.poster, poster.size, 'image/jpeg', { ...pSize });
			child('rendition', keys.rendition, rendition.size, 'video/mp4', { ...rFacts, mode } as unknown as Record<string, unknown>);
			tx.update(assets)
				.set({ status: 'ready', error: null, facts: withNote(facts as unknown as Record<string, unknown>, { state: 'done', mode, at: t.getTime() }), updatedAt: t })
				.where(eq(assets.id, asset.id))
				.run();
			return true;
		});
		if (!recorded) {
			// Replaced or deleted meanwhile: do not leave objects nobody refers to.
			for (const k of uploaded) await deleteObjectQuietly(k);
			return { outcome: 'skipped', reason: 'видео заменено во время обработки' };
		}
		progress(100);
		return {
			outcome: 'ready',
			mode,
			posterKey: keys.poster,
			renditionKey: keys.rendition,
			durationSec: facts.durationSec,
			renditionBytes: rendition.size,
			timings: { probe: tProbe, poster: tPoster, rendition: tRendition, upload: tUpload }
		};
	} catch (e) {
		// Cancelled or cut off after writing objects: remove them unless a row refers to them or
		// another attempt is now working on this video (it writes the same keys).
		if (uploaded.length && (e instanceof NotOwnedError || ctx.signal?.aborted)) await removeUnreferenced(db, asset.id, uploaded);
		throw e;
	} finally {
		await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
	}
}

async function removeUnreferenced(db: DbOrTx, assetId: string, keys: string[]) {
	const active = db
		.select({ id: jobs.id })
		.from(jobs)
		.where(and(eq(jobs.dedupeKey, `${MEDIA_PROCESS_KIND}:${assetId}`), inArray(jobs.status, ['queued', 'running'])))
		.get();
	if (active) return;
	const referenced = new Set(db.select({ key: assets.key }).from(assets).where(inArray(assets.key, keys)).all().map((r) => r.key));
	for (const k of keys) if (!referenced.has(k)) await deleteObjectQuietly(k);
}

function cabinetLink(asset: Asset) {
	return `${config().origin}/cabinet${asset.applicationId ? `/applications/${asset.applicationId}` : ''}`;
}

/**
 * Marks the video failed with the reason. The applicant of an entry's video gets a mail (once per
 * reason); a practice's video is the organizers' (they see the reason in the library editor).
 */
export function failVideo(db: DbOrTx, asset: Asset, e: MediaError, facts: MediaFacts | null, ctx: Pick<ProcessContext, 'stillOwned'>, now = new Date()): ProcessResult {
	const message = e.messageRu;
	const result = db.transaction((tx) => {
		if (ctx.stillOwned && !ctx.stillOwned(tx)) throw new NotOwnedError();
		const cur = tx.select().from(assets).where(eq(assets.id, asset.id)).get();
		if (!cur || TERMINAL.has(cur.status)) return false;
		const repeated = cur.status === 'failed' && cur.error === message;
		const base = facts ? (facts as unknown as Record<string, unknown>) : cur.facts;
		tx.update(assets)
			.set({ status: 'failed', error: message, facts: withNote(base, { state: 'failed', code: e.code, at: now.getTime() }), updatedAt: now })
			.where(eq(assets.id, asset.id))
			.run();
		const owner = cur.ownerId && cur.applicationId ? tx.select({ email: users.email, fio: users.fio }).from(users).where(eq(users.id, cur.ownerId)).get() : undefined;
		if (!repeated && owner) enqueueMail(tx, videoFailedMail(owner.email, owner.fio, message, cabinetLink(cur)), { dedupeKey: `video-failed:${asset.id}`, now });
		return true;
	});
	if (!result) return { outcome: 'skipped', reason: 'видео заменено во время обработки' };
	return { outcome: 'failed', code: e.code, message };
}

export const TECHNICAL_FAILURE_RU =
	'Видео не удалось обработать по технической причине: обработка несколько раз прерывалась. Сохраните видео на устройстве заново (например, экспортируйте в MP4) и загрузите ещё раз; если ошибка повторится, напишите в поддержку конкурса.';

/** The `media.process` job. */
export const mediaHandler: JobHandler = {
	kind: MEDIA_PROCESS_KIND,
	lane: 'heavy',
	maxAttempts: 3,
	backoffMs: 30_000,
	maxBackoffMs: 10 * 60_000,
	async run(payload, ctx) {
		const assetId = typeof payload.assetId === 'string' ? payload.assetId : '';
		const r = await processVideo(ctx.db, assetId, { signal: ctx.signal, progress: ctx.progress, stillOwned: ctx.stillOwned });
		return r as unknown as Record<string, unknown>;
	},
	onDead(db, job) {
		const asset = db.select().from(assets).where(eq(assets.id, String(job.payload.assetId ?? ''))).get();
		if (!asset || TERMINAL.has(asset.status) || asset.status === 'ready') return;
		failVideo(db, asset, new MediaError('crashed', { messageRu: TECHNICAL_FAILURE_RU }), null, {});
	},
	onCancel(db, job) {
		const now = new Date();
		const asset = db.select().from(assets).where(eq(assets.id, String(job.payload.assetId ?? ''))).get();
		if (!asset || asset.status !== 'processing') return;
		db.update(assets)
			.set({ status: 'uploaded', facts: withNote(asset.facts, { state: 'cancelled', at: now.getTime() }), updatedAt: now })
			.where(and(eq(assets.id, asset.id), eq(assets.status, 'processing')))
			.run();
	},
	describe: (p) => `видео ${String(p.assetId ?? '')}`
};

/**
 * Housekeeping: posters and renditions of videos that were replaced, rejected or deleted are
 * removed with their objects; a video left 'processing' without an active job is queued again.
 */
export async function sweepMedia(db: DbOrTx): Promise<{ removed: number; requeued: number }> {
	const orphans = db
		.select({ id: assets.id, key: assets.key })
		.from(assets)
		.where(
			and(
				inArray(assets.kind, ['poster', 'rendition']),
				or(
					isNull(assets.parentId),
					sql`not exists (select 1 from assets p where p.id = ${assets.parentId} and p.status not in ('replaced', 'rejected'))`
				)
			)
		)
		.all();
	for (const o of orphans) {
		await deleteObjectQuietly(o.key);
		db.delete(assets).where(eq(assets.id, o.id)).run();
	}
	const stuck = db
		.select({ id: assets.id })
		.from(assets)
		.where(
			and(
				eq(assets.kind, 'video'),
				eq(assets.status, 'processing'),
				notInArray(
					assets.id,
					db
						.select({ id: sql<string>`json_extract(${jobs.payload}, '$.assetId')` })
						.from(jobs)
						.where(and(eq(jobs.kind, MEDIA_PROCESS_KIND), inArray(jobs.status, ['queued', 'running'])))
				)
			)
		)
		.all();
	for (const s of stuck) enqueueMediaProcess(db, s.id);
	return { removed: orphans.length, requeued: stuck.length };
}
