/**
 * What an outside attack on a running portal found (issue 11), each point reproduced over HTTP
 * against the built server with its real SQLite, embedded S3 and job queue.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { S3Client, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { startPortal, Client, type Portal } from '../helpers/portal';
import { appRow, fillApplication, login, portalDb, startApplication, submit, uploadBytes } from '../helpers/apply';
import { GOOD_PRACTICE } from '../helpers/contest';
import { defaultFixturesDir, makeFixtures } from '../fixtures/make-fixtures';

let portal: Portal;
let fx: Record<string, string>;
const c: Record<string, Client> = {};

beforeAll(async () => {
	[portal, fx] = await Promise.all([startPortal({ RATE_LIMIT_PER_IP: '1000' }), makeFixtures(defaultFixturesDir())]);
	c.a1 = await login(portal, 'applicant1@nastavnik.demo');
	c.a2 = await login(portal, 'applicant2@nastavnik.demo');
	c.jury = await login(portal, 'jury1@nastavnik.demo');
	c.org = await login(portal, 'org@nastavnik.demo');
});
afterAll(async () => portal?.stop());

/** The key pair the portal's embedded S3 accepts (written under DATA_DIR at the first start). */
function s3Keys(): { accessKeyId: string; secretAccessKey: string } {
	return JSON.parse(fs.readFileSync(path.join(portal.dataDir, 'keys', 'embedded-s3.json'), 'utf8'));
}
function s3Client(credentials: { accessKeyId: string; secretAccessKey: string }) {
	return new S3Client({ endpoint: `http://127.0.0.1:${portal.s3Port}`, region: 'ru-central1', forcePathStyle: true, credentials, requestChecksumCalculation: 'WHEN_REQUIRED', maxAttempts: 1 });
}
const unescape = (s: string) => s.replaceAll('&amp;', '&');
/** Presigned S3 links on a page (the letter's, the video's…). */
function s3Links(html: string): string[] {
	return [...html.matchAll(new RegExp(`http://localhost:${portal.s3Port}/[^"'\\s<>]+`, 'g'))].map((m) => unescape(m[0]));
}
function mailJobs(to: string, subject: RegExp): number {
	const d = portalDb(portal);
	try {
		const rows = d.prepare(`SELECT payload FROM jobs WHERE kind = 'mail.send'`).all() as { payload: string }[];
		return rows.map((r) => JSON.parse(r.payload) as { to: string; subject: string }).filter((p) => p.to === to && subject.test(p.subject)).length;
	} finally {
		d.close();
	}
}

describe('1. open redirect after login', () => {
	const HOSTILE = ['/%09/evil.example/steal', '/%0a/x', '/%0d/x', '/%E3%80%82/x', '//evil.example', '/\\evil.example', 'https://evil.example/', '/%5Cevil.example', 'javascript:alert(1)'];

	it('a logged-in visit never leaves the origin and never answers 500', async () => {
		for (const next of HOSTILE) {
			const r = await c.a1.get(`/login?next=${next}`);
			expect(r.status, next).toBe(303);
			const loc = r.headers.get('location')!;
			expect(loc, next).not.toMatch(/[\t\r\n]/);
			expect(new URL(loc, portal.url).origin, `${next} → ${loc}`).toBe(portal.url);
			expect(new URL(loc, portal.url).host).not.toContain('evil');
		}
		// A real same-origin path is still followed, query included.
		const ok = await c.a1.get(`/login?next=${encodeURIComponent('/cabinet/settings?tab=1')}`);
		expect(ok.headers.get('location')).toBe('/cabinet/settings?tab=1');
	});

	it('the login form does not carry a hostile next, and the POST ignores one', async () => {
		const anon = new Client(portal.url);
		const page = await (await anon.get('/login?next=/%09/evil.example/steal')).text();
		expect(page).not.toContain('evil.example');
		for (const next of ['/\t/evil.example/steal', '/\n/x', '//evil.example', '/。/x']) {
			const c2 = new Client(portal.url);
			const r = await c2.post('/login', { email: 'applicant2@nastavnik.demo', password: 'nastavnik2026', next });
			expect(r.status, JSON.stringify(next)).toBe(303);
			const loc = r.headers.get('location')!;
			expect(new URL(loc, portal.url).origin, JSON.stringify(next)).toBe(portal.url);
		}
	});
});

