/**
 * What a player needs for a video business card: short-lived presigned URLs of the web rendition
 * (or of the original while there is none) and of the poster. S3 answers range requests on these
 * URLs, so the browser seeks without downloading the whole file.
 *
 * No access check here: the caller (the jury's scoring screen for an assigned entry, the public
 * library for a published practice, the applicant for their own entry) decides who may watch.
 */
import { and, eq, inArray } from 'drizzle-orm';
import type { DB } from '../db/client';
import { assets, jobs, type AssetStatus } from '../db/schema';
import { presignGet } from '../storage/presign';
import { notFound } from '../errors';
import { MEDIA_PROCESS_KIND, type ProcessingNote } from './process';
import type { VideoPhase, VideoStatusDTO } from '../../media/status';

export const PLAYBACK_TTL_SEC = 3600;

export interface Playback {
	assetId: string;
	/** Presigned URL of the rendition when ready, of the original otherwise. */
	src: string;
	/** MIME type of `src`. */
	type: string;
	poster: string | null;
	status: AssetStatus;
	/** True when `src` is the web rendition (H.264/AAC MP4, faststart, ≤ 720p). */
	rendition: boolean;
	durationSec: number | null;
	width: number | null;
	height: number | null;
	/** Seconds the URLs stay valid. */
	expiresIn: number;
}

const MIME_BY_EXT: Record<string, string> = { mp4: 'video/mp4', m4v: 'video/mp4', mov: 'video/quicktime', webm: 'video/webm' };

export async function playbackFor(db: DB, videoAssetId: string, o: { expiresIn?: number } = {}): Promise<Playback> {
	const expiresIn = o.expiresIn ?? PLAYBACK_TTL_SEC;
	const video = db.select().from(assets).where(eq(assets.id, videoAssetId)).get();
	if (!video || video.kind !== 'video' || !['uploaded', 'processing', 'ready', 'failed'].includes(video.status)) throw notFound('Видео не найдено');
	const kids = db
		.select()
		.from(assets)
		.where(and(eq(assets.parentId, video.id), inArray(assets.kind, ['poster', 'rendition']), eq(assets.status, 'ready')))
		.all();
	// The «high» rendition (remux or 720p) when there is one, else the light one.
	const isLight = (k: (typeof kids)[number]) => (k.facts as { quality?: string } | null)?.quality === 'light';
	const rendition = video.status === 'ready' ? (kids.find((k) => k.kind === 'rendition' && !isLight(k)) ?? kids.find((k) => k.kind === 'rendition')) : undefined;
	const poster = kids.find((k) => k.kind === 'poster');
	const facts = (video.facts ?? {}) as { durationSec?: number; video?: { displayWidth?: number; displayHeight?: number } | null };
	const ext = /\.([a-z0-9]+)$/i.exec(video.key)?.[1]?.toLowerCase() ?? '';
	// The original's type is what sniffing found (assets.mime); the rendition is always MP4.
	const type = rendition ? (rendition.mime ?? 'video/mp4') : (video.mime ?? MIME_BY_EXT[ext] ?? 'video/mp4');
	return {
		assetId: video.id,
		src: await presignGet(rendition ? rendition.key : video.key, { type, expiresIn }),
		type,
		poster: poster ? await presignGet(poster.key, { type: poster.mime ?? 'image/jpeg', expiresIn }) : null,
		status: video.status,
		rendition: !!rendition,
		durationSec: typeof facts.durationSec === 'number' ? facts.durationSec : null,
		width: facts.video?.displayWidth ?? null,
		height: facts.video?.displayHeight ?? null,
		expiresIn
	};
}

/** State of a video for the applicant's and the organizer's status display. */
export type VideoState = VideoStatusDTO & { status: AssetStatus; playback: Playback | null };

export async function videoState(db: DB, videoAssetId: string, o: { withPlayback?: boolean; expiresIn?: number } = {}): Promise<VideoState> {
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
	const playable = ['uploaded', 'processing', 'ready', 'failed'].includes(video.status);
	const pb = playable && (o.withPlayback || video.status === 'ready') ? await playbackFor(db, video.id, { expiresIn: o.expiresIn }) : null;
	return {
		assetId: video.id,
		status: video.status,
		phase,
		progress: phase === 'processing' ? (job?.progress ?? 0) : phase === 'queued' ? 0 : null,
		error: video.error,
		durationSec: (video.facts as { durationSec?: number } | null)?.durationSec ?? null,
		poster: pb?.poster ?? null,
		playback: o.withPlayback ? pb : null
	};
}

/** The browser's view of a VideoState (no internal fields). */
export function toStatusDTO(s: VideoState): VideoStatusDTO {
	return {
		assetId: s.assetId,
		phase: s.phase,
		progress: s.progress,
		error: s.error,
		durationSec: s.durationSec,
		poster: s.poster,
		playback: s.playback
			? { src: s.playback.src, type: s.playback.type, poster: s.playback.poster, rendition: s.playback.rendition, durationSec: s.playback.durationSec, width: s.playback.width, height: s.playback.height }
			: null
	};
}
