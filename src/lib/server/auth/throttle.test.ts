import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { tempDb } from '../../../../tests/helpers/db';
import { createUser } from './accounts';
import { passwordLogin } from './login';
import { LoginThrottle, deviceFor, newDeviceEntry, withDevice, type ThrottleOptions } from './throttle';
import type { DB } from '../db/client';

const OPTS: ThrottleOptions = { pairLimit: 5, accountFree: 5, ipLimit: 100, windowMs: 15 * 60_000, maxDelayMs: 60_000 };
const key = randomBytes(32);

describe('LoginThrottle (clock injected)', () => {
	let now: number;
	let t: LoginThrottle;
	beforeEach(() => {
		now = 1_700_000_000_000;
		t = new LoginThrottle(OPTS, () => now);
	});

	it('counts failures per (account, address): one address cannot lock the account for another', () => {
		for (let i = 0; i < 5; i++) {
			expect(t.check('jury@x.ru', '10.0.0.66', null).ok).toBe(true);
			t.failure('jury@x.ru', '10.0.0.66', null);
		}
		const g = t.check('jury@x.ru', '10.0.0.66', null);
		expect(g).toMatchObject({ ok: false, reason: 'pair', retryAfterSec: 900 });
		expect(!g.ok && g.message).toMatch(/^Слишком много неудачных попыток войти в эту учётную запись с вашего адреса\. Повторите через 15 мин\./);
		// Another account from the same address is not touched; the pair recovers after its window.
		expect(t.check('other@x.ru', '10.0.0.66', null).ok).toBe(true);
		now += 15 * 60_000;
		expect(t.check('jury@x.ru', '10.0.0.66', null).ok).toBe(true);
	});

	it('slows the account down progressively for unknown devices: 1 s, 2 s, 4 s … never more than the cap', () => {
		// An attacker spreads failures over many addresses (a botnet): no pair reaches its limit.
		for (let i = 0; i < 5; i++) t.failure('jury@x.ru', `10.0.1.${i}`, null);
		expect(t.check('jury@x.ru', '192.168.0.7', null)).toMatchObject({ ok: false, reason: 'account', retryAfterSec: 1 });
		now += 1000;
		expect(t.check('jury@x.ru', '192.168.0.7', null).ok).toBe(true);
		t.failure('jury@x.ru', '10.0.1.99', null);
		expect(t.check('jury@x.ru', '192.168.0.7', null)).toMatchObject({ ok: false, retryAfterSec: 2 });
		expect([5, 6, 7, 8, 10, 11, 12, 30].map((n) => t.delayMs(n))).toEqual([1000, 2000, 4000, 8000, 32_000, 60_000, 60_000, 60_000]);
		for (let i = 0; i < 40; i++) {
			now += 60_000;
			t.failure('jury@x.ru', `10.0.2.${i}`, null);
		}
		const g = t.check('jury@x.ru', '192.168.0.7', null);
		expect(g).toMatchObject({ ok: false, reason: 'account', retryAfterSec: 60 });
		expect(!g.ok && g.message).toContain('С устройства, с которого вы уже входили, вход доступен без ожидания');
		now += 60_000;
		expect(t.check('jury@x.ru', '192.168.0.7', null).ok).toBe(true);
	});

	it('a known device is never refused, whatever strangers did; its own failures spend its trust', () => {
		for (let i = 0; i < 200; i++) t.failure('jury@x.ru', `10.0.3.${i % 50}`, null);
		for (let i = 0; i < 200; i++) t.failure(`u${i}@x.ru`, '10.0.0.1', null); // the school's NAT address is over its limit
		expect(t.check('jury@x.ru', '10.0.0.1', null).ok).toBe(false);
		expect(t.check('jury@x.ru', '10.0.0.1', 'dev-1').ok).toBe(true);
		expect(t.check('pupil@x.ru', '10.0.0.1', null)).toMatchObject({ ok: false, reason: 'address' });
		expect(t.check('pupil@x.ru', '10.0.0.1', 'dev-2').ok).toBe(true);
		// The device's own failures: five of them and it is an unknown device again.
		for (let i = 0; i < 5; i++) {
			expect(t.known('dev-1')).toBe(true);
			t.failure('jury@x.ru', '10.0.0.1', 'dev-1');
		}
		expect(t.known('dev-1')).toBe(false);
		expect(t.check('jury@x.ru', '10.0.0.1', 'dev-1').ok).toBe(false);
		t.success('jury@x.ru', '10.0.0.1', 'dev-1');
		expect(t.known('dev-1')).toBe(true);
	});
});

