/**
 * The request handles of the portal, composed in hooks.server.ts with `sequence(...)` after the
 * request context of ops/handles.ts:
 *   session         — reads the session cookie into locals.user (renewing or dropping the cookie);
 *   accessGuard     — the parts of the site by role (auth/access.ts), on the path the router matches;
 *   responseHeaders — security headers, the CSP's S3 origin, Retry-After, no caching of personal pages.
 */
import { error, type Handle } from '@sveltejs/kit';
import { config } from '../config';
import { db } from '../db/client';
import { validateSession } from '../auth/sessions';
import { routeAccess } from '../auth/access';
import { SESSION_COOKIE, deleteSessionCookie, setSessionCookie } from './cookies';
import { loginRedirect, routerPath } from './guards';
import { CSP_S3_PLACEHOLDER, s3PublicOrigin } from '../storage/s3';

export const session: Handle = ({ event, resolve }) => {
	const token = event.cookies.get(SESSION_COOKIE);
	event.locals.user = null;
	event.locals.sessionId = null;
	if (token) {
		const r = validateSession(db(), token, config().SESSION_DAYS * 86400_000);
		if (r) {
			event.locals.user = r.user;
			event.locals.sessionId = r.session.id;
			if (r.session.renewed) setSessionCookie(event.cookies, token);
		} else {
			deleteSessionCookie(event.cookies);
		}
	}
	return resolve(event);
};

/**
 * The anonymous go to /login (the API answers 401); a wrong role gets 403 here, before any
 * handler runs — except the GET of a page, which goes on so that the group's layout answers the
 * same 403 with the portal's Russian error page (the page's own load asks again, see guard()).
 * The guard reads the path the router will match (decoded), never the raw one.
 */
export const accessGuard: Handle = ({ event, resolve }) => {
	const path = routerPath(event.url.pathname) ?? event.url.pathname;
	const access = routeAccess(path, event.locals.user);
	if (access === 'login') {
		if (path.startsWith('/api/')) error(401, 'Требуется вход');
		loginRedirect(event.url);
	}
	if (access === 'forbidden') {
		const pageRead = (event.request.method === 'GET' || event.request.method === 'HEAD') && !event.isDataRequest && !path.startsWith('/api/');
		if (!pageRead) error(403, 'Раздел недоступен для вашей роли');
	}
	return resolve(event);
};

export const responseHeaders: Handle = async ({ event, resolve }) => {
	const response = await resolve(event);
	const h = response.headers;
	const retryAfter = (event.locals as App.Locals & { retryAfter?: number }).retryAfter;
	if (retryAfter) h.set('Retry-After', String(retryAfter));
	const csp = h.get('content-security-policy');
	if (csp) h.set('content-security-policy', csp.replaceAll(CSP_S3_PLACEHOLDER, s3PublicOrigin()));
	h.set('X-Content-Type-Options', 'nosniff');
	h.set('Referrer-Policy', 'strict-origin-when-cross-origin');
	h.set('X-Frame-Options', 'DENY');
	h.set('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), interest-cohort=()');
	h.set('Cross-Origin-Opener-Policy', 'same-origin');
	if (config().secureCookies) h.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
	if (event.locals.user && !h.has('Cache-Control')) h.set('Cache-Control', 'private, no-store');
	return response;
};
