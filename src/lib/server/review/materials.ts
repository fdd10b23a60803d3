/**
 * Short-lived links to an entry's files for the scoring screen (objects are private).
 * The video is the original for now; src/lib/server/media/playback.ts (rendition + poster) will
 * replace `videoSource` on merge — the player component takes whatever this returns.
 */
import { presignedGet } from '../storage/uploads';
import type { MediaFile } from './scoring';

export const MATERIAL_URL_TTL_SEC = 2 * 3600;

export interface Materials {
	video: { url: string; type: string | null; name: string } | null;
	poster: string | null;
	letter: { url: string; pdf: boolean; name: string } | null;
}

export async function materials(files: { video: MediaFile | null; poster: MediaFile | null; letter: MediaFile | null }): Promise<Materials> {
	const ttl = { expiresIn: MATERIAL_URL_TTL_SEC };
	const [video, poster, letter] = await Promise.all([
		files.video ? presignedGet(files.video.key, { ...ttl, filename: files.video.name, inline: true }) : null,
		files.poster ? presignedGet(files.poster.key, ttl) : null,
		files.letter ? presignedGet(files.letter.key, { ...ttl, filename: files.letter.name, inline: true }) : null
	]);
	return {
		video: video && files.video ? { url: video, type: files.video.mime, name: files.video.name } : null,
		poster,
		letter: letter && files.letter ? { url: letter, pdf: files.letter.mime === 'application/pdf' || /\.pdf$/i.test(files.letter.name), name: files.letter.name } : null
	};
}
