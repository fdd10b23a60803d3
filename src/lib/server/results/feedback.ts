/**
 * Feedback to applicants, released when the organizer chooses (contest setting
 * `releaseFeedback`): per round in which the application was reviewed, the mean of the submitted
 * scores per criterion (on the criterion's own scale) and the feedback the jurors wrote for the
 * applicant (`assignments.feedback`). The juror's comment for the organizers
 * (`assignments.comment`) never leaves the console: it is not even read here.
 *
 * Anonymized: no juror names, ids, totals per juror or timestamps leave this function; feedback
 * is labelled «Эксперт 1, 2, …» in the order of the assignment ids, which are random and say
 * nothing about who wrote what. Only submitted reviews count; an empty feedback is left out.
 */
import { and, asc, eq, inArray, isNull, or } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { applications, assignments, contests, criteria, rounds, scores } from '../db/schema';
import { contestSettings } from '../contests/settings';

export interface FeedbackRound {
	title: string;
	number: number;
	reviews: number;
	criteria: { title: string; scaleMin: number; scaleMax: number; mean: number | null }[];
	comments: { label: string; text: string }[];
}

/** null when feedback is not released for the application's contest (or nothing is reviewed yet). */
export function applicantFeedback(db: DbOrTx, applicationId: string): FeedbackRound[] | null {
	const app = db
		.select({ id: applications.id, contestId: applications.contestId, nominationId: applications.nominationId, settings: contests.settings })
		.from(applications)
		.innerJoin(contests, eq(contests.id, applications.contestId))
		.where(eq(applications.id, applicationId))
		.get();
	if (!app || !contestSettings(app.settings).releaseFeedback) return null;
	const rows = db
		.select({ id: assignments.id, roundId: assignments.roundId, feedback: assignments.feedback, number: rounds.number, title: rounds.title })
		.from(assignments)
		.innerJoin(rounds, eq(rounds.id, assignments.roundId))
		.where(and(eq(assignments.applicationId, applicationId), eq(assignments.status, 'submitted')))
		.orderBy(asc(rounds.number), asc(assignments.id))
		.all();
	if (!rows.length) return null;
	const crit = db
		.select({ id: criteria.id, title: criteria.title, scaleMin: criteria.scaleMin, scaleMax: criteria.scaleMax })
		.from(criteria)
		.where(and(eq(criteria.contestId, app.contestId), or(isNull(criteria.nominationId), eq(criteria.nominationId, app.nominationId))))
		.orderBy(asc(criteria.sort), asc(criteria.createdAt))
		.all();
	const vals = db
		.select({ assignmentId: scores.assignmentId, criterionId: scores.criterionId, value: scores.value })
		.from(scores)
		.where(
			inArray(
				scores.assignmentId,
				rows.map((r) => r.id)
			)
		)
		.all();
	const byRound = new Map<string, typeof rows>();
	for (const r of rows) {
		const l = byRound.get(r.roundId);
		if (l) l.push(r);
		else byRound.set(r.roundId, [r]);
	}
	const out: FeedbackRound[] = [];
	for (const list of byRound.values()) {
		const ids = new Set(list.map((r) => r.id));
		out.push({
			title: list[0].title,
			number: list[0].number,
			reviews: list.length,
			criteria: crit.map((c) => {
				const v = vals.filter((x) => ids.has(x.assignmentId) && x.criterionId === c.id).map((x) => x.value);
				return { title: c.title, scaleMin: c.scaleMin, scaleMax: c.scaleMax, mean: v.length ? v.reduce((a, b) => a + b, 0) / v.length : null };
			}),
			comments: list
				.map((r, i) => ({ label: `Эксперт ${i + 1}`, text: r.feedback.trim() }))
				.filter((c) => c.text !== '')
		});
	}
	return out;
}
