import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Papa from 'papaparse';
import { spawnSync } from 'node:child_process';
import { startPortal, Client, type Portal } from '../helpers/portal';

let portal: Portal;
let anon: Client;
let org: Client;
let applicant: Client;
const PASSWORD = 'nastavnik2026';
const KAZAN = 'pervyy-god-bez-poter-adaptatsiya-novykh-sotrudnikov-ispolkoma-kazani';
const hasFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0;

async function login(email: string) {
	const c = new Client(portal.url);
	const r = await c.post('/login', { email, password: PASSWORD });
	expect(r.status, email).toBe(303);
	return c;
}

/** A multipart form post (files), with the client's cookies and the portal's Origin. */
async function postMultipart(c: Client, path: string, fd: FormData) {
	return fetch(new URL(path, portal.url), {
		method: 'POST',
		redirect: 'manual',
		body: fd,
		headers: { cookie: [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; '), origin: portal.url, accept: 'text/html' }
	});
}

/** The organizer's id of a practice, read from the organizer's list. */
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

describe('public library pages', () => {
	it('lists, searches word forms with highlighted snippets, narrows by facets', async () => {
		const all = await (await anon.get('/library')).text();
		expect(all).toContain('Найдено 40 практик');
		const r = await anon.get(`/library?q=${encodeURIComponent('наставника')}&district=pfd`);
		expect(r.status).toBe(200);
		const html = await r.text();
		expect(html).toMatch(/<mark>[Нн]аставни\S*<\/mark>/);
		expect(html).toMatch(/Найдено \d+ практик/);
		expect(html).toContain('aria-current="true"');
	});

	it('answers hostile input with a page, never a 500', async () => {
		// The longest query a URL carries (Node refuses request heads over 16 KB with 431).
		for (const q of ['"', 'NEAR(а б)', '*', '-', '(((', '<script>alert(1)</script>', 'наставник '.repeat(140)]) {
			const r = await anon.get(`/library?q=${encodeURIComponent(q)}`);
			expect(r.status, q.slice(0, 20)).toBe(200);
			expect(await r.text()).not.toContain('<script>alert(1)</script>');
		}
		const odd = await anon.get('/library?page=9999&sort=evil&district=atlantis&year=abc');
		expect(odd.status).toBe(200);
		const text = await odd.text();
		expect(text).toContain('Неизвестный порядок сортировки');
		expect(text).toContain('Неизвестные значения фильтров пропущены');
		expect(text).toContain('Такой страницы нет');
	});

	it('a practice page has the results, documents, video, OpenGraph, schema.org and related practices', async () => {
		const r = await anon.get(`/library/${KAZAN}`);
		expect(r.status).toBe(200);
		const html = await r.text();
		expect(html).toContain('<meta property="og:title" content="Первый год без потерь');
		expect(html).toContain('<meta property="og:image"');
		expect(html).toContain(`<link rel="canonical" href="${portal.url}/library/${KAZAN}"`);
		const ld = /<script type="application\/ld\+json">(.*?)<\/script>/s.exec(html);
		expect(JSON.parse(ld![1])).toMatchObject({ '@type': 'Article', inLanguage: 'ru', spatialCoverage: { '@type': 'Place' } });
		expect(html).toContain('Результаты в цифрах');
		expect(html).toContain('Похожие практики');
		expect(html).toContain('Чек-лист первых 90 дней.xlsx');
		const doc = /href="([^"]+)" download="Чек-лист/.exec(html)![1].replace(/&amp;/g, '&');
		const d = await fetch(doc);
		expect(d.status).toBe(200);
		expect(d.headers.get('content-disposition')).toMatch(/attachment/);
		if (hasFfmpeg) {
			const src = /<source src="([^"]+)" type="video\/mp4"/.exec(html);
			expect(src).not.toBeNull();
			const v = await fetch(src![1].replace(/&amp;/g, '&'), { headers: { range: 'bytes=0-99' } });
			expect([200, 206]).toContain(v.status);
		}
		const poster = await anon.get(`/library/${KAZAN}/poster.svg`);
		expect(poster.headers.get('content-type')).toMatch(/image\/svg\+xml/);
		expect(poster.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
		expect(await poster.text()).toContain('<svg');
	});

	it('unknown practices are a Russian 404', async () => {
		const r = await anon.get('/library/net-takoy-praktiki');
		expect(r.status).toBe(404);
		expect(await r.text()).toContain('Практика не найдена');
	});

	it('overview of practices by district, region, sphere and year', async () => {
		const html = await (await anon.get('/library/overview')).text();
		expect(html).toContain('Приволжский федеральный округ');
		expect(html).toContain('<canvas');
		expect(html).toContain('По сферам');
	});
});

