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
import os from 'node:os';
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
import type { RemoteJob } from '../jobs/remote';
import { putFile } from '../storage/put-file';
import { deleteObjectQuietly } from '../storage/objects';
import { presignGet } from '../storage/presign';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { bucket, s3 } from '../storage/s3';
import { uploadGrowingFile } from './upload-growing';
import {
	ENCODE,
	ffmpegAvailable,
	moovFirst,
	moovReserveBytes,
	makePoster,
	makeRendition,
	MediaError,
	probe,
	remuxable,
	validateFacts,
	type MediaErrorCode,
	type MediaFacts,
	type RenditionProfile
} from './ffmpeg';

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
			renditions: { quality: RenditionProfile; mode: 'remux' | 'transcode'; key: string; bytes: number }[];
			/** Milliseconds per step, for the console and the benchmark. */
			timings: Record<string, number>;
			/** Only the first rendition so far (the video is playable; the job goes on). */
			partial?: boolean;
	  }
	| { outcome: 'failed'; code: string; message: string }
	| { outcome: 'skipped'; reason: string }
	| { outcome: 'unavailable' };

/** Processing bookkeeping kept in the video asset's facts (beside the ffprobe facts). */
export interface ProcessingNote {
	/** 'partial': playable (poster + first rendition), the other rendition is being made. */
	state: 'unavailable' | 'cancelled' | 'partial' | 'done' | 'failed';
	mode?: 'remux' | 'transcode';
	code?: string;
	at: number;
}

/** A remux written in place whose reserved index space was too small (ffmpeg wrote no index there). */
class ReservedTooSmall extends Error {
	constructor() {
		super('reserved moov space too small');
	}
}

export class NotOwnedError extends Error {
	constructor() {
		super('job is no longer held by this worker');
	}
}