describe('2. a letter cannot run script from the storage origin', () => {
	const HOSTILE_PDF = Buffer.from('%PDF-1.4\n<html><body><script>document.title="pwned";alert(document.domain)</script></body></html>\n%%EOF\n');

	it('S3 refuses a create-multipart request with another content type than the signed one', async () => {
		const appId = await startApplication(c.a2, 'practice-production');
		const r = await uploadBytes(c.a2, appId, 'letter', HOSTILE_PDF, 'letter.pdf', { createHeaders: { 'content-type': 'text/html' } });
		expect(r.createStatus).toBe(403);
	});

	it('every presigned GET forces the sniffed type; not a video, image or PDF → attachment', async () => {
		const appId = await startApplication(c.a2, 'mentor-education');
		const pdf = await uploadBytes(c.a2, appId, 'letter', HOSTILE_PDF, 'letter.pdf');
		expect(pdf.complete?.status).toBe('uploaded');
		// An object stored with text/html (as before the fix) is still served as the sniffed PDF.
		await s3Client(s3Keys()).send(new PutObjectCommand({ Bucket: 'portal', Key: pdf.key, Body: HOSTILE_PDF, ContentType: 'text/html' }));
		const html = await (await c.a2.get(`/cabinet/applications/${appId}/letter`)).text();
		const link = s3Links(html).find((u) => u.includes('/letter/'))!;
		expect(link).toBeTruthy();
		const got = await fetch(link);
		expect(got.status).toBe(200);
		expect(got.headers.get('content-type')).toBe('application/pdf');
		expect(got.headers.get('content-disposition')).toMatch(/^inline/);

		const docxApp = await startApplication(c.a2, 'practice-education');
		const docx = await uploadBytes(c.a2, docxApp, 'letter', fs.readFileSync(fx.docx), 'letter.docx', { type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' });
		expect(docx.complete?.status).toBe('uploaded');
		await s3Client(s3Keys()).send(new PutObjectCommand({ Bucket: 'portal', Key: docx.key, Body: fs.readFileSync(fx.docx), ContentType: 'text/html' }));
		const page = await (await c.a2.get(`/cabinet/applications/${docxApp}/letter`)).text();
		const dl = await fetch(s3Links(page).find((u) => u.includes('/letter/'))!);
		expect(dl.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
		expect(dl.headers.get('content-disposition')).toMatch(/^attachment/);
	});
});

describe('3. one submission, one confirmation mail', () => {
	it('200 concurrent submits of the same version and two stale resubmits: one number, one «принята» mail', async () => {
		const c3 = await login(portal, 'applicant1@nastavnik.demo');
		const appId = await startApplication(c3, 'mentor-production');
		await fillApplication(portal, c3, appId, fx.mp4);
		const v = appRow(portal, appId).version;
		const answers = await Promise.all(Array.from({ length: 200 }, () => submit(c3, appId, v)));
		expect(answers.every((r) => r.status === 303)).toBe(true);
		const row = appRow(portal, appId);
		expect(row.status).toBe('submitted');
		expect(row.number).toMatch(/^НС-2026-\d{5}$/);
		for (let i = 0; i < 2; i++) expect((await submit(c3, appId, v)).status).toBe(303);
		expect(mailJobs('applicant1@nastavnik.demo', new RegExp(`${row.number} принята`))).toBe(1);
		expect(mailJobs('applicant1@nastavnik.demo', new RegExp(`${row.number}`))).toBe(1);
	});
});

describe('4–5. saves are whole or nothing; only the schema’s keys are stored', () => {
	it('a failed save of a submitted application changes nothing', async () => {
		const c4 = await login(portal, 'applicant1@nastavnik.demo');
		const appId = await startApplication(c4, 'mentor-education');
		await fillApplication(portal, c4, appId, fx.mp4);
		expect((await submit(c4, appId, appRow(portal, appId).version)).status).toBe(303);
		const before = appRow(portal, appId);
		expect(before.status).toBe('submitted');
		const r = await c4.post(`/cabinet/applications/${appId}/practice?/save`, { ...GOOD_PRACTICE, title: 'Q'.repeat(100_000), actions: 'x', version: String(before.version) });
		expect(r.status).toBe(400);
		const html = await r.text();
		expect(html).toContain('не длиннее 200 символов');
		const after = appRow(portal, appId);
		expect(after.practice).toEqual(before.practice);
		expect(after.version).toBe(before.version);
		expect(after.status).toBe('submitted');
		// A valid change of a submitted application is stored whole.
		const ok = await c4.post(`/cabinet/applications/${appId}/practice?/save`, { ...GOOD_PRACTICE, title: 'Школа молодого учителя — 2', version: String(before.version) });
		expect(ok.status).toBe(200);
		expect(appRow(portal, appId).practice).toEqual({ ...before.practice, title: 'Школа молодого учителя — 2' });
	});

	it('a draft keeps invalid values while it is a draft, but never longer than the field allows', async () => {
		const c5 = await login(portal, 'applicant1@nastavnik.demo');
		const appId = await startApplication(c5, 'practice-social-health');
		const v = appRow(portal, appId).version;
		const short = await c5.post(`/cabinet/applications/${appId}/practice?/save`, { title: 'Шк', version: String(v) });
		expect(short.status).toBe(400);
		expect(await short.text()).toContain('Черновик сохранён');
		expect(appRow(portal, appId).practice).toEqual({ title: 'Шк' });
		const v2 = appRow(portal, appId).version;
		const long = await c5.post(`/cabinet/applications/${appId}/practice?/save`, { title: 'Q'.repeat(100_000), problem: 'Проблема описана здесь подробно', version: String(v2) });
		expect(long.status).toBe(400);
		expect(appRow(portal, appId)).toMatchObject({ version: v2, practice: { title: 'Шк' } });
	});

	it('3,000 unknown fields are not stored and not copied into the next application', async () => {
		const c6 = await login(portal, 'applicant2@nastavnik.demo');
		const appId = await startApplication(c6, 'mentor-public-service');
		const junk: Record<string, string> = {};
		for (let i = 0; i < 3000; i++) junk[`f${i}`] = 'junk'.repeat(25);
		const r = await c6.post(`/cabinet/applications/${appId}/about?/save`, { fio: 'Кузнецов Дмитрий Андреевич', municipality: 'г. Казань', ...junk, version: String(appRow(portal, appId).version) });
		expect([200, 400]).toContain(r.status);
		const about = appRow(portal, appId).about;
		expect(Object.keys(about).every((k) => ['fio', 'regionCode', 'municipality', 'organization', 'position', 'mentoringYears', 'phone'].includes(k))).toBe(true);
		expect(about).toMatchObject({ fio: 'Кузнецов Дмитрий Андреевич', municipality: 'г. Казань' });
		const next = await startApplication(c6, 'practice-public-administration');
		expect(Object.keys(appRow(portal, next).about).some((k) => /^f\d+$/.test(k))).toBe(false);
	});
});

describe('6. oversized and broken bodies; Russian messages everywhere', () => {
	it('a body over the limit: 413 in Russian, nothing written', async () => {
		const appId = await startApplication(c.a2, 'mentor-social-health');
		const before = appRow(portal, appId);
		const r = await c.a2.post(`/cabinet/applications/${appId}/practice?/save`, { title: 'Я'.repeat(600_000), version: String(before.version) });
		expect(r.status).toBe(413);
		expect(await r.text()).toContain('Слишком большой запрос');
		expect(appRow(portal, appId)).toEqual(before);
	});

	it('broken multipart: 400 in Russian, nothing written', async () => {
		const appId = await startApplication(c.a2, 'mentor-production');
		const before = appRow(portal, appId);
		const r = await fetch(`${portal.url}/cabinet/applications/${appId}/about?/save`, {
			method: 'POST',
			headers: { cookie: [...c.a2.cookies].map(([k, v]) => `${k}=${v}`).join('; '), origin: portal.url, accept: 'text/html', 'content-type': 'multipart/form-data; boundary=----x' },
			body: '------x\r\nContent-Disposition: form-data; name="fio"\r\n\r\nbroken without an end'
		});
		expect(r.status).toBe(400);
		expect(await r.text()).toContain('Неверный запрос');
		expect(appRow(portal, appId)).toEqual(before);
	});

	it('JSON endpoints answer in Russian: null, wrong types, oversized', async () => {
		for (const body of [null, 5, 'x', [], { applicationId: 5 }, { applicationId: 'x'.repeat(20), kind: 'exe', filename: 'a', size: 'big' }]) {
			const r = await c.a1.json('/api/uploads', body);
			expect(r.status, JSON.stringify(body)).toBe(400);
			const { message } = (await r.json()) as { message: string };
			expect(message, JSON.stringify(body)).toMatch(/[а-яё]/i);
			expect(message, JSON.stringify(body)).not.toMatch(/Invalid|expected|received/);
		}
		const big = await c.a1.json('/api/uploads', { filename: 'x'.repeat(600_000) });
		expect(big.status).toBe(413);
		expect(((await big.json()) as { message: string }).message).toContain('Слишком большой запрос');
	});
});

describe('8. the embedded S3 has its own key pair', () => {
	it('refuses the well-known S3RVER keys; the generated pair is stored with mode 0600', async () => {
		await expect(s3Client({ accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }).send(new ListObjectsV2Command({ Bucket: 'portal' }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
		const file = path.join(portal.dataDir, 'keys', 'embedded-s3.json');
		expect(fs.statSync(file).mode & 0o777).toBe(0o600);
		const keys = s3Keys();
		expect(keys.accessKeyId).not.toBe('S3RVER');
		expect(keys.secretAccessKey.length).toBeGreaterThanOrEqual(40);
		const list = await s3Client(keys).send(new ListObjectsV2Command({ Bucket: 'portal', Prefix: 'library/' }));
		expect(list.$metadata.httpStatusCode).toBe(200);
	});
});

describe('10. ФИО without control characters', () => {
	it('CR/LF in ФИО is refused at registration and in the application', async () => {
		const r = await new Client(portal.url).post('/register', { fio: 'Иванов\r\nИван Иванович', email: 'crlf@example.ru', password: 'Mentor-2026-pass', password2: 'Mentor-2026-pass', agree: 'on' });
		expect(r.status).toBe(400);
		expect(await r.text()).toContain('ФИО может содержать только буквы');
		const appId = await startApplication(c.a2, 'practice-production');
		const s = await c.a2.post(`/cabinet/applications/${appId}/about?/save`, { fio: 'Кузнецов\nДмитрий', version: String(appRow(portal, appId).version) });
		expect(s.status).toBe(400);
		expect(appRow(portal, appId).about.fio).not.toContain('\n');
	});
});

describe('CSP', () => {
	it('img-src, media-src, connect-src and frame-src name the S3 public endpoint, not any origin', async () => {
		const csp = (await new Client(portal.url).get('/')).headers.get('content-security-policy')!;
		const dir = (name: string) => csp.split(';').map((d) => d.trim().split(/\s+/)).find((d) => d[0] === name)!.slice(1);
		for (const name of ['img-src', 'media-src', 'connect-src', 'frame-src']) {
			const sources = dir(name);
			expect(sources, name).toContain(`http://localhost:${portal.s3Port}`);
			expect(sources, name).not.toContain('http:');
			expect(sources, name).not.toContain('https:');
		}
	});
});
