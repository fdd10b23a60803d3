/**
 * Operations of the built portal over HTTP: request ids, /metrics after a scripted flow, a 500
 * page with its «Код обращения» and the log line that carries it without secrets, /health, and the
 * embedded S3 killed with kill -9 and brought back by its supervisor.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { startPortal, Client, type Portal } from '../helpers/portal';
import { defaultFixturesDir, makeFixtures } from '../fixtures/make-fixtures';

const PASSWORD = 'nastavnik2026';
const TOKEN = 'metrics-token-for-tests-0123456789';
let portal: Portal;
let fx: Record<string, string>;

beforeAll(async () => {
	fx = await makeFixtures(defaultFixturesDir());
	// The embedded store even when the S3 suite runs against radosgw: its supervision is tested here.
	portal = await startPortal({ EMBEDDED_S3: 'true', LOG_REQUESTS: 'true', LOG_FORMAT: 'json', LOG_LEVEL: 'info', METRICS_TOKEN: TOKEN, RATE_LIMIT_PER_IP: '200' });
});
afterAll(async () => portal?.stop());

async function login(email: string, password = PASSWORD) {
	const c = new Client(portal.url);
	const r = await c.post('/login', { email, password });
	expect(r.status, `вход ${email}`).toBe(303);
	return c;
}

/** Samples of one metric, by labels text: { 'route="/login",method="POST",status="303"': 2 }. */
async function scrape(): Promise<string> {
	const r = await fetch(`${portal.url}/metrics`);
	expect(r.status).toBe(200);
	expect(r.headers.get('content-type')).toMatch(/text\/plain/);
	return r.text();
}
function value(text: string, name: string, labels: Record<string, string> = {}): number {
	let sum = 0;
	for (const line of text.split('\n')) {
		if (!line.startsWith(name + '{') && !line.startsWith(name + ' ')) continue;
		const m = /^([a-zA-Z0-9_:]+)(?:\{(.*)\})? (\S+)$/.exec(line);
		if (!m || m[1] !== name) continue;
		const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
		if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum += Number(m[3]);
	}
	return sum;
}

/** The browser's multipart upload through the portal's signing endpoint; returns the asset id. */
async function uploadBytes(c: Client, applicationId: string, bytes: Buffer, filename: string) {
	const start = await c.json('/api/uploads', { applicationId, kind: 'video', filename, type: 'video/mp4', size: bytes.length });
	expect(start.status).toBe(200);
	const { assetId, key } = (await start.json()) as { assetId: string; key: string };
	const sign = async (b: Record<string, unknown>) => (await (await c.json('/api/uploads/sign', { key, ...b })).json()) as { url: string; headers?: Record<string, string> };
	const create = await sign({ method: 'POST' });
	const uploadId = /<UploadId>([^<]+)</.exec(await (await fetch(create.url, { method: 'POST', headers: create.headers })).text())![1];
	const put = await fetch((await sign({ method: 'PUT', uploadId, partNumber: 1 })).url, { method: 'PUT', body: new Uint8Array(bytes) });
	const done = await fetch((await sign({ method: 'POST', uploadId })).url, {
		method: 'POST',
		body: `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${put.headers.get('etag')}</ETag></Part></CompleteMultipartUpload>`
	});
	expect(done.status).toBe(200);
	return assetId;
}

async function newApplication(c: Client) {
	const r = await c.post('/cabinet/apply/nastavnichestvo-2026', { nomination: 'mentor-production' });
	expect(r.status).toBe(303);
	return /\/cabinet\/applications\/([a-z0-9]+)/.exec(r.headers.get('location')!)![1];
}

const jsonLines = () =>
	portal.logs
		.join('')
		.split('\n')
		.filter((l) => l.startsWith('{'))
		.map((l) => JSON.parse(l) as Record<string, unknown> & { reqId?: string; err?: { stack?: string } });

