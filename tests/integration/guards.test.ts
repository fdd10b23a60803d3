import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPortal, Client, type Portal } from '../helpers/portal';
import { contestForm } from '../helpers/contest-form';
import { canSeeContest, canSeePractice, inOpenData, routeAccess, type Viewer } from '../../src/lib/server/auth/access';
import { routerPath } from '../../src/lib/server/http/guards';

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

/** The roles of the matrix as the access module sees them (ids do not matter for route rules). */
const VIEWER: Record<'anonymous' | 'applicant' | 'jury' | 'organizer', Viewer> = {
	anonymous: null,
	applicant: { id: 'a', role: 'applicant' },
	jury: { id: 'j', role: 'jury' },
	organizer: { id: 'o', role: 'organizer' }
};

describe('the guard matrix is the access table of src/lib/server/auth/access.ts', () => {
	it('every expected answer of the matrix is what routeAccess says for the path the router matches', () => {
		const ANSWER = { allow: [200, 404], login: ['login'], forbidden: [403] } as const;
		for (const row of MATRIX) {
			for (const who of ['anonymous', 'applicant', 'jury', 'organizer'] as const) {
				const decision = routeAccess(routerPath(row.path) ?? row.path, VIEWER[who]);
				expect(ANSWER[decision] as readonly Expect[], `${row.path} × ${who}: access.ts says ${decision}`).toContain(row[who]);
			}
		}
	});

	it('draft and unpublished things: the portal answers what canSeeContest, canSeePractice and inOpenData say', async () => {
		// A draft contest and a draft practice, made by the organizer through the console.
		const contest = await clients.organizer.post('/admin/contests/new', contestForm({ title: 'Проверка доступа', slug: 'proverka-dostupa', year: '2031' }));
		expect(contest.status).toBe(303);
		const practice = await clients.organizer.post('/admin/library/new', { title: 'Черновик для проверки доступа', summary: 'Практика, которую видят только организаторы, пока она не опубликована.', region: '16', sphere: 'social', year: '2025' });
		expect(practice.status).toBe(303);
		const editor = await (await clients.organizer.get(practice.headers.get('location')!)).text();
		const draftSlug = /href="\/library\/([a-z0-9-]+)"/.exec(editor)![1];
		const published = 'shkola-masterov-kak-zavod-vyrashchivaet-rukovoditeley-uchastkov';

		const status = (ok: boolean) => (ok ? 200 : 404);
		for (const who of ['anonymous', 'applicant', 'jury', 'organizer'] as const) {
			const v = VIEWER[who];
			const c = clients[who];
			expect((await c.get('/contests/proverka-dostupa')).status, `draft contest × ${who}`).toBe(status(canSeeContest(v, { phase: 'draft' })));
			expect((await c.get('/contests/nastavnichestvo-2026')).status, `open contest × ${who}`).toBe(status(canSeeContest(v, { phase: 'open' })));
			expect((await c.get(`/library/${draftSlug}`)).status, `draft practice × ${who}`).toBe(status(canSeePractice(v, { status: 'draft' })));
			expect((await c.get(`/library/${draftSlug}/poster.svg`)).status, `draft poster × ${who}`).toBe(status(canSeePractice(v, { status: 'draft' })));
			expect((await c.get(`/library/${published}`)).status, `published practice × ${who}`).toBe(status(canSeePractice(v, { status: 'published' })));
			expect((await c.get(`/api/practices/${draftSlug}`)).status, `draft practice, open data × ${who}`).toBe(status(inOpenData({ status: 'draft' })));
			expect((await c.get(`/api/practices/${published}`)).status, `published practice, open data × ${who}`).toBe(status(inOpenData({ status: 'published' })));
		}
		// The application form of a draft contest: applicants only (access.ts), and 404 for them too.
		expect(routeAccess('/cabinet/apply/proverka-dostupa', VIEWER.applicant)).toBe('allow');
		expect((await clients.applicant.get('/cabinet/apply/proverka-dostupa')).status).toBe(status(canSeeContest(VIEWER.applicant, { phase: 'draft' })));
		expect((await clients.applicant.post('/cabinet/apply/proverka-dostupa', { nomination: 'x' })).status).toBe(404);
		for (const who of ['jury', 'organizer'] as const) {
			expect(routeAccess('/cabinet/apply/proverka-dostupa', VIEWER[who])).toBe('forbidden');
			expect((await clients[who].get('/cabinet/apply/proverka-dostupa')).status, who).toBe(403);
		}
	});

	it('a data request of a wrong role is refused by the hook, before any load runs', async () => {
		for (const [who, p] of [
			['applicant', '/admin/jobs/__data.json'],
			['jury', '/admin/__data.json'],
			['organizer', '/jury/__data.json'],
			['jury', '/cabinet/applications/x/__data.json']
		] as const) {
			const r = await clients[who].get(p);
			expect(r.status, `${who} ${p}`).toBe(403);
			expect(await r.text(), `${who} ${p}`).toContain('Раздел недоступен для вашей роли');
		}
		const own = await clients.organizer.get('/admin/jobs/__data.json');
		expect(own.status).toBe(200);
	});
});

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
