/**
 * Delivery of the portal's responses (one handle in hooks.server.ts, around the application):
 *
 * - Public pages (home, contests, the library) answered to a visitor WITHOUT a session cookie are
 *   `Cache-Control: public, max-age=60, stale-while-revalidate=300`, `Vary: Cookie,
 *   Accept-Encoding`, with an ETag of their bytes. Pages carry CSP hashes, not nonces
 *   (svelte.config.js), and time and presigned links are rounded, so the same page is the same bytes
 *   and a conditional request gets 304.
 * - Those responses are kept in an in-process LRU (page-cache.ts, bounded in bytes and entries)
 *   under the normalized URL and the generation of the data they show: the library's
 *   (library_state.generation, bumped in the same transaction as any change of a published
 *   practice) or the contests'. A change of generation drops that kind's entries at once, so a
 *   practice unpublished a second ago is never served from here again; entries also expire (what
 *   a page shows besides: counters, adoptions). Requests with a session cookie never read or fill
 *   the cache.
 * - Anything answered to a signed-in visitor (or setting a cookie) is never `public`: no
 *   Cache-Control becomes `private, no-store`, a route's `public` becomes `private`.
 * - Everything is compressed when it is worth it (compress.ts).
 */
import { createHash } from 'node:crypto';
import type { Handle } from '@sveltejs/kit';
import type Database from 'better-sqlite3';
import { db } from '../db/client';
import { SESSION_COOKIE } from './cookies';
import { indexGeneration } from '../library/search-index';
import { PageCache, type CachedPage } from './page-cache';
import { newRequestId } from '../ops/handles';
import { httpRequests } from '../ops/metrics';
import type { IncomingMessage } from 'node:http';
import { addVary, compressBytes, compressResponse, etagMatches, isCompressibleType, MIN_COMPRESS_BYTES, negotiate, variantEtag } from './compress';

export const PUBLIC_CACHE_CONTROL = 'public, max-age=60, stale-while-revalidate=300';
export const PRIVATE_CACHE_CONTROL = 'private, no-store';
/**
 * How old a public page may be when a visitor sees it (cache here, max-age, stale-while-revalidate,
 * time rounded to the minute): the contest countdown trusts the device clock within it.
 */
export const PUBLIC_PAGE_MAX_AGE_MS = 10 * 60_000;

type Kind = 'library' | 'contests';

/** The public routes whose anonymous answers are the same for everybody. */
const PUBLIC_ROUTES: Record<string, Kind> = {
	'/(public)': 'contests',
	'/(public)/contests': 'contests',
	'/(public)/contests/[slug]': 'contests',
	'/(public)/library': 'library',
	'/(public)/library/overview': 'library',
	'/(public)/library/[slug]': 'library',
	'/(public)/library/[slug]/poster.svg': 'library',
	'/(public)/library/feed.xml': 'library',
	'/(public)/library/practices.csv': 'library'
};

/** How long an entry is kept at most, by kind. */
const TTL_MS: Record<Kind, number> = { library: 60_000, contests: 30_000 };

/** URLs longer than this (or with more parameters) are answered but not kept. */
const MAX_QUERY_CHARS = 512;
const MAX_PARAMS = 24;

export const pageCache = new PageCache({
	maxBytes: Number(process.env.PAGE_CACHE_MB ?? 64) * 1024 * 1024,
	maxEntries: 5000,
	maxEntryBytes: 2 * 1024 * 1024
});

/** Turns the in-process cache off (the benchmark measures rendering with it). */
export const pageCacheTuning = { enabled: process.env.PAGE_CACHE_MB !== '0' };

export function publicKind(routeId: string | null): Kind | null {
	return (routeId && PUBLIC_ROUTES[routeId]) || null;
}

/**
 * The cache key of a request URL: path and parameters sorted (order does not make another page),
 * the data request marker included; null when the URL is too long to be worth keeping.
 */
export function normalizedUrl(raw: string): string | null {
	const u = new URL(raw);
	if (u.search.length > MAX_QUERY_CHARS) return null;
	const params = [...u.searchParams];
	if (params.length > MAX_PARAMS) return null;
	params.sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0));
	return params.length ? `${u.pathname}?${new URLSearchParams(params)}` : u.pathname;
}

