/**
 * The playback descriptor: everything one player (`$lib/components/VideoPlayer.svelte`) needs to
 * show a video, built on the server by `playbackFor` (`$lib/server/media/playback.ts`) for the
 * applicant's status, the jury's scoring screen, the public practice page and the library editor.
 *
 * A video may be playable in several renditions; the list is ordered best default first. Today it
 * holds the web rendition (H.264/AAC MP4 ≤ 720p) once media processing made it, or the original
 * file while there is none. A later «light» 480p rendition is one more entry, and a quality choice
 * (auto / 480p / 720p) is `pickRendition(playback, quality)` — the consumers do not change.
 */

/** One way to play the video. URLs are short-lived presigned S3 URLs that answer Range requests. */
export interface PlaybackRendition {
	/** `web` — the web rendition made by media processing; `original` — the uploaded file itself. */
	id: string;
	/** What a quality menu shows: «720p», «360p», «Исходный файл». */
	label: string;
	/** The shorter side of the picture in pixels (the «p» of 720p), when known. */
	height: number | null;
	url: string;
	/** MIME type of `url`. */
	type: string;
	/** Average bitrate, kbit/s, when known (quality «авто» compares it with the link's rate). */
	kbps?: number | null;
}

export interface Playback {
	/** The video asset (the original upload). */
	assetId: string;
	/** State of the original: uploaded (not processed yet), processing, ready, failed. */
	status: string;
	/** Ways to play, best default first; never empty. */
	renditions: PlaybackRendition[];
	/** Presigned URL of the poster frame (or the page's poster), if any. */
	poster: string | null;
	durationSec: number | null;
	/** Display size of the picture (after rotation), for the player's aspect ratio. */
	width: number | null;
	height: number | null;
	/** Seconds the URLs stay valid. */
	expiresIn: number;
}

/** `auto`, or the `id` of a rendition the viewer picked. */
export type Quality = 'auto' | string;

/** The rendition to play: the picked one when it exists, else the default (the first). */
export function pickRendition(p: Playback, quality: Quality = 'auto'): PlaybackRendition {
	return (quality !== 'auto' && p.renditions.find((r) => r.id === quality)) || p.renditions[0];
}

/** True when `r` was made for the web (not the uploaded file as it is). */
export function isWebRendition(r: PlaybackRendition): boolean {
	return r.id !== 'original';
}

/** «720p» for a picture whose shorter side is 720 pixels. */
export function qualityLabel(width: number | null | undefined, height: number | null | undefined): string | null {
	const short = width && height ? Math.min(width, height) : (height ?? null);
	return short ? `${short}p` : null;
}
