/**
 * Login throttling without lockouts that a stranger can hand out (OWASP «Blocking Brute Force
 * Attacks»: device cookies).
 *
 * - A **known device** — a browser that once logged into this account and holds a signed device
 *   cookie for it — is never refused: neither the account's slowdown nor the address's limit
 *   applies to it, so nobody can keep a juror out of their account the night before a deadline.
 *   Only its own failures count against it: after `pairLimit` wrong passwords from that device its
 *   cookie stops counting as known (until the next successful login).
 * - Other devices are counted **per (account, address) pair**: after `pairLimit` failures that pair
 *   waits until its window ends; another address — or the owner's known device — is not affected.
 * - The **account** itself is slowed progressively for unknown devices: after `accountFree` failures
 *   from anywhere, the next attempt waits 1 s, then 2, 4, … up to `maxDelayMs` after the last
 *   failure. A stranger can make the owner wait seconds on a new device, never lock them out.
 * - An **address** with `ipLimit` failures across accounts (credential stuffing) waits for its
 *   window — only for unknown devices, so a school behind one NAT keeps working for everyone who
 *   has logged in from their computer before.
 *
 * State lives in memory (one portal process serves the HTTP); the clock is injected for tests.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface ThrottleOptions {
	/** Failures per (account, address) — and per known device — before it waits for the window. */
	pairLimit: number;
	/** Failures on an account (unknown devices) before the progressive delay starts. */
	accountFree: number;
	/** Failures from one address over all accounts before it waits (unknown devices only). */
	ipLimit: number;
	windowMs: number;
	/** The longest delay of the account slowdown. */
	maxDelayMs: number;
}

export type Refusal = { ok: false; reason: 'pair' | 'account' | 'address'; retryAfterSec: number; message: string };
export type Gate = { ok: true } | Refusal;

interface Counter {
	count: number;
	resetAt: number;
	last: number;
}

const sec = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

function waitText(s: number): string {
	return s < 90 ? `${s} с` : `${Math.ceil(s / 60)} мин.`;
}

const KNOWN_DEVICE = 'С устройства, с которого вы уже входили, вход доступен без ожидания.';

function refusal(reason: Refusal['reason'], waitMs: number): Refusal {
	const s = sec(waitMs);
	const text = {
		pair: `Слишком много неудачных попыток войти в эту учётную запись с вашего адреса. Повторите через ${waitText(s)} или восстановите пароль по ссылке «Забыли пароль?».`,
		address: `С вашего адреса слишком много неудачных попыток входа. Повторите через ${waitText(s)}.`,
		account: `Вход в эту учётную запись временно замедлен из-за неудачных попыток. Повторите через ${waitText(s)}.`
	}[reason];
	return { ok: false, reason, retryAfterSec: s, message: `${text} ${KNOWN_DEVICE}` };
}

export class LoginThrottle {
	private pairs = new Map<string, Counter>();
	private accounts = new Map<string, Counter>();
	private addresses = new Map<string, Counter>();
	private devices = new Map<string, Counter>();

	constructor(
		private o: ThrottleOptions,
		private now: () => number = Date.now
	) {}

	/** Whether the device's own failures have used up its trust. */
	private deviceSpent(device: string | null): boolean {
		if (!device) return true;
		const d = this.live(this.devices, device);
		return !!d && d.count >= this.o.pairLimit;
	}

	/** A known device is one with a valid cookie whose own failures are under the limit. */
	known(device: string | null): boolean {
		return !!device && !this.deviceSpent(device);
	}

	/** May this attempt be checked at all? (Nothing is counted here.) */
	check(account: string, address: string, device: string | null): Gate {
		if (this.known(device)) return { ok: true };
		const t = this.now();
		const pair = this.live(this.pairs, `${account}\n${address}`);
		if (pair && pair.count >= this.o.pairLimit) return refusal('pair', pair.resetAt - t);
		const ip = this.live(this.addresses, address);
		if (ip && ip.count >= this.o.ipLimit) return refusal('address', ip.resetAt - t);
		const acc = this.live(this.accounts, account);
		const wait = acc ? this.delayMs(acc.count) - (t - acc.last) : 0;
		if (wait > 0) return refusal('account', wait);
		return { ok: true };
	}

