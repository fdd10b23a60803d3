/**
 * The playback descriptor of a video (`$lib/media/playback.ts`): short-lived presigned URLs of
 * its renditions — the web rendition when processing made it, the original while there is none —
 * and of its poster, with duration and display size. S3 answers range requests on these URLs, so
 * the browser seeks without downloading the whole file. Every player of the portal is fed by
 * `playbackFor`: the applicant's status, the jury's scoring screen, the practice page, the library
 * editor.
 *
 * No access check here: the caller (the jury's scoring screen for an assigned entry, the public
 * library for a published practice, the applicant for their own entry) decides who may watch.
 */
import { and, eq, inArray } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { assets, jobs, type Asset, type AssetStatus } from '../db/schema';
import { presignGet } from '../storage/presign';
import { notFound } from '../errors';
import { MEDIA_PROCESS_KIND, type ProcessingNote } from './process';
import type { VideoPhase, VideoStatusDTO } from '../../media/status';
import { qualityLabel, type Playback, type PlaybackRendition } from '../../media/playback';

export type { Playback, PlaybackRendition } from '../../media/playback';

export const PLAYBACK_TTL_SEC = 3600;

const MIME_BY_EXT: Record<string, string> = { mp4: 'video/mp4', m4v: 'video/mp4', mov: 'video/quicktime', webm: 'video/webm' };

/** Statuses of an original that can be played (a failed one too: as it is, for the record). */
const PLAYABLE = ['uploaded', 'processing', 'ready', 'failed'];

interface Facts {
	durationSec?: number;
	video?: { displayWidth?: number; displayHeight?: number } | null;
}

/** One rendition; its label is the given one, else its quality («720p»), else «Веб-версия». */
async function rendition(file: Asset, id: string, label: string | null, type: string, expiresIn: number, stableForSec?: number): Promise<PlaybackRendition> {
	const v = ((file.facts ?? {}) as Facts).video;
	const duration = ((file.facts ?? {}) as Facts).durationSec;
	return {
		id,
		label: label ?? qualityLabel(v?.displayWidth, v?.displayHeight) ?? 'Веб-версия',
		height: v?.displayWidth && v.displayHeight ? Math.min(v.displayWidth, v.displayHeight) : null,
		url: await presignGet(file.key, { type, expiresIn, stableForSec }),
		type,
		kbps: file.size && duration ? Math.round((file.size * 8) / duration / 1000) : null
	};
}

/**
 * `stableForSec`: links signed from the start of that window (presign.ts), so a public page stays
 * the same bytes within it and can be cached.
 */
