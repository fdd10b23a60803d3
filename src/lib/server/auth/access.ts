/**
 * Who may see what — the one place that answers it.
 *
 * 1. Parts of the site (ROUTE_ROLES, longest prefix wins; everything else is public):
 *
 *      /admin…                 organizer
 *      /jury…                  jury
 *      /cabinet…               any signed-in account (applicant, jury, organizer): settings, the list
 *      /cabinet/applications…  applicant — the application wizard
 *      /cabinet/apply…         applicant — starting an application
 *      /api/uploads…           applicant and organizer
 *
 *    `routeAccess(path, viewer)` is what a visitor gets: 'allow', 'login' (anonymous: a redirect to
 *    /login, 401 for the API) or 'forbidden' (403 «Раздел недоступен для вашей роли»). The hook
 *    (http/handles.ts → `accessGuard`) applies it to every request on the path the router matches
 *    (percent-escapes decoded). A wrong role's GET of a page goes on to the group's layout, which
 *    answers the same 403 with the portal's own error page (its data request, __data.json, is
 *    refused by the hook); page loads wait for that layout (`await parent()`) or ask themselves,
 *    and every action and endpoint asks again with `guard(event)` (http/guards.ts), which reads
 *    this same table by the route's id — so no handler runs for a role the table does not name.
 *
 * 2. Things, by whose they are and by their state (a refusal of someone else's thing is 403 and
 *    never says whose; a thing the visitor must not learn exists is 404, as if it did not):
 *
 *      contest      draft: organizers only (404 for others); any other phase: everyone    canSeeContest
 *      practice     published: everyone; draft and unpublished: organizers (a preview)   canSeePractice
 *                   open data (JSON API, CSV, Atom, sitemap): published only, for
 *                   everyone — organizers included, open data has no preview             inOpenData
 *      application  its applicant (the cabinet); organizers only through the consoles    requireOwner
 *      upload       the account that started it                                          requireOwner
 *      import file  the organizer who uploaded it                                        requireOwner
 *      video        its applicant and organizers (processing state, player);
 *                   a juror only through an open assignment                               canSeeVideo
 *      letter       its applicant; a juror only through an open assignment               canSeeLetter
 *      assignment   its juror, once the round has started and unless it was removed or
 *                   recused (403 / 410: assignmentRefusal); organizers (the console)      canSeeAssignment
 *      score        as its assignment: the juror's own, organizers; never the applicant  canSeeScores
 *      feedback     organizers (console, exports); the applicant of their own application,
 *                   not a draft, and only once organizers release it (contest setting
 *                   `releaseFeedback`, read by results/feedback.ts, which also leaves out the
 *                   jurors' names and their comments for the organizers)                  canSeeFeedback
 *
 * The spec beside this file (access.test.ts) is the same table as data: role × thing × state →
 * allowed; tests/integration/guards.test.ts checks the running portal against it.
 *
 * Plain TypeScript: no SvelteKit here. Refusals are DomainErrors; the HTTP adapters in
 * src/lib/server/http/ turn them into answers.
 */
import { DomainError, forbidden } from '../errors';
import type { Role } from '../db/schema';

/** Who is asking: a signed-in account, or nobody (null/undefined). */
export type Viewer = { id: string; role: string } | null | undefined;

// ---------------------------------------------------------------------------------------------
// 1. Parts of the site

export const ROUTE_ROLES: readonly { prefix: string; roles: readonly Role[] }[] = [
	{ prefix: '/admin', roles: ['organizer'] },
	{ prefix: '/jury', roles: ['jury'] },
	{ prefix: '/cabinet/applications', roles: ['applicant'] },
	{ prefix: '/cabinet/apply', roles: ['applicant'] },
	{ prefix: '/cabinet', roles: ['applicant', 'jury', 'organizer'] },
	{ prefix: '/api/uploads', roles: ['applicant', 'organizer'] }
];

const under = (path: string, prefix: string) => path === prefix || path.startsWith(prefix + '/');