describe('device cookies', () => {
	it('are signed per account and keep up to five accounts', () => {
		const c1 = withDevice(key, undefined, 'a@x.ru');
		const id = deviceFor(key, c1, 'a@x.ru');
		expect(id).toBeTruthy();
		expect(deviceFor(key, c1, 'b@x.ru')).toBeNull();
		expect(deviceFor(randomBytes(32), c1, 'a@x.ru')).toBeNull();
		expect(deviceFor(key, c1.replace(/.$/, (ch) => (ch === 'A' ? 'B' : 'A')), 'a@x.ru')).toBeNull();
		let c = c1;
		for (const a of ['b', 'c', 'd', 'e', 'f', 'g']) c = withDevice(key, c, `${a}@x.ru`);
		expect(c.split('~')).toHaveLength(5);
		expect(deviceFor(key, c, 'g@x.ru')).toBeTruthy();
		expect(deviceFor(key, c, 'a@x.ru')).toBeNull(); // the oldest is dropped
		// Logging in again keeps the device's id.
		const again = withDevice(key, c, 'g@x.ru');
		expect(deviceFor(key, again, 'g@x.ru')).toBe(deviceFor(key, c, 'g@x.ru'));
		expect(newDeviceEntry(key, 'a@x.ru')).not.toBe(newDeviceEntry(key, 'a@x.ru'));
		expect(deviceFor(key, 'garbage~..~' + 'x'.repeat(2000), 'a@x.ru')).toBeNull();
	});
});

describe('passwordLogin: lockout is not a weapon', () => {
	let d: ReturnType<typeof tempDb>;
	let db: DB;
	beforeEach(async () => {
		d = tempDb();
		db = d.db;
		await createUser(db, { email: 'jury@x.ru', fio: 'Ермаков Алексей Викторович', password: 'Right-pass-2026', role: 'jury', verified: true });
	});
	afterEach(() => d.cleanup());

	it('the right password from a known device passes while an attacker hammers the account; Russian messages', async () => {
		let now = 1_700_000_000_000;
		const t = new LoginThrottle(OPTS, () => now);
		const login = (password: string, address: string, deviceCookie?: string) => passwordLogin(db, t, key, { email: 'jury@x.ru', password, address, deviceCookie });
		const first = await login('Right-pass-2026', '10.0.0.5');
		expect(first.ok).toBe(true);
		const cookie = first.ok ? first.deviceCookie : '';
		// The night before the deadline: fifty wrong passwords from the attacker's address.
		for (let i = 0; i < 50; i++) await login('wrong-pass-1', '203.0.113.9');
		const attacker = await login('Right-pass-2026', '203.0.113.9');
		expect(attacker).toMatchObject({ ok: false, status: 429 });
		// The juror on their own laptop — even behind the same address — gets in at once.
		expect((await login('Right-pass-2026', '203.0.113.9', cookie)).ok).toBe(true);
		expect((await login('Right-pass-2026', '10.0.0.5', cookie)).ok).toBe(true);
		// On a new device the juror waits the account's slowdown (seconds), then gets in.
		const fresh = await login('Right-pass-2026', '198.51.100.1');
		expect(fresh).toMatchObject({ ok: false, status: 429 });
		expect(!fresh.ok && fresh.message).toMatch(/временно замедлен/);
		now += 60_000;
		expect((await login('Right-pass-2026', '198.51.100.1')).ok).toBe(true);
		expect(await login('wrong', '198.51.100.2')).toEqual({ ok: false, status: 400, message: 'Неверная почта или пароль' });
	});
});
