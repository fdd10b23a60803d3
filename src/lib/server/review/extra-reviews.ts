/**
 * «Неуверенные места у границы призёров»: after scores have come in, the entries whose side of a
 * nomination's winners' cut is uncertain (results/uncertainty.ts on the round's results under the
 * juror-bias model) and the one-click action that gives exactly those entries M more jurors.
 *
 * Results: the round's loaded data (the cached `cachedRound`) computed by results/load.ts
 * `computeRound` with `normalization: 'model'`, kept per version of the round (`cachedDerived`): the model's posterior
 * SD is what makes the uncertainty meaningful, whatever mode the results page shows.
 *
 * The action (`assignExtraReviews`):
 * - the same hard rules as the routing: the nomination, conflicts (own entry, organization,
 *   region, declared, recusal), active jurors of the round's jury, capacity (loads on all other
 *   entries of the round count);
 * - never a juror who is or was on the entry (a removed pair does not come back as a "fresh look");
 * - routed by `routeAssignments` with the round's preferences (expertise, districts,
 *   connectivity): the picked entries get k = current jurors + M, their pairs locked;
 * - written through plan.ts `writePlan` (the one writer of routed assignments) as `manual` pairs,
 *   so a later routing run keeps them; one audit event per assignment and one for the action;
 * - every juror who got new entries is mailed through the queue (one letter per juror);
 * - an uncertain entry that already has more than K jurors with some review still open is «waiting»:
 *   not offered again until those reviews are in;
 * - idempotent: the page posts the digest of what it showed (the picked entries and their
 *   jurors); a second click finds the entries with their new jurors, the digest differs and
 *   nothing is written (409 with an explanation).
 */
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeHexLowerCase } from '@oslojs/encoding';
import type { DB } from '../db/client';
import type { Actor } from '../actor';
import { DomainError } from '../errors';
import { enqueueMail } from '../jobs/mail';
import { config } from '../config';
import { extraReviewsMail } from '../mail/templates';
import { cachedDerived } from '../results/cache';
import type { ResultsOutput } from '../results/compute';
import { computeRound, expectedReviews, type LoadedRound } from '../results/load';
import { planExtraReviews, type UncertainEntry } from '../results/uncertainty';
import { contestSettings } from '../contests/settings';
import { routeAssignments, type RoutingConflict, type RoutingPair } from './routing';
import { buildRoutingInput, isActiveRow, loadRoundState } from './round-state';
import { scoringOpen } from './rounds';
import { writePlan, type Plan } from './plan';

/** Entries below this probability of being on the wrong side of the cut are not uncertain. */
export const MIN_PROBABILITY = 0.1;
export const DEFAULT_PER_ENTRY = 2;

export interface UncertainRow extends UncertainEntry {
	number: string;
	nominationTitle: string;
	/** active jurors on the entry now */
	jurors: number;
}

export interface UncertainView {
	/** entries with at least one counted review */
	scored: number;
	winnersPerNomination: number;
	entries: UncertainRow[];
	/**
	 * uncertain entries already waiting for extra reviews (more active jurors than K, some of them
	 * not submitted yet): not offered again until those reviews are in
	 */
	waiting: number;
	nominations: { nominationId: string; title: string; cut: number | null; entries: number; uncertain: number }[];
	notes: string[];
	/** what the action will act on: the entries and their jurors now */
	digest: string;
}

/** Round results under the juror-bias model: results/load.ts `computeRound` in 'model' mode (grouped by rubric, merged). */
export function modelResults(l: LoadedRound): ResultsOutput {
	return computeRound(l, { normalization: 'model' });
}

function digestOf(l: Pick<LoadedRound, 'assignments'>, ids: string[]): string {
	const on = new Map<string, string[]>();
	const want = new Set(ids);
	for (const a of l.assignments) if (want.has(a.applicationId)) (on.get(a.applicationId) ?? on.set(a.applicationId, []).get(a.applicationId)!).push(a.jurorId);
	const h = JSON.stringify([...ids].sort().map((id) => [id, (on.get(id) ?? []).sort()]));
	return encodeHexLowerCase(sha256(new TextEncoder().encode(h))).slice(0, 32);
}

