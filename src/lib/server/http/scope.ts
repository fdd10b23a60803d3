/**
 * What a route's parameters name, resolved once: the signed-in actor of the route (guard) and the
 * contest, round, practice or juror of its URL — or the Russian 404 page. Layout loads call these
 * and hand the result to their pages (`await parent()`); form actions, which run without layout
 * loads, call the same function.
 */
import { error, type RequestEvent } from '@sveltejs/kit';
import { db } from '../db/client';
import { DomainError } from '../errors';
import type { Contest, Practice } from '../db/schema';
import type { Round } from '../review/rounds';
import { getContestBySlug } from '../contests/queries';
import { getContest } from '../contests/admin';
import { findRound } from '../review/rounds';
import { getJuror } from '../review/jurors';
import { getPractice, getPracticeBySlug } from '../library/practices';
import { canSeePractice, type Viewer } from '../auth/access';
import { guard, type SignedIn } from './guards';
import { orPage } from './page';

type Event<P extends Record<string, string> = Record<string, string>> = Pick<RequestEvent<P>, 'locals' | 'url' | 'route' | 'params' | 'getClientAddress'>;

/** Who acts: the signed-in account and the address the domain records in the audit log. */
export type RouteActor = SignedIn & { ip: string };

/** The signed-in user this part of the site admits, with the address the request came from. */
export function actorOf(event: Event): RouteActor {
	return { ...guard(event), ip: event.getClientAddress() };
}

export function contestBySlug(slug: string): Contest {
	const contest = getContestBySlug(db(), slug);
	if (!contest) error(404, 'Конкурс не найден');
	return contest;
}

export function roundOf(contestId: string, number: string): Round {
	const n = Number(number);
	const round = Number.isInteger(n) ? findRound(db(), contestId, n) : undefined;
	if (!round) error(404, 'Тур не найден');
	return round;
}

/** The contest of `[slug]` (the jury console). */
export function contestScope(event: Event<{ slug: string }>): { actor: RouteActor; contest: Contest } {
	const actor = actorOf(event);
	return { actor, contest: contestBySlug(event.params.slug) };
}

/** The round `[number]` of the contest `[slug]`. */
export function roundScope(event: Event<{ slug: string; number: string }>): { actor: RouteActor; contest: Contest; round: Round } {
	const s = contestScope(event);
	return { ...s, round: roundOf(s.contest.id, event.params.number) };
}

/** The contest `[id]` of the contest console; a forged id is 404 before anything is read. */
export function contestByIdScope(event: Event<{ id: string }>): { actor: RouteActor; contest: Contest } {
	const actor = actorOf(event);
	return { actor, contest: orPage(() => getContest(db(), event.params.id)) };
}

/** A juror by user id (any refusal of the lookup is «Эксперт не найден»). */
export function jurorOf(userId: string) {
	try {
		return getJuror(db(), userId);
	} catch (e) {
		if (e instanceof DomainError) error(404, 'Эксперт не найден');
		throw e;
	}
}

/** The juror `[id]` in the contest `[slug]`. */
export function jurorScope(event: Event<{ slug: string; id: string }>) {
	const s = contestScope(event);
	return { ...s, juror: jurorOf(event.params.id) };
}

/** The practice `[id]` of the organizer's library console. */
export function practiceScope(event: Event<{ id: string }>): { actor: RouteActor; practice: Practice } {
	const actor = actorOf(event);
	const practice = getPractice(db(), event.params.id);
	if (!practice) error(404, 'Практика не найдена');
	return { actor, practice };
}

/** A practice of the public library by its slug, as this viewer may see it (auth/access.ts). */
export function visiblePractice(slug: string, viewer: Viewer): Practice {
	const p = getPracticeBySlug(db(), slug);
	if (!p || !canSeePractice(viewer, p)) error(404, 'Практика не найдена');
	return p;
}
