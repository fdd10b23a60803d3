/**
 * Finals and extra reviews, written straight to rounds / round_entries / assignments.
 *
 * NOTE FOR THE MERGE: the jury service (src/lib/server/review/service.ts, another branch) owns
 * rounds and routing in general. This module is deliberately small and only does what the
 * results console needs — the lead reconciles it with the jury service on merge:
 * - `createFinals`: round 2 («Финал») from a shortlist of round 1 (top N per nomination by the
 *   official ranking, or hand-picked), optionally with a final jury (`settings.jurorIds`, the
 *   same shape the jury service uses) and its own K (`settings.k`);
 * - `routeFinals`: routes round 2 with `routeAssignments` (routing.ts), adding assignments only;
 * - `addJurorToEntry`: «назначить ещё эксперта» — one more juror for one (flagged) entry;
 * - `setRoundStatus`: opens / closes a round through review/rounds.ts (`activateRound`,
 *   `closeRound`), the one path of every round change.
 * Every change is audited inside its transaction.
 *
 * Routing input is built from juror_profiles (active, capacity, region, organization,
 * nominations), the conflicts table and the round's existing assignments: live ones
 * (assigned / draft / submitted) are kept, removed / recused ones count as conflicts so that the
 * same juror is not put back on the entry. A final jury judges every nomination of the contest
 * (its members are treated as covering all of them).
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { DB } from '../db/client';
import { applications, assignments, conflicts, contests, jurorProfiles, nominations, roundEntries, rounds, users, type ApplicationStatus } from '../db/schema';
import { newId } from '../ids';
import { audit } from '../audit';
import { DomainError, notFound } from '../errors';
import { contestSettings } from '../contests/settings';
import { routeAssignments, type RoutingConflict, type RoutingJuror, type Unplaced } from '../review/routing';
import { COMPETING, REVIEW_STATUSES, roundResults, roundSettings, type RoundSettings } from './load';
import { shortlist } from './compute';
import { activateRound, closeRound } from '../review/rounds';

export interface Actor {
	id: string;
	ip?: string | null;
}

type RoundRow = typeof rounds.$inferSelect;

function getRound(db: DB, roundId: string): RoundRow {
	const r = db.select().from(rounds).where(eq(rounds.id, roundId)).get();
	if (!r) throw notFound('Тур не найден');
	return r;
}

function chunked<T>(xs: T[], n = 500): T[][] {
	const out: T[][] = [];
	for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
	return out;
}

/**
 * The finals have started once a round after the first is active or closed, or any of its
 * assignments has been opened by a juror. While round 2 is only a draft, the shortlist can still
 * be redone (and results-relevant settings changed — see settings-guard.ts).
 */
