/**
 * The stages of an application for the applicant's cabinet: only the stages it actually passed
 * (and, while it is still under way, the next ones it will surely pass). «Финалист» appears only
 * for an entry that was shortlisted for a final round (round 2 or later), never as a placeholder.
 */
import { and, eq, gte } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { applications, roundEntries, rounds } from '../db/schema';
import { APPLICATION_STATUS_TITLE, TIMELINE_TITLE } from '../../glossary';

export interface TimelineStage {
	key: 'submitted' | 'in_review' | 'finalist' | 'result';
	label: string;
	/** done: passed; current: where the entry is now; next: still to come. */
	state: 'done' | 'current' | 'next';
}

export function applicationTimeline(db: DbOrTx, applicationId: string): TimelineStage[] {
	const app = db.select({ status: applications.status }).from(applications).where(eq(applications.id, applicationId)).get();
	if (!app || app.status === 'draft' || app.status === 'withdrawn') return [];
	const s = app.status;
	const inFinal = !!db
		.select({ n: rounds.number })
		.from(roundEntries)
		.innerJoin(rounds, eq(rounds.id, roundEntries.roundId))
		.where(and(eq(roundEntries.applicationId, applicationId), gte(rounds.number, 2)))
		.get();
	const finalist = s === 'finalist' || inFinal;
	const decided = s === 'winner' || s === 'not_selected';
	const stages: TimelineStage[] = [
		{ key: 'submitted', label: TIMELINE_TITLE.submitted, state: s === 'submitted' ? 'current' : 'done' },
		{ key: 'in_review', label: TIMELINE_TITLE.in_review, state: s === 'submitted' ? 'next' : s === 'in_review' ? 'current' : 'done' }
	];
	if (finalist) stages.push({ key: 'finalist', label: TIMELINE_TITLE.finalist, state: s === 'finalist' ? 'current' : 'done' });
	stages.push({ key: 'result', label: decided ? APPLICATION_STATUS_TITLE[s] : TIMELINE_TITLE.result, state: decided ? 'current' : 'next' });
	return stages;
}
