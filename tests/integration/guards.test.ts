import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPortal, Client, type Portal } from '../helpers/portal';

let portal: Portal;
const clients: Record<string, Client> = {};
const DEMO_PASSWORD = 'nastavnik2026';
const ACCOUNTS = { applicant: 'applicant1@nastavnik.demo', jury: 'jury1@nastavnik.demo', organizer: 'org@nastavnik.demo' };

beforeAll(async () => {
	portal = await startPortal();
	clients.anonymous = new Client(portal.url);
	for (const [role, email] of Object.entries(ACCOUNTS)) {
		const c = new Client(portal.url);
		const r = await c.post('/login', { email, password: DEMO_PASSWORD });
		expect(r.status, `вход ${role}`).toBe(303);
		clients[role] = c;
	}
});
afterAll(async () => portal?.stop());

type Expect = 200 | 403 | 404 | 'login';
// Every route group × every kind of visitor.
const MATRIX: { path: string; anonymous: Expect; applicant: Expect; jury: Expect; organizer: Expect }[] = [
	{ path: '/', anonymous: 200, applicant: 200, jury: 200, organizer: 200 },
	{ path: '/contests', anonymous: 200, applicant: 200, jury: 200, organizer: 200 },
	{ path: '/contests/nastavnichestvo-2026', anonymous: 200, applicant: 200, jury: 200, organizer: 200 },
	{ path: '/login', anonymous: 200, applicant: 200, jury: 200, organizer: 200 },
	{ path: '/cabinet', anonymous: 'login', applicant: 200, jury: 200, organizer: 200 },
	{ path: '/cabinet/settings', anonymous: 'login', applicant: 200, jury: 200, organizer: 200 },
	{ path: '/jury', anonymous: 'login', applicant: 403, jury: 200, organizer: 403 },
	{ path: '/admin', anonymous: 'login', applicant: 403, jury: 403, organizer: 200 },
	{ path: '/admin/jobs', anonymous: 'login', applicant: 403, jury: 403, organizer: 200 },
	// Percent-encoded paths: the router decodes them, so the guard does too.
	{ path: '/%61dmin', anonymous: 'login', applicant: 403, jury: 403, organizer: 200 },
	{ path: '/%61dmin/jobs', anonymous: 'login', applicant: 403, jury: 403, organizer: 200 },
	{ path: '/admin/%6Aobs', anonymous: 'login', applicant: 403, jury: 403, organizer: 200 },
	{ path: '/%41dmin', anonymous: 404, applicant: 404, jury: 404, organizer: 404 },
	{ path: '/%6Aury', anonymous: 'login', applicant: 403, jury: 200, organizer: 403 },
	{ path: '/c%61binet', anonymous: 'login', applicant: 200, jury: 200, organizer: 200 },
	{ path: '/%63abinet/settings', anonymous: 'login', applicant: 200, jury: 200, organizer: 200 },
	{ path: '/%2561dmin', anonymous: 404, applicant: 404, jury: 404, organizer: 404 }
];

describe('guard matrix', () => {
	for (const row of MATRIX) {
		for (const who of ['anonymous', 'applicant', 'jury', 'organizer'] as const) {
			it(`${row.path} × ${who} → ${row[who]}`, async () => {
				const r = await clients[who].get(row.path);
				const want = row[who];
				if (want === 'login') {
					expect(r.status).toBe(303);
					// The path goes into `next` as it was asked for (safeNext keeps it on this site).
					expect(r.headers.get('location')).toBe(`/login?next=${encodeURIComponent(row.path)}`);
				} else if (row.path === '/login' && who !== 'anonymous') {
					// A logged-in user is sent home instead of the login form.
					expect(r.status).toBe(303);
				} else {
					expect(r.status).toBe(want);
				}
				if (want === 403) expect(await r.text()).toContain('Доступ запрещён');
			});
		}
	}

	it('percent-encoded API paths and form actions are refused by the hook, before any handler', async () => {
		const HOOK_403 = 'Раздел недоступен для вашей роли';
		const body = { applicationId: 'x'.repeat(20), kind: 'letter', filename: 'a.pdf', type: 'application/pdf', size: 10 };
		for (const p of ['/%61pi/uploads', '/api/%75ploads', '/%61%70%69/uploads', '/api/upload%73/sign']) {
			const r = await clients.jury.json(p, body);
			expect(r.status, p).toBe(403);
			expect(await r.text(), p).toContain(HOOK_403);
			const anon = await clients.anonymous.json(p, body);
			expect(anon.status, p).toBe(401);
			expect(await anon.text(), p).toContain('Требуется вход');
		}
		for (const [who, p] of [
			['applicant', '/%61dmin/jobs?/retry'],
			['jury', '/%61dmin/contests/new'],
			['organizer', '/%6Aury/assignments/x?/save'],
			['applicant', '/%6Aury/assignments/x?/submit']
		] as const) {
			const r = await clients[who].post(p, { id: 'x' });
			expect(r.status, `${who} ${p}`).toBe(403);
			expect(await r.text(), `${who} ${p}`).toContain(HOOK_403);
		}
		// A path that cannot be decoded runs no route at all; the answer is Russian.
		const malformed = await clients.jury.get('/%61dmin/%E0%A4%A');
		expect(malformed.status).toBe(400);
		const text = await malformed.text();
		expect(text).toContain('Неверный запрос');
		expect(text).not.toContain('Malformed');
	});

	it('unknown pages get a Russian 404', async () => {
		const r = await clients.anonymous.get('/no-such-page');
		expect(r.status).toBe(404);
		expect(await r.text()).toContain('Страница не найдена');
	});

	it('/health reports database and S3', async () => {
		const r = await clients.anonymous.get('/health');
		expect(r.status).toBe(200);
		expect(await r.json()).toMatchObject({ status: 'ok', database: 'ok', s3: 'ok' });
	});
});
