import { config } from '../config';
import { RateLimiter } from './ratelimit';

let limiters: { ip: RateLimiter; account: RateLimiter } | undefined;

/** Per-IP and per-account limiters for login, registration and password reset. */
export function authLimiters() {
	if (!limiters) {
		const c = config();
		const windowMs = c.RATE_LIMIT_WINDOW_SEC * 1000;
		limiters = { ip: new RateLimiter(c.RATE_LIMIT_PER_IP, windowMs), account: new RateLimiter(c.RATE_LIMIT_PER_ACCOUNT, windowMs) };
	}
	return limiters;
}

export function resetAuthLimiters() {
	limiters = undefined;
}
