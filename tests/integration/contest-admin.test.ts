import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPortal, Client, type Portal } from '../helpers/portal';
import { contestForm } from '../helpers/contest-form';

let portal: Portal;
const as: Record<string, Client> = {};
const ACCOUNTS = { applicant: 'applicant1@nastavnik.demo', jury: 'jury1@nastavnik.demo', organizer: 'org@nastavnik.demo' };

const FORM = contestForm();

/** The ids a page carries in its hidden nominationId fields, in page order. */
const nominationIds = (html: string) => [...html.matchAll(/name="nominationId" value="([a-z0-9]+)"/g)].map((m) => m[1]).filter((v, i, a) => a.indexOf(v) === i);
const text = (html: string) => html.replace(/<!--.*?-->/g, '').replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'");

let contestUrl = '';
let demoUrl = '';

beforeAll(async () => {
	portal = await startPortal();
	as.anonymous = new Client(portal.url);
	for (const [role, email] of Object.entries(ACCOUNTS)) {
		const c = new Client(portal.url);
		expect((await c.post('/login', { email, password: 'nastavnik2026' })).status, role).toBe(303);
		as[role] = c;
	}
	const list = await (await as.organizer.get('/admin/contests')).text();
	demoUrl = /href="(\/admin\/contests\/[a-z0-9]+)">Наставничество-2026</.exec(list)![1];
});
afterAll(async () => portal?.stop());

describe('only organizers set up contests', () => {
	it('refuses every action of applicants and jurors with 403, and sends the anonymous to log in', async () => {
		const posts: [string, Record<string, string>][] = [
			['/admin/contests/new', FORM],
			[`${demoUrl}/edit`, FORM],
			[`${demoUrl}?/phase`, { to: 'review', confirm: 'yes' }],
			[`${demoUrl}?/addNomination`, { title: 'Чужая', slug: 'chuzhaya', track: 'mentor' }],
			[`${demoUrl}?/removeNomination`, { nominationId: 'x' }]
		];
		for (const [path, form] of posts) {
			for (const who of ['applicant', 'jury'] as const) expect((await as[who].post(path, form)).status, `${who} ${path}`).toBe(403);
			const r = await as.anonymous.post(path, form);
			expect(r.status).toBe(303);
			expect(r.headers.get('location')).toMatch(/^\/login\?next=/);
		}
		for (const who of ['applicant', 'jury'] as const) expect((await as[who].get('/admin/contests')).status).toBe(403);
		// Nothing changed: the demo contest is still open, with no nomination «Чужая».
		const page = text(await (await as.organizer.get(demoUrl)).text());
		expect(page).toMatch(/aria-current="step"[^>]*>Приём заявок</);
		expect(page).not.toContain('Чужая');
	});
});