describe('open data', () => {
	it('sitemap.xml and robots.txt', async () => {
		const sm = await anon.get('/sitemap.xml');
		expect(sm.headers.get('content-type')).toMatch(/xml/);
		const xml = await sm.text();
		expect(xml).toContain('<urlset');
		expect(xml).toContain(`${portal.url}/library/${KAZAN}`);
		expect(xml.match(/<url>/g)!.length).toBeGreaterThanOrEqual(44);
		const robots = await (await anon.get('/robots.txt')).text();
		for (const p of ['/cabinet', '/jury', '/admin', '/api']) expect(robots).toContain(`Disallow: ${p}\n`);
		expect(robots).toContain(`Sitemap: ${portal.url}/sitemap.xml`);
	});

	it('the Atom feed and the CSV of the whole library', async () => {
		const feed = await anon.get('/library/feed.xml');
		expect(feed.headers.get('content-type')).toMatch(/application\/atom\+xml/);
		const atom = await feed.text();
		expect(atom).toContain('<feed xmlns="http://www.w3.org/2005/Atom"');
		expect(atom.match(/<entry>/g)!.length).toBeGreaterThanOrEqual(40);
		const csv = await anon.get('/library/practices.csv');
		expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
		expect(csv.headers.get('content-disposition')).toMatch(/attachment/);
		const text = await csv.text();
		const rows = Papa.parse<Record<string, string>>(text.replace(/^\uFEFF/, ''), { header: true, skipEmptyLines: true }).data;
		expect(rows.length).toBeGreaterThanOrEqual(40);
		expect(rows[0]).toHaveProperty('result1_value');
		expect(rows.find((x) => x.url === `${portal.url}/library/${KAZAN}`)).toMatchObject({ region: '16', region_name: 'Республика Татарстан' });
	});

	it('/api/practices: the same filters, paginated, never an error for a bad value', async () => {
		const r = await fetch(`${portal.url}/api/practices?q=${encodeURIComponent('адаптации')}&per_page=2`);
		expect(r.headers.get('access-control-allow-origin')).toBe('*');
		const j = await r.json();
		expect(j.total).toBeGreaterThan(2);
		expect(j.items).toHaveLength(2);
		expect(j.pages).toBe(Math.ceil(j.total / 2));
		expect(j.items[0]).toHaveProperty('snippet');
		expect(j.items.some((i: { snippet: string; titleHighlighted: string }) => /<mark>/.test(i.snippet + i.titleHighlighted))).toBe(true);
		expect(j.facets.district.length).toBeGreaterThan(0);
		const pfd = await (await fetch(`${portal.url}/api/practices?district=pfd&sphere=production&per_page=100`)).json();
		expect(pfd.items.every((i: { district: string; sphere: { code: string } }) => i.district === 'ПФО' && i.sphere.code === 'production')).toBe(true);
		const bad = await fetch(`${portal.url}/api/practices?per_page=5000&page=x&q=${encodeURIComponent('"NEAR(*')}`);
		expect(bad.status).toBe(200);
		expect((await bad.json()).warnings.length).toBe(2);
		const one = await (await fetch(`${portal.url}/api/practices/${KAZAN}`)).json();
		expect(one).toMatchObject({ slug: KAZAN, region: { code: '16' }, district: { code: 'pfd' }, contacts: null });
		expect((await fetch(`${portal.url}/api/practices/net-takoy`)).status).toBe(404);
	});
});

