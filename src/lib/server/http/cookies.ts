import type { Cookies } from '@sveltejs/kit';
import { config } from '../config';
import { DEVICE_COOKIE } from '../auth/throttle';

export const SESSION_COOKIE = 'session';

export function setSessionCookie(cookies: Cookies, token: string) {
	const c = config();
	cookies.set(SESSION_COOKIE, token, {
		path: '/',
		httpOnly: true,
		sameSite: 'lax',
		secure: c.secureCookies,
		maxAge: c.SESSION_DAYS * 86400
	});
}

export function deleteSessionCookie(cookies: Cookies) {
	cookies.delete(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure: config().secureCookies });
}

/**
 * The device cookie of the login throttle (throttle.ts): only the login form reads it, so it is
 * sent only there; a year long, renewed at every login.
 */
export function setDeviceCookie(cookies: Cookies, value: string) {
	cookies.set(DEVICE_COOKIE, value, { path: '/login', httpOnly: true, sameSite: 'lax', secure: config().secureCookies, maxAge: 365 * 86400 });
}