describe('request ids and /metrics', () => {
	it('every answer carries X-Request-Id; an id from a proxy is kept', async () => {
		const a = await fetch(`${portal.url}/`);
		expect(a.headers.get('x-request-id')).toMatch(/^[A-Za-z0-9_-]{8}$/);
		const b = await fetch(`${portal.url}/library`, { headers: { 'x-request-id': 'support-case-000123' } });
		expect(b.headers.get('x-request-id')).toBe('support-case-000123');
		const bad = await fetch(`${portal.url}/`, { headers: { 'x-request-id': 'bad id <script>' } });
		expect(bad.headers.get('x-request-id')).not.toContain('<');
	});

	it('/metrics answers loopback; a proxied request needs the bearer token', async () => {
		expect((await fetch(`${portal.url}/metrics`)).status).toBe(200);
		const proxied = { 'x-forwarded-for': '203.0.113.7' };
		const refused = await fetch(`${portal.url}/metrics`, { headers: proxied });
		expect(refused.status).toBe(403);
		expect(await refused.text()).not.toContain('portal_http_requests_total');
		expect((await fetch(`${portal.url}/metrics`, { headers: { ...proxied, authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(403);
		expect((await fetch(`${portal.url}/metrics`, { headers: { ...proxied, authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
	});

	it('after a scripted flow the counters moved: requests by route, uploads, mail, jobs, database, process', async () => {
		const before = await scrape();
		const a1 = await login('applicant1@nastavnik.demo');
		const wrong = await new Client(portal.url).post('/login', { email: 'applicant1@nastavnik.demo', password: 'не-тот-пароль' });
		expect(wrong.status).toBe(400);
		const appId = await newApplication(a1);
		// A text file named .mp4: started, then refused by the server's check.
		const id = await uploadBytes(a1, appId, fs.readFileSync(fx.fakeMp4), 'fake.mp4');
		const fin = await a1.json(`/api/uploads/${id}/complete`, {});
		expect(fin.status).toBe(200);
		expect(((await fin.json()) as { rejected?: string }).rejected).toMatch(/не является видео/);
		// A password reset: one mail through the queue (written to the outbox).
		expect((await new Client(portal.url).post('/reset', { email: 'applicant2@nastavnik.demo' })).status).toBe(200);
		let after = '';
		for (let i = 0; i < 50; i++) {
			after = await scrape();
			if (value(after, 'portal_mails_total', { outcome: 'sent' }) > value(before, 'portal_mails_total', { outcome: 'sent' })) break;
			await new Promise((r) => setTimeout(r, 200));
		}
		const delta = (name: string, labels: Record<string, string> = {}) => value(after, name, labels) - value(before, name, labels);
		expect(delta('portal_http_requests_total', { route: '/(auth)/login', method: 'POST', status: '303' })).toBe(1);
		expect(delta('portal_http_requests_total', { route: '/(auth)/login', method: 'POST', status: '400' })).toBe(1);
		expect(delta('portal_http_request_duration_seconds_count', { route: '/api/uploads', method: 'POST', status: '200' })).toBe(1);
		expect(delta('portal_uploads_total', { kind: 'video', event: 'started' })).toBe(1);
		expect(delta('portal_uploads_total', { kind: 'video', event: 'refused' })).toBe(1);
		expect(delta('portal_mails_total', { outcome: 'sent' })).toBe(1);
		expect(delta('portal_jobs_finished_total', { kind: 'mail.send', outcome: 'done' })).toBe(1);
		expect(value(after, 'portal_jobs', { kind: 'mail.send', state: 'done' })).toBeGreaterThanOrEqual(1);
		expect(after).toMatch(/^portal_jobs_oldest_age_seconds\{kind="mail.send",state="done"\} \S+$/m);
		expect(value(after, 'portal_db_size_bytes', { file: 'main' })).toBeGreaterThan(100_000);
		expect(value(after, 'portal_backup_age_seconds')).toBe(-1);
		expect(value(after, 'portal_s3_up')).toBe(1);
		expect(value(after, 'process_resident_memory_bytes')).toBeGreaterThan(0);
		expect(after).toContain('# TYPE portal_s3_errors_total counter');
		expect(after).toContain('# TYPE portal_ffmpeg_errors_total counter');
	});
});

describe('a 500 page and its log line', () => {
	it('shows «Код обращения», the same id is in the header and on the log lines, and no line carries a secret', async () => {
		const a1 = await login('applicant1@nastavnik.demo');
		const session = [...a1.cookies.values()][0];
		expect(session.length).toBeGreaterThan(20);
		// Damaged data: the contest's settings are no longer JSON, so its page cannot be built.
		const d = new Database(path.join(portal.dataDir, 'portal.db'));
		const saved = (d.prepare("select settings from contests where slug = 'nastavnichestvo-2026'").get() as { settings: string }).settings;
		d.prepare("update contests set settings = '{повреждено' where slug = 'nastavnichestvo-2026'").run();
		const r = await a1.get('/contests/nastavnichestvo-2026?token=Sekret-Token-777&email=applicant1@nastavnik.demo');
		d.prepare("update contests set settings = ? where slug = 'nastavnichestvo-2026'").run(saved);
		d.close();
		expect(r.status).toBe(500);
		const id = r.headers.get('x-request-id')!;
		const html = await r.text();
		expect(html).toContain('Внутренняя ошибка сервера');
		expect(html).toContain(`Код обращения: <code class="request-id">${id}</code>`);
		await new Promise((r) => setTimeout(r, 300));
		const lines = jsonLines().filter((l) => l.reqId === id);
		const error = lines.find((l) => l.msg === 'необработанная ошибка');
		expect(error, 'строка ошибки с кодом обращения').toBeTruthy();
		expect(error!.level).toBe('error');
		expect(error!.err?.stack).toMatch(/JSON|SyntaxError/);
		expect(error!.path).toBe('/contests/nastavnichestvo-2026');
		const access = lines.find((l) => l.msg === 'запрос');
		expect(access).toMatchObject({ status: 500, route: '/(public)/contests/[slug]', method: 'GET' });
		// Nothing secret anywhere in the log: passwords, the session, e-mails, tokens, signatures.
		const all = portal.logs.join('');
		for (const secret of [PASSWORD, 'не-тот-пароль', session, 'applicant1@nastavnik.demo', 'applicant2@nastavnik.demo', 'Sekret-Token-777', 'X-Amz-Signature', TOKEN])
			expect(all, `в журнале не должно быть «${secret}»`).not.toContain(secret);
		// The one-time reset link of the previous test stayed in the .eml file.
		expect(all).not.toMatch(/\/reset\/[A-Za-z0-9_-]{16,}/);
		expect(fs.readdirSync(path.join(portal.dataDir, 'outbox')).length).toBeGreaterThan(0);
	});
});

describe('/health and the supervised embedded S3', () => {
	it('reports database, S3, worker heartbeat, backups and the queue; ?probe=live for liveness', async () => {
		const r = await fetch(`${portal.url}/health`);
		expect(r.status).toBe(200);
		const h = await r.json();
		expect(h).toMatchObject({ status: 'ok', database: 'ok', s3: 'ok', embeddedS3: { up: true, restarts: 0 }, worker: { status: 'ok', expected: true }, backup: { status: 'off', enabled: false }, queue: { status: 'ok' } });
		expect(h.worker.lastBeatSecAgo).toBeLessThan(30);
		const live = await fetch(`${portal.url}/health?probe=live`);
		expect(live.status).toBe(200);
		expect(await live.json()).toMatchObject({ status: 'ok' });
	});

	it('kill -9 of the embedded S3: upload completion says storage is unavailable, /health 503, then back to 200 by itself', async () => {
		const a1 = await login('applicant1@nastavnik.demo');
		const appId = await newApplication(a1);
		const assetId = await uploadBytes(a1, appId, fs.readFileSync(fx.mp4), 'vizitka.mp4');
		const pid = Number(execFileSync('ps', ['-o', 'pid=', '--ppid', String(portal.proc.pid)]).toString().trim().split(/\s+/)[0]);
		expect(pid).toBeGreaterThan(0);
		process.kill(pid, 'SIGKILL');
		const down = await a1.json(`/api/uploads/${assetId}/complete`, {});
		expect(down.status).toBe(503);
		expect(((await down.json()) as { message: string }).message).toBe('Хранилище недоступно, повторите через минуту');
		const h = await fetch(`${portal.url}/health`);
		expect([503, 200]).toContain(h.status); // may already be back
		const deadline = Date.now() + 30_000;
		let back: Response;
		for (;;) {
			back = await fetch(`${portal.url}/health`);
			if (back.status === 200 || Date.now() > deadline) break;
			await new Promise((r) => setTimeout(r, 250));
		}
		expect(back.status).toBe(200);
		expect(((await back.json()) as { embeddedS3: { restarts: number } }).embeddedS3.restarts).toBe(1);
		const done = await a1.json(`/api/uploads/${assetId}/complete`, {});
		expect(done.status).toBe(200);
		expect(((await done.json()) as { status: string }).status).toBe('uploaded');
		const m = await scrape();
		expect(value(m, 'portal_embedded_s3_restarts_total')).toBe(1);
		expect(value(m, 'portal_uploads_total', { event: 'unavailable' })).toBeGreaterThanOrEqual(1);
		expect(value(m, 'portal_s3_errors_total')).toBeGreaterThanOrEqual(1);
	});
});
