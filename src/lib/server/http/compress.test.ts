import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import zlib from 'node:zlib';
import { BR_QUALITY, compressBytes, compressResponse, etagMatches, negotiate, variantEtag } from './compress';
import { normalizedUrl } from './public-pages';
import { PageCache } from './page-cache';

const req = (accept: string | null, method = 'GET') => new Request('http://x/', { method, headers: accept ? { 'accept-encoding': accept } : {} });

function decode(buf: Buffer, coding: string | null): Buffer {
	if (coding === 'br') return zlib.brotliDecompressSync(buf);
	if (coding === 'gzip') return zlib.gunzipSync(buf);
	return buf;
}

/** A streamed body cut into the given chunk sizes. */
function streamed(bytes: Uint8Array, cuts: number[]): ReadableStream<Uint8Array> {
	let at = 0;
	let i = 0;
	return new ReadableStream({
		pull(c) {
			if (at >= bytes.length) return c.close();
			const n = Math.max(1, cuts[i++ % cuts.length] ?? bytes.length);
			c.enqueue(bytes.slice(at, at + n));
			at += n;
		}
	});
}

describe('negotiation', () => {
	it.each([
		[null, null],
		['', null],
		['gzip', 'gzip'],
		['gzip, deflate, br', 'br'],
		['br;q=0.5, gzip', 'gzip'],
		['br;q=0, gzip;q=0', null],
		['identity', null],
		['*', 'br'],
		['*;q=0.1, br;q=0', 'gzip'],
		['x-gzip', 'gzip'],
		['BR', 'br']
	])('%s → %s', (accept, want) => expect(negotiate(accept)).toBe(want));

	it('validators: variants and If-None-Match lists', () => {
		expect(variantEtag('"abc"', 'br')).toBe('"abc-br"');
		expect(variantEtag('W/"abc"', 'gzip')).toBe('W/"abc-gzip"');
		expect(etagMatches('"a", "abc-br"', '"abc-br"')).toBe(true);
		expect(etagMatches('W/"abc"', '"abc"')).toBe(true);
		expect(etagMatches('*', '"abc"')).toBe(true);
		expect(etagMatches('"abc"', '"abc-br"')).toBe(false);
		expect(etagMatches(null, '"abc"')).toBe(false);
	});
});