describe('publishing and unpublishing', () => {
	it('an unpublished practice is 404 for the public and in no open data, visible to organizers', async () => {
		const title = 'Школа мастеров';
		const id = await practiceId(title);
		const slug = 'shkola-masterov-kak-zavod-vyrashchivaet-rukovoditeley-uchastkov';
		expect((await anon.get(`/library/${slug}`)).status).toBe(200);

		// Other roles cannot unpublish.
		expect((await applicant.post(`/admin/library/${id}?/unpublish`, {})).status).toBe(403);
		const r = await org.post(`/admin/library/${id}?/unpublish`, {});
		expect(r.status).toBe(200);

		expect((await anon.get(`/library/${slug}`)).status).toBe(404);
		expect((await applicant.get(`/library/${slug}`)).status).toBe(404);
		expect((await anon.get(`/library/${slug}/poster.svg`)).status).toBe(404);
		expect((await fetch(`${portal.url}/api/practices/${slug}`)).status).toBe(404);
		expect(await (await anon.get('/sitemap.xml')).text()).not.toContain(slug);
		expect(await (await anon.get('/library/feed.xml')).text()).not.toContain(slug);
		expect(await (await anon.get('/library/practices.csv')).text()).not.toContain(slug);
		const api = await (await fetch(`${portal.url}/api/practices?q=${encodeURIComponent('мастеров участков')}`)).json();
		expect(api.items.map((i: { slug: string }) => i.slug)).not.toContain(slug);

		const preview = await org.get(`/library/${slug}`);
		expect(preview.status).toBe(200);
		expect(await preview.text()).toContain('Предпросмотр');

		expect((await org.post(`/admin/library/${id}?/publish`, {})).status).toBe(200);
		expect((await anon.get(`/library/${slug}`)).status).toBe(200);
	});

	it('an organizer creates a practice; HTML and script in its text stay inert', async () => {
		const r = await org.post('/admin/library/new', {
			title: 'Пожарные-наставники <script>alert("x")</script>',
			summary: 'Опытные пожарные <b>сопровождают</b> новичков в первый год службы.',
			region: '59',
			sphere: 'social',
			year: '2025',
			result1_indicator: 'Время сбора по тревоге',
			result1_baseline: '90',
			result1_value: '60',
			result1_unit: 'сек.',
			intent: 'publish'
		});
		expect(r.status).toBe(303);
		expect(r.headers.get('location')).toMatch(/^\/admin\/library\/[a-z0-9]{24}\?created=1$/);
		const page = await (await anon.get('/library/pozharnye-nastavniki-script-alert-x-script')).text();
		expect(page).not.toContain('<script>alert("x")</script>');
		expect(page).not.toContain('<b>сопровождают</b>');
		expect(page).toContain('&lt;script>alert');
		const found = await (await anon.get(`/library?q=${encodeURIComponent('пожарных')}`)).text();
		expect(found).toContain('Найдено 1 практика');

		const long = 'Подробный рассказ о практике. '.repeat(300);
		const bad = await org.post('/admin/library/new', { title: 'Нет', summary: '', region: 'xx', sphere: '', year: '3000', actions: long });
		expect(bad.status).toBe(400);
		const html = await bad.text();
		// A long text comes back whole with the errors (nothing typed is lost).
		expect(html).toContain(long.trim());
		expect(html).toContain('Поле «Название»: не короче 5 символов');
		expect(html).toContain('Выберите сферу');
	});

	it('other roles cannot open the organizer pages', async () => {
		expect((await applicant.get('/admin/library')).status).toBe(403);
		expect((await anon.get('/admin/library')).status).toBe(303);
		expect((await applicant.json('/admin/library/uploads', { kind: 'document', filename: 'a.pdf', size: 10 })).status).toBe(403);
	});
});

