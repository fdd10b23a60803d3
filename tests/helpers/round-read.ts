// What loadRound (src/lib/server/results/load.ts) must equal: the round's live assignments and
// their scores read with plain drizzle queries, and a loaded round in the same shape.
import { and, eq, inArray } from 'drizzle-orm';
import type { DB } from '../../src/lib/server/db/client';
import { assignments, scores } from '../../src/lib/server/db/schema';
import type { LoadedRound } from '../../src/lib/server/results/load';

/** The round's live assignments and their scores read with plain drizzle queries (what loadRound must equal). */
export function plainRead(db: DB, roundId: string) {
	const live = and(eq(assignments.roundId, roundId), inArray(assignments.status, ['assigned', 'draft', 'submitted']));
	const asg = db.select().from(assignments).where(live).all();
	const sc = db.select({ a: scores.assignmentId, c: scores.criterionId, v: scores.value }).from(scores).innerJoin(assignments, eq(assignments.id, scores.assignmentId)).where(live).all();
	const byA = new Map<string, Record<string, number>>();
	for (const r of sc) byA.set(r.a, { ...byA.get(r.a), [r.c]: r.v });
	return {
		assignments: asg.map((a) => ({ id: a.id, applicationId: a.applicationId, jurorId: a.jurorId, status: a.status, source: a.source, startedAt: a.startedAt?.getTime() ?? null, submittedAt: a.submittedAt?.getTime() ?? null, comment: a.comment, feedback: a.feedback })).sort((x, y) => (x.id < y.id ? -1 : 1)),
		scores: [...byA].sort((x, y) => (x[0] < y[0] ? -1 : 1))
	};
}

/** A loaded round's assignments and scores in the shape of plainRead. */
export const asRead = (l: Pick<LoadedRound, 'assignments' | 'scores'>) => ({
	assignments: [...l.assignments].map((a) => ({ ...a })).sort((x, y) => (x.id < y.id ? -1 : 1)),
	scores: [...l.scores].map(([k, v]) => [k, { ...v }] as [string, Record<string, number>]).sort((x, y) => (x[0] < y[0] ? -1 : 1))
});