describe('the organizer', () => {
	it('creates a contest; bad input comes back with named fields and the typed values', async () => {
		let r = await as.organizer.post('/admin/contests/new', { ...FORM, slug: 'nastavnichestvo-2026' });
		expect(r.status).toBe(409);
		let html = text(await r.text());
		expect(html).toContain('«Адрес (slug)»: адрес «nastavnichestvo-2026» уже занят другим конкурсом');
		expect(html).toContain('value="Наставничество-2032"');

		const longRules = 'Положение. '.repeat(800) + 'КОНЕЦ-ПОЛОЖЕНИЯ';
		r = await as.organizer.post('/admin/contests/new', { ...FORM, rules: longRules, title: 'Т'.repeat(300), reviewEndAt: '2032-03-01T00:00', jurorsPerEntry: '50', videoMaxSize: '11' });
		expect(r.status).toBe(400);
		html = text(await r.text());
		expect(html).toContain('«Название»: не длиннее 200 символов');
		expect(html).toContain('«Окончание экспертизы» должно быть позже, чем «Окончание приёма заявок»');
		expect(html).toContain('«Экспертов на заявку»: не больше 10');
		expect(html).toContain('«Максимальный размер видео»: от 1 МБ до 10 ГБ');
		expect(html).toContain('value="50"');
		// A long rules text comes back whole, not cut at the usual 5000 characters.
		expect(html).toContain('Положение. Положение. КОНЕЦ-ПОЛОЖЕНИЯ</textarea>');

		r = await as.organizer.post('/admin/contests/new', FORM);
		expect(r.status).toBe(303);
		const loc = r.headers.get('location')!;
		expect(loc).toMatch(/^\/admin\/contests\/[a-z0-9]+\?saved=created$/);
		contestUrl = loc.split('?')[0];
		html = text(await (await as.organizer.get(loc)).text());
		expect(html).toContain('Конкурс создан черновиком');
		// A draft is not public.
		expect((await as.applicant.get('/contests/nastavnichestvo-2032')).status).toBe(404);
	});

	it('answers 404 to a forged contest id and to a nomination of another contest', async () => {
		expect((await as.organizer.get('/admin/contests/no-such-contest')).status).toBe(404);
		expect((await as.organizer.get('/admin/contests/no-such-contest/edit')).status).toBe(404);
		expect((await as.organizer.post('/admin/contests/no-such-contest?/addNomination', { title: 'Номинация', slug: 'nom', track: 'mentor' })).status).toBe(404);
		expect((await as.organizer.post('/admin/contests/no-such-contest/edit', FORM)).status).toBe(404);

		const demoNoms = nominationIds(await (await as.organizer.get(demoUrl)).text());
		expect(demoNoms.length).toBeGreaterThan(1);
		for (const action of ['removeNomination', 'updateNomination', 'moveNomination']) {
			const r = await as.organizer.post(`${contestUrl}?/${action}`, { nominationId: demoNoms[0], title: 'Перехват', slug: 'perehvat', track: 'mentor', direction: 'down' });
			expect(r.status, action).toBe(404);
		}
		expect(nominationIds(await (await as.organizer.get(demoUrl)).text())).toEqual(demoNoms);
		expect((await as.organizer.post(`${contestUrl}?/removeNomination`, {})).status).toBe(400);
	});

	it('adds nominations, refuses a duplicate slug, opens the contest after a confirmation', async () => {
		let r = await as.organizer.post(`${contestUrl}?/phase`, { to: 'open' });
		expect(r.status).toBe(409);
		expect(text(await r.text())).toContain('Нельзя перейти в «Приём заявок»: Добавьте хотя бы одну номинацию');

		for (const [title, slug, track] of [
			['Наставник года', 'mentor-year', 'mentor'],
			['Лучшая командная практика', 'team-practice', 'practice']
		]) {
			r = await as.organizer.post(`${contestUrl}?/addNomination`, { _form: 'addNomination', title, slug, track, description: '' });
			expect(r.status).toBe(200);
			expect(text(await r.text())).toContain(`Номинация «${title}» добавлена`);
		}
		r = await as.organizer.post(`${contestUrl}?/addNomination`, { _form: 'addNomination', title: 'Повтор', slug: 'mentor-year', track: 'team' });
		expect(r.status).toBe(400);
		const html = text(await r.text());
		expect(html).toContain('«Трек»: выберите «Наставник» или «Командная практика»');
		expect(html).toContain('value="Повтор"');
		r = await as.organizer.post(`${contestUrl}?/addNomination`, { _form: 'addNomination', title: 'Повтор', slug: 'mentor-year', track: 'mentor' });
		expect(r.status).toBe(409);
		expect(text(await r.text())).toContain('«Адрес номинации (slug)»: «mentor-year» уже есть в этом конкурсе');

		// The first press asks for a confirmation and changes nothing; the second moves the phase.
		r = await as.organizer.post(`${contestUrl}?/phase`, { to: 'open' });
		expect(r.status).toBe(200);
		expect(text(await r.text())).toContain('Да, открыть приём заявок');
		expect((await as.applicant.get('/contests/nastavnichestvo-2032')).status).toBe(404);
		r = await as.organizer.post(`${contestUrl}?/phase`, { to: 'open', confirm: 'yes' });
		expect(r.status).toBe(200);
		expect(text(await r.text())).toContain('Этап изменён: «Приём заявок»');
		const pub = text(await (await as.applicant.get('/contests/nastavnichestvo-2032')).text());
		expect(pub).toContain('Наставник года');
		expect(pub).toContain('Лучшая командная практика');
		// Skipping phases is refused.
		r = await as.organizer.post(`${contestUrl}?/phase`, { to: 'published', confirm: 'yes' });
		expect(r.status).toBe(409);
		r = await as.organizer.post(`${contestUrl}?/phase`, { to: 'finished' });
		expect(r.status).toBe(400);
		expect(text(await r.text())).toContain('Выберите этап из списка');
	});

	it('cannot remove a nomination that already has an application', async () => {
		const apply = await as.applicant.post('/cabinet/apply/nastavnichestvo-2032', { nomination: 'mentor-year' });
		expect(apply.status).toBe(303);
		const [mentorYear] = nominationIds(await (await as.organizer.get(contestUrl)).text());
		const r = await as.organizer.post(`${contestUrl}?/removeNomination`, { _form: 'removeNomination', nominationId: mentorYear });
		expect(r.status).toBe(409);
		expect(text(await r.text())).toContain('Номинацию «Наставник года» нельзя удалить: в ней уже 1 заявка (считая черновики)');
		expect(nominationIds(await (await as.organizer.get(contestUrl)).text())).toContain(mentorYear);
	});
});
