/**
 * «Who may see what» as a table: role × thing × state → allowed, written out by hand and checked
 * against the predicates of access.ts. tests/integration/guards.test.ts checks the running portal
 * against the same module (its route matrix and the draft/published rows).
 */
import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors';
import {
	assignmentRefusal,
	canSeeAssignment,
	canSeeContest,
	canSeeFeedback,
	canSeeLetter,
	canSeePractice,
	canSeeScores,
	canSeeVideo,
	inOpenData,
	isOwner,
	requireOwner,
	rolesFor,
	routeAccess,
	type Viewer
} from './access';

/**
 * The visitors: nobody; the applicant whose application (file, feedback) it is and another one;
 * the juror the assignment is for and another one; an organizer.
 */
const WHO = {
	anonymous: null,
	owner: { id: 'applicant-1', role: 'applicant' },
	applicant: { id: 'applicant-2', role: 'applicant' },
	assigned: { id: 'juror-1', role: 'jury' },
	jury: { id: 'juror-2', role: 'jury' },
	organizer: { id: 'organizer-1', role: 'organizer' }
} satisfies Record<string, Viewer>;
type Who = keyof typeof WHO;

const Y = true;
const N = false;
/** One row: what each visitor gets, in the order of WHO. */
const row = (anonymous: boolean, owner: boolean, applicant: boolean, assigned: boolean, jury: boolean, organizer: boolean): Record<Who, boolean> => ({ anonymous, owner, applicant, assigned, jury, organizer });

const ownedBy = { ownerId: WHO.owner.id };
const assignment = (status: string) => ({ jurorId: WHO.assigned.id, status });

/** thing, state, the check, and the answer for                  anon owner appl. assig. jury  org. */
const TABLE: [string, string, (v: Viewer) => boolean, Record<Who, boolean>][] = [
	['contest', 'draft', (v) => canSeeContest(v, { phase: 'draft' }), row(N, N, N, N, N, Y)],
	['contest', 'open', (v) => canSeeContest(v, { phase: 'open' }), row(Y, Y, Y, Y, Y, Y)],
	['contest', 'review', (v) => canSeeContest(v, { phase: 'review' }), row(Y, Y, Y, Y, Y, Y)],
	['contest', 'results', (v) => canSeeContest(v, { phase: 'results' }), row(Y, Y, Y, Y, Y, Y)],
	['contest', 'published', (v) => canSeeContest(v, { phase: 'published' }), row(Y, Y, Y, Y, Y, Y)],

	['practice', 'draft', (v) => canSeePractice(v, { status: 'draft' }), row(N, N, N, N, N, Y)],
	['practice', 'published', (v) => canSeePractice(v, { status: 'published' }), row(Y, Y, Y, Y, Y, Y)],
	['practice', 'unpublished', (v) => canSeePractice(v, { status: 'unpublished' }), row(N, N, N, N, N, Y)],
	['open data', 'draft', () => inOpenData({ status: 'draft' }), row(N, N, N, N, N, N)],
	['open data', 'published', () => inOpenData({ status: 'published' }), row(Y, Y, Y, Y, Y, Y)],
	['open data', 'unpublished', () => inOpenData({ status: 'unpublished' }), row(N, N, N, N, N, N)],

	['application', 'any', (v) => isOwner(v, WHO.owner.id), row(N, Y, N, N, N, N)],
	['video', 'any', (v) => canSeeVideo(v, ownedBy), row(N, Y, N, N, N, Y)],
	['video', 'owner unknown', (v) => canSeeVideo(v, { ownerId: null }), row(N, N, N, N, N, Y)],
	['letter', 'any', (v) => canSeeLetter(v, ownedBy), row(N, Y, N, N, N, N)],

	['assignment', 'draft round', (v) => canSeeAssignment(v, assignment('assigned'), { status: 'draft' }), row(N, N, N, N, N, Y)],
	['assignment', 'active, assigned', (v) => canSeeAssignment(v, assignment('assigned'), { status: 'active' }), row(N, N, N, Y, N, Y)],
	['assignment', 'active, draft scores', (v) => canSeeAssignment(v, assignment('draft'), { status: 'active' }), row(N, N, N, Y, N, Y)],
	['assignment', 'closed, submitted', (v) => canSeeAssignment(v, assignment('submitted'), { status: 'closed' }), row(N, N, N, Y, N, Y)],
	['assignment', 'removed', (v) => canSeeAssignment(v, assignment('removed'), { status: 'active' }), row(N, N, N, N, N, Y)],
	['assignment', 'recused', (v) => canSeeAssignment(v, assignment('recused'), { status: 'active' }), row(N, N, N, N, N, Y)],
	['score', 'active, submitted', (v) => canSeeScores(v, assignment('submitted'), { status: 'active' }), row(N, N, N, Y, N, Y)],
	['score', 'draft round', (v) => canSeeScores(v, assignment('assigned'), { status: 'draft' }), row(N, N, N, N, N, Y)],
	['score', 'removed', (v) => canSeeScores(v, assignment('removed'), { status: 'closed' }), row(N, N, N, N, N, Y)],

	['feedback', 'application draft', (v) => canSeeFeedback(v, { applicantId: WHO.owner.id, status: 'draft' }), row(N, N, N, N, N, Y)],
	['feedback', 'submitted', (v) => canSeeFeedback(v, { applicantId: WHO.owner.id, status: 'submitted' }), row(N, Y, N, N, N, Y)],
	['feedback', 'in review', (v) => canSeeFeedback(v, { applicantId: WHO.owner.id, status: 'in_review' }), row(N, Y, N, N, N, Y)],
	['feedback', 'winner', (v) => canSeeFeedback(v, { applicantId: WHO.owner.id, status: 'winner' }), row(N, Y, N, N, N, Y)],
	['feedback', 'withdrawn', (v) => canSeeFeedback(v, { applicantId: WHO.owner.id, status: 'withdrawn' }), row(N, Y, N, N, N, Y)]
];

