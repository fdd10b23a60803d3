/**
 * Cacheable public pages and compression, against the built portal (src/lib/server/http/).
 * Raw HTTP (node:http) where the bytes on the wire matter: fetch would decompress them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import zlib from 'node:zlib';
import { startPortal, Client, type Portal } from '../helpers/portal';

let portal: Portal;
let anon: Client;
let org: Client;
let applicant: Client;
const PASSWORD = 'nastavnik2026';
const KAZAN = 'pervyy-god-bez-poter-adaptatsiya-novykh-sotrudnikov-ispolkoma-kazani';

async function login(email: string) {
	const c = new Client(portal.url);
	const r = await c.post('/login', { email, password: PASSWORD });
	expect(r.status, email).toBe(303);
	return c;
}

interface Raw {
	status: number;
	headers: http.IncomingHttpHeaders;
	body: Buffer;
}

function raw(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Raw> {
	return new Promise((resolve, reject) => {
		const req = http.request(new URL(path, portal.url), { method, headers: { accept: 'text/html', ...headers } }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
			res.on('error', reject);
		});
		req.on('error', reject);
		req.end();
	});
}

function decode(r: Raw): Buffer {
	switch (r.headers['content-encoding']) {
		case 'br':
			return zlib.brotliDecompressSync(r.body);
		case 'gzip':
			return zlib.gunzipSync(r.body);
		case undefined:
			return r.body;
		default:
			throw new Error(`unexpected coding ${r.headers['content-encoding']}`);
	}
}

const cookieOf = (c: Client) => [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ');

async function practiceId(title: string): Promise<string> {
	const html = await (await org.get(`/admin/library?q=${encodeURIComponent(title)}`)).text();
	const m = /href="\/admin\/library\/([a-z0-9]{24})"/.exec(html);
	expect(m, `практика «${title}» в списке организатора`).not.toBeNull();
	return m![1];
}

beforeAll(async () => {
	portal = await startPortal();
	anon = new Client(portal.url);
	org = await login('org@nastavnik.demo');
	applicant = await login('applicant1@nastavnik.demo');
});
afterAll(async () => portal?.stop());

const contestSlug = async () => /href="\/contests\/([^"/?]+)"/.exec(await (await anon.get('/contests')).text())![1];

describe('public pages have a stable validator', () => {
	it('a repeated anonymous request gets the same ETag, and 304 with If-None-Match', async () => {
		const pages = ['/', '/contests', `/contests/${await contestSlug()}`, '/library', `/library?q=${encodeURIComponent('наставник')}&district=pfd`, `/library/${KAZAN}`, '/library/overview'];
		for (const p of pages) {
			const a = await raw(p);
			const b = await raw(p);
			expect(a.status, p).toBe(200);
			expect(a.headers.etag, p).toMatch(/^"[^"]+"$/);
			expect(b.headers.etag, p).toBe(a.headers.etag);
			expect(b.body.equals(a.body), `${p}: the same bytes`).toBe(true);
			// The second one came from the cache (before SvelteKit, scripts/start.js): the same headers.
			for (const h of ['content-type', 'content-security-policy', 'x-frame-options', 'x-content-type-options', 'referrer-policy', 'cache-control', 'vary']) expect(b.headers[h], `${p} ${h}`).toBe(a.headers[h]);
			expect(b.headers['x-request-id'], p).toBeTruthy();
			expect(b.headers['x-request-id'], p).not.toBe(a.headers['x-request-id']);
			expect(a.headers['cache-control'], p).toBe('public, max-age=60, stale-while-revalidate=300');
			expect(a.headers.vary, p).toMatch(/Cookie/);
			// CSP with hashes, no nonce (the list page has no inline script at all: no hash either).
			const html = decode(a).toString();
			if (/<script>/.test(html)) expect(a.headers['content-security-policy'], p).toMatch(/script-src 'self' 'sha256-/);
			else expect(a.headers['content-security-policy'], p).toMatch(/script-src 'self';/);
			expect(a.headers['content-security-policy'], p).not.toMatch(/nonce-|unsafe-inline'? *;? *[^;]*script/);
			const c = await raw(p, { 'if-none-match': a.headers.etag! });
			expect(c.status, p).toBe(304);
			expect(c.body.length, p).toBe(0);
			expect(c.headers.etag, p).toBe(a.headers.etag);
			expect(c.headers['cache-control'], p).toBe('public, max-age=60, stale-while-revalidate=300');
			// A compressed variant has its own validator, and 304s on it.
			const br = await raw(p, { 'accept-encoding': 'br' });
			if (br.headers['content-encoding']) {
				expect(br.headers.etag, p).toBe(a.headers.etag!.replace(/"$/, '-br"'));
				expect((await raw(p, { 'accept-encoding': 'br', 'if-none-match': br.headers.etag! })).status, p).toBe(304);
			}
		}
		// Another parameter order is the same page.
		const x = await raw('/library?sphere=education&district=pfd');
		const y = await raw('/library?district=pfd&sphere=education');
		expect(y.headers.etag).toBe(x.headers.etag);
	});

	it('a practice published gets the list a new ETag at once; unpublished, it is never served from a cache again', async () => {
		const title = 'Школа мастеров';
		const slug = 'shkola-masterov-kak-zavod-vyrashchivaet-rukovoditeley-uchastkov';
		const id = await practiceId(title);
		const q = `/library?q=${encodeURIComponent('мастеров участков')}`;
		// Warm: the pages are in the cache now.
		const list1 = await raw('/library');
		const search1 = await raw(q);
		const page1 = await raw(`/library/${slug}`);
		expect(page1.status).toBe(200);
		expect((await raw('/library', { 'if-none-match': list1.headers.etag! })).status).toBe(304);

		expect((await org.post(`/admin/library/${id}?/unpublish`, {})).status).toBe(200);
		const page2 = await raw(`/library/${slug}`);
		expect(page2.status).toBe(404);
		expect(page2.headers['cache-control'] ?? '').not.toMatch(/public/);
		expect((await raw(`/library/${slug}`, { 'if-none-match': page1.headers.etag! })).status).toBe(404);
		const list2 = await raw('/library', { 'if-none-match': list1.headers.etag! });
		expect(list2.status).toBe(200);
		expect(list2.headers.etag).not.toBe(list1.headers.etag);
		expect(decode(list2).toString()).not.toContain(slug);
		const search2 = await raw(q, { 'if-none-match': search1.headers.etag! });
		expect(search2.status).toBe(200);
		expect(decode(search2).toString()).not.toContain(slug);

		expect((await org.post(`/admin/library/${id}?/publish`, {})).status).toBe(200);
		const list3 = await raw('/library', { 'if-none-match': list2.headers.etag! });
		expect(list3.status).toBe(200);
		expect(list3.headers.etag).not.toBe(list2.headers.etag);
		const search3 = await raw(q, { 'if-none-match': search2.headers.etag! });
		expect(search3.status).toBe(200);
		expect(decode(search3).toString()).toContain(slug);

		// A new practice published: a new ETag for the list, and it is on it.
		const created = await org.post('/admin/library/new', {
			title: 'Речной порт учит новых швартовщиков',
			summary: 'Опытные швартовщики сопровождают новичков первые полгода.',
			region: '59',
			sphere: 'social',
			year: '2025',
			result1_indicator: 'Новички, оставшиеся в порту через год',
			result1_baseline: '40',
			result1_value: '75',
			result1_unit: '%',
			intent: 'publish'
		});
		expect(created.status).toBe(303);
		const list4 = await raw('/library', { 'if-none-match': list3.headers.etag! });
		expect(list4.status).toBe(200);
		expect(list4.headers.etag).not.toBe(list3.headers.etag);
		expect(decode(list4).toString()).toContain('Речной порт учит новых швартовщиков');
	});
});

describe('nothing personal is cached for others', () => {
	it('a signed-in visitor never gets a `public` response, and the anonymous pages never show anybody', async () => {
		const paths = ['/', '/contests', `/contests/${await contestSlug()}`, '/library', `/library?q=${encodeURIComponent('наставник')}`, `/library/${KAZAN}`, `/library/${KAZAN}/poster.svg`, '/library/overview', '/library/feed.xml', '/library/practices.csv', '/cabinet', '/admin', '/admin/library'];
		for (const who of [org, applicant]) {
			for (const p of paths) {
				// Warm the anonymous cache first: a signed-in request must not be answered from it.
				const a = await raw(p);
				const r = await raw(p, { cookie: cookieOf(who) });
				if (r.status >= 300 && r.status < 400) continue;
				const cc = r.headers['cache-control'] ?? '';
				expect(cc, `${p}`).not.toMatch(/public|s-maxage/);
				expect(cc, `${p}`).toMatch(/private/);
				if (a.status === 200 && /text\/html/.test(String(a.headers['content-type']))) {
					expect(decode(r).toString(), p).toContain('Выйти');
					expect(decode(a).toString(), p).not.toContain('Выйти');
				}
			}
		}
		// And after a signed-in visit the anonymous answer is still the anonymous one.
		await raw('/library', { cookie: cookieOf(org) });
		const after = decode(await raw('/library')).toString();
		expect(after).not.toContain('Выйти');
	});

	it('a request with a stale session cookie is answered privately, never from the cache', async () => {
		const r = await raw('/library', { cookie: 'session=neverexisted' });
		expect(r.status).toBe(200);
		expect(r.headers['cache-control']).toMatch(/private/);
		expect(String(r.headers['set-cookie'] ?? '')).toMatch(/session=;/);
	});
});

describe('compression', () => {
	it('br and gzip responses decode to the same bytes as the plain one; small ones go plain', async () => {
		const paths = ['/library', `/library/${KAZAN}`, '/library/feed.xml', '/library/practices.csv', `/library/${KAZAN}/poster.svg`, `/library/${KAZAN}/__data.json?x-sveltekit-invalidated=11`, `/api/practices?q=${encodeURIComponent('наставник')}`];
		for (const p of paths) {
			const plain = await raw(p, { 'accept-encoding': 'identity' });
			expect(plain.status, p).toBe(200);
			expect(plain.headers['content-encoding'], p).toBeUndefined();
			expect(plain.headers.vary ?? '', p).toMatch(/Accept-Encoding/);
			for (const coding of ['br', 'gzip']) {
				const r = await raw(p, { 'accept-encoding': coding === 'br' ? 'gzip, deflate, br' : 'gzip;q=1, br;q=0' });
				expect(r.headers['content-encoding'], `${p} ${coding}`).toBe(coding);
				expect(r.body.length, `${p} ${coding}`).toBeLessThan(plain.body.length);
				expect(decode(r).equals(plain.body), `${p} ${coding}: the same bytes`).toBe(true);
			}
		}
		// Under a kilobyte: not compressed.
		const small = await raw('/health', { 'accept-encoding': 'br, gzip' });
		expect(small.headers['content-encoding']).toBeUndefined();
		// The list page compressed: the budget is 15 KB.
		const list = await raw('/library', { 'accept-encoding': 'br' });
		expect(list.body.length).toBeLessThan(15 * 1024);
	});

	it('pages for a signed-in visitor are compressed too (not cached)', async () => {
		const plain = await raw('/admin/library', { cookie: cookieOf(org), 'accept-encoding': 'identity' });
		const gz = await raw('/admin/library', { cookie: cookieOf(org), 'accept-encoding': 'gzip' });
		expect(gz.headers['content-encoding']).toBe('gzip');
		expect(plain.status).toBe(200);
		expect(decode(gz).toString()).toContain('</html>');
		expect(gz.headers['cache-control']).toBe('private, no-store');
	});
});

describe('the list page is light (issue 17, point 4)', () => {
	const titlesOf = (html: string) => [...html.matchAll(/<h3[^>]*><a href="\/library\/[^"]+">([\s\S]*?)<\/a><\/h3>/g)].map((m) => m[1].replace(/<[^>]+>/g, '').trim());

	it('sends every result once: no hydration data repeating the list, 20 results with the facets, within 15 KB compressed', async () => {
		for (const p of ['/library', `/library?q=${encodeURIComponent('наставник')}`, '/library?sphere=education&page=2&sort=newest']) {
			const r = await raw(p, { 'accept-encoding': 'identity' });
			expect(r.status, p).toBe(200);
			const html = r.body.toString();
			// Svelte's markers and the <mark>s of matched words out, so that a title reads as one string.
			const flat = html.replace(/<!--[\s\S]*?-->/g, '').replace(/<\/?mark>/g, '');
			const titles = titlesOf(html);
			expect(titles.length, p).toBeGreaterThan(0);
			for (const t of titles) {
				// Its start, once in the page: the serialized data of a hydrated page would repeat it.
				const head = t.slice(0, 24);
				expect(flat.split(head).length - 1, `${p}: «${head}» appears once`).toBe(1);
			}
			// No serialized page data and no inline script (the SvelteKit client is not loaded here).
			expect(html, p).not.toMatch(/__sveltekit_|data: \[|<script>/);
			const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
			expect(scripts, p).toHaveLength(1);
			expect(scripts[0], p).toMatch(/^<script type="module" src="\/_app\/immutable\/assets\/library-list\.[\w-]+\.js">$/);
			expect(html, p).not.toMatch(/rel="modulepreload"/);
		}
		const all = (await raw('/library', { 'accept-encoding': 'identity' })).body.toString();
		// 20 a page, with every facet the page had.
		expect(titlesOf(all)).toHaveLength(20);
		for (const h of ['Федеральный округ', 'Регион', 'Сфера', 'Год', 'Теги']) expect(all).toContain(`>${h}</h2>`);
		expect(all).toMatch(/aria-label="Страница 2"/);
		// Posters sized for the card, loaded lazily, decoded off the main thread.
		const imgs = [...all.matchAll(/<img [^>]*class="thumb[^>]*>/g)].map((m) => m[0]);
		expect(imgs).toHaveLength(20);
		for (const i of imgs) for (const a of ['width="160"', 'height="84"', 'loading="lazy"', 'decoding="async"']) expect(i).toContain(a);
		// The budget: 15 KB on the wire, in either coding.
		for (const coding of ['br', 'gzip']) {
			const c = await raw('/library', { 'accept-encoding': coding });
			expect(c.headers['content-encoding']).toBe(coding);
			expect(c.body.length, coding).toBeLessThanOrEqual(15 * 1024);
		}
		// The enhancing script is a cacheable immutable asset.
		const src = /<script type="module" src="([^"]+)"/.exec(all)![1];
		const js = await raw(src, { accept: '*/*' });
		expect(js.status).toBe(200);
		expect(js.headers['content-type']).toMatch(/javascript/);
		expect(js.headers['cache-control']).toMatch(/immutable/);
	});
});