/** Keys of the poster and the rendition: beside the original, fixed (a re-run overwrites them). */
export function derivedKeys(originalKey: string) {
	const base = originalKey.replace(/\.[a-z0-9]{1,5}$/i, '');
	return { poster: `${base}.poster.jpg`, rendition: `${base}.web.mp4`, light: `${base}.light.mp4` };
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

// ---------------------------------------------------------------------------
// The job in three parts: prepare (portal, reads the DB) → execute (anywhere: ffmpeg + S3, no DB)
// → record (portal, writes the DB). In the embedded queue one worker runs all three in a row
// (processVideo); with REDIS_URL the relay prepares, a `npm run worker -- --media` process on any
// machine executes, and the portal records what it reports back (jobs/bullmq.ts).
// ---------------------------------------------------------------------------

/** What a worker needs to process a video: nothing from the database. */
export interface MediaInput {
	assetId: string;
	key: string;
	limits: { maxDurationSec: number; maxSizeBytes: number };
}

export interface MadeFile {
	key: string;
	size: number;
	mime: string;
	facts: Record<string, unknown>;
}
export interface MadeRendition extends MadeFile {
	quality: RenditionProfile;
	mode: 'remux' | 'transcode';
}

/** What a worker reports: a partial output (poster + first rendition: playable), then the final one. */
export type MediaOutput =
	| { outcome: 'unavailable' }
	| { outcome: 'failed'; code: MediaErrorCode; message: string; facts: MediaFacts | null }
	| {
			outcome: 'partial' | 'ready';
			facts: MediaFacts;
			poster: MadeFile;
			renditions: MadeRendition[];
			timings: Record<string, number>;
	  };

export interface ExecuteContext {
	signal?: AbortSignal;
	progress?: (percent: number) => void;
	/** Called with the partial output as soon as the first rendition is stored (awaited). */
	report?: (o: MediaOutput) => Promise<void>;
	workRoot?: string;
	deps?: Partial<MediaDeps>;
	timeouts?: ProcessContext['timeouts'];
	/** ffmpeg -threads (0: all cores). */
	threads?: number;
}

/** Default folder for temp files: DATA_DIR/tmp/media on the portal's machine, MEDIA_WORK_DIR or the OS temp dir on a media worker. */
export function defaultWorkRoot(): string {
	if (process.env.MEDIA_WORK_DIR) return path.resolve(process.env.MEDIA_WORK_DIR);
	if (process.env.MEDIA_WORKER_ONLY === '1') return path.join(os.tmpdir(), 'nastavnichestvo-media');
	return path.join(config().dataDir, 'tmp', 'media');
}

/**
 * Portal side, before the work: reads the video and its limits and marks it processing. Returns
 * the worker's input, or the job's final result when there is nothing to do.
 */
export function prepareMedia(db: DbOrTx, assetId: string, now = new Date()): { input: MediaInput } | { result: ProcessResult } {
	const asset = db.select().from(assets).where(eq(assets.id, assetId)).get();
	if (!asset || asset.kind !== 'video') return { result: { outcome: 'skipped', reason: 'нет такого видео' } };
	if (TERMINAL.has(asset.status)) return { result: { outcome: 'skipped', reason: `видео в состоянии ${asset.status}` } };
	const keys = derivedKeys(asset.key);
	if (asset.status === 'ready') {
		const kids = new Set(db.select({ key: assets.key }).from(assets).where(and(eq(assets.parentId, asset.id), eq(assets.status, 'ready'))).all().map((k) => k.key));
		if (kids.has(keys.poster) && kids.has(keys.rendition) && kids.has(keys.light)) return { result: { outcome: 'skipped', reason: 'уже обработано' } };
	}
	// A video that is already playable (a rendition from an earlier run) stays 'ready' meanwhile.
	const started = db
		.update(assets)
		.set({ status: sql`case when ${assets.status} = 'ready' then 'ready' else 'processing' end`, error: null, updatedAt: now })
		.where(and(eq(assets.id, asset.id), inArray(assets.status, ['uploaded', 'processing', 'failed', 'ready'])))
		.run();
	if (!started.changes) return { result: { outcome: 'skipped', reason: 'видео изменилось' } };
	return { input: { assetId: asset.id, key: asset.key, limits: limitsFor(db, asset) } };
}

/** A clear reason for an S3 refusal of the worker's own credentials or bucket (not the applicant's fault). */
function storageError(e: unknown): Error | null {
	const name = (e as { name?: string; Code?: string })?.name ?? '';
	const status = (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
	if (['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied', 'NoSuchBucket', 'Forbidden'].includes(name) || status === 403)
		return new Error(
			`Обработчик видео не получил доступ к хранилищу S3 (${name && name !== 'Unknown' ? name : `HTTP ${status ?? '?'}`}): проверьте S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, S3_BUCKET и S3_ENDPOINT на машине обработчика`
		);
	return null;
}

/**
 * The work itself, without a database: probe, poster, the renditions in order of usefulness
 * (a remux first when the source allows it, otherwise the light one first), each stored in S3 as
 * soon as it is made. Throws on errors worth a retry (timeouts, ffmpeg crashes, S3 or network
 * failures); a refusal of the video itself is an output ('failed'), not an exception.
 */
export async function executeMedia(input: MediaInput, ctx: ExecuteContext = {}): Promise<MediaOutput> {
	const deps = { ...realDeps, ...ctx.deps };
	const progress = (p: number) => ctx.progress?.(p);
	if (!(await deps.available())) return { outcome: 'unavailable' };
	progress(1);
	const keys = derivedKeys(input.key);
	const workDir = path.join(ctx.workRoot ?? defaultWorkRoot(), input.assetId);
	await killProcessesUsing(workDir);
	await rm(workDir, { recursive: true, force: true });
	await mkdir(workDir, { recursive: true });
	const mark = { t: performance.now() };
	const lap = () => {
		const n = performance.now();
		const d = Math.round(n - mark.t);
		mark.t = n;
		return d;
	};
	const timings: Record<string, number> = {};
	try {
		const url = await presignGet(input.key, { internal: true, expiresIn: 6 * 3600 });
		let facts: MediaFacts;
		try {
			// An empty object: a clear refusal without asking ffprobe (whose HTTP reading of a
			// zero-length body ends in a range error that looks like a network failure).
			let head;
			try {
				head = await s3().send(new HeadObjectCommand({ Bucket: bucket(), Key: input.key }), { abortSignal: ctx.signal });
			} catch (e) {
				if ((e as { name?: string }).name === 'NotFound') throw new Error(`object ${input.key} is missing`);
				throw storageError(e) ?? e;
			}
			if ((head.ContentLength ?? 0) === 0) throw new MediaError('empty', { details: { sizeBytes: 0 } });
			facts = await deps.probe(url, { timeoutMs: ctx.timeouts?.probeMs ?? 60_000, signal: ctx.signal });
			const bad = validateFacts(facts, input.limits);
			if (bad) throw bad;
		} catch (e) {
			if (e instanceof MediaError && !e.retryable) return { outcome: 'failed', code: e.code, message: e.messageRu, facts: null };
			throw e;
		}
		timings.probe = lap();
		progress(4);
		const posterFile = path.join(workDir, 'poster.jpg');
		// Order of usefulness: a remux is playable in seconds; otherwise the light one comes first.
		const order: RenditionProfile[] = remuxable(facts) ? ['high', 'light'] : ['light', 'high'];
		const share = remuxable(facts) ? { high: 0.05, light: 0.85 } : { light: 0.3, high: 0.6 };
		let poster: MadeFile;
		const renditions: MadeRendition[] = [];
		let at = 8;
		try {
			const makeThePoster = async () => {
				const t = performance.now();
				await deps.makePoster(url, posterFile, facts, { timeoutMs: ctx.timeouts?.posterMs ?? 120_000, signal: ctx.signal });
				const size = jpegSize(await readFile(posterFile));
				if (!size) throw new MediaError('crashed', { message: 'poster: not a JPEG' });
				timings.poster = Math.round(performance.now() - t);
				return size;
			};
			// A remux reads and writes, the poster decodes a second: run them side by side (the
			// remux is playable sooner); a transcode needs the cores, so the poster goes first.
			const posterP = makeThePoster();
			posterP.catch(() => undefined); // awaited below
			let pSize: { width: number; height: number } | undefined;
			if (!remuxable(facts)) {
				pSize = await posterP;
				lap();
				progress(at);
			}
			for (const q of order) {
				const file = path.join(workDir, `${q}.mp4`);
				const from = at;
				const key = q === 'high' ? keys.rendition : keys.light;
				const make = (o: { reserveMoovBytes?: number; signal?: AbortSignal } = {}) =>
					deps.makeRendition(url, file, facts, {
						profile: q,
						threads: ctx.threads,
						timeoutMs: ctx.timeouts?.renditionMs,
						signal: o.signal ?? ctx.signal,
						onProgress: (f) => progress(from + f * share[q] * 100),
						...(o.reserveMoovBytes ? { reserveMoovBytes: o.reserveMoovBytes } : {})
					});
				// A remux is I/O: it is uploaded while ffmpeg writes it (its index in the space reserved
				// at the front), so the first playable rendition is in S3 moments after the remux ends.
				let uploaded: { size: number } | null = null;
				let mode: 'remux' | 'transcode';
				if (q === 'high' && remuxable(facts) && ENCODE.remuxWhileUploading) {
					const ac = new AbortController();
					const stop = () => ac.abort(ctx.signal?.reason);
					ctx.signal?.addEventListener('abort', stop, { once: true });
					const made = make({ reserveMoovBytes: moovReserveBytes(facts), signal: ac.signal }).then(async (r) => {
						if (!(await moovFirst(file))) throw new ReservedTooSmall();
						return r;
					});
					made.catch(() => undefined);
					try {
						const up = await uploadGrowingFile(key, file, 'video/mp4', made, { signal: ctx.signal, concurrency: ENCODE.remuxUploadConcurrency });
						mode = (await made).mode;
						uploaded = up;
						timings.highStreamedParts = up.partsWhileWriting;
					} catch (e) {
						ac.abort();
						await made.catch(() => undefined);
						if (!(e instanceof ReservedTooSmall)) throw e;
						// The index did not fit (a very unusual stream): the usual way, +faststart.
						await rm(file, { force: true });
						mode = (await make()).mode;
					} finally {
						ctx.signal?.removeEventListener('abort', stop);
					}
				} else mode = (await make()).mode;
				at = from + share[q] * 100;
				timings[q] = lap();
				ctx.signal?.throwIfAborted();
				// Facts of what we made, from the finished local file (and a check that it is sound).
				const rFacts = await deps.probe(file, { timeoutMs: 60_000, signal: ctx.signal });
				ctx.signal?.throwIfAborted();
				if (!renditions.length) {
					pSize ??= await posterP;
					const p = await putFile(keys.poster, posterFile, 'image/jpeg', { signal: ctx.signal });
					poster = { key: keys.poster, size: p.size, mime: 'image/jpeg', facts: { ...pSize } };
				}
				const r = uploaded ?? (await putFile(key, file, 'video/mp4', { signal: ctx.signal }));
				await rm(file, { force: true });
				renditions.push({ key, size: r.size, mime: 'video/mp4', quality: q, mode, facts: { ...(rFacts as unknown as Record<string, unknown>), mode, quality: q } });
				timings[`${q}Upload`] = lap();
				if (renditions.length < order.length) await ctx.report?.({ outcome: 'partial', facts, poster: poster!, renditions: [...renditions], timings: { ...timings } });
			}
		} catch (e) {
			if (e instanceof MediaError && !e.retryable) return { outcome: 'failed', code: e.code, message: e.messageRu, facts };
			throw storageError(e) ?? e;
		}
		progress(99);
		return { outcome: 'ready', facts, poster: poster!, renditions, timings };
	} finally {
		await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
	}
}

/** Keys an output stored in S3 (to remove them when nobody will refer to them). */
export function outputKeys(o: MediaOutput): string[] {
	return o.outcome === 'partial' || o.outcome === 'ready' ? [o.poster.key, ...o.renditions.map((r) => r.key)] : [];
}

/**
 * Portal side, after the work (or a part of it): writes what the worker made. A partial output
 * makes the video playable at once; the final one completes it. Returns the job's result.
 */
export async function recordMedia(
	db: DbOrTx,
	assetId: string,
	out: MediaOutput,
	ctx: Pick<ProcessContext, 'stillOwned' | 'now'> = {}
): Promise<ProcessResult> {
	const now = ctx.now ?? (() => new Date());
	const asset = db.select().from(assets).where(eq(assets.id, assetId)).get();
	if (out.outcome === 'unavailable') {
		if (asset)
			db.update(assets)
				.set({ status: 'uploaded', facts: withNote(asset.facts, { state: 'unavailable', at: now().getTime() }), updatedAt: now() })
				.where(and(eq(assets.id, asset.id), inArray(assets.status, ['uploaded', 'processing'])))
				.run();
		return { outcome: 'unavailable' };
	}
	if (!asset) {
		for (const k of outputKeys(out)) await deleteObjectQuietly(k);
		return { outcome: 'skipped', reason: 'нет такого видео' };
	}
	if (out.outcome === 'failed') return failVideo(db, asset, new MediaError(out.code, { messageRu: out.message }), out.facts, ctx, now());
	const t = now();
	const high = out.renditions.find((r) => r.quality === 'high');
	const mode = high?.mode ?? 'transcode';
	const final = out.outcome === 'ready';
	const recorded = db.transaction((tx) => {
		if (ctx.stillOwned && !ctx.stillOwned(tx)) throw new NotOwnedError();
		const cur = tx.select({ status: assets.status }).from(assets).where(eq(assets.id, asset.id)).get();
		if (!cur || (cur.status !== 'processing' && cur.status !== 'ready')) return false;
		const child = (kind: 'poster' | 'rendition', f: MadeFile) =>
			tx
				.insert(assets)
				.values({ id: newId(), ownerId: asset.ownerId, parentId: asset.id, kind, status: 'ready', key: f.key, originalName: path.basename(f.key), mime: f.mime, size: f.size, facts: f.facts, createdAt: t, updatedAt: t })
				.onConflictDoUpdate({ target: assets.key, set: { status: 'ready', parentId: asset.id, size: f.size, mime: f.mime, facts: f.facts, error: null, updatedAt: t } })
				.run();
		child('poster', out.poster);
		for (const r of out.renditions) child('rendition', r);
		const note: ProcessingNote = { state: final ? 'done' : 'partial', mode, at: t.getTime() };
		tx.update(assets)
			.set({ status: 'ready', error: null, facts: withNote(out.facts as unknown as Record<string, unknown>, note), updatedAt: t })
			.where(eq(assets.id, asset.id))
			.run();
		return true;
	});
	if (!recorded) {
		// Replaced or deleted meanwhile: do not leave objects nobody refers to.
		await removeUnreferenced(db, asset.id, outputKeys(out), { evenIfActive: true });
		return { outcome: 'skipped', reason: 'видео заменено во время обработки' };
	}
	const pick = high ?? out.renditions[0];
	return {
		outcome: 'ready',
		mode,
		posterKey: out.poster.key,
		renditionKey: pick.key,
		renditions: out.renditions.map((r) => ({ quality: r.quality, mode: r.mode, key: r.key, bytes: r.size })),
		durationSec: out.facts.durationSec,
		renditionBytes: pick.size,
		timings: out.timings,
		...(final ? {} : { partial: true })
	};
}

/** A worker's output that will not be recorded (job cancelled or taken over): remove what nobody refers to. */
export async function discardMedia(db: DbOrTx, assetId: string, out: MediaOutput): Promise<void> {
	const keys = outputKeys(out);
	if (keys.length) await removeUnreferenced(db, assetId, keys);
}

/**
 * Processes one video asset here and now (the embedded queue's worker, scripts and tests):
 * prepare, execute and record in a row. Returns what happened; throws on errors worth a retry.
 */
export async function processVideo(db: DbOrTx, assetId: string, ctx: ProcessContext = {}): Promise<ProcessResult> {
	const now = ctx.now ?? (() => new Date());
	const prep = prepareMedia(db, assetId, now());
	if ('result' in prep) return prep.result;
	let wrote: string[] = [];
	try {
		const out = await executeMedia(prep.input, {
			signal: ctx.signal,
			progress: ctx.progress,
			workRoot: ctx.workRoot,
			deps: ctx.deps,
			timeouts: ctx.timeouts,
			report: async (partial) => {
				wrote = outputKeys(partial);
				await recordMedia(db, assetId, partial, ctx);
			}
		});
		wrote = outputKeys(out);
		const r = await recordMedia(db, assetId, out, ctx);
		if (r.outcome === 'ready') ctx.progress?.(100);
		return r;
	} catch (e) {
		// Cancelled or cut off after writing objects: remove them unless a row refers to them or
		// another attempt is now working on this video (it writes the same keys).
		if (wrote.length && (e instanceof NotOwnedError || ctx.signal?.aborted)) await removeUnreferenced(db, assetId, wrote);
		throw e;
	}
}

async function removeUnreferenced(db: DbOrTx, assetId: string, keys: string[], o: { evenIfActive?: boolean } = {}) {
	const active = !o.evenIfActive && db
		.select({ id: jobs.id })
		.from(jobs)
		.where(and(eq(jobs.dedupeKey, `${MEDIA_PROCESS_KIND}:${assetId}`), inArray(jobs.status, ['queued', 'running'])))
		.get();
	if (active) return;
	if (!keys.length) return;
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

/** `media.process` as a remote job: the relay prepares, a media worker executes, the portal records. */
export const mediaRemote: RemoteJob<MediaInput, MediaOutput> = {
	kind: MEDIA_PROCESS_KIND,
	prepare(db, payload) {
		const r = prepareMedia(db, typeof payload.assetId === 'string' ? payload.assetId : '');
		return 'input' in r ? r : { result: r.result as unknown as Record<string, unknown> };
	},
	execute: (input, ctx) => executeMedia(input, { signal: ctx.signal, progress: ctx.progress, report: ctx.report }),
	async record(db, job, out, ctx) {
		return (await recordMedia(db, String(job.payload.assetId ?? ''), out, { stillOwned: ctx.stillOwned })) as unknown as Record<string, unknown>;
	},
	discard: (db, job, out) => discardMedia(db, String(job.payload.assetId ?? ''), out)
};