	/** The delay before the next attempt after `failures` failures on an account. */
	delayMs(failures: number): number {
		if (failures < this.o.accountFree) return 0;
		return Math.min(this.o.maxDelayMs, 1000 * 2 ** (failures - this.o.accountFree));
	}

	/** Counts a wrong password. */
	failure(account: string, address: string, device: string | null) {
		if (this.known(device)) {
			this.bump(this.devices, device!);
			return;
		}
		this.bump(this.pairs, `${account}\n${address}`);
		this.bump(this.accounts, account);
		this.bump(this.addresses, address);
	}

	/** The right password: this pair and this device start again (the account's slowdown stays for others). */
	success(account: string, address: string, device: string | null) {
		this.pairs.delete(`${account}\n${address}`);
		if (device) this.devices.delete(device);
	}

	clear() {
		for (const m of [this.pairs, this.accounts, this.addresses, this.devices]) m.clear();
	}

	private live(m: Map<string, Counter>, key: string): Counter | undefined {
		const e = m.get(key);
		if (e && e.resetAt <= this.now()) {
			m.delete(key);
			return undefined;
		}
		return e;
	}

	private bump(m: Map<string, Counter>, key: string) {
		const t = this.now();
		let e = this.live(m, key);
		if (!e) {
			e = { count: 0, resetAt: t + this.o.windowMs, last: t };
			m.set(key, e);
		}
		e.count++;
		e.last = t;
		// The account's window lasts as long as failures keep coming.
		if (m === this.accounts) e.resetAt = Math.max(e.resetAt, t + this.o.windowMs);
		if (m.size > 50_000) for (const [k, v] of m) if (v.resetAt <= t) m.delete(k);
	}
}

// ---------------------------------------------------------------------------
// Device cookies: `<nonce>.<mac>` per account, several accounts in one cookie
// ---------------------------------------------------------------------------

export const DEVICE_COOKIE = 'device';
const MAX_ACCOUNTS_PER_DEVICE = 5;

function mac(key: Buffer, nonce: string, account: string): string {
	return createHmac('sha256', key).update(`device-v1\n${nonce}\n${account}`).digest('base64url').slice(0, 32);
}

/** A new entry for the account: a random nonce (the device's id) and its signature. */
export function newDeviceEntry(key: Buffer, account: string): string {
	const nonce = randomBytes(16).toString('base64url');
	return `${nonce}.${mac(key, nonce, account)}`;
}

/** The device id (nonce) the cookie holds for this account, if one of its entries is signed for it. */
export function deviceFor(key: Buffer, cookie: string | undefined, account: string): string | null {
	if (!cookie || cookie.length > 1000) return null;
	for (const entry of cookie.split('~')) {
		const [nonce, sig] = entry.split('.');
		if (!nonce || !sig || nonce.length > 40) continue;
		const want = Buffer.from(mac(key, nonce, account));
		const got = Buffer.from(sig);
		if (got.length === want.length && timingSafeEqual(got, want)) return nonce;
	}
	return null;
}

/** The cookie after a login: this account's entry first, at most five accounts per browser. */
export function withDevice(key: Buffer, cookie: string | undefined, account: string): string {
	const own = deviceFor(key, cookie, account);
	const entries = (cookie ?? '').split('~').filter((e) => e && !(own && e.startsWith(`${own}.`)) && /^[\w-]{1,40}\.[\w-]{32}$/.test(e));
	const mine = own ? `${own}.${mac(key, own, account)}` : newDeviceEntry(key, account);
	return [mine, ...entries].slice(0, MAX_ACCOUNTS_PER_DEVICE).join('~');
}
