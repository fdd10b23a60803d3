import { eq } from 'drizzle-orm';
import type { SQLiteSelect } from 'drizzle-orm/sqlite-core';
import { applications, contests, nominations, users } from './schema';

/**
 * The joins most lists of applications need: each application with its contest, nomination and
 * applicant (all three are required references, so the inner joins keep every application).
 * The caller picks the columns from these four tables and adds its own joins, filter and order —
 * drizzle's dynamic mode:
 *
 *     const q = db.select({ number: applications.number, fio: users.fio }).from(applications).$dynamic();
 *     withApplicationContext(q).where(…).all();
 */
export function withApplicationContext<T extends SQLiteSelect>(qb: T) {
	return qb
		.innerJoin(contests, eq(contests.id, applications.contestId))
		.innerJoin(nominations, eq(nominations.id, applications.nominationId))
		.innerJoin(users, eq(users.id, applications.applicantId));
}
