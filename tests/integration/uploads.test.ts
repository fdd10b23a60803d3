import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPortal, Client, type Portal } from '../helpers/portal';

let portal: Portal;
const c: Record<string, Client> = {};
let appId = '';

beforeAll(async () => {
	portal = await startPortal({ RATE_LIMIT_PER_IP: '100' });
	for (const [who, email] of [
		['a1', 'applicant1@nastavnik.demo'],
		['a2', 'applicant2@nastavnik.demo'],
		['jury', 'jury1@nastavnik.demo']
	]) {
		c[who] = new Client(portal.url);
		expect((await c[who].post('/login', { email, password: 'nastavnik2026' })).status).toBe(303);
	}
	c.anon = new Client(portal.url);
	const r = await c.a1.post('/cabinet/apply/nastavnichestvo-2026', { nomination: 'mentor-production' });
	expect(r.status).toBe(303);
	appId = /applications\/([^/]+)\//.exec(r.headers.get('location')!)![1];
});
afterAll(async () => portal?.stop());

const body = (over: Record<string, unknown> = {}) => ({ applicationId: appId, kind: 'video', filename: 'визитка.mp4', type: 'video/mp4', size: 1000, ...over });

describe('upload endpoints over HTTP', () => {
	it('refuses anonymous users, jurors and other applicants', async () => {
		expect((await c.anon.json('/api/uploads', body())).status).toBe(401);
		expect((await c.jury.json('/api/uploads', body())).status).toBe(403);
		const other = await c.a2.json('/api/uploads', body());
		expect(other.status).toBe(403);
		expect((await other.json()).message).toBe('Нет доступа к этой заявке');
	});

	it('answers bad input with a clear Russian message', async () => {
		const bad = await c.a1.json('/api/uploads', body({ size: -5 }));
		expect(bad.status).toBe(400);
		expect((await bad.json()).message).toBe('Файл пустой');
		const type = await c.a1.json('/api/uploads', body({ filename: 'вирус.exe' }));
		expect(type.status).toBe(400);
		expect((await type.json()).message).toMatch(/MP4, MOV, WEBM, M4V/);
		const raw = await fetch(`${portal.url}/api/uploads`, { method: 'POST', headers: { cookie: [...c.a1.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'content-type': 'application/json', origin: portal.url }, body: '{not json' });
		expect(raw.status).toBe(400);
	});

	it('signs only for the owner of the key, refuses foreign origins', async () => {
		const ok = await c.a1.json('/api/uploads', body());
		expect(ok.status).toBe(200);
		const { key, assetId } = await ok.json();
		expect(key).toMatch(new RegExp(`^applications/${appId}/video/${assetId}\\.mp4$`));
		const signed = await c.a1.json('/api/uploads/sign', { method: 'POST', key });
		expect(signed.status).toBe(200);
		expect((await signed.json()).url).toMatch(/X-Amz-Signature=/);
		expect((await c.a2.json('/api/uploads/sign', { method: 'POST', key })).status).toBe(403);
		expect((await c.a1.json('/api/uploads/sign', { method: 'POST', key: 'applications/x/video/y.mp4' })).status).toBe(404);
		const foreign = await fetch(`${portal.url}/api/uploads/sign`, {
			method: 'POST',
			headers: { cookie: [...c.a1.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'content-type': 'application/json', origin: 'https://evil.example.com' },
			body: JSON.stringify({ method: 'POST', key })
		});
		expect(foreign.status).toBe(403);
		// Cancel: the asset is forgotten, a second cancel is a clear 404.
		expect((await c.a1.json(`/api/uploads/${assetId}`, {}, 'DELETE')).status).toBe(200);
		expect((await c.a1.json(`/api/uploads/${assetId}`, {}, 'DELETE')).status).toBe(404);
	});

	it('a draft of another applicant is not visible', async () => {
		expect((await c.a2.get(`/cabinet/applications/${appId}/about`)).status).toBe(403);
		expect((await c.a2.post(`/cabinet/applications/${appId}/about?/save`, { version: '1', title: 'x' })).status).toBe(403);
	});
});