function computeView(l: LoadedRound): UncertainView {
	const results = modelResults(l);
	const W = contestSettings(l.contest.rawSettings).winnersPerNomination;
	const plan = planExtraReviews(results, { winnersPerNomination: W, reviews: Number.MAX_SAFE_INTEGER, perEntry: 1, minProbability: MIN_PROBABILITY });
	const meta = new Map(l.entries.map((e) => [e.id, e]));
	const nomTitle = new Map(l.nominations.map((n) => [n.id, n.title]));
	const jurors = new Map<string, number>();
	const open = new Set<string>();
	for (const a of l.assignments) {
		jurors.set(a.applicationId, (jurors.get(a.applicationId) ?? 0) + 1);
		if (a.status !== 'submitted') open.add(a.applicationId);
	}
	const K = expectedReviews(l);
	const isWaiting = (id: string) => (jurors.get(id) ?? 0) > K && open.has(id);
	const waiting = plan.candidates.filter((c) => isWaiting(c.applicationId)).length;
	const entries: UncertainRow[] = plan.candidates.filter((c) => !isWaiting(c.applicationId)).map((c) => ({ ...c, number: meta.get(c.applicationId)?.number ?? '', nominationTitle: nomTitle.get(c.nominationId) ?? '', jurors: jurors.get(c.applicationId) ?? 0 }));
	const notes = plan.nominations
		.filter((n) => n.cut === null && n.entries > 0)
		.map((n) => `«${nomTitle.get(n.nominationId) ?? n.nominationId}»: работ с оценками (${n.entries}) не больше, чем мест призёров (${W}) — граница не нужна.`);
	return {
		scored: results.entries.filter((e) => e.reviews > 0).length,
		winnersPerNomination: W,
		entries,
		waiting,
		nominations: plan.nominations.map((n) => ({ nominationId: n.nominationId, title: nomTitle.get(n.nominationId) ?? '', cut: n.cut, entries: n.entries, uncertain: n.uncertain })),
		notes,
		digest: digestOf(l, entries.map((e) => e.applicationId))
	};
}

/** The uncertain entries of a round now (cached per version of the round). */
export function uncertainEntries(db: DB, roundId: string): UncertainView {
	return cachedDerived(db, roundId, `extra-reviews:v1:${MIN_PROBABILITY}`, computeView);
}

export interface ExtraReviewsResult {
	/** entries that were uncertain */
	entries: number;
	/** assignments added */
	added: number;
	/** entries that got fewer than M new jurors, with the routing's reasons */
	short: { applicationId: string; number: string | null; added: number; reasons: string[] }[];
	/** jurors that got new entries (mailed) */
	jurors: number;
}

/**
 * Gives every uncertain entry of the round `perEntry` more jurors (see the module comment).
 * `digest` is the one the page showed (`uncertainEntries(...).digest`).
 */
