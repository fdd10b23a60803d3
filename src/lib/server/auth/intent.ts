/**
 * Where a new applicant was going when they registered: the application form of a contest
 * (`/cabinet/apply/<contest>` with an optional `?nomination=<nomination>`). The server keeps it
 * with the verification token, so the confirmation link lands there; only this one same-origin
 * shape is kept — never another host, never another part of the portal.
 */
const APPLY = /^\/cabinet\/apply\/([a-z0-9]+(?:-[a-z0-9]+)*)(?:\?nomination=([a-z0-9]+(?:-[a-z0-9]+)*))?$/;

export function signupIntent(next: string | null | undefined): string | null {
	if (!next || next.length > 200) return null;
	return APPLY.test(next) ? next : null;
}

/** The contest and nomination slugs of an intent (for the pages that name them). */
export function intentSlugs(next: string | null | undefined): { contest: string; nomination: string | null } | null {
	const m = next ? APPLY.exec(next) : null;
	return m ? { contest: m[1], nomination: m[2] ?? null } : null;
}
