/**
 * Short-lived links to an entry's files for the scoring screen (objects are private). The video
 * plays the web rendition with its poster when processing produced them, the original otherwise
 * (media/playback.ts); S3 answers range requests, so seeking works.
 */
import { presignGet } from '../storage/presign';
import { playbackFor } from '../media/playback';
import type { DbOrTx } from '../db/client';
import type { MediaFile } from './scoring';

export const MATERIAL_URL_TTL_SEC = 2 * 3600;

export interface Materials {
	video: { url: string; type: string | null; name: string; rendition: boolean } | null;
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
	return {
		video: pb && files.video ? { url: pb.src, type: pb.type, name: files.video.name, rendition: pb.rendition } : null,
		poster: pb?.poster ?? posterUrl,
		letter: letter && files.letter ? { url: letter, pdf: files.letter.mime === 'application/pdf', name: files.letter.name } : null
	};
}