export function assignExtraReviews(db: DB, actor: Actor | null, roundId: string, opts: { perEntry: number; digest: string }, now = new Date()): ExtraReviewsResult {
	const M = Math.floor(opts.perEntry);
	if (!Number.isInteger(M) || M < 1 || M > 5) throw new DomainError(400, 'bad_per_entry', 'Сколько экспертов добавить: целое число от 1 до 5');
	return db.transaction((d) => {
		const s = loadRoundState(d, roundId);
		if (s.round.status === 'closed') throw new DomainError(409, 'round_closed', 'Тур закрыт: возобновите его, чтобы назначить дополнительные оценки');
		if (s.round.status !== 'active' || !scoringOpen(s.round, now))
			throw new DomainError(409, 'scoring_closed', 'Эксперты сейчас не могут оценивать работы этого тура (тур не открыт или прошёл срок оценки): продлите срок в настройках тура и повторите');
		// same connection, same transaction: the view is of the state this transaction writes on
		const view = uncertainEntries(db, roundId);
		if (view.digest !== opts.digest)
			throw new DomainError(409, 'stale', 'Список неуверенных работ изменился (например, дополнительные эксперты уже назначены или пришли новые оценки). Обновите страницу и проверьте список.');
		if (!view.entries.length) throw new DomainError(409, 'nothing', 'Неуверенных мест у границы призёров нет: назначать нечего');
		const picked = new Set(view.entries.map((e) => e.applicationId).filter((id) => s.apps.has(id)));
		const input = buildRoutingInput(s);
		// Active loads outside the picked entries use up capacity; the picked entries' pairs are locked.
		const outside = new Map<string, number>();
		const onEntry = new Map<string, string[]>();
		const history: RoutingConflict[] = [];
		for (const r of s.rows.values()) {
			if (picked.has(r.applicationId)) {
				if (isActiveRow(r)) (onEntry.get(r.applicationId) ?? onEntry.set(r.applicationId, []).get(r.applicationId)!).push(r.jurorId);
				// a juror removed from the entry (or who recused) is not a fresh look
				else history.push({ jurorId: r.jurorId, applicationId: r.applicationId, reason: r.status === 'recused' ? 'recused' : 'declared' });
			} else if (isActiveRow(r) && s.apps.has(r.applicationId)) outside.set(r.jurorId, (outside.get(r.jurorId) ?? 0) + 1);
		}
		const applications = input.applications.filter((a) => picked.has(a.id)).map((a) => ({ ...a, k: (onEntry.get(a.id)?.length ?? 0) + M }));
		const jurors = input.jurors.map((j) => ({ ...j, capacity: Math.max(0, j.capacity - (outside.get(j.id) ?? 0)) }));
		const existing = [...onEntry.entries()].flatMap(([applicationId, ids]) => ids.map((jurorId) => ({ applicationId, jurorId, locked: true })));
		const result = routeAssignments({ applications, jurors, conflicts: [...input.conflicts, ...history], settings: input.settings, existing });
		// exactly M new jurors at most per entry, never one already on it
		const addedPer = new Map<string, number>();
		const toAdd: RoutingPair[] = [];
		for (const p of result.added) {
			if (onEntry.get(p.applicationId)?.includes(p.jurorId)) continue;
			const n = addedPer.get(p.applicationId) ?? 0;
			if (n >= M) continue;
			addedPer.set(p.applicationId, n + 1);
			toAdd.push(p);
		}
		const plan: Plan = {
			state: s,
			result,
			toAdd,
			toRemove: [],
			digest: opts.digest,
			loadsBefore: new Map(),
			loadsAfter: new Map()
		};
		const per = new Map<string, number>();
		for (const p of toAdd) per.set(p.jurorId, (per.get(p.jurorId) ?? 0) + 1);
		writePlan(d, plan, actor, now, { filter: (id) => picked.has(id), action: 'routing.extra', source: 'manual', meta: { perEntry: M, uncertain: picked.size, jurors: per.size } });
		// one letter per juror who got new entries
		for (const [jurorId, n] of [...per.entries()].sort()) {
			const j = s.jurors.get(jurorId);
			if (!j) continue;
			enqueueMail(d, extraReviewsMail(j.email, j.fio, { contest: s.contest.title, round: s.round.title, count: n, deadline: s.round.deadlineAt, link: `${config().origin}/jury` }), { now });
		}
		const reasons = new Map(result.unplaced.map((u) => [u.applicationId, u.reasons]));
		const short = [...picked]
			.sort()
			.filter((id) => (addedPer.get(id) ?? 0) < M)
			.map((id) => ({ applicationId: id, number: s.apps.get(id)?.number ?? null, added: addedPer.get(id) ?? 0, reasons: reasons.get(id) ?? ['нет подходящих экспертов'] }));
		return { entries: picked.size, added: toAdd.length, short, jurors: per.size };
	});
}