export function finalsStarted(db: DB, contestId: string): boolean {
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

export function finalsRound(db: DB, contestId: string): RoundRow | undefined {
	return db.select().from(rounds).where(and(eq(rounds.contestId, contestId), eq(rounds.number, 2))).get();
}

export interface FinalsInput {
	fromRoundId: string;
	/** Top N per nomination by the official ranking of the round (contest normalization setting). */
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
export function createFinals(db: DB, actor: Actor, input: FinalsInput, now = new Date()): FinalsSummary {
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

	const settings: RoundSettings & Record<string, unknown> = { k, ...(jurorIds ? { jurorIds } : {}) };
	const byNom: Record<string, number> = {};
	const nomOf = new Map(loaded.entries.map((e) => [e.id, e.nominationId]));
	for (const id of ids) byNom[nomOf.get(id)!] = (byNom[nomOf.get(id)!] ?? 0) + 1;

	return db.transaction((t) => {
		const tx = t as unknown as DB;
		let round = finalsRound(tx, contest.id);
		let replaced = false;
		if (round) {
			replaced = true;
			const old = tx.select({ id: roundEntries.applicationId }).from(roundEntries).where(eq(roundEntries.roundId, round.id)).all().map((r) => r.id);
			tx.delete(assignments).where(eq(assignments.roundId, round.id)).run();
			tx.delete(roundEntries).where(eq(roundEntries.roundId, round.id)).run();
			setStatuses(tx, actor, old.filter((id) => !ids.includes(id)), ['finalist'], 'in_review', now, 'finals.replace');
			tx.update(rounds).set({ settings, deadlineAt: input.deadlineAt ?? null, updatedAt: now }).where(eq(rounds.id, round.id)).run();
			audit(tx, { actorId: actor.id, ip: actor.ip, action: 'round.update', entity: 'round', entityId: round.id, before: { settings: round.settings, entries: old.length }, after: { settings, entries: ids.length } }, now);
		} else {
			round = tx
				.insert(rounds)
				.values({ id: newId(), contestId: contest.id, number: 2, title: 'Финал', status: 'draft', settings, deadlineAt: input.deadlineAt ?? null, createdAt: now, updatedAt: now })
				.returning()
				.get();
			audit(tx, { actorId: actor.id, ip: actor.ip, action: 'round.create', entity: 'round', entityId: round.id, after: { number: 2, title: round.title, settings, fromRoundId: from.id } }, now);
		}
		for (const part of chunked(ids)) tx.insert(roundEntries).values(part.map((applicationId) => ({ roundId: round!.id, applicationId, createdAt: now }))).run();
		setStatuses(tx, actor, ids, ['submitted', 'in_review', 'not_selected'], 'finalist', now, 'finals.shortlist');
		const numbers = new Map(loaded.entries.map((e) => [e.id, e.number]));
		audit(
			tx,
			{
				actorId: actor.id,
				ip: actor.ip,
				action: 'round.shortlist',
				entity: 'round',
				entityId: round.id,
				after: { mode, perNomination: mode === 'top' ? input.perNomination : null, normalize: cs.normalize, entries: ids.map((id) => numbers.get(id)) }
			},
			now
		);
		return { roundId: round.id, entries: ids.length, replaced, byNomination: byNom };
	});
}

/**
 * Changes application statuses (only those currently in `from`) with one audit event per
 * application. Returns the number changed. Used by finals and decisions.
 */
export function setStatuses(db: DB, actor: Actor, ids: string[], from: ApplicationStatus[], to: ApplicationStatus, now: Date, reason: string): number {
	let n = 0;
	for (const part of chunked(ids)) {
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
			audit(db, { actorId: actor.id, ip: actor.ip, action: 'application.status', entity: 'application', entityId: r.id, before: { status: r.status }, after: { status: to, number: r.number, reason } }, now);
		n += rows.length;
	}
	return n;
}

interface RoutingBase {
	round: RoundRow;
	k: number;
	sameRegionConflict: boolean;
	apps: { id: string; nominationId: string; region: string; organization: string; applicantUserId: string }[];
	jurors: RoutingJuror[];
	conflicts: RoutingConflict[];
	/** live assignment rows of the round */
	live: { id: string; applicationId: string; jurorId: string }[];
}

/** Reads the routing input of a round (set-based: a handful of queries). */
function routingBase(db: DB, round: RoundRow, onlyApplicationId?: string): RoutingBase {
	const contest = db.select().from(contests).where(eq(contests.id, round.contestId)).get()!;
	const cs = contestSettings(contest.settings);
	const rs = roundSettings(round.settings);
	const contestNoms = db.select({ id: nominations.id }).from(nominations).where(eq(nominations.contestId, contest.id)).all().map((n) => n.id);
	const apps = db
		.select({ id: applications.id, nominationId: applications.nominationId, region: applications.regionCode, organization: applications.organization, applicantUserId: applications.applicantId, status: applications.status })
		.from(roundEntries)
		.innerJoin(applications, eq(applications.id, roundEntries.applicationId))
		.where(onlyApplicationId ? and(eq(roundEntries.roundId, round.id), eq(roundEntries.applicationId, onlyApplicationId)) : eq(roundEntries.roundId, round.id))
		.all()
		.filter((a) => COMPETING.includes(a.status))
		.map((a) => ({ id: a.id, nominationId: a.nominationId, region: a.region ?? '', organization: a.organization ?? '', applicantUserId: a.applicantUserId }));
	const appIds = new Set(apps.map((a) => a.id));
	const jury = rs.jurorIds ? new Set(rs.jurorIds) : null;
	const jurors: RoutingJuror[] = db
		.select({ p: jurorProfiles, role: users.role, blockedAt: users.blockedAt })
		.from(jurorProfiles)
		.innerJoin(users, eq(users.id, jurorProfiles.userId))
		.all()
		.filter((r) => r.role === 'jury' && (!jury || jury.has(r.p.userId)))
		.map((r) => ({
			id: r.p.userId,
			userId: r.p.userId,
			nominationIds: jury ? contestNoms : r.p.nominationIds.filter((n) => contestNoms.includes(n)),
			region: r.p.regionCode ?? '',
			organization: r.p.organization,
			capacity: r.p.capacity,
			active: r.p.active && !r.blockedAt
		}));
	const rows = db
		.select({ id: assignments.id, applicationId: assignments.applicationId, jurorId: assignments.jurorId, status: assignments.status })
		.from(assignments)
		.where(eq(assignments.roundId, round.id))
		.all();
	const live = rows.filter((r) => (REVIEW_STATUSES as readonly string[]).includes(r.status));
	const conflictRows: RoutingConflict[] = db
		.select({ jurorId: conflicts.jurorId, applicationId: conflicts.applicationId, reason: conflicts.reason })
		.from(conflicts)
		.innerJoin(roundEntries, and(eq(roundEntries.applicationId, conflicts.applicationId), eq(roundEntries.roundId, round.id)))
		.all()
		.filter((c) => appIds.has(c.applicationId));
	// A removed or recused assignment: do not put the same juror back on the entry.
	for (const r of rows)
		if (!(REVIEW_STATUSES as readonly string[]).includes(r.status) && appIds.has(r.applicationId))
			conflictRows.push({ jurorId: r.jurorId, applicationId: r.applicationId, reason: r.status === 'recused' ? 'recused' : 'declared' });
	return { round, k: rs.k ?? cs.jurorsPerEntry, sameRegionConflict: cs.sameRegionConflict, apps, jurors, conflicts: conflictRows, live };
}

function insertAssignment(db: DB, actor: Actor, round: RoundRow, applicationId: string, jurorId: string, source: 'auto' | 'manual', now: Date, why: string): string {
	const old = db
		.select()
		.from(assignments)
		.where(and(eq(assignments.roundId, round.id), eq(assignments.applicationId, applicationId), eq(assignments.jurorId, jurorId)))
		.get();
	let id: string;
	if (old) {
		id = old.id;
		db.update(assignments)
			.set({ status: 'assigned', source, startedAt: null, submittedAt: null, version: old.version + 1, updatedAt: now })
			.where(eq(assignments.id, old.id))
			.run();
	} else {
		id = newId();
		db.insert(assignments).values({ id, roundId: round.id, applicationId, jurorId, status: 'assigned', source, createdAt: now, updatedAt: now }).run();
	}
	audit(
		db,
		{ actorId: actor.id, ip: actor.ip, action: 'assignment.add', entity: 'assignment', entityId: id, before: old ? { status: old.status } : null, after: { status: 'assigned', source, roundId: round.id, applicationId, jurorId, reason: why } },
		now
	);
	return id;
}

export interface RouteSummary {
	added: number;
	kept: number;
	unplaced: Unplaced[];
}

/**
 * Routes a finals round (number ≥ 2): every finalist gets K jurors (of the final jury if one is
 * set), loads balanced. Existing live assignments are kept; nothing is removed.
 */
export function routeFinals(db: DB, actor: Actor, roundId: string, now = new Date()): RouteSummary {
	return db.transaction((t) => {
		const tx = t as unknown as DB;
		const round = getRound(tx, roundId);
		if (round.number < 2) throw new DomainError(400, 'not_finals', 'Здесь распределяются только финальные туры; первый тур распределяет раздел экспертизы');
		if (round.status === 'closed') throw new DomainError(409, 'round_closed', 'Тур закрыт');
		const base = routingBase(tx, round);
		if (!base.apps.length) throw new DomainError(409, 'empty_round', 'В туре нет заявок');
		const result = routeAssignments({
			applications: base.apps,
			jurors: base.jurors,
			conflicts: base.conflicts,
			settings: { k: base.k, sameRegionConflict: base.sameRegionConflict },
			existing: base.live.map((r) => ({ applicationId: r.applicationId, jurorId: r.jurorId, locked: true }))
		});
		for (const p of result.added) insertAssignment(tx, actor, round, p.applicationId, p.jurorId, 'auto', now, 'finals');
		audit(
			tx,
			{
				actorId: actor.id,
				ip: actor.ip,
				action: 'routing.apply',
				entity: 'round',
				entityId: round.id,
				after: { added: result.added.length, kept: result.kept.length, unplaced: result.unplaced.length, k: base.k, minLoad: result.stats.minLoad, maxLoad: result.stats.maxLoad }
			},
			now
		);
		return { added: result.added.length, kept: result.kept.length, unplaced: result.unplaced };
	});
}

/**
 * «Назначить ещё эксперта»: one more juror for one entry of a round (typically a disagreement).
 * Chosen by `routeAssignments` among eligible jurors (covering the nomination, active, no
 * conflict, not already on the entry, capacity left), preferring the least loaded in this round:
 * the routing is tried on the jurors with the lowest load first, then widened. Refused with the
 * routing's Russian explanation when nobody fits. The assignment is `manual` (an organizer's
 * decision that automatic re-routing keeps).
 */
export function addJurorToEntry(db: DB, actor: Actor, roundId: string, applicationId: string, now = new Date()): { assignmentId: string; jurorId: string; fio: string } {
	return db.transaction((t) => {
		const tx = t as unknown as DB;
		const round = getRound(tx, roundId);
		if (round.status === 'closed') throw new DomainError(409, 'round_closed', 'Тур закрыт: назначать экспертов нельзя');
		const base = routingBase(tx, round, applicationId);
		const app = base.apps[0];
		if (!app) throw new DomainError(404, 'not_in_round', 'Заявки нет среди участников тура');
		const loads = new Map<string, number>();
		for (const r of tx
			.select({ jurorId: assignments.jurorId, n: sql<number>`count(*)` })
			.from(assignments)
			.where(and(eq(assignments.roundId, round.id), inArray(assignments.status, [...REVIEW_STATUSES])))
			.groupBy(assignments.jurorId)
			.all())
			loads.set(r.jurorId, r.n);
		const onApp = base.live.filter((r) => r.applicationId === applicationId);
		const onSet = new Set(onApp.map((r) => r.jurorId));
		const jurorsFor = (maxLoad: number): RoutingJuror[] =>
			base.jurors
				.filter((j) => onSet.has(j.id) || (loads.get(j.id) ?? 0) <= maxLoad)
				.map((j) => ({ ...j, capacity: onSet.has(j.id) ? 1 : j.capacity - (loads.get(j.id) ?? 0) > 0 ? 1 : 0 }));
		const tiers = [...new Set(base.jurors.filter((j) => !onSet.has(j.id)).map((j) => loads.get(j.id) ?? 0))].sort((a, b) => a - b);
		if (!tiers.length) tiers.push(0);
		let chosen: string | null = null;
		let last: Unplaced | undefined;
		for (const tier of tiers) {
			const result = routeAssignments({
				applications: [app],
				jurors: jurorsFor(tier),
				conflicts: base.conflicts,
				settings: { k: onApp.length + 1, sameRegionConflict: base.sameRegionConflict },
				existing: onApp.map((r) => ({ applicationId, jurorId: r.jurorId, locked: true }))
			});
			const add = result.added.find((p) => !onSet.has(p.jurorId));
			if (add) {
				chosen = add.jurorId;
				break;
			}
			last = result.unplaced[0];
		}
		if (!chosen) throw new DomainError(409, 'no_juror', `Некого назначить: ${last?.reasons.join('; ') ?? 'нет подходящих экспертов'}`);
		const id = insertAssignment(tx, actor, round, applicationId, chosen, 'manual', now, 'disagreement');
		const fio = tx.select({ fio: users.fio }).from(users).where(eq(users.id, chosen)).get()?.fio ?? '';
		return { assignmentId: id, jurorId: chosen, fio };
	});
}

/**
 * Opening or closing the finals from the results console: the same path as every round change
 * (review/rounds.ts — deadline check, assignments, audit actions round.activate / round.reopen /
 * round.close), nothing of its own.
 */
export function setRoundStatus(db: DB, actor: Actor, roundId: string, to: 'active' | 'closed', now = new Date()): void {
	if (to === 'active') activateRound(db, roundId, actor, now);
	else closeRound(db, roundId, actor, now);
}

/** Jurors of the contest (for the final-jury picker): id, name, nominations, active. */
export function contestJurors(db: DB, contestId: string) {
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
