/**
 * The one way to hand out a GET of a private S3 object. Every presigned GET goes through
 * `presignGet`: it takes the type the server sniffed from the file's first bytes (never what a
 * client declared, never what S3 stored) and forces it with `response-content-type`, and decides
 * the disposition itself: videos, raster images and PDFs (only when sniffed as PDF) are shown
 * inline, everything else is an attachment. So a file can never be served to a browser as a web
 * page from the storage origin, whatever its name, its stored Content-Type or its bytes.
 *
 * `internal: true` signs for the server's own use (ffprobe/ffmpeg read over HTTP with ranges) on
 * the internal endpoint, without response overrides — such URLs never reach a browser.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { bucket, s3, s3Presign } from './s3';

/** Image types a browser renders without running anything (SVG is a document: not here). */
const INLINE_IMAGES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/avif']);
const FALLBACK = 'application/octet-stream';

/**
 * Presigner option for uploads: sign the Content-Type header too (the AWS presigner leaves it out
 * by default), so that S3 refuses a request that carries another type than the server chose.
 */
export const SIGNED_CONTENT_TYPE = new Set(['content-type']);

export interface Served {
	contentType: string;
	disposition: 'inline' | 'attachment';
}

/** How an object of this (sniffed) type is served to a browser. */
export function servedAs(sniffedType: string | null | undefined): Served {
	const t = (sniffedType ?? '').trim().toLowerCase();
	const contentType = /^[a-z]+\/[a-z0-9][a-z0-9.+-]{0,100}$/.test(t) ? t : FALLBACK;
	const inline = contentType.startsWith('video/') || INLINE_IMAGES.has(contentType) || contentType === 'application/pdf';
	return { contentType, disposition: inline ? 'inline' : 'attachment' };
}

/** `inline; filename*=UTF-8''…` (RFC 6266 / 5987), with a plain ASCII fallback name. */
export function contentDisposition(mode: 'inline' | 'attachment', filename?: string | null): string {
	if (!filename) return mode;
	const name = filename.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 200);
	const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
	const star = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
	return `${mode}; filename="${ascii}"; filename*=UTF-8''${star}`;
}

export interface PresignGetOptions {
	/** The type sniffed from the file's bytes (assets.mime); null → application/octet-stream. */
	type: string | null | undefined;
	/** The name the browser saves the file under. */
	filename?: string | null;
	/** Always an attachment (a download link), even for a type shown inline. */
	download?: boolean;
	expiresIn?: number;
	/**
	 * Signs as of the start of a window of this many seconds and adds the window to the validity:
	 * every request within the window gets the same URL (a page that embeds it keeps its ETag and
	 * can be cached; the browser's HTTP cache reuses the object), still valid `expiresIn` seconds at
	 * least. Public pages only.
	 */
	stableForSec?: number;
}

export function presignGet(key: string, o: PresignGetOptions | { internal: true; expiresIn?: number }): Promise<string> {
	const expiresIn = o.expiresIn ?? 900;
	if ('internal' in o) return getSignedUrl(s3(), new GetObjectCommand({ Bucket: bucket(), Key: key }), { expiresIn });
	const served = servedAs(o.type);
	const mode = o.download ? 'attachment' : served.disposition;
	const w = o.stableForSec ?? 0;
	const signingDate = w > 0 ? new Date(Math.floor(Date.now() / (w * 1000)) * w * 1000) : undefined;
	return getSignedUrl(
		s3Presign(),
		new GetObjectCommand({ Bucket: bucket(), Key: key, ResponseContentType: served.contentType, ResponseContentDisposition: contentDisposition(mode, o.filename) }),
		signingDate ? { expiresIn: expiresIn + w, signingDate } : { expiresIn }
	);
}
