import type { Cookies } from '@sveltejs/kit';
import { config } from '../config';

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
