import type { Role } from '../db/schema';

/** Only same-site paths are followed after login: never another host. */
export function safeNext(next: string | null | undefined): string | null {
	if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || next.length > 500) return null;
	return next;
}

export function homeFor(role: Role): string {
	return role === 'organizer' ? '/admin' : role === 'jury' ? '/jury' : '/cabinet';
}
