import { desc, eq } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { withApplicationContext } from '../db/entries';
import { applications, contests, nominations } from '../db/schema';

/** The applicant's own applications with their contest and nomination. */
export function listMyApplications(db: DbOrTx, userId: string) {
	const q = db
		.select({
			id: applications.id,
			number: applications.number,
			status: applications.status,
			updatedAt: applications.updatedAt,
			submittedAt: applications.submittedAt,
			contestTitle: contests.title,
			contestSlug: contests.slug,
			closeAt: contests.closeAt,
			nominationTitle: nominations.title,
			practiceTitle: applications.practice
		})
		.from(applications)
		.$dynamic();
	return withApplicationContext(q)
		.where(eq(applications.applicantId, userId))
		.orderBy(desc(applications.updatedAt))
		.all();
}
