import '$lib/zod-ru';
import type { Handle, HandleServerError, ServerInit } from '@sveltejs/kit';
import { error } from '@sveltejs/kit';
import { beginShutdown, boot, shutdown } from '$lib/server/boot';
import { config } from '$lib/server/config';
import { db } from '$lib/server/db/client';
import { validateSession } from '$lib/server/auth/sessions';
import { SESSION_COOKIE, setSessionCookie, deleteSessionCookie } from '$lib/server/auth/cookies';
import { rolesFor, loginRedirect, routerPath } from '$lib/server/auth/guards';
import { newId } from '$lib/server/ids';
import { TOO_LARGE_MESSAGE } from '$lib/server/http/form';
import { CSP_S3_PLACEHOLDER, s3PublicOrigin } from '$lib/server/storage/s3';

export const init: ServerInit = async () => {
	await boot();
	// At the signal the worker stops at once; storage and the database close after the last
	// request in flight has been answered (adapter-node emits sveltekit:shutdown then).
	for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => void beginShutdown());
	process.once('sveltekit:shutdown', () => {
		void shutdown();
	});
};

export const handle: Handle = async ({ event, resolve }) => {
	const started = performance.now();
	const c = config();
	const token = event.cookies.get(SESSION_COOKIE);
	event.locals.user = null;
	event.locals.sessionId = null;
	if (token) {
		const r = validateSession(db(), token, c.SESSION_DAYS * 86400_000);
		if (r) {
			event.locals.user = r.user;
			event.locals.sessionId = r.session.id;
			if (r.session.renewed) setSessionCookie(event.cookies, token);
		} else {
			deleteSessionCookie(event.cookies);
		}
	}

	// The guard reads the path the router will match (decoded), never the raw one.
	const path = routerPath(event.url.pathname) ?? event.url.pathname;
	const roles = rolesFor(path);
	if (roles) {
		if (!event.locals.user) {
			if (path.startsWith('/api/')) error(401, 'Требуется вход');
			loginRedirect(event.url);
		}
		// Pages get the Russian error page from the group's layout load (requireRole there);
		// everything else (form actions, endpoints) is refused here, before it runs.
		const isPageRead = (event.request.method === 'GET' || event.request.method === 'HEAD') && !path.startsWith('/api/');
		if (!roles.includes(event.locals.user.role) && !isPageRead) error(403, 'Раздел недоступен для вашей роли');
	}

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
	if (c.secureCookies) h.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
	if (event.locals.user && !h.has('Cache-Control')) h.set('Cache-Control', 'private, no-store');
	if (c.LOG_REQUESTS && c.NODE_ENV !== 'test') {
		console.log(`${event.request.method} ${event.url.pathname} ${response.status} ${(performance.now() - started).toFixed(1)}ms`);
	}
	return response;
};

export const handleError: HandleServerError = ({ error: e, status }) => {
	const id = newId().slice(0, 8);
	if (status >= 500) console.error(`[ошибка ${id}]`, e);
	// Errors that reach here come from SvelteKit itself (malformed path, wrong method, body too
	// large…) with English texts: the visitor gets a Russian one.
	const ru: Record<number, string> = {
		400: 'Неверный запрос',
		404: 'Страница не найдена',
		405: 'Этот адрес не принимает такой запрос',
		413: TOO_LARGE_MESSAGE,
		415: 'Неверный тип данных запроса'
	};
	return { message: status >= 500 ? 'Внутренняя ошибка сервера' : (ru[status] ?? 'Неверный запрос'), id };
};
