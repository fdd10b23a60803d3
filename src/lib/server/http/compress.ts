/**
 * Negotiated compression of responses (br, else gzip): HTML, JSON, CSV, XML, SVG, JS and other
 * text over 1 KB. A buffered body is compressed at once (a small one on the event loop, a large one
 * in libuv's thread pool); a streamed one (exports, streamed pages) is compressed as it streams, HTML flushed per
 * chunk so that the browser renders what has come. The decision looks at the first kilobyte only:
 * a stream shorter than that goes out as it is.
 *
 * The ETag of a compressed variant gets the coding appended ("…-br"), as a different
 * representation must have a different strong validator (RFC 9110 §8.8.3).
 */
import zlib from 'node:zlib';
import { Readable, pipeline } from 'node:stream';
import { promisify } from 'node:util';

export type Coding = 'br' | 'gzip';
export const MIN_COMPRESS_BYTES = 1024;

const COMPRESSIBLE =
	/^(?:text\/|application\/(?:json|javascript|ecmascript|xml|atom\+xml|rss\+xml|xhtml\+xml|ld\+json|manifest\+json|problem\+json|geo\+json|x-ndjson|vnd\.api\+json)|image\/svg\+xml)/i;

export function isCompressibleType(type: string | null): boolean {
	return !!type && COMPRESSIBLE.test(type) && !/^text\/event-stream/i.test(type);
}

/**
 * The coding to use for an `Accept-Encoding` header: br when acceptable, else gzip, else none.
 * q-values count (q=0 refuses); `*` stands for any coding not named; equal q prefers br.
 */
export function negotiate(accept: string | null | undefined): Coding | null {
	if (!accept) return null;
	const q = new Map<string, number>();
	for (const part of accept.split(',')) {
		const [name, ...params] = part.trim().toLowerCase().split(';');
		if (!name) continue;
		let v = 1;
		for (const p of params) {
			const m = /^\s*q\s*=\s*([0-9.]+)\s*$/.exec(p);
			if (m) v = Math.min(1, Number(m[1]) || 0);
		}
		q.set(name.trim(), v);
	}
	const of = (c: string) => q.get(c) ?? (c === 'gzip' ? q.get('x-gzip') : undefined) ?? q.get('*') ?? 0;
	const br = of('br');
	const gz = of('gzip');
	if (br > 0 && br >= gz) return 'br';
	if (gz > 0) return 'gzip';
	return null;
}

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

/**
 * Brotli quality by what the bytes are for. A body compressed for one response (a page rendered
 * for it, an export) gets quality 2: on a 72 KB library page 0.23 ms and 9.4 KB, against
 * 0.50 ms and 8.5 KB at 4 (README, «Кэширование и сжатие»). A body kept and served
 * many times (a public page in the page cache) gets 5: near gzip -9's ratio, still faster than
 * gzip -6. (Quality 9 and up costs 60× more.)
 */
export const BR_QUALITY = { once: 2, kept: 5 } as const;
export type Use = keyof typeof BR_QUALITY;

/**
 * Bodies up to this size are compressed on the event loop: at these qualities that is a fraction
 * of a millisecond, less than handing the body to libuv's thread pool and back costs. Larger
 * ones go to the pool.
 */
export const SYNC_COMPRESS_MAX_BYTES = 256 * 1024;

