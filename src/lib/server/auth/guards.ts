import { error, redirect } from '@sveltejs/kit';
import type { Role } from '../db/schema';

export type Guarded = { user: App.Locals['user'] };

/** Which roles may open each route group; anything else is public. */
export const ROUTE_ROLES: { prefix: string; roles: Role[] }[] = [
	{ prefix: '/admin', roles: ['organizer'] },
	{ prefix: '/jury', roles: ['jury'] },
	{ prefix: '/cabinet', roles: ['applicant', 'jury', 'organizer'] },
	{ prefix: '/api/uploads', roles: ['applicant', 'organizer'] }
];

export function rolesFor(pathname: string): Role[] | null {
	for (const r of ROUTE_ROLES) if (pathname === r.prefix || pathname.startsWith(r.prefix + '/')) return r.roles;
	return null;
}

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
export function requireRole(locals: App.Locals, url: URL, ...roles: Role[]): NonNullable<App.Locals['user']> {
	const user = locals.user;
	if (!user) loginRedirect(url);
	if (roles.length && !roles.includes(user.role)) error(403, 'Раздел недоступен для вашей роли');
	return user;
}

export function requireUser(locals: App.Locals, url: URL) {
	return requireRole(locals, url);
}