/** The roles that may open a path (decoded, or a route id), or null for a public one. */
export function rolesFor(path: string): readonly Role[] | null {
	let best: (typeof ROUTE_ROLES)[number] | null = null;
	for (const r of ROUTE_ROLES) if (under(path, r.prefix) && (!best || r.prefix.length > best.prefix.length)) best = r;
	return best?.roles ?? null;
}

export type RouteAccess = 'allow' | 'login' | 'forbidden';

export function routeAccess(path: string, viewer: Viewer): RouteAccess {
	const roles = rolesFor(path);
	if (!roles) return 'allow';
	if (!viewer) return 'login';
	return (roles as readonly string[]).includes(viewer.role) ? 'allow' : 'forbidden';
}

// ---------------------------------------------------------------------------------------------
// 2. Ownership

/** Whether the viewer is the owner (an owner that is unknown — null — belongs to nobody). */
export function isOwner(viewer: Viewer, ownerId: string | null | undefined): boolean {
	return !!viewer && !!ownerId && viewer.id === ownerId;
}

/** Someone else's thing: 403 with the message, never saying whose. */
export function requireOwner(viewer: Viewer, ownerId: string | null | undefined, message?: string): void {
	if (!isOwner(viewer, ownerId)) throw forbidden(message);
}

const isOrganizer = (viewer: Viewer) => viewer?.role === 'organizer';

// ---------------------------------------------------------------------------------------------
// 3. Things by their state

/** A contest's page and its application form: drafts are the organizers' own. */
export function canSeeContest(viewer: Viewer, contest: { phase: string }): boolean {
	return contest.phase !== 'draft' || isOrganizer(viewer);
}

/** A practice's page and poster: published for everyone; drafts and unpublished ones are an organizer's preview. */
export function canSeePractice(viewer: Viewer, practice: { status: string }): boolean {
	return practice.status === 'published' || isOrganizer(viewer);
}

/** Open data (JSON API, CSV, Atom feed, sitemap): published practices only, for everyone alike. */
export function inOpenData(practice: { status: string }): boolean {
	return practice.status === 'published';
}

/** An application's video: its applicant and organizers (a juror sees it through an assignment). */
export function canSeeVideo(viewer: Viewer, video: { ownerId: string | null }): boolean {
	return isOrganizer(viewer) || isOwner(viewer, video.ownerId);
}

/** An application's letter: its applicant (a juror reads it through an assignment). */
export function canSeeLetter(viewer: Viewer, letter: { ownerId: string | null }): boolean {
	return isOwner(viewer, letter.ownerId);
}

export interface AssignmentState {
	jurorId: string;
	status: string;
}

/**
 * Why the juror may not open an assignment, or null when they may: someone else's (403, never
 * whose), a round not started yet (403), removed by the organizers or recused (410).
 */
export function assignmentRefusal(viewer: Viewer, a: AssignmentState, round: { status: string }): DomainError | null {
	if (!isOwner(viewer, a.jurorId)) return forbidden('Эта заявка назначена другому эксперту: открыть её нельзя');
	if (round.status === 'draft') return forbidden('Тур ещё не начат: организаторы откроют заявки для оценки позже');
	if (a.status === 'removed') return new DomainError(410, 'removed', 'Это назначение снято организаторами: оценивать заявку не нужно');
	if (a.status === 'recused') return new DomainError(410, 'recused', 'Вы взяли самоотвод по этой заявке: оценивать её не нужно');
	return null;
}

/** An assignment: organizers (the jury console), its juror as long as they may open it. */
export function canSeeAssignment(viewer: Viewer, a: AssignmentState, round: { status: string }): boolean {
	return isOrganizer(viewer) || assignmentRefusal(viewer, a, round) === null;
}

/** Scores follow their assignment: the juror's own, and organizers; never an applicant. */
export const canSeeScores = canSeeAssignment;

/**
 * Feedback of the jury on an application: organizers; its applicant once it is submitted (a draft
 * has none). Whether the organizers released it to applicants is the contest setting
 * `releaseFeedback`, which results/feedback.ts reads.
 */
export function canSeeFeedback(viewer: Viewer, app: { applicantId: string; status: string }): boolean {
	return isOrganizer(viewer) || (isOwner(viewer, app.applicantId) && app.status !== 'draft');
}
