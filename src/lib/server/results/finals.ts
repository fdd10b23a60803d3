/**
 * The finals, decided from the results of round 1: which entries go on (the top N of each
 * nomination by the official ranking, or hand-picked), with which jury and K. The round itself is
 * written by the review, like every round: review/rounds.ts creates it (`createRound`, number 2)
 * or redoes a draft nobody has started (`redoDraftRound`); it is routed by review/plan.ts
 * (`applyRouting` — the same routing as round 1; a final jury judges every nomination, see
 * review/round-state.ts) and opened / closed by review/rounds.ts (`activateRound`,
 * `closeRound`). This module writes only the applications' statuses (finalist, or back to «на
 * экспертизе» when a draft shortlist is redone) and the audit event of the shortlist.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { DB, DbOrTx } from '../db/client';
import { applications, contests, jurorProfiles, nominations, rounds, users, type ApplicationStatus } from '../db/schema';
import { audit } from '../audit';
import { by, type Actor } from '../actor';
import { DomainError } from '../errors';
import { contestSettings } from '../contests/settings';
import { createRound, findRound, getRound, redoDraftRound, type Round } from '../review/rounds';
import { chunks } from '../review/round-state';
import { roundResults } from './load';
import { shortlist } from './compute';

/**
 * The finals have started once a round after the first is active or closed, or any of its
 * assignments has been opened by a juror. While round 2 is only a draft, the shortlist can still
 * be redone (and results-relevant settings changed — see settings-guard.ts).
 */
export function finalsStarted(db: DbOrTx, contestId: string): boolean {
	const row = db
		.select({ n: sql<number>`count(*)` })
		.from(rounds)
		.where(
			and(
				eq(rounds.contestId, contestId),
				sql`${rounds.number} >= 2`,
				sql`(${rounds.status} <> 'draft' OR EXISTS (SELECT 1 FROM assignments a WHERE a.round_id = ${rounds.id} AND (a.started_at IS NOT NULL OR a.status IN ('draft', 'submitted'))))`
			)
		)
		.get();
	return (row?.n ?? 0) > 0;
}

export function finalsRound(db: DbOrTx, contestId: string): Round | undefined {
	return findRound(db, contestId, 2);
}

export interface FinalsInput {
	fromRoundId: string;
	/** Top N per nomination by the official ranking of the round (the contest's normalization method). */
	perNomination?: number;
	/** Or hand-picked application ids (entries of the round). */
	applicationIds?: string[];
	/** The final jury (user ids of jurors); empty/undefined = every juror of the contest. */
	jurorIds?: string[];
	/** Reviews per finalist; default: the contest's jurorsPerEntry. */
	k?: number;
	deadlineAt?: Date | null;
}

export interface FinalsSummary {
	roundId: string;
	entries: number;
	replaced: boolean;
	byNomination: Record<string, number>;
}

/**
 * Creates round 2 from a shortlist of round 1 and marks the shortlisted applications as
 * finalists. A draft round 2 that nobody has started is replaced (its entries and assignments are
 * dropped and its finalists go back to «на экспертизе»); once the finals have started, refused.
 */