describe('compressed responses decode to the same bytes', () => {
	it('buffered and streamed bodies of any size and chunking, br and gzip (property)', async () => {
		await fc.assert(
			fc.asyncProperty(
				fc.oneof(fc.string({ maxLength: 4000 }), fc.string({ unit: 'grapheme', minLength: 900, maxLength: 20000 })),
				fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 1, maxLength: 8 }),
				fc.constantFrom('br', 'gzip'),
				fc.boolean(),
				async (text, cuts, coding, buffered) => {
					const bytes = new TextEncoder().encode(text);
					const headers: Record<string, string> = { 'content-type': 'text/csv; charset=utf-8', etag: '"v1"' };
					if (buffered) headers['content-length'] = String(bytes.length);
					const r = await compressResponse(req(coding), new Response(buffered ? bytes : streamed(bytes, cuts), { headers }));
					const got = Buffer.from(await r.arrayBuffer());
					const c = r.headers.get('content-encoding');
					expect(c === null || c === coding).toBe(true);
					// Over a kilobyte: compressed; under: as it was.
					expect(c !== null).toBe(bytes.length >= 1024);
					expect(r.headers.get('etag')).toBe(c ? `"v1-${coding}"` : '"v1"');
					expect(r.headers.get('vary')).toBe('Accept-Encoding');
					expect(decode(got, c).equals(Buffer.from(bytes))).toBe(true);
				}
			),
			{ numRuns: 60 }
		);
	});

	it('a body compressed once is cheaper brotli than a kept one, both decode to the same bytes', async () => {
		expect(BR_QUALITY.once).toBeLessThan(BR_QUALITY.kept);
		const html = Buffer.from(
			Array.from({ length: 400 }, (_, i) => `<li class="card"><h3><a href="/library/p-${i * 7919}">Практика ${i * 31} наставничества</a></h3><p>Регион ${i % 89}, ${2020 + (i % 6)} год</p></li>`).join('\n')
		);
		const once = await compressBytes(html, 'br');
		const kept = await compressBytes(html, 'br', 'kept');
		expect(decode(once, 'br').equals(html)).toBe(true);
		expect(decode(kept, 'br').equals(html)).toBe(true);
		expect(kept.length).toBeLessThanOrEqual(once.length);
		// What a dynamic response gets is the cheaper one.
		const r = await compressResponse(req('br'), new Response(html, { headers: { 'content-type': 'text/html', 'content-length': String(html.length) } }));
		expect(Buffer.from(await r.arrayBuffer()).equals(once)).toBe(true);
	});

	it('leaves alone what must not change: images, encoded bodies, no-transform, 304, HEAD, no Accept-Encoding', async () => {
		const big = 'x'.repeat(5000);
		const cases: [Request, Response][] = [
			[req('br'), new Response(big, { headers: { 'content-type': 'image/png' } })],
			[req('br'), new Response(big, { headers: { 'content-type': 'text/html', 'content-encoding': 'gzip' } })],
			[req('br'), new Response(big, { headers: { 'content-type': 'text/html', 'cache-control': 'no-transform' } })],
			[req('br'), new Response(null, { status: 304, headers: { 'content-type': 'text/html' } })],
			[req('br', 'HEAD'), new Response(null, { headers: { 'content-type': 'text/html' } })],
			[req(null), new Response(big, { headers: { 'content-type': 'text/html' } })],
			[req('br'), new Response(big, { headers: { 'content-type': 'text/event-stream' } })]
		];
		for (const [q, r] of cases) {
			const before = r.headers.get('content-encoding');
			const out = await compressResponse(q, r);
			expect(out.headers.get('content-encoding')).toBe(before);
		}
	});

	it('a streamed HTML page is flushed chunk by chunk (the first part decodes before the stream ends)', async () => {
		let push!: (s: string | null) => void;
		const body = new ReadableStream<Uint8Array>({
			start(c) {
				push = (s) => (s === null ? c.close() : c.enqueue(new TextEncoder().encode(s)));
			}
		});
		push('<!doctype html>' + 'a'.repeat(2000));
		const rp = compressResponse(req('gzip'), new Response(body, { headers: { 'content-type': 'text/html' } }));
		const r = await rp;
		const reader = r.body!.getReader();
		const first = await reader.read();
		const part = zlib.gunzipSync(Buffer.from(first.value!), { finishFlush: zlib.constants.Z_SYNC_FLUSH }).toString();
		expect(part.startsWith('<!doctype html>')).toBe(true);
		push(null);
		while (!(await reader.read()).done);
	});
});

describe('the page cache is bounded', () => {
	it('arbitrary URLs never take it over its byte and entry caps; keys are normalized (property)', () => {
		const cache = new PageCache({ maxBytes: 64 * 1024, maxEntries: 50, maxEntryBytes: 16 * 1024 });
		fc.assert(
			fc.property(fc.webUrl({ withQueryParameters: true }), fc.integer({ min: 0, max: 20000 }), (u, size) => {
				const key = normalizedUrl(u);
				if (key === null) return;
				cache.set(key, { status: 200, headers: [['content-type', 'text/html']], etag: '"x"', body: Buffer.alloc(size), variants: {}, compressible: true, expires: Date.now() + 1000 });
				expect(cache.bytes).toBeLessThanOrEqual(64 * 1024);
				expect(cache.size).toBeLessThanOrEqual(50);
			}),
			{ numRuns: 200 }
		);
		expect(normalizedUrl('http://x/library?b=2&a=1&a=0')).toBe('/library?a=0&a=1&b=2');
		expect(normalizedUrl(`http://x/library?q=${'я'.repeat(600)}`)).toBeNull();
	});

	it('expired entries and entries of a past generation are gone', () => {
		const cache = new PageCache({ maxBytes: 1e6, maxEntries: 10, maxEntryBytes: 1e5 });
		const e = { status: 200, headers: [] as [string, string][], etag: '"x"', body: Buffer.from('a'), variants: {}, compressible: true };
		cache.set('library\u00001\u0000/a', { ...e, expires: Date.now() + 1000 });
		cache.set('library\u00001\u0000/b', { ...e, expires: Date.now() - 1 });
		expect(cache.get('library\u00001\u0000/b')).toBeUndefined();
		expect(cache.get('library\u00001\u0000/a')).toBeDefined();
		cache.deletePrefix('library\u0000');
		expect(cache.size).toBe(0);
		expect(cache.bytes).toBe(0);
	});
});
