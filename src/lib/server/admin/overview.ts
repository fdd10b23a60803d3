import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { applications, contests, users } from '../db/schema';

/** Counts for the organizer's front page. */
export function overview(db: DbOrTx) {
	const byRole = db.select({ role: users.role, n: sql<number>`count(*)` }).from(users).groupBy(users.role).all();
	const byStatus = db.select({ status: applications.status, n: sql<number>`count(*)` }).from(applications).groupBy(applications.status).all();
	const contestList = db.select({ id: contests.id, slug: contests.slug, title: contests.title, phase: contests.phase, closeAt: contests.closeAt }).from(contests).all();
	return {
		users: Object.fromEntries(byRole.map((r) => [r.role, r.n])) as Record<string, number>,
		applications: Object.fromEntries(byStatus.map((r) => [r.status, r.n])) as Record<string, number>,
		contests: contestList.map((c) => ({ ...c, closeAt: c.closeAt.getTime() }))
	};
}
