import { asc, desc, eq, ne, sql, and } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { applications, contests, nominations, type Contest } from '../db/schema';

/** Contests the public can see (everything but drafts), newest first. */
export function listPublicContests(db: DbOrTx) {
	return db.select().from(contests).where(ne(contests.phase, 'draft')).orderBy(desc(contests.year), desc(contests.openAt)).all();
}

export function getContestBySlug(db: DbOrTx, slug: string): Contest | undefined {
	return db.select().from(contests).where(eq(contests.slug, slug)).get();
}

export function listNominations(db: DbOrTx, contestId: string) {
	return db.select().from(nominations).where(eq(nominations.contestId, contestId)).orderBy(asc(nominations.sort), asc(nominations.title)).all();
}

export function countSubmitted(db: DbOrTx, contestId: string): number {
	return (
		db
			.select({ n: sql<number>`count(*)` })
			.from(applications)
			.where(and(eq(applications.contestId, contestId), ne(applications.status, 'draft'), ne(applications.status, 'withdrawn')))
			.get()?.n ?? 0
	);
}

/** How many applications of the contest are in each status (drafts and withdrawn ones included). */
export function countByStatus(db: DbOrTx, contestId: string): Record<string, number> {
	const rows = db
		.select({ status: applications.status, n: sql<number>`count(*)` })
		.from(applications)
		.where(eq(applications.contestId, contestId))
		.groupBy(applications.status)
		.all();
	return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

export { PHASE_TITLE } from '../../glossary';

/**
 * The contest (and nomination) an applicant chose before registering, named for the register and
 * «Проверьте почту» pages; null for anything that is not an open contest's form.
 */
export function describeApplyIntent(db: DbOrTx, slugs: { contest: string; nomination: string | null } | null): { contestTitle: string; nominationTitle: string | null } | null {
	if (!slugs) return null;
	const c = getContestBySlug(db, slugs.contest);
	if (!c || c.phase === 'draft') return null;
	const n = slugs.nomination ? listNominations(db, c.id).find((x) => x.slug === slugs.nomination) : undefined;
	return { contestTitle: c.title, nominationTitle: n?.title ?? null };
}

/** Every contest, newest first (the jury console's contest picker). */
export function listContestsNewestFirst(db: DbOrTx) {
	return db.select({ slug: contests.slug, title: contests.title, phase: contests.phase }).from(contests).orderBy(desc(contests.year), desc(contests.openAt)).all();
}
