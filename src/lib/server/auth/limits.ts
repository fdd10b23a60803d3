import { config } from '../config';
import { deviceCookieKey } from '../keys';
import { RateLimiter } from './ratelimit';
import { LoginThrottle } from './throttle';

let limiters: { ip: RateLimiter; account: RateLimiter } | undefined;
let throttle: LoginThrottle | undefined;

/** Per-IP and per-account limiters for registration and password reset. */
export function authLimiters() {
	if (!limiters) {
		const c = config();
		const windowMs = c.RATE_LIMIT_WINDOW_SEC * 1000;
		limiters = { ip: new RateLimiter(c.RATE_LIMIT_PER_IP, windowMs), account: new RateLimiter(c.RATE_LIMIT_PER_ACCOUNT, windowMs) };
	}
	return limiters;
}

/** The login throttle (throttle.ts): per (account, address), account slowdown, device cookies. */
export function loginThrottle(): LoginThrottle {
	if (!throttle) {
		const c = config();
		throttle = new LoginThrottle({
			pairLimit: c.RATE_LIMIT_PER_ACCOUNT,
			accountFree: c.RATE_LIMIT_PER_ACCOUNT,
			ipLimit: c.RATE_LIMIT_PER_IP,
			windowMs: c.RATE_LIMIT_WINDOW_SEC * 1000,
			maxDelayMs: c.LOGIN_DELAY_MAX_SEC * 1000
		});
	}
	return throttle;
}

/** The installation's key for device cookies (DATA_DIR/keys). */
export function deviceKey(): Buffer {
	return deviceCookieKey(config().dataDir);
}

export function resetAuthLimiters() {
	limiters = undefined;
	throttle = undefined;
}