export async function playbackFor(db: DbOrTx, videoAssetId: string, o: { expiresIn?: number; stableForSec?: number } = {}): Promise<Playback> {
	const expiresIn = o.expiresIn ?? PLAYBACK_TTL_SEC;
	const stableForSec = o.stableForSec;
	const video = db.select().from(assets).where(eq(assets.id, videoAssetId)).get();
	if (!video || video.kind !== 'video' || !PLAYABLE.includes(video.status)) throw notFound('Видео не найдено');
	const kids = db
		.select()
		.from(assets)
		.where(and(eq(assets.parentId, video.id), inArray(assets.kind, ['poster', 'rendition']), eq(assets.status, 'ready')))
		.all();
	// Renditions ready to play, best default first: «high» (the remux or 720p; id `web`), then
	// «light» (≤ 480p; id `light`, for slow links). While the first one is being made the video is
	// not ready yet; a video that is ready with only its light one (an HEVC card a minute after the
	// upload) plays that one until the 720p one joins it.
	const isLight = (k: Asset) => (k.facts as { quality?: string } | null)?.quality === 'light';
	const ready = video.status === 'ready';
	const web = ready ? kids.find((k) => k.kind === 'rendition' && !isLight(k)) : undefined;
	const shortSide = (k: Asset | undefined) => {
		const v = ((k?.facts ?? {}) as Facts).video;
		return v?.displayWidth && v.displayHeight ? Math.min(v.displayWidth, v.displayHeight) : null;
	};
	// The light one is offered beside the 720p one only when it is smaller (a 240p card has one size).
	const lightKid = ready ? kids.find((k) => k.kind === 'rendition' && isLight(k)) : undefined;
	const light = lightKid && (!web || (shortSide(lightKid) ?? 0) < (shortSide(web) ?? Infinity)) ? lightKid : undefined;
	const poster = kids.find((k) => k.kind === 'poster');
	const facts = (video.facts ?? {}) as Facts;
	const ext = /\.([a-z0-9]+)$/i.exec(video.key)?.[1]?.toLowerCase() ?? '';
	// The original is offered only while there is no rendition (it may be large and not
	// web-playable). Its type is what sniffing found (assets.mime); the rendition is always MP4.
	const made = [...(web ? [await rendition(web, 'web', null, web.mime ?? 'video/mp4', expiresIn, stableForSec)] : []), ...(light ? [await rendition(light, 'light', null, light.mime ?? 'video/mp4', expiresIn, stableForSec)] : [])];
	const renditions = made.length ? made : [await rendition(video, 'original', 'Исходный файл', video.mime ?? MIME_BY_EXT[ext] ?? 'video/mp4', expiresIn, stableForSec)];
	return {
		assetId: video.id,
		status: video.status,
		renditions,
		poster: poster ? await presignGet(poster.key, { type: poster.mime ?? 'image/jpeg', expiresIn, stableForSec }) : null,
		durationSec: typeof facts.durationSec === 'number' ? facts.durationSec : null,
		width: facts.video?.displayWidth ?? null,
		height: facts.video?.displayHeight ?? null,
		expiresIn
	};
}

/** State of a video for the applicant's and the organizer's status display. */
export type VideoState = VideoStatusDTO & { status: AssetStatus; playback: Playback | null };

export async function videoState(db: DbOrTx, videoAssetId: string, o: { withPlayback?: boolean; expiresIn?: number } = {}): Promise<VideoState> {
	const video = db.select().from(assets).where(eq(assets.id, videoAssetId)).get();
	if (!video || video.kind !== 'video') throw notFound('Видео не найдено');
	const note = (video.facts as { processing?: ProcessingNote } | null)?.processing;
	const job = db
		.select({ status: jobs.status, progress: jobs.progress })
		.from(jobs)
		.where(and(eq(jobs.kind, MEDIA_PROCESS_KIND), eq(jobs.dedupeKey, `${MEDIA_PROCESS_KIND}:${video.id}`), inArray(jobs.status, ['queued', 'running'])))
		.get();
	let phase: VideoPhase = video.status;
	if (video.status === 'uploaded' || video.status === 'processing') {
		if (job?.status === 'running') phase = 'processing';
		else if (job) phase = 'queued';
		else if (note?.state === 'unavailable') phase = 'unavailable';
		else if (note?.state === 'cancelled') phase = 'cancelled';
		else phase = video.status === 'processing' ? 'queued' : 'uploaded';
	}
	// Ready with its first rendition while the job makes the others: playable, not finished. A job
	// that died meanwhile leaves the video ready with what it has (no endless «partial»).
	if (video.status === 'ready' && note?.state === 'partial' && job) phase = 'partial';
	const playable = ['uploaded', 'processing', 'ready', 'failed'].includes(video.status);
	const pb = playable && (o.withPlayback || video.status === 'ready') ? await playbackFor(db, video.id, { expiresIn: o.expiresIn }) : null;
	return {
		assetId: video.id,
		status: video.status,
		phase,
		progress: phase === 'processing' || phase === 'partial' ? (job?.progress ?? 0) : phase === 'queued' ? 0 : null,
		error: video.error,
		durationSec: (video.facts as { durationSec?: number } | null)?.durationSec ?? null,
		poster: pb?.poster ?? null,
		playback: o.withPlayback ? pb : null
	};
}

/** The browser's view of a VideoState (no internal fields). */
export function toStatusDTO(s: VideoState): VideoStatusDTO {
	return { assetId: s.assetId, phase: s.phase, progress: s.progress, error: s.error, durationSec: s.durationSec, poster: s.poster, playback: s.playback };
}