describe('who may see what: role × thing × state', () => {
	for (const [thing, state, check, want] of TABLE) {
		for (const who of Object.keys(WHO) as Who[]) {
			it(`${thing} · ${state} · ${who} → ${want[who] ? 'yes' : 'no'}`, () => {
				expect(check(WHO[who])).toBe(want[who]);
			});
		}
	}
});

/** path, and what each role gets: allow, login (anonymous → /login), forbidden (403). */
const ROUTES: [string, Record<'anonymous' | 'applicant' | 'jury' | 'organizer', 'allow' | 'login' | 'forbidden'>][] = [
	['/', { anonymous: 'allow', applicant: 'allow', jury: 'allow', organizer: 'allow' }],
	['/library/some-practice', { anonymous: 'allow', applicant: 'allow', jury: 'allow', organizer: 'allow' }],
	['/api/practices', { anonymous: 'allow', applicant: 'allow', jury: 'allow', organizer: 'allow' }],
	['/administrator', { anonymous: 'allow', applicant: 'allow', jury: 'allow', organizer: 'allow' }],
	['/admin', { anonymous: 'login', applicant: 'forbidden', jury: 'forbidden', organizer: 'allow' }],
	['/admin/jury/x/rounds/1', { anonymous: 'login', applicant: 'forbidden', jury: 'forbidden', organizer: 'allow' }],
	['/jury', { anonymous: 'login', applicant: 'forbidden', jury: 'allow', organizer: 'forbidden' }],
	['/jury/assignments/x', { anonymous: 'login', applicant: 'forbidden', jury: 'allow', organizer: 'forbidden' }],
	['/cabinet', { anonymous: 'login', applicant: 'allow', jury: 'allow', organizer: 'allow' }],
	['/cabinet/settings', { anonymous: 'login', applicant: 'allow', jury: 'allow', organizer: 'allow' }],
	['/cabinet/applications/x/about', { anonymous: 'login', applicant: 'allow', jury: 'forbidden', organizer: 'forbidden' }],
	['/cabinet/apply/contest', { anonymous: 'login', applicant: 'allow', jury: 'forbidden', organizer: 'forbidden' }],
	['/cabinet/applyx', { anonymous: 'login', applicant: 'allow', jury: 'allow', organizer: 'allow' }],
	['/api/uploads', { anonymous: 'login', applicant: 'allow', jury: 'forbidden', organizer: 'allow' }],
	['/api/uploads/x/complete', { anonymous: 'login', applicant: 'allow', jury: 'forbidden', organizer: 'allow' }]
];
const ROLE_VIEWER = { anonymous: null, applicant: WHO.applicant, jury: WHO.jury, organizer: WHO.organizer };

describe('parts of the site by role', () => {
	for (const [path, want] of ROUTES) {
		for (const who of Object.keys(want) as (keyof typeof want)[]) {
			it(`${path} × ${who} → ${want[who]}`, () => expect(routeAccess(path, ROLE_VIEWER[who])).toBe(want[who]));
		}
	}

	it('reads route ids as well as paths: the longest prefix wins', () => {
		expect(rolesFor('/admin/jury/[slug]/rounds/[number]')).toEqual(['organizer']);
		expect(rolesFor('/cabinet/applications/[id]/[step]')).toEqual(['applicant']);
		expect(rolesFor('/cabinet/settings')).toEqual(['applicant', 'jury', 'organizer']);
		expect(rolesFor('/library/[slug]')).toBeNull();
	});
});

describe('refusals', () => {
	it("someone else's thing is 403 and never says whose", () => {
		expect(() => requireOwner(WHO.owner, WHO.owner.id)).not.toThrow();
		for (const [viewer, owner] of [
			[WHO.applicant, WHO.owner.id],
			[WHO.organizer, WHO.owner.id],
			[null, WHO.owner.id],
			[WHO.owner, null]
		] as const) {
			let thrown: unknown;
			try {
				requireOwner(viewer, owner, 'Нет доступа к этой загрузке');
			} catch (e) {
				thrown = e;
			}
			expect(thrown).toBeInstanceOf(DomainError);
			expect(thrown).toMatchObject({ status: 403, message: 'Нет доступа к этой загрузке' });
			expect((thrown as Error).message).not.toContain(WHO.owner.id);
		}
	});

	it("an assignment: someone else's 403, a round not started 403, removed or recused 410", () => {
		expect(assignmentRefusal(WHO.jury, assignment('assigned'), { status: 'active' })).toMatchObject({ status: 403, message: 'Эта заявка назначена другому эксперту: открыть её нельзя' });
		expect(assignmentRefusal(WHO.assigned, assignment('assigned'), { status: 'draft' })).toMatchObject({ status: 403, code: 'forbidden' });
		expect(assignmentRefusal(WHO.assigned, assignment('removed'), { status: 'active' })).toMatchObject({ status: 410, code: 'removed' });
		expect(assignmentRefusal(WHO.assigned, assignment('recused'), { status: 'closed' })).toMatchObject({ status: 410, code: 'recused' });
		expect(assignmentRefusal(WHO.assigned, assignment('submitted'), { status: 'closed' })).toBeNull();
	});
});
