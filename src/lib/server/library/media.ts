/**
 * Media of a practice: the playback descriptor of its video (media/playback.ts — the web rendition
 * when processing made one, else the original), its poster (its own image, else the video's frame,
 * else the generated SVG) and its documents. Objects stay private; only short-lived presigned URLs
 * (storage/presign.ts `presignGet`) reach the browser.
 */
import { and, eq } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { assets, type Asset, type Practice } from '../db/schema';
import { presignGet } from '../storage/presign';
import { playbackFor, type Playback } from '../media/playback';
import { listDocuments } from './practices';

/** Presigned page links live long enough for a visitor to read the page and press play. */
export const MEDIA_URL_TTL_SEC = 4 * 3600;

export interface PracticeDocument {
	id: string;
	name: string;
	size: number;
	mime: string;
	url: string;
}

export interface PracticeMedia {
	video: Playback | null;
	/** For the player and for og:image: a presigned image, or the generated `/library/<slug>/poster.svg`. */
	poster: string;
	posterIsGenerated: boolean;
	documents: PracticeDocument[];
}

/** The video shown publicly: only with the author's consent, and only when its file is usable. */
export function publicVideoAsset(db: DbOrTx, p: Practice) {
	if (!p.videoAssetId || !p.videoConsent) return null;
	const v = db.select().from(assets).where(eq(assets.id, p.videoAssetId)).get();
	if (!v || !['ready', 'uploaded', 'processing'].includes(v.status)) return null;
	return v;
}

function practiceVideo(db: DbOrTx, p: Practice, showUnconsented: boolean): Asset | null {
	if (showUnconsented && p.videoAssetId) {
		const v = db.select().from(assets).where(eq(assets.id, p.videoAssetId)).get();
		return v && ['ready', 'uploaded', 'processing', 'failed'].includes(v.status) ? v : null;
	}
	return publicVideoAsset(db, p);
}

/** Documents of a practice as downloads (their sniffed type forced, storage/presign.ts). */
export function practiceDocuments(db: DbOrTx, practiceId: string): Promise<PracticeDocument[]> {
	return Promise.all(
		listDocuments(db, practiceId).map(async (d) => ({
			id: d.id,
			name: d.originalName,
			size: d.size ?? 0,
			mime: d.mime ?? '',
			url: await presignGet(d.key, { type: d.mime, filename: d.originalName, download: true, expiresIn: MEDIA_URL_TTL_SEC })
		}))
	);
}

/**
 * What the practice page shows. `showUnconsentedVideo` is the organizers' preview: the video is
 * shown although the author's consent is not confirmed yet.
 */
export async function practiceMedia(db: DbOrTx, p: Practice, opts: { showUnconsentedVideo?: boolean } = {}): Promise<PracticeMedia> {
	const v = practiceVideo(db, p, !!opts.showUnconsentedVideo);
	const video = v ? await playbackFor(db, v.id, { expiresIn: MEDIA_URL_TTL_SEC }) : null;
	// The practice's own poster image, else the frame media processing took from its video.
	const own = p.posterAssetId ? db.select().from(assets).where(and(eq(assets.id, p.posterAssetId), eq(assets.status, 'ready'))).get() : undefined;
	const ownUrl = own ? await presignGet(own.key, { type: own.mime, expiresIn: MEDIA_URL_TTL_SEC }) : null;
	const image = ownUrl ?? video?.poster ?? null;
	const poster = image ?? `/library/${p.slug}/poster.svg`;
	return {
		video: video ? { ...video, poster } : null,
		poster,
		posterIsGenerated: !image,
		documents: await practiceDocuments(db, p.id)
	};
}

/** The library editor's view of a practice's files: the video with its processing state, the documents. */
export async function editorMedia(db: DbOrTx, p: Practice) {
	const v = p.videoAssetId ? db.select().from(assets).where(eq(assets.id, p.videoAssetId)).get() : undefined;
	const playable = v && ['ready', 'uploaded', 'processing', 'failed'].includes(v.status);
	return {
		video: v
			? {
					name: v.originalName,
					status: v.status,
					error: v.error,
					fromApplication: !!v.applicationId,
					playback: playable ? await playbackFor(db, v.id, { expiresIn: MEDIA_URL_TTL_SEC }) : null
				}
			: null,
		documents: await practiceDocuments(db, p.id)
	};
}
