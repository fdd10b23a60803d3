/**
 * Short-lived links to an entry's files for the scoring screen (objects are private). The video
 * is the playback descriptor of media/playback.ts — the web rendition with its poster when
 * processing produced them, the original otherwise; S3 answers range requests, so seeking works.
 */
import { presignGet } from '../storage/presign';
import { playbackFor, type Playback } from '../media/playback';
import type { DbOrTx } from '../db/client';
import type { MediaFile } from './scoring';

export const MATERIAL_URL_TTL_SEC = 2 * 3600;

export interface Materials {
	video: (Playback & { name: string }) | null;
	poster: string | null;
	letter: { url: string; pdf: boolean; name: string } | null;
}

export async function materials(db: DbOrTx, files: { video: MediaFile | null; poster: MediaFile | null; letter: MediaFile | null }): Promise<Materials> {
	const ttl = { expiresIn: MATERIAL_URL_TTL_SEC };
	const [pb, posterUrl, letter] = await Promise.all([
		files.video ? playbackFor(db, files.video.id, ttl) : null,
		files.poster ? presignGet(files.poster.key, { ...ttl, type: files.poster.mime }) : null,
		files.letter ? presignGet(files.letter.key, { ...ttl, type: files.letter.mime, filename: files.letter.name }) : null
	]);
	const poster = pb?.poster ?? posterUrl;
	return {
		video: pb && files.video ? { ...pb, poster, name: files.video.name } : null,
		poster,
		letter: letter && files.letter ? { url: letter, pdf: files.letter.mime === 'application/pdf', name: files.letter.name } : null
	};
}
