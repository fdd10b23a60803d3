/**
 * Content sniffing of uploads by their first bytes (never trust the name or the
 * browser-supplied Content-Type). Read the first SNIFF_HEAD_BYTES of the object
 * (e.g. an S3 ranged GET `bytes=0-65535`) and pass them to sniffType().
 */
import { fileTypeFromBuffer } from 'file-type';

export const VIDEO_EXTS = ['mp4', 'mov', 'webm', 'm4v'] as const;
export type VideoExt = (typeof VIDEO_EXTS)[number];

/** Enough for every format we accept (a DOCX needs its first ZIP entries). */
export const SNIFF_HEAD_BYTES = 64 * 1024;

export const DOCX_MIME = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
export const PDF_MIME = 'application/pdf';

export interface SniffedType {
	mime: string;
	ext: string;
}

/**
 * Detects the real type from the head of the file; null when unknown (e.g. a text file named .mp4).
 * ISO-BMFF variants are normalised: mp4/f4v brands → {video/mp4, mp4}; 'M4V ' → {video/mp4, m4v}
 * (file-type says video/x-m4v; video/mp4 is what browsers expect); QuickTime → {video/quicktime, mov};
 * Matroska with the webm doctype → {video/webm, webm}.
 */
export async function sniffType(head: Uint8Array): Promise<SniffedType | null> {
	if (!head || head.length === 0) return null;
	let t: { ext: string; mime: string } | undefined;
	try {
		t = await fileTypeFromBuffer(head);
	} catch {
		return null;
	}
	if (!t) return null;
	const ext = String(t.ext);
	const mime = String(t.mime);
	switch (ext) {
		case 'mp4':
		case 'f4v':
			// ISO-BMFF: file-type reports video/mp4 for any generic brand (isom, mp41, mp42, avc1, iso5, dash…)
			return { mime: 'video/mp4', ext: 'mp4' };
		case 'm4v':
			return { mime: 'video/mp4', ext: 'm4v' };
		case 'mov':
			return { mime: 'video/quicktime', ext: 'mov' };
		case 'webm':
			return { mime: 'video/webm', ext: 'webm' };
		default:
			return { mime, ext };
	}
}

export function isAllowedVideo(t: SniffedType | null | undefined): boolean {
	return !!t && t.mime.startsWith('video/') && (VIDEO_EXTS as readonly string[]).includes(t.ext);
}

/** Motivation letter: PDF or DOCX. */
export function isAllowedLetter(t: SniffedType | null | undefined): boolean {
	return !!t && ((t.ext === 'pdf' && t.mime === PDF_MIME) || (t.ext === 'docx' && t.mime === DOCX_MIME));
}

/** The extension of a file name, lower-case ('' when it has none). */
export function extOf(filename: string): string {
	const m = /\.([a-z0-9]{1,5})$/i.exec(filename.trim());
	return m ? m[1].toLowerCase() : '';
}

/** ISO-BMFF containers a browser and ffmpeg treat alike, whatever the name says. */
const ISO_BMFF = new Set(['mp4', 'm4v', 'mov']);

/** True when the sniffed type is what a file named `*.declaredExt` should be. */
export function matchesExt(declaredExt: string, t: SniffedType | null | undefined): boolean {
	if (!t) return false;
	if (t.ext === declaredExt) return true;
	return ISO_BMFF.has(declaredExt) && ISO_BMFF.has(t.ext);
}
