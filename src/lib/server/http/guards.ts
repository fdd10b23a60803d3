/**
 * The role checks of loads, actions and endpoints. Which role opens which part of the site is
 * decided in auth/access.ts (ROUTE_ROLES); these functions only answer it over HTTP: a redirect to
 * /login for the anonymous, 403 «Раздел недоступен для вашей роли» for a wrong role.
 */
import { error, redirect, type RequestEvent } from '@sveltejs/kit';
import type { Role } from '../db/schema';
import { rolesFor } from '../auth/access';

export type SignedIn = NonNullable<App.Locals['user']>;

/**
 * The path as SvelteKit's router matches it: percent-escapes decoded the way the router does
 * (`decodeURI` around every `%25`), so `/%61dmin` is `/admin` for the guard as it is for the
 * router. A path that cannot be decoded is null: the router answers it with 400 and runs no route.
 */
export function routerPath(pathname: string): string | null {
	try {
		return pathname.split('%25').map(decodeURI).join('%25');
	} catch {
		return null;
	}
}

export function loginRedirect(url: URL): never {
	redirect(303, `/login?next=${encodeURIComponent(url.pathname + url.search)}`);
}

/** Throws a redirect to login for anonymous users and 403 for the wrong role. */
export function requireRole(locals: App.Locals, url: URL, ...roles: readonly Role[]): SignedIn {
	const user = locals.user;
	if (!user) loginRedirect(url);
	if (roles.length && !roles.includes(user.role)) error(403, 'Раздел недоступен для вашей роли');
	return user;
}

/** Any signed-in account (public pages with a signed-in action). */
export function requireUser(locals: App.Locals, url: URL): SignedIn {
	return requireRole(locals, url);
}

/** The route's path without its (groups): `/(public)/library/[slug]` → `/library/[slug]`. */
const routePath = (id: string) => id.replace(/\/\([^)]+\)/g, '') || '/';

/**
 * The signed-in user this route's part of the site admits (auth/access.ts, by the route's id), or
 * the login redirect / 403. Every load, action and endpoint under a guarded prefix calls it.
 */
export function guard(event: Pick<RequestEvent, 'locals' | 'url' | 'route'>): SignedIn {
	const path = event.route.id ? routePath(event.route.id) : (routerPath(event.url.pathname) ?? event.url.pathname);
	return requireRole(event.locals, event.url, ...(rolesFor(path) ?? []));
}
