import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPortal, Client, type Portal } from '../helpers/portal';

let portal: Portal;
let j1: Client;
let j2: Client;
let org: Client;

async function login(email: string) {
	const c = new Client(portal.url);
	const r = await c.post('/login', { email, password: 'nastavnik2026' });
	expect(r.status, `вход ${email}`).toBe(303);
	return c;
}

/** Assignment ids in the juror's queue (links of the /jury page). */
async function queueIds(c: Client): Promise<string[]> {
	const html = await (await c.get('/jury')).text();
	return [...new Set([...html.matchAll(/\/jury\/assignments\/([a-z0-9]+)/g)].map((m) => m[1]))];
}

beforeAll(async () => {
	portal = await startPortal();
	j1 = await login('jury1@nastavnik.demo');
	j2 = await login('jury2@nastavnik.demo');
	org = await login('org@nastavnik.demo');
});
afterAll(async () => portal?.stop());

describe('the jury area', () => {
	it('shows a juror their queue from the demo round', async () => {
		const ids = await queueIds(j1);
		expect(ids.length).toBeGreaterThan(5);
		const r = await j1.get(`/jury/assignments/${ids[0]}`);
		expect(r.status).toBe(200);
		expect(await r.text()).toContain('Клавиатурные сокращения');
	});

	it('another juror opening an assignment URL gets 403, and cannot save into it', async () => {
		const [mine] = await queueIds(j1);
		expect(await queueIds(j2)).not.toContain(mine);
		const r = await j2.get(`/jury/assignments/${mine}`);
		expect(r.status).toBe(403);
		const body = await r.text();
		expect(body).toContain('Доступ запрещён');
		expect(body).toContain('назначена другому эксперту');
		// nothing of the entry leaks into the refusal
		expect(body).not.toContain('Письмо-резюме');
		const save = await j2.post(`/jury/assignments/${mine}?/save`, { version: '1', intent: 'draft', criteria: '', comment: 'чужое' });
		expect(save.status).toBe(403);
		const recuse = await j2.post(`/jury/assignments/${mine}?/recuse`, { reason: 'чужое назначение' });
		expect(recuse.status).toBe(403);
	});

	it('organizers and anonymous visitors do not get assignments either', async () => {
		const [mine] = await queueIds(j1);
		expect((await org.get(`/jury/assignments/${mine}`)).status).toBe(403);
		const anon = new Client(portal.url);
		const r = await anon.get(`/jury/assignments/${mine}`);
		expect(r.status).toBe(303);
		expect(r.headers.get('location')).toMatch(/^\/login\?next=/);
		expect((await j1.get('/jury/assignments/no-such-assignment')).status).toBe(404);
	});

	it('a score off the scale is refused with a Russian message and nothing is saved', async () => {
		const [id] = await queueIds(j1);
		const page = await (await j1.get(`/jury/assignments/${id}`)).text();
		const crit = /name="criteria" value="([^"]+)"/.exec(page)![1].split(',');
		const version = /name="version" value="(\d+)"/.exec(page)![1];
		const r = await j1.post(`/jury/assignments/${id}?/save`, { version, intent: 'draft', criteria: crit.join(','), [`c_${crit[0]}`]: '42', comment: '' });
		expect(r.status).toBe(400);
		expect(await r.text()).toContain('вне шкалы');
		const again = await (await j1.get(`/jury/assignments/${id}`)).text();
		expect(/name="version" value="(\d+)"/.exec(again)![1]).toBe(version);
	});

	it('the organizer console pages answer', async () => {
		for (const p of ['/admin/jury/nastavnichestvo-2026', '/admin/jury/nastavnichestvo-2026/jurors', '/admin/jury/nastavnichestvo-2026/rubric', '/admin/jury/nastavnichestvo-2026/rounds/1?preview=1'])
			expect((await org.get(p)).status, p).toBe(200);
		expect((await org.get('/admin/jury/nastavnichestvo-2026/rounds/9')).status).toBe(404);
		expect((await j1.get('/admin/jury/nastavnichestvo-2026')).status).toBe(403);
		const csv = await org.get('/admin/jury/nastavnichestvo-2026/jurors/template.csv');
		expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
		expect(await csv.text()).toContain('ФИО;email;регион;организация;номинации;ёмкость');
	});
});