const contestStatements = new WeakMap<object, Database.Statement>();
function generationOf(kind: Kind): string {
	const d = db();
	if (kind === 'library') return String(indexGeneration(d));
	let st = contestStatements.get(d.$client);
	if (!st) contestStatements.set(d.$client, (st = d.$client.prepare(`SELECT count(*) || '.' || coalesce(max(updated_at), 0) FROM contests`).pluck()));
	return st.get() as string;
}

const lastGeneration: Partial<Record<Kind, string>> = {};

function strongEtag(body: Uint8Array): string {
	return `"${createHash('sha1').update(body).digest('base64url').slice(0, 22)}"`;
}

/** Headers of an entry that are not kept (per request or per representation). */
const NOT_KEPT = new Set(['content-length', 'content-encoding', 'etag', 'x-request-id', 'date', 'set-cookie', 'connection', 'transfer-encoding']);

async function serve(request: Request, key: string, e: CachedPage): Promise<Response> {
	const coding = e.compressible && e.body.byteLength >= MIN_COMPRESS_BYTES ? negotiate(request.headers.get('accept-encoding')) : null;
	const etag = coding ? variantEtag(e.etag, coding) : e.etag;
	const headers = new Headers(e.headers);
	headers.set('etag', etag);
	if (e.compressible && e.body.byteLength >= MIN_COMPRESS_BYTES) addVary(headers, 'Accept-Encoding');
	if (etagMatches(request.headers.get('if-none-match'), etag)) {
		const h304 = new Headers({ etag });
		for (const k of ['cache-control', 'vary', 'content-location', 'expires']) {
			const v = headers.get(k);
			if (v) h304.set(k, v);
		}
		return new Response(null, { status: 304, headers: h304 });
	}
	let body = e.body;
	if (coding) {
		let v = e.variants[coding];
		if (!v) {
			v = await compressBytes(e.body, coding, 'kept');
			pageCache.addVariant(key, e, coding, v);
		}
		body = v;
		headers.set('content-encoding', coding);
	}
	headers.set('content-length', String(body.byteLength));
	return new Response(request.method === 'HEAD' ? null : (body as Uint8Array<ArrayBuffer>), { status: e.status, headers });
}

/** Never `public` for a signed-in visitor or a response that sets a cookie. */
function makePrivate(h: Headers) {
	const cc = h.get('cache-control');
	if (!cc) return h.set('cache-control', PRIVATE_CACHE_CONTROL);
	if (/\bpublic\b|s-maxage/i.test(cc)) {
		const rest = cc
			.split(',')
			.map((x) => x.trim())
			.filter((x) => x && !/^(public|private|s-maxage=.*)$/i.test(x));
		h.set('cache-control', ['private', ...rest].join(', '));
	}
}

/** Requests for the same key while it renders wait for that rendering instead of their own. */
const rendering = new Map<string, Promise<CachedPage | null>>();

/** Normalized URL → the kind of page it was rendered as (for the fast path below); bounded. */
const kindOfUrl = new Map<string, Kind>();

async function keep(key: string, kind: Kind, response: Response, url?: string): Promise<CachedPage | null> {
	const h = response.headers;
	const length = h.get('content-length');
	if (response.status !== 200 || h.has('set-cookie') || h.has('content-encoding') || length === null || Number(length) > pageCache.opts.maxEntryBytes) return null;
	const body = Buffer.from(await response.arrayBuffer());
	const headers: [string, string][] = [];
	h.forEach((v, k) => {
		if (!NOT_KEPT.has(k)) headers.push([k, v]);
	});
	const entry = {
		status: 200,
		headers,
		// Of the bytes (SvelteKit's own is a 32-bit hash).
		etag: strongEtag(body),
		body,
		variants: {},
		compressible: isCompressibleType(h.get('content-type')),
		expires: Date.now() + TTL_MS[kind]
	};
	const kept = pageCache.set(key, entry);
	if (kept && url) {
		if (kindOfUrl.size >= pageCache.opts.maxEntries * 2) kindOfUrl.clear();
		kindOfUrl.set(url, kind);
	}
	return kept ?? { ...entry, bytes: body.byteLength };
}

