/**
 * How is the deadline decided — the one place that answers it.
 *
 * A contest takes entries while its phase is `open` and the clock is in [openAt, closeAt)
 * (`acceptsEdits`): starting an application, saving a step, withdrawing and starting an upload
 * all ask this. `closeAt` is an instant (stored UTC, shown and entered in Moscow time); nothing
 * closes the phase by itself — the organizer moves the contest to `review`, which is refused
 * until the grace period below is over, so no one loses an upload in flight.
 *
 * The grace period (`uploadGraceMinutes` in the contest settings, 30 by default, 0…1440) exists
 * for slow links: a video upload **begun before** `closeAt` may finish until `graceEnd`
 * (`uploadMayFinish`), and an application with such an upload may still be submitted until
 * `graceEnd` (applications/service.ts, `submitApplication`). Nothing begun at or after `closeAt`
 * is accepted, and after `graceEnd` nothing is accepted at all; the stale-upload sweep leaves
 * uploads within the window alone. Every check takes `now` from its caller (tests pass a clock).
 *
 * Deadlines of the review are per round: jurors may change scores while the round is `active`
 * and before its `deadlineAt` (review/rounds.ts, `scoringOpen`); a round is created and opened
 * only with a deadline in the future.
 */
import type { Contest } from '../db/schema';
import { contestSettings } from './settings';

type Dated = Pick<Contest, 'phase' | 'openAt' | 'closeAt'>;

/** Whether the contest accepts new entries and edits now: phase `open` and openAt ≤ now < closeAt. */
export function acceptsEdits(contest: Dated, now: Date): boolean {
	return contest.phase === 'open' && now.getTime() >= contest.openAt.getTime() && now.getTime() < contest.closeAt.getTime();
}

/** The end of the grace period: closeAt + the contest's uploadGraceMinutes. */
export function graceEnd(contest: Pick<Contest, 'closeAt' | 'settings'>): Date {
	return new Date(contest.closeAt.getTime() + contestSettings(contest.settings).uploadGraceMinutes * 60_000);
}

/** Whether an upload begun at `begunAt` may still be completed now: begun before closeAt and now < graceEnd. */
export function uploadMayFinish(begunAt: Date, contest: Pick<Contest, 'closeAt' | 'settings'>, now: Date): boolean {
	return begunAt.getTime() < contest.closeAt.getTime() && now.getTime() < graceEnd(contest).getTime();
}
