import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPortal, Client, type Portal } from '../helpers/portal';
import { startSmtpSink, linkFrom } from '../helpers/smtp';

let portal: Portal;
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;

beforeAll(async () => {
	smtp = await startSmtpSink();
	portal = await startPortal({ SMTP_URL: smtp.url, RATE_LIMIT_PER_ACCOUNT: '3', RATE_LIMIT_PER_IP: '50', RATE_LIMIT_WINDOW_SEC: '900' });
});
afterAll(async () => {
	await portal?.stop();
	await smtp?.close();
});

const PASSWORD = 'Mentor-2026-pass';

async function register(c: Client, email: string) {
	return c.post('/register', { fio: 'Петрова Анна Игоревна', email, password: PASSWORD, password2: PASSWORD, agree: 'on' });
}

describe('accounts over HTTP with a real SMTP sink', () => {
	it('register → confirm by the mailed link → login → cabinet → logout', async () => {
		const c = new Client(portal.url);
		const r = await register(c, 'anna@example.ru');
		expect(r.status).toBe(303);
		expect(r.headers.get('location')).toMatch(/^\/register\/sent/);
		const mail = await smtp.waitFor('anna@example.ru', /Подтвердите/);
		const link = linkFrom(mail, '/verify/');
		// The link confirms the address, opens a session and lands in the cabinet.
		const v = await c.get(new URL(link).pathname);
		expect(v.status).toBe(303);
		expect(v.headers.get('location')).toBe('/cabinet?verified=1');
		expect(v.headers.getSetCookie().some((x) => x.startsWith('session='))).toBe(true);
		// The link works once.
		const again = new Client(portal.url);
		expect(await (await again.get(new URL(link).pathname)).text()).toContain('уже использована');
		await c.post('/logout', {});

		const login = await c.post('/login', { email: 'ANNA@example.ru', password: PASSWORD });
		expect(login.status).toBe(303);
		expect(login.headers.get('location')).toBe('/cabinet');
		const cookie = login.headers.getSetCookie().find((x) => x.startsWith('session='))!;
		expect(cookie).toMatch(/HttpOnly/i);
		expect(cookie).toMatch(/SameSite=Lax/i);
		expect(cookie).toMatch(/Path=\//);
		const cab = await c.get('/cabinet');
		expect(cab.status).toBe(200);
		expect(await cab.text()).toContain('Личный кабинет');

		const out = await c.post('/logout', {});
		expect(out.status).toBe(303);
		const after = await c.get('/cabinet');
		expect(after.status).toBe(303);
		expect(after.headers.get('location')).toBe('/login?next=%2Fcabinet');
	});

	it('the contest chosen before registering is kept by the server and the link lands on its form; no other target', async () => {
		for (const [next, lands] of [
			['/cabinet/apply/nastavnichestvo-2026?nomination=mentor-education', '/cabinet/apply/nastavnichestvo-2026?nomination=mentor-education&verified=1'],
			['https://evil.example/cabinet/apply/x', '/cabinet?verified=1'],
			['//evil.example', '/cabinet?verified=1'],
			['/admin', '/cabinet?verified=1']
		]) {
			const c = new Client(portal.url);
			const email = `intent-${Math.random().toString(36).slice(2)}@example.ru`;
			const r = await c.post('/register', { fio: 'Намерениева Ольга Игоревна', email, password: PASSWORD, password2: PASSWORD, agree: 'on', next });
			expect(r.status).toBe(303);
			const link = linkFrom(await smtp.waitFor(email, /Подтвердите/), '/verify/');
			const v = await new Client(portal.url).get(new URL(link).pathname);
			expect(v.status).toBe(303);
			expect(v.headers.get('location')).toBe(lands);
		}
	});

	it('keeps the typed values and names the field on bad input; writes nothing', async () => {
		const c = new Client(portal.url);
		const r = await c.post('/register', { fio: 'Иван', email: 'ivan@example.ru', password: 'short', password2: 'short', agree: 'on' });
		expect(r.status).toBe(400);
		const html = await r.text();
		expect(html).toContain('Пароль должен быть не короче 10 символов');
		expect(html).toContain('Укажите фамилию, имя и отчество');
		expect(html).toContain('value="ivan@example.ru"');
		expect(html).not.toContain('value="short"');
		const long = await c.post('/register', { fio: 'Я'.repeat(500), email: `${'a'.repeat(300)}@example.ru`, password: PASSWORD, password2: PASSWORD, agree: 'on' });
		expect(long.status).toBe(400);
		expect(await long.text()).toContain('слишком длинн');
		// Nothing was created: logging in fails.
		const login = await c.post('/login', { email: 'ivan@example.ru', password: PASSWORD });
		expect(login.status).toBe(400);
	});

	it('registration does not reveal a registered address: the same answer, the owner is mailed (issue 11, point 10)', async () => {
		const c = new Client(portal.url);
		const first = await register(c, 'twice@example.ru');
		expect(first.status).toBe(303);
		await smtp.waitFor('twice@example.ru', /Подтвердите/);
		const again = await register(new Client(portal.url), 'Twice@Example.ru');
		expect(again.status).toBe(303);
		expect(again.headers.get('location')).toBe(first.headers.get('location'));
		const sent = await (await c.get(again.headers.get('location')!)).text();
		expect(sent).toContain('Если адрес');
		expect(sent).not.toContain('уже зарегистрирован');
		// The owner learns about it by mail, with the ways in; no second account, the password stands.
		const mail = await smtp.waitFor('twice@example.ru', /Попытка регистрации/);
		expect(mail.text).toContain(`${portal.url}/reset`);
		expect(smtp.messages.filter((m) => m.to.includes('twice@example.ru') && /Подтвердите/.test(m.subject))).toHaveLength(1);
		expect((await new Client(portal.url).post('/login', { email: 'twice@example.ru', password: PASSWORD })).status).toBe(303);
	});

	it('password reset: mailed single-use link, old sessions end, new password works', async () => {
		const a = new Client(portal.url);
		await register(a, 'reset@example.ru');
		expect((await a.post('/login', { email: 'reset@example.ru', password: PASSWORD })).status).toBe(303);
		const b = new Client(portal.url);
		const req = await b.post('/reset', { email: 'reset@example.ru' });
		expect(req.status).toBe(200);
		expect(await req.text()).toContain('Если учётная запись');
		// Unknown accounts get the same answer and no mail.
		expect(await (await b.post('/reset', { email: 'ghost@example.ru' })).text()).toContain('Если учётная запись');
		const mail = await smtp.waitFor('reset@example.ru', /Восстановление/);
		const path = new URL(linkFrom(mail, '/reset/')).pathname;
		expect((await b.get(path)).status).toBe(200);
		const set = await b.post(path, { password: 'Brand-new-2026', password2: 'Brand-new-2026' });
		expect(set.status).toBe(303);
		// The old session of the other device is gone.
		expect((await a.get('/cabinet')).status).toBe(303);
		// The link is spent.
		const again = await new Client(portal.url).post(path, { password: 'Other-pass-2026', password2: 'Other-pass-2026' });
		expect(again.status).toBe(400);
		expect(await again.text()).toContain('уже использована');
		const c = new Client(portal.url);
		expect((await c.post('/login', { email: 'reset@example.ru', password: PASSWORD })).status).toBe(400);
		expect((await c.post('/login', { email: 'reset@example.ru', password: 'Brand-new-2026' })).status).toBe(303);
		expect(smtp.messages.some((m) => m.to.includes('ghost@example.ru'))).toBe(false);
	});

	it('forged tokens get a clear answer', async () => {
		const c = new Client(portal.url);
		expect(await (await c.get('/verify/forgedtoken')).text()).toContain('Ссылка недействительна');
		const r = await c.get('/reset/forgedtoken');
		expect(await r.text()).toContain('Ссылка недействительна');
	});

	it('failed logins count per (account, address) with Retry-After; a known device is never refused (issue 11, point 9)', async () => {
		const owner = new Client(portal.url);
		await register(owner, 'limited@example.ru');
		const ok = await owner.post('/login', { email: 'limited@example.ru', password: PASSWORD });
		expect(ok.status).toBe(303);
		const device = ok.headers.getSetCookie().find((x) => x.startsWith('device='))!;
		expect(device).toMatch(/HttpOnly/i);
		expect(device).toMatch(/Path=\/login/);
		expect(device).toMatch(/SameSite=Lax/i);
		expect((await owner.post('/logout', {})).status).toBe(303);
		// A stranger hammers the account from the same address (one school, one NAT).
		const stranger = new Client(portal.url);
		for (let i = 0; i < 3; i++) {
			const r = await stranger.post('/login', { email: 'limited@example.ru', password: 'wrong-password-1' });
			expect(r.status).toBe(400);
			expect(await r.text()).toContain('Неверная почта или пароль');
		}
		const blocked = await stranger.post('/login', { email: 'limited@example.ru', password: PASSWORD });
		expect(blocked.status).toBe(429);
		expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
		const text = await blocked.text();
		expect(text).toContain('Слишком много неудачных попыток');
		expect(text).toContain('вход доступен без ожидания');
		// The owner's browser, known by its device cookie, is let in with the right password.
		const back = await owner.post('/login', { email: 'limited@example.ru', password: PASSWORD });
		expect(back.status).toBe(303);
		expect(back.headers.get('location')).toBe('/cabinet');
		// Other accounts from this address are not touched.
		await register(new Client(portal.url), 'neighbour@example.ru');
		expect((await new Client(portal.url).post('/login', { email: 'neighbour@example.ru', password: PASSWORD })).status).toBe(303);
	});

	it('refuses form posts from a foreign origin', async () => {
		const c = new Client(portal.url);
		const r = await c.post('/login', { email: 'x@example.ru', password: 'whatever-123' }, 'https://evil.example.com');
		expect(r.status).toBe(403);
	});

	it('sends security headers', async () => {
		const r = await new Client(portal.url).get('/');
		expect(r.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
		expect(r.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
		expect(r.headers.get('x-content-type-options')).toBe('nosniff');
	});
});
