/**
 * Logging in with a password, throttled (throttle.ts): the attempt is checked against the
 * throttle before the password is, counted after, and a successful login renews the browser's
 * device cookie for the account.
 */
import type { DbOrTx } from '../db/client';
import type { User } from '../db/schema';
import { AccountError, authenticate } from './accounts';
import { deviceFor, withDevice, type LoginThrottle } from './throttle';

export type LoginResult =
	| { ok: true; user: User; deviceCookie: string }
	| { ok: false; status: 400 | 403 | 429; message: string; retryAfterSec?: number };

export async function passwordLogin(
	db: DbOrTx,
	throttle: LoginThrottle,
	key: Buffer,
	input: { email: string; password: string; address: string; deviceCookie: string | undefined }
): Promise<LoginResult> {
	const account = input.email.trim().toLowerCase();
	const device = deviceFor(key, input.deviceCookie, account);
	const gate = throttle.check(account, input.address, device);
	if (!gate.ok) return { ok: false, status: 429, message: gate.message, retryAfterSec: gate.retryAfterSec };
	let user: User | null;
	try {
		user = await authenticate(db, account, input.password);
	} catch (e) {
		if (e instanceof AccountError) return { ok: false, status: 403, message: e.message };
		throw e;
	}
	if (!user) {
		throttle.failure(account, input.address, device);
		return { ok: false, status: 400, message: 'Неверная почта или пароль' };
	}
	throttle.success(account, input.address, device);
	return { ok: true, user, deviceCookie: withDevice(key, input.deviceCookie, account) };
}
