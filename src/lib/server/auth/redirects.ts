import type { Role } from '../db/schema';
import { config } from '../config';

/**
 * Where to go after login: only a path of this site. The value is resolved with the URL parser
 * against ORIGIN — the way a browser will resolve the Location header — and kept only when the
 * result stays on ORIGIN; it comes back percent-encoded (ASCII only, so the Location header is
 * always valid). Control characters and backslashes are refused outright: browsers drop tabs and
 * newlines and read `\` as `/`, which turns `/\t/evil.example` into `//evil.example`.
 */
export function safeNext(next: string | null | undefined, origin: string = config().origin): string | null {
	if (typeof next !== 'string' || !next.startsWith('/') || next.length > 1000) return null;
	if (/[\u0000-\u001f\u007f\\]/.test(next)) return null;
	let u: URL;
	let base: URL;
	try {
		base = new URL(origin);
		u = new URL(next, base);
	} catch {
		return null;
	}
	if (u.origin !== base.origin || u.username || u.password) return null;
	const path = u.pathname + u.search + u.hash;
	// What the browser resolves the path to must be a path again (never `//host`).
	return path.startsWith('/') && !path.startsWith('//') ? path : null;
}

export function homeFor(role: Role): string {
	return role === 'organizer' ? '/admin' : role === 'jury' ? '/jury' : '/cabinet';
}