export const delivery: Handle = async ({ event, resolve }) => {
	const request = event.request;
	const signedCookie = !!event.cookies.get(SESSION_COOKIE);
	const kind = publicKind(event.route.id);
	const url = kind && request.method === 'GET' && !signedCookie && pageCacheTuning.enabled ? normalizedUrl(request.url) : null;

	if (kind && url) {
		const gen = generationOf(kind);
		if (lastGeneration[kind] !== gen) {
			// The data changed: nothing of that kind rendered before may be served again.
			pageCache.deletePrefix(`${kind}\u0000`);
			lastGeneration[kind] = gen;
		}
		const key = `${kind}\u0000${gen}\u0000${url}`;
		const hit = pageCache.get(key);
		if (hit) return serve(request, key, hit);
		const pending = rendering.get(key);
		if (pending) {
			const e = await pending;
			if (e) return serve(request, key, e);
		} else {
			let done!: (e: CachedPage | null) => void;
			rendering.set(key, new Promise((r) => (done = r)));
			try {
				const response = await resolve(event);
				if (event.locals.user) makePrivate(response.headers);
				else publicHeaders(response);
				const e = await keep(key, kind, response, url).catch(() => null);
				done(e);
				if (e) return serve(request, key, e);
				return compressResponse(request, response);
			} catch (err) {
				done(null);
				throw err;
			} finally {
				rendering.delete(key);
			}
		}
	}

	const response = await resolve(event);
	const personal = signedCookie || !!event.locals.user || response.headers.has('set-cookie');
	if (personal) makePrivate(response.headers);
	else if (kind) publicHeaders(response);
	return compressResponse(request, response);
};

function publicHeaders(response: Response) {
	const h = response.headers;
	if (h.has('set-cookie')) return makePrivate(h);
	if (response.status === 200 && !h.has('cache-control')) h.set('cache-control', PUBLIC_CACHE_CONTROL);
	addVary(h, 'Cookie');
}

/**
 * The fast path of a hit, before SvelteKit (scripts/start.js calls it from the HTTP server): a
 * GET without a session cookie whose normalized URL SvelteKit rendered and this cache kept, for
 * the CURRENT generation of its data, with the negotiated variant already compressed — answered
 * from memory (or 304) with the kept headers. Anything else (a miss, a generation that moved, a
 * variant not made yet) returns null and goes the ordinary way, which fills the cache.
 */
export function fastHit(req: IncomingMessage): { status: number; headers: Record<string, string>; body: Buffer | null } | null {
	if (!pageCacheTuning.enabled || req.method !== 'GET') return null;
	const cookie = req.headers.cookie;
	if (cookie && /(?:^|;\s*)session=/.test(cookie)) return null;
	let url: string | null;
	try {
		url = normalizedUrl(`http://portal${req.url ?? '/'}`);
	} catch {
		return null;
	}
	if (!url) return null;
	const kind = kindOfUrl.get(url);
	if (!kind) return null;
	if (lastGeneration[kind] !== generationOf(kind)) return null;
	const e = pageCache.get(`${kind}\u0000${lastGeneration[kind]}\u0000${url}`);
	if (!e) return null;
	const accept = req.headers['accept-encoding'];
	const coding = e.compressible && e.body.byteLength >= MIN_COMPRESS_BYTES ? negotiate(Array.isArray(accept) ? accept.join(',') : accept) : null;
	if (coding && !e.variants[coding]) return null;
	const etag = coding ? variantEtag(e.etag, coding) : e.etag;
	const headers: Record<string, string> = {};
	for (const [k, v] of e.headers) headers[k] = v;
	headers.etag = etag;
	headers['x-request-id'] = newRequestId();
	if (e.compressible && e.body.byteLength >= MIN_COMPRESS_BYTES) headers.vary = headers.vary ? `${headers.vary}, Accept-Encoding` : 'Accept-Encoding';
	const inm = req.headers['if-none-match'];
	if (etagMatches(inm ?? null, etag)) {
		httpRequests.inc({ route: 'public-cache', method: 'GET', status: '304' });
		const h304: Record<string, string> = { etag, 'x-request-id': headers['x-request-id'] };
		for (const k of ['cache-control', 'vary']) if (headers[k]) h304[k] = headers[k];
		return { status: 304, headers: h304, body: null };
	}
	const body = coding ? e.variants[coding]! : e.body;
	if (coding) headers['content-encoding'] = coding;
	headers['content-length'] = String(body.byteLength);
	httpRequests.inc({ route: 'public-cache', method: 'GET', status: String(e.status) });
	return { status: e.status, headers, body };
}

// The HTTP server started by adapter-node (scripts/start.js) looks for this.
(globalThis as Record<symbol, unknown>)[Symbol.for('nastavnik.publicFastHit')] = fastHit;
