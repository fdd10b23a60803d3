import '$lib/zod-ru';
import type { Handle, HandleServerError, ServerInit } from '@sveltejs/kit';
import { error } from '@sveltejs/kit';
import { beginShutdown, boot, shutdown } from '$lib/server/boot';
import { config } from '$lib/server/config';
import { db } from '$lib/server/db/client';
import { validateSession } from '$lib/server/auth/sessions';
import { SESSION_COOKIE, setSessionCookie, deleteSessionCookie } from '$lib/server/auth/cookies';
import { rolesFor, loginRedirect, routerPath } from '$lib/server/auth/guards';
import { CSP_S3_PLACEHOLDER, s3PublicOrigin } from '$lib/server/storage/s3';
import { sequence } from '@sveltejs/kit/hooks';
import { requestContext, reportError } from '$lib/server/ops/handles';
import { delivery } from '$lib/server/http/public-pages';

export const init: ServerInit = async () => {
	await boot();
	// At the signal the worker stops at once; storage and the database close after the last
	// request in flight has been answered (adapter-node emits sveltekit:shutdown then).
	for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => void beginShutdown());
	process.once('sveltekit:shutdown', () => {
		void shutdown();
	});
};

const app: Handle = async ({ event, resolve }) => {
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
	return response;
};

// Request id, access log and HTTP metrics (src/lib/server/ops/handles.ts) wrap everything;
// caching of public pages and compression (src/lib/server/http/public-pages.ts) wrap the app.
export const handle = sequence(requestContext({ logRequests: () => config().logRequests }), delivery, app);
export const handleError: HandleServerError = reportError;