export function createFinals(db: DB, actor: Actor | null, input: FinalsInput, now = new Date()): FinalsSummary {
	const from = getRound(db, input.fromRoundId);
	if (from.number !== 1) throw new DomainError(400, 'not_first_round', 'Финал формируется по итогам первого тура');
	if (finalsStarted(db, from.contestId)) throw new DomainError(409, 'finals_started', 'Финал уже начался: состав финалистов изменить нельзя');
	const contest = db.select().from(contests).where(eq(contests.id, from.contestId)).get()!;
	const cs = contestSettings(contest.settings);

	const { loaded, results } = roundResults(db, from.id);
	const entryIds = new Set(loaded.entries.map((e) => e.id));
	let ids: string[];
	let mode: 'top' | 'manual';
	if (input.applicationIds && input.applicationIds.length) {
		mode = 'manual';
		ids = [...new Set(input.applicationIds)];
		const bad = ids.filter((id) => !entryIds.has(id));
		if (bad.length) throw new DomainError(400, 'not_in_round', 'Выбраны заявки, которых нет среди участников первого тура');
	} else {
		mode = 'top';
		const n = input.perNomination ?? 0;
		if (!Number.isInteger(n) || n < 1 || n > 1000) throw new DomainError(400, 'bad_n', 'Укажите, сколько лучших заявок каждой номинации выходят в финал (от 1 до 1000)', { errors: { perNomination: 'Целое число от 1 до 1000' } });
		ids = shortlist(results, n);
	}
	if (!ids.length) throw new DomainError(409, 'empty_shortlist', 'Нет оценённых заявок — в финал включать некого');

	let jurorIds: string[] | undefined;
	if (input.jurorIds && input.jurorIds.length) {
		jurorIds = [...new Set(input.jurorIds)].sort();
		const known = db
			.select({ id: jurorProfiles.userId })
			.from(jurorProfiles)
			.innerJoin(users, eq(users.id, jurorProfiles.userId))
			.where(and(inArray(jurorProfiles.userId, jurorIds), eq(users.role, 'jury')))
			.all();
		if (known.length !== jurorIds.length) throw new DomainError(400, 'bad_jurors', 'В финальное жюри можно включить только экспертов конкурса');
	}
	const k = input.k ?? cs.jurorsPerEntry;
	if (!Number.isInteger(k) || k < 1 || k > 10) throw new DomainError(400, 'bad_k', 'Экспертов на заявку: от 1 до 10', { errors: { k: 'От 1 до 10' } });
	if (jurorIds && jurorIds.length < k) throw new DomainError(400, 'jury_too_small', `В финальном жюри ${jurorIds.length} чел., а на заявку нужно ${k}`, { errors: { jurorIds: 'Выберите не меньше экспертов, чем нужно на одну заявку' } });

	const byNom: Record<string, number> = {};
	const nomOf = new Map(loaded.entries.map((e) => [e.id, e.nominationId]));
	for (const id of ids) byNom[nomOf.get(id)!] = (byNom[nomOf.get(id)!] ?? 0) + 1;

	return db.transaction((tx) => {
		const existing = finalsRound(tx, contest.id);
		let round: Round;
		if (existing) {
			const redone = redoDraftRound(tx, existing.id, { applicationIds: ids, k, jurorIds: jurorIds ?? null, deadlineAt: input.deadlineAt ?? null }, actor, now);
			round = redone.round;
			setStatuses(tx, actor, redone.previous.filter((id) => !ids.includes(id)), ['finalist'], 'in_review', now, 'finals.replace');
		} else {
			round = createRound(tx, contest.id, { number: 2, title: 'Финал', applicationIds: ids, k, jurorIds, deadlineAt: input.deadlineAt ?? null }, actor, now);
		}
		setStatuses(tx, actor, ids, ['submitted', 'in_review', 'not_selected'], 'finalist', now, 'finals.shortlist');
		const numbers = new Map(loaded.entries.map((e) => [e.id, e.number]));
		audit(
			tx,
			{
				...by(actor),
				action: 'round.shortlist',
				entity: 'round',
				entityId: round.id,
				after: { mode, perNomination: mode === 'top' ? input.perNomination : null, normalize: cs.normalize, normalization: results.settings.normalization, entries: ids.map((id) => numbers.get(id)) }
			},
			now
		);
		return { roundId: round.id, entries: ids.length, replaced: !!existing, byNomination: byNom };
	});
}

/**
 * Changes application statuses (only those currently in `from`) with one audit event per
 * application. Returns the number changed. Used by finals and decisions.
 */
export function setStatuses(db: DbOrTx, actor: Actor | null, ids: string[], from: ApplicationStatus[], to: ApplicationStatus, now: Date, reason: string): number {
	let n = 0;
	for (const part of chunks(ids)) {
		const rows = db
			.select({ id: applications.id, status: applications.status, number: applications.number })
			.from(applications)
			.where(and(inArray(applications.id, part), inArray(applications.status, from)))
			.all();
		if (!rows.length) continue;
		db.update(applications)
			.set({ status: to, updatedAt: now })
			.where(inArray(applications.id, rows.map((r) => r.id)))
			.run();
		for (const r of rows)
			audit(db, { ...by(actor), action: 'application.status', entity: 'application', entityId: r.id, before: { status: r.status }, after: { status: to, number: r.number, reason } }, now);
		n += rows.length;
	}
	return n;
}

/** Jurors of the contest (for the final-jury picker): id, name, nominations, active. */
export function contestJurors(db: DbOrTx, contestId: string) {
	const noms = new Set(db.select({ id: nominations.id }).from(nominations).where(eq(nominations.contestId, contestId)).all().map((n) => n.id));
	return db
		.select({ id: users.id, fio: users.fio, email: users.email, nominationIds: jurorProfiles.nominationIds, active: jurorProfiles.active, capacity: jurorProfiles.capacity })
		.from(jurorProfiles)
		.innerJoin(users, eq(users.id, jurorProfiles.userId))
		.where(eq(users.role, 'jury'))
		.all()
		.filter((j) => j.nominationIds.some((n) => noms.has(n)))
		.sort((a, b) => a.fio.localeCompare(b.fio, 'ru'));
}