function options(body: Uint8Array, coding: Coding, use: Use): zlib.BrotliOptions | zlib.ZlibOptions {
	return coding === 'br'
		? {
				params: {
					[zlib.constants.BROTLI_PARAM_QUALITY]: BR_QUALITY[use],
					[zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.byteLength,
					// A window no larger than the body (at least 2^16): less memory to set up.
					[zlib.constants.BROTLI_PARAM_LGWIN]: Math.max(16, Math.min(22, Math.ceil(Math.log2(body.byteLength + 1))))
				}
			}
		: { level: use === 'once' ? 4 : 6 };
}

export function compressBytes(body: Uint8Array, coding: Coding, use: Use = 'once'): Promise<Buffer> {
	const opts = options(body, coding, use);
	if (body.byteLength <= SYNC_COMPRESS_MAX_BYTES) {
		try {
			return Promise.resolve(coding === 'br' ? zlib.brotliCompressSync(body, opts as zlib.BrotliOptions) : zlib.gzipSync(body, opts as zlib.ZlibOptions));
		} catch (e) {
			return Promise.reject(e);
		}
	}
	return coding === 'br' ? brotli(body, opts as zlib.BrotliOptions) : gzip(body, opts as zlib.ZlibOptions);
}

function compressor(coding: Coding, flush: boolean) {
	return coding === 'br'
		? zlib.createBrotliCompress({
				params: { [zlib.constants.BROTLI_PARAM_QUALITY]: BR_QUALITY.once },
				...(flush ? { flush: zlib.constants.BROTLI_OPERATION_FLUSH } : {})
			})
		: zlib.createGzip({ level: 4, ...(flush ? { flush: zlib.constants.Z_SYNC_FLUSH } : {}) });
}

/** `Vary` with a header name added once. */
export function addVary(headers: Headers, name: string): void {
	const v = headers.get('vary');
	if (!v) return headers.set('vary', name);
	if (v.trim() === '*') return;
	if (v.split(',').some((x) => x.trim().toLowerCase() === name.toLowerCase())) return;
	headers.set('vary', `${v}, ${name}`);
}

/** The ETag of the `coding` variant of a representation with this ETag. */
export function variantEtag(etag: string, coding: Coding): string {
	return etag.endsWith('"') ? `${etag.slice(0, -1)}-${coding}"` : etag;
}

/** Whether `If-None-Match` names this ETag (weak comparison, lists and `*`). */
export function etagMatches(ifNoneMatch: string | null, etag: string): boolean {
	if (!ifNoneMatch) return false;
	const bare = (t: string) => t.trim().replace(/^W\//, '');
	const want = bare(etag);
	return ifNoneMatch.split(',').some((t) => t.trim() === '*' || bare(t) === want);
}

/**
 * The response compressed for the request, or the same response (with `Vary: Accept-Encoding`
 * when its type is one that could be compressed).
 */
export async function compressResponse(request: Request, response: Response): Promise<Response> {
	const h = response.headers;
	if (response.status < 200 || response.status === 204 || response.status === 206 || response.status === 304) return response;
	if (!isCompressibleType(h.get('content-type'))) return response;
	if (h.has('content-encoding') || /\bno-transform\b/i.test(h.get('cache-control') ?? '')) return response;
	addVary(h, 'Accept-Encoding');
	const coding = negotiate(request.headers.get('accept-encoding'));
	const length = h.get('content-length');
	if (!coding || !response.body || request.method === 'HEAD' || (length !== null && Number(length) < MIN_COMPRESS_BYTES)) return response;

	const headers = new Headers(h);
	const etag = h.get('etag');
	if (etag) headers.set('etag', variantEtag(etag, coding));
	headers.set('content-encoding', coding);
	const init = { status: response.status, statusText: response.statusText, headers };

	if (length !== null) {
		// Buffered: the whole body is here already.
		const body = new Uint8Array(await response.arrayBuffer());
		const out = await compressBytes(body, coding);
		headers.set('content-length', String(out.byteLength));
		return new Response(out as Uint8Array<ArrayBuffer>, init);
	}

	// Streamed: look at the first kilobyte, then compress the rest as it comes.
	const reader = response.body.getReader();
	const head: Uint8Array[] = [];
	let size = 0;
	let done = false;
	while (size < MIN_COMPRESS_BYTES) {
		const r = await reader.read();
		if (r.done) {
			done = true;
			break;
		}
		head.push(r.value);
		size += r.value.byteLength;
	}
	if (done) {
		headers.delete('content-encoding');
		if (etag) headers.set('etag', etag);
		const whole = Buffer.concat(head);
		if (size < MIN_COMPRESS_BYTES) {
			headers.set('content-length', String(whole.byteLength));
			return new Response(whole as Uint8Array<ArrayBuffer>, init);
		}
		headers.set('content-encoding', coding);
		if (etag) headers.set('etag', variantEtag(etag, coding));
		const out = await compressBytes(whole, coding);
		headers.set('content-length', String(out.byteLength));
		return new Response(out as Uint8Array<ArrayBuffer>, init);
	}
	headers.delete('content-length');
	async function* source() {
		try {
			yield* head;
			for (;;) {
				const r = await reader.read();
				if (r.done) return;
				yield r.value;
			}
		} finally {
			reader.releaseLock();
		}
	}
	const flush = /^text\/html/i.test(h.get('content-type') ?? '');
	const z = compressor(coding, flush);
	// An error on either side ends both (the client sees a cut response, never a hang).
	pipeline(Readable.from(source(), { objectMode: false }), z, () => {});
	return new Response(Readable.toWeb(z) as ReadableStream<Uint8Array>, init);
}