describe('import', () => {
	const csv = (rows: string[]) => new Blob(['title;summary;region;sphere;year\n' + rows.join('\n')], { type: 'text/csv' });

	it('all or nothing, with line numbers', async () => {
		const fd = new FormData();
		fd.set('file', csv(['Двор, который придумали жители;Выпускники школы мэров вместе с жителями перепланировали дворы.;71;Общественные пространства;2024', 'Плохо;коротко;99;ЖКХ;2024']), 'praktiki.csv');
		fd.set('publish', 'on');
		const bad = await postMultipart(org, '/admin/library/import?/import', fd);
		expect(bad.status).toBe(400);
		const html = await bad.text();
		expect(html).toContain('Ничего не импортировано');
		expect(html).toMatch(/<td>3<\/td>/);
		expect(await (await anon.get('/library?q=' + encodeURIComponent('придумали жители'))).text()).toContain('Ничего не найдено');

		const ok = new FormData();
		ok.set('file', csv(['Двор, который придумали жители;Выпускники школы мэров вместе с жителями перепланировали дворы.;71;Общественные пространства;2024']), 'praktiki.csv');
		ok.set('publish', 'on');
		const r = await postMultipart(org, '/admin/library/import?/import', ok);
		expect(r.status).toBe(200);
		expect(await r.text()).toContain('Импортировано 1 практика');
		expect(await (await anon.get('/library?q=' + encodeURIComponent('придумали жители'))).text()).toContain('Найдено 1 практика');
	});
});

describe('files go straight to S3 and are checked', () => {
	it('a document: presigned PUT, then size and real type checked', async () => {
		const id = await practiceId('Цифровой паспорт');
		const pdf = new TextEncoder().encode('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
		const start = await org.json('/admin/library/uploads', { kind: 'document', practiceId: id, filename: 'Положение.pdf', size: pdf.length });
		expect(start.status).toBe(200);
		const s = await start.json();
		expect((await fetch(s.url, { method: 'PUT', body: pdf, headers: s.headers })).status).toBe(200);
		const done = await org.json(`/admin/library/uploads/${s.id}/complete`, {});
		expect(done.status).toBe(200);
		expect(await done.json()).toMatchObject({ name: 'Положение.pdf', kind: 'document' });

		const fake = new TextEncoder().encode('это не pdf, а текст');
		const s2 = await (await org.json('/admin/library/uploads', { kind: 'document', practiceId: id, filename: 'fake.pdf', size: fake.length })).json();
		await fetch(s2.url, { method: 'PUT', body: fake, headers: s2.headers });
		const rej = await org.json(`/admin/library/uploads/${s2.id}/complete`, {});
		expect(rej.status).toBe(400);
		expect((await rej.json()).message).toMatch(/не соответствует формату PDF/);

		const exe = await org.json('/admin/library/uploads', { kind: 'document', practiceId: id, filename: 'virus.exe', size: 10 });
		expect(exe.status).toBe(400);
		const huge = await org.json('/admin/library/uploads', { kind: 'document', practiceId: id, filename: 'big.pdf', size: 10 * 1024 ** 3 });
		expect(huge.status).toBe(400);
	});
});

describe('«Внедрили у себя»', () => {
	it('a logged-in team records its adoption; anonymous visitors are sent to log in', async () => {
		const a = await anon.post(`/library/${KAZAN}?/adopt`, { organization: 'Кто-то' });
		expect(a.status).toBe(303);
		expect(a.headers.get('location')).toMatch(/^\/login\?next=/);
		const empty = await applicant.post(`/library/${KAZAN}?/adopt`, { organization: '' });
		expect(empty.status).toBe(400);
		const r = await applicant.post(`/library/${KAZAN}?/adopt`, { organization: 'Администрация г. Тулы', result: 'Текучесть новичков снизилась' });
		expect(r.status).toBe(200);
		const html = await (await anon.get(`/library/${KAZAN}`)).text();
		expect(html).toContain('Администрация г. Тулы');
		expect(html).toContain('Практику внедрили 1 команда');
	});
});
