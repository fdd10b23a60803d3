/**
 * Rounds of review — the one writer of `rounds` and `round_entries` (assignments are written by
 * plan.ts, assignments.ts and scoring.ts beside this file; results/ only reads them).
 *
 * Round 1 covers every submitted entry of the contest (late entries join it on the next routing
 * run), round 2 (the finals, made by results/finals.ts through `createRound` / `redoDraftRound`)
 * covers a shortlist chosen later. A round is `draft` while the organizer arranges it (jurors do
 * not see it), `active` while jurors score, `closed` afterwards; scoring also stops at the
 * round's deadline (`scoringOpen`).
 */
import { and, asc, eq, inArray, isNotNull, notInArray, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { DbOrTx } from '../db/client';
import { by, type Actor } from '../actor';
import { applications, assignments, contests, roundEntries, rounds, type ApplicationStatus } from '../db/schema';
import { newId } from '../ids';
import { DomainError, notFound } from '../errors';
import { audit } from '../audit';
import { contestSettings } from '../contests/settings';
import { parseRoutingPrefs, type RoutingPrefs } from './routing-prefs';

export type Round = typeof rounds.$inferSelect;

/** Per-round overrides: K and the jury of the round (default: every juror of the contest). */
const K = z.number().int().min(1).max(10);
const JURY = z.array(z.string());
export type RoundSettings = {
	k?: number;
	jurorIds?: string[];
	/** the organizer's routing preferences (routing-prefs.ts); absent = defaults */
	routing?: RoutingPrefs;
};

/** The stored settings of a round, field by field: a malformed field is ignored, not the rest. */
export function roundSettings(raw: unknown): RoundSettings {
	const r = (raw ?? {}) as Record<string, unknown>;
	const out: RoundSettings = {};
	const k = K.safeParse(r.k);
	if (k.success) out.k = k.data;
	const jury = JURY.safeParse(r.jurorIds);
	if (jury.success) out.jurorIds = jury.data;
	if (r.routing && typeof r.routing === 'object') out.routing = parseRoutingPrefs(r.routing);
	return out;
}

/** Application statuses that are in competition (submitted and not withdrawn). */
export const COMPETING: ApplicationStatus[] = ['submitted', 'in_review', 'finalist', 'winner', 'not_selected'];
export const NOT_COMPETING: ApplicationStatus[] = ['draft', 'withdrawn'];

export type ActiveStatus = 'assigned' | 'draft' | 'submitted';
/** Assignment statuses that are (or will be) a review; `recused` and `removed` rows are history. */
export const ACTIVE_STATUSES: ActiveStatus[] = ['assigned', 'draft', 'submitted'];

export function getRound(db: DbOrTx, roundId: string): Round {
	const r = db.select().from(rounds).where(eq(rounds.id, roundId)).get();
	if (!r) throw notFound('Тур не найден');
	return r;
}

export function findRound(db: DbOrTx, contestId: string, number: number): Round | undefined {
	return db.select().from(rounds).where(and(eq(rounds.contestId, contestId), eq(rounds.number, number))).get();
}

export function listRounds(db: DbOrTx, contestId: string): Round[] {
	return db.select().from(rounds).where(eq(rounds.contestId, contestId)).orderBy(asc(rounds.number)).all();
}

/** K of a round: its override or the contest's setting. */
export function roundK(round: Round, contestRawSettings: unknown): number {
	return roundSettings(round.settings).k ?? contestSettings(contestRawSettings).jurorsPerEntry;
}

/** Whether jurors may change scores now: an active round before its deadline. */
export function scoringOpen(round: Pick<Round, 'status' | 'deadlineAt'>, now = new Date()): boolean {
	return round.status === 'active' && (!round.deadlineAt || now.getTime() < round.deadlineAt.getTime());
}

export function roundEntryIds(db: DbOrTx, roundId: string): string[] {
	return db.select({ id: roundEntries.applicationId }).from(roundEntries).where(eq(roundEntries.roundId, roundId)).all().map((r) => r.id);
}

/** Competing applications of the contest that are not yet entries of round 1 (submitted late). */
export function lateEntryIds(db: DbOrTx, round: Round): string[] {
	if (round.number !== 1) return [];
	return db
		.select({ id: applications.id })
		.from(applications)
		.where(
			and(
				eq(applications.contestId, round.contestId),
				notInArray(applications.status, NOT_COMPETING),
				sql`${applications.id} NOT IN (SELECT application_id FROM round_entries WHERE round_id = ${round.id})`
			)
		)
		// `+seq`: ordered after the fact, so SQLite reads the covering (contest, status, seq, id)
		// index instead of every application's row through the (contest, seq) one
		.orderBy(sql`+${applications.seq}`)
		.all()
		.map((r) => r.id);
}

function insertEntries(db: DbOrTx, roundId: string, ids: string[], now: Date) {
	for (let i = 0; i < ids.length; i += 500)
		db.insert(roundEntries)
			.values(ids.slice(i, i + 500).map((applicationId) => ({ roundId, applicationId, createdAt: now })))
			.onConflictDoNothing()
			.run();
}

/** Checks that the ids are competing applications of the contest; returns them deduplicated. */
function checkApplications(db: DbOrTx, contestId: string, ids: string[]): string[] {
	const unique = [...new Set(ids)];
	const found = new Map<string, { status: string; number: string | null }>();
	for (let i = 0; i < unique.length; i += 500) {
		for (const r of db
			.select({ id: applications.id, status: applications.status, number: applications.number })
			.from(applications)
			.where(and(eq(applications.contestId, contestId), inArray(applications.id, unique.slice(i, i + 500))))
			.all())
			found.set(r.id, r);
	}
	const missing = unique.filter((id) => !found.has(id));
	if (missing.length) throw new DomainError(400, 'bad_entries', `Заявки не найдены в этом конкурсе: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? '…' : ''}`);
	const out = unique.filter((id) => NOT_COMPETING.includes(found.get(id)!.status as ApplicationStatus));
	if (out.length)
		throw new DomainError(400, 'not_competing', `В тур можно включить только поданные заявки; не подходят: ${out.slice(0, 5).map((id) => found.get(id)!.number ?? 'черновик').join(', ')}`);
	return unique;
}

/**
 * Application numbers (НС-2026-00012, one per line or separated by commas) → ids, in the order
 * given; unknown numbers are refused. `field` names the form field for the error.
 */
export function idsByNumbers(db: DbOrTx, contestId: string, text: string, field = 'numbers'): string[] {
	const numbers = [...new Set(text.split(/[\s,;]+/).map((s) => s.trim().toUpperCase()).filter(Boolean))];
	if (!numbers.length) return [];
	const rows = db
		.select({ id: applications.id, number: applications.number })
		.from(applications)
		.where(and(eq(applications.contestId, contestId), inArray(applications.number, numbers)))
		.all();
	const byNumber = new Map(rows.map((r) => [r.number, r.id]));
	const unknown = numbers.filter((n) => !byNumber.has(n));
	if (unknown.length) {
		const message = `Нет заявок с номерами: ${unknown.slice(0, 10).join(', ')}${unknown.length > 10 ? '…' : ''}`;
		throw new DomainError(400, 'unknown_numbers', message, { errors: { [field]: message } });
	}
	return numbers.map((n) => byNumber.get(n)!);
}

export interface CreateRoundInput {
	number: number;
	title?: string;
	/** round 1: omitted = every submitted entry; other rounds: the shortlist (required) */
	applicationIds?: string[];
	deadlineAt?: Date | null;
	k?: number | null;
	jurorIds?: string[];
}

/**
 * Creates a round in status `draft`. Round 1 without `applicationIds` takes every submitted
 * entry of the contest; later rounds need the shortlist. Numbers are unique per contest.
 */
export function createRound(db: DbOrTx, contestId: string, input: CreateRoundInput, actor: Actor | null = null, now = new Date()): Round {
	return db.transaction((d) => {
		const contest = d.select().from(contests).where(eq(contests.id, contestId)).get();
		if (!contest) throw notFound('Конкурс не найден');
		if (!Number.isInteger(input.number) || input.number < 1 || input.number > 10) throw new DomainError(400, 'bad_number', 'Номер тура — целое число от 1 до 10');
		if (findRound(d, contestId, input.number)) throw new DomainError(409, 'round_exists', `Тур ${input.number} уже создан`);
		if (input.deadlineAt && input.deadlineAt.getTime() <= now.getTime()) throw new DomainError(400, 'past_deadline', 'Срок тура должен быть в будущем');
		let ids: string[];
		if (input.applicationIds === undefined) {
			if (input.number !== 1) throw new DomainError(400, 'no_shortlist', 'Для тура 2 и следующих нужен список заявок (шорт-лист)');
			ids = d
				.select({ id: applications.id })
				.from(applications)
				.where(and(eq(applications.contestId, contestId), notInArray(applications.status, NOT_COMPETING)))
				.orderBy(asc(applications.seq))
				.all()
				.map((r) => r.id);
		} else {
			ids = checkApplications(d, contestId, input.applicationIds);
			if (input.number !== 1 && ids.length === 0) throw new DomainError(400, 'no_shortlist', 'Шорт-лист пуст: укажите заявки тура');
		}
		const settings: RoundSettings = {};
		if (input.k != null) settings.k = input.k;
		if (input.jurorIds) settings.jurorIds = [...new Set(input.jurorIds)];
		const round = d
			.insert(rounds)
			.values({
				id: newId(),
				contestId,
				number: input.number,
				title: input.title?.trim() || (input.number === 1 ? 'Заочный тур' : `Тур ${input.number}`),
				status: 'draft',
				deadlineAt: input.deadlineAt ?? null,
				settings,
				createdAt: now,
				updatedAt: now
			})
			.returning()
			.get();
		insertEntries(d, round.id, ids, now);
		audit(d, { ...by(actor), action: 'round.create', entity: 'round', entityId: round.id, after: { number: round.number, title: round.title, entries: ids.length, deadlineAt: round.deadlineAt, settings } }, now);
		return round;
	});
}

/** Adds competing applications to a round that is not closed (late entries, additions to a shortlist). */
export function addRoundEntries(db: DbOrTx, roundId: string, applicationIds: string[], actor: Actor | null = null, now = new Date()): number {
	return db.transaction((d) => {
		const round = getRound(d, roundId);
		if (round.status === 'closed') throw new DomainError(409, 'round_closed', 'Тур закрыт: состав заявок изменить нельзя');
		const ids = checkApplications(d, round.contestId, applicationIds);
		const before = new Set(roundEntryIds(d, roundId));
		const fresh = ids.filter((id) => !before.has(id));
		insertEntries(d, roundId, fresh, now);
		if (fresh.length) audit(d, { ...by(actor), action: 'round.entries_add', entity: 'round', entityId: roundId, after: { added: fresh } }, now);
		return fresh.length;
	});
}

/**
 * Removes entries from a round that is not closed (a shortlist corrected). Their assignments are
 * removed too; an entry that already has a started or submitted assessment is refused.
 */
export function removeRoundEntries(db: DbOrTx, roundId: string, applicationIds: string[], actor: Actor | null = null, now = new Date()): number {
	return db.transaction((d) => {
		const round = getRound(d, roundId);
		if (round.status === 'closed') throw new DomainError(409, 'round_closed', 'Тур закрыт: состав заявок изменить нельзя');
		const ids = [...new Set(applicationIds)];
		if (!ids.length) return 0;
		const started = d
			.select({ id: assignments.id })
			.from(assignments)
			.where(and(eq(assignments.roundId, roundId), inArray(assignments.applicationId, ids), inArray(assignments.status, ['draft', 'submitted'])))
			.all();
		if (started.length) throw new DomainError(409, 'entries_started', 'У некоторых из этих заявок уже начата оценка: исключить их из тура нельзя');
		const gone = d
			.update(assignments)
			.set({ status: 'removed', version: sql`${assignments.version} + 1`, updatedAt: now })
			.where(and(eq(assignments.roundId, roundId), inArray(assignments.applicationId, ids), eq(assignments.status, 'assigned')))
			.returning({ id: assignments.id, applicationId: assignments.applicationId, jurorId: assignments.jurorId })
			.all();
		for (const g of gone) audit(d, { ...by(actor), action: 'assignment.remove', entity: 'assignment', entityId: g.id, before: { status: 'assigned' }, after: { status: 'removed', reason: 'entry_removed' } }, now);
		const r = d.delete(roundEntries).where(and(eq(roundEntries.roundId, roundId), inArray(roundEntries.applicationId, ids))).run();
		if (r.changes) audit(d, { ...by(actor), action: 'round.entries_remove', entity: 'round', entityId: roundId, before: { removed: ids } }, now);
		return r.changes;
	});
}

export interface UpdateRoundInput {
	title?: string;
	deadlineAt?: Date | null;
	k?: number | null;
	jurorIds?: string[] | null;
	/** routing preferences (expertise, districts, connectivity) */
	routing?: RoutingPrefs;
}

export function updateRound(db: DbOrTx, roundId: string, input: UpdateRoundInput, actor: Actor | null = null, now = new Date()): Round {
	return db.transaction((d) => {
		const round = getRound(d, roundId);
		const settings = { ...roundSettings(round.settings) };
		if (input.k !== undefined) {
			if (input.k === null) delete settings.k;
			else if (!Number.isInteger(input.k) || input.k < 1 || input.k > 10) throw new DomainError(400, 'bad_k', 'Экспертов на заявку: целое число от 1 до 10');
			else settings.k = input.k;
		}
		if (input.jurorIds !== undefined) {
			if (input.jurorIds === null) delete settings.jurorIds;
			else settings.jurorIds = [...new Set(input.jurorIds)];
		}
		if (input.routing !== undefined) settings.routing = parseRoutingPrefs(input.routing);
		if (input.deadlineAt && round.status !== 'closed' && input.deadlineAt.getTime() <= now.getTime() && input.deadlineAt.getTime() !== round.deadlineAt?.getTime())
			throw new DomainError(400, 'past_deadline', 'Срок тура должен быть в будущем');
		const patch = {
			title: input.title?.trim() || round.title,
			deadlineAt: input.deadlineAt === undefined ? round.deadlineAt : input.deadlineAt,
			settings,
			updatedAt: now
		};
		const next = d.update(rounds).set(patch).where(eq(rounds.id, roundId)).returning().get();
		audit(d, { ...by(actor), action: 'round.update', entity: 'round', entityId: roundId, before: { title: round.title, deadlineAt: round.deadlineAt, settings: round.settings }, after: { title: next.title, deadlineAt: next.deadlineAt, settings } }, now);
		return next;
	});
}

export interface RedoRoundInput {
	applicationIds: string[];
	k?: number | null;
	jurorIds?: string[] | null;
	deadlineAt?: Date | null;
}

/**
 * Rebuilds a draft round that nobody has started (a shortlist redone before the finals begin):
 * its assignments and entries are dropped — no juror has seen them — and the new entries,
 * K, jury and deadline are written. Refused once the round is open or closed, or once a juror
 * has opened one of its assessments. Returns the round and the entries it had before.
 */
export function redoDraftRound(db: DbOrTx, roundId: string, input: RedoRoundInput, actor: Actor | null = null, now = new Date()): { round: Round; previous: string[] } {
	return db.transaction((d) => {
		const round = getRound(d, roundId);
		const started = d
			.select({ id: assignments.id })
			.from(assignments)
			.where(and(eq(assignments.roundId, roundId), or(isNotNull(assignments.startedAt), inArray(assignments.status, ['draft', 'submitted']))))
			.get();
		if (round.status !== 'draft' || started) throw new DomainError(409, 'round_started', 'Оценка в туре уже началась: состав заявок изменить нельзя');
		if (input.deadlineAt && input.deadlineAt.getTime() <= now.getTime()) throw new DomainError(400, 'past_deadline', 'Срок тура должен быть в будущем');
		const ids = checkApplications(d, round.contestId, input.applicationIds);
		if (!ids.length) throw new DomainError(400, 'no_shortlist', 'Шорт-лист пуст: укажите заявки тура');
		const previous = roundEntryIds(d, roundId);
		d.delete(assignments).where(eq(assignments.roundId, roundId)).run();
		d.delete(roundEntries).where(eq(roundEntries.roundId, roundId)).run();
		insertEntries(d, roundId, ids, now);
		const settings: RoundSettings = {};
		if (input.k != null) settings.k = input.k;
		if (input.jurorIds) settings.jurorIds = [...new Set(input.jurorIds)];
		const next = d.update(rounds).set({ settings, deadlineAt: input.deadlineAt ?? null, updatedAt: now }).where(eq(rounds.id, roundId)).returning().get();
		audit(d, { ...by(actor), action: 'round.update', entity: 'round', entityId: roundId, before: { settings: round.settings, entries: previous.length }, after: { settings, entries: ids.length } }, now);
		return { round: next, previous };
	});
}

/**
 * draft (or closed) → active. The one path by which a round opens — the jury console and the
 * finals page both call it: the deadline must be ahead and the round must have assignments.
 */
export function activateRound(db: DbOrTx, roundId: string, actor: Actor | null = null, now = new Date()): Round {
	return db.transaction((d) => {
		const round = getRound(d, roundId);
		if (round.status === 'active') return round;
		if (round.deadlineAt && round.deadlineAt.getTime() <= now.getTime()) throw new DomainError(409, 'past_deadline', 'Срок тура уже прошёл: сначала назначьте новый срок');
		const n = d.select({ n: sql<number>`count(*)` }).from(assignments).where(and(eq(assignments.roundId, roundId), inArray(assignments.status, ACTIVE_STATUSES))).get()?.n ?? 0;
		if (n === 0) throw new DomainError(409, 'no_assignments', 'В туре нет назначений: сначала распределите заявки между экспертами');
		const next = d.update(rounds).set({ status: 'active', updatedAt: now }).where(eq(rounds.id, roundId)).returning().get();
		audit(d, { ...by(actor), action: round.status === 'closed' ? 'round.reopen' : 'round.activate', entity: 'round', entityId: roundId, before: { status: round.status }, after: { status: 'active' } }, now);
		return next;
	});
}

/** active → closed: scores are final, nothing can be changed any more (until reopened). */
export function closeRound(db: DbOrTx, roundId: string, actor: Actor | null = null, now = new Date()): Round {
	return db.transaction((d) => {
		const round = getRound(d, roundId);
		if (round.status === 'closed') return round;
		if (round.status === 'draft') throw new DomainError(409, 'not_active', 'Тур ещё не начат: закрыть можно только идущий тур');
		const next = d.update(rounds).set({ status: 'closed', updatedAt: now }).where(eq(rounds.id, roundId)).returning().get();
		audit(d, { ...by(actor), action: 'round.close', entity: 'round', entityId: roundId, before: { status: round.status }, after: { status: 'closed' } }, now);
		return next;
	});
}
