/**
 * Manual edits of a round's assignments by the organizers — the jury console's «добавить»,
 * «снять», «перенести», the results console's «назначить ещё эксперта» and the calibration
 * entries — and the conflicts they record. Every edit checks the pair against the same rules as
 * the routing (`checkPair`), is refused on a closed round, and writes one audit event per change
 * with the actor and the address of the request. Automatic routing lives in plan.ts.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { assignments, conflicts, roundEntries, users } from '../db/schema';
import { newId } from '../ids';
import { DomainError, notFound } from '../errors';
import { audit } from '../audit';
import { by, type Actor } from '../actor';
import { contestSettings } from '../contests/settings';
import { conflictKey, conflictReason, isEligible, routeAssignments, type ConflictReason, type RoutingJuror, type Unplaced } from './routing';
import { getRound, type Round } from './rounds';
import { buildRoutingInput, isActiveRow, loadRoundState, pairKey, type AssignmentRow, type RoundState } from './round-state';

export const CONFLICT_TITLE: Record<ConflictReason | 'inactive' | 'no_expertise' | 'not_in_round' | 'capacity' | 'already', string> = {
	own_entry: 'это собственная заявка эксперта',
	same_organization: 'эксперт из той же организации, что и заявитель',
	same_region: 'эксперт из того же региона, что и заявитель',
	declared: 'отмечен конфликт интересов',
	recused: 'эксперт взял самоотвод по этой заявке',
	inactive: 'эксперт выбыл (профиль неактивен)',
	no_expertise: 'эксперт не оценивает эту номинацию',
	not_in_round: 'эксперт не входит в жюри этого тура',
	capacity: 'у эксперта исчерпана ёмкость тура',
	already: 'эксперт уже назначен на эту заявку'
};

export type PairCheck = { ok: true } | { ok: false; code: keyof typeof CONFLICT_TITLE | 'not_entry' | 'unknown_juror'; message: string };

/** Whether a juror may be put on an entry of the round by hand, and why not. */
export function checkPair(s: RoundState, applicationId: string, jurorId: string): PairCheck {
	const app = s.apps.get(applicationId);
	if (!app) return { ok: false, code: 'not_entry', message: 'Заявка не входит в этот тур (или отозвана)' };
	const j = s.jurors.get(jurorId);
	if (!j) return { ok: false, code: 'unknown_juror', message: 'Эксперт не найден' };
	const fail = (code: keyof typeof CONFLICT_TITLE): PairCheck => ({ ok: false, code, message: CONFLICT_TITLE[code] });
	const existing = s.rows.get(pairKey(applicationId, jurorId));
	if (existing && isActiveRow(existing)) return fail('already');
	if (!j.active) return fail('inactive');
	if (!s.inRound(jurorId)) return fail('not_in_round');
	if (!j.nominationIds.includes(app.nominationId)) return fail('no_expertise');
	const declared = new Map<string, 'declared' | 'recused'>();
	for (const c of s.conflicts) if (c.applicationId === applicationId) declared.set(conflictKey(c.jurorId, c.applicationId), c.reason);
	const reason = conflictReason(app, { id: j.userId, userId: j.userId, nominationIds: j.nominationIds, region: j.regionCode ?? '', organization: j.organization, capacity: j.capacity }, { k: s.k, sameRegionConflict: s.sameRegionConflict }, declared);
	if (reason) return fail(reason);
	let load = 0;
	if (s.loads) load = s.loads.get(jurorId) ?? 0;
	else for (const r of s.rows.values()) if (r.jurorId === jurorId && isActiveRow(r)) load++;
	if (load >= j.capacity) return { ok: false, code: 'capacity', message: `${CONFLICT_TITLE.capacity} (${load} из ${j.capacity})` };
	return { ok: true };
}

function assertOpenForEdits(round: Round) {
	if (round.status === 'closed') throw new DomainError(409, 'round_closed', 'Тур закрыт: назначения изменить нельзя');
}

function refuse(check: PairCheck): never {
	if (check.ok) throw new Error('unreachable');
	throw new DomainError(409, check.code, `Нельзя назначить: ${check.message}`);
}

/** Puts a juror on an entry by hand (source `manual`: the routing keeps it). */
export function addAssignment(db: DbOrTx, actor: Actor | null, roundId: string, applicationId: string, jurorId: string, now = new Date()): AssignmentRow {
	return db.transaction((d) => {
		const s = loadRoundState(d, roundId);
		assertOpenForEdits(s.round);
		const check = checkPair(s, applicationId, jurorId);
		if (!check.ok) refuse(check);
		return insertManual(d, s, applicationId, jurorId, actor, now, 'assignment.add');
	});
}

function insertManual(d: DbOrTx, s: RoundState, applicationId: string, jurorId: string, actor: Actor | null, now: Date, action: string, reason?: string): AssignmentRow {
	const roundId = s.round.id;
	if (s.apps.get(applicationId)?.late) d.insert(roundEntries).values({ roundId, applicationId, createdAt: now }).onConflictDoNothing().run();
	const old = s.rows.get(pairKey(applicationId, jurorId));
	let row: AssignmentRow;
	if (old) {
		row = d
			.update(assignments)
			.set({ status: old.startedAt ? 'draft' : 'assigned', source: 'manual', submittedAt: null, version: sql`${assignments.version} + 1`, updatedAt: now })
			.where(eq(assignments.id, old.id))
			.returning()
			.get();
	} else {
		row = d.insert(assignments).values({ id: newId(), roundId, applicationId, jurorId, status: 'assigned', source: 'manual', createdAt: now, updatedAt: now }).returning().get();
	}
	audit(d, { ...by(actor), action, entity: 'assignment', entityId: row.id, before: old ? { status: old.status } : null, after: { status: row.status, source: 'manual', roundId, applicationId, jurorId, ...(reason ? { reason } : {}) } }, now);
	return row;
}

function loadAssignment(d: DbOrTx, assignmentId: string): AssignmentRow {
	const row = d.select().from(assignments).where(eq(assignments.id, assignmentId)).get();
	if (!row) throw notFound('Назначение не найдено');
	return row;
}

/**
 * Takes a juror off an entry. With `conflict`, a declared conflict is recorded too, so that the
 * routing never puts this juror on this entry again. A submitted assessment can be removed (it
 * then does not count); its scores stay in the database.
 */
export function removeAssignment(db: DbOrTx, actor: Actor | null, assignmentId: string, opts: { comment?: string; conflict?: boolean } = {}, now = new Date()): AssignmentRow {
	return db.transaction((d) => {
		const row = loadAssignment(d, assignmentId);
		assertOpenForEdits(getRound(d, row.roundId));
		if (!isActiveRow(row)) throw new DomainError(409, 'not_active', 'Это назначение уже снято');
		const next = d
			.update(assignments)
			.set({ status: 'removed', version: sql`${assignments.version} + 1`, updatedAt: now })
			.where(eq(assignments.id, row.id))
			.returning()
			.get();
		if (opts.conflict) upsertConflict(d, row.jurorId, row.applicationId, 'declared', opts.comment ?? '', actor, now);
		audit(d, { ...by(actor), action: 'assignment.remove', entity: 'assignment', entityId: row.id, before: { status: row.status }, after: { status: 'removed', by: 'organizer', comment: opts.comment ?? '', conflict: !!opts.conflict } }, now);
		return next;
	});
}

/** Moves an assignment that is not submitted to another juror (checks the new pair). */
export function moveAssignment(db: DbOrTx, actor: Actor | null, assignmentId: string, toJurorId: string, now = new Date()): AssignmentRow {
	return db.transaction((d) => {
		const row = loadAssignment(d, assignmentId);
		if (!isActiveRow(row)) throw new DomainError(409, 'not_active', 'Это назначение уже снято');
		if (row.status === 'submitted') throw new DomainError(409, 'submitted', 'Оценка по этому назначению уже отправлена: перенести его нельзя (можно снять, тогда оценка не будет учитываться)');
		if (row.jurorId === toJurorId) throw new DomainError(400, 'same_juror', 'Выберите другого эксперта');
		const s = loadRoundState(d, row.roundId);
		assertOpenForEdits(s.round);
		const check = checkPair(s, row.applicationId, toJurorId);
		if (!check.ok) refuse(check);
		d.update(assignments).set({ status: 'removed', version: sql`${assignments.version} + 1`, updatedAt: now }).where(eq(assignments.id, row.id)).run();
		audit(d, { ...by(actor), action: 'assignment.move', entity: 'assignment', entityId: row.id, before: { status: row.status, jurorId: row.jurorId }, after: { status: 'removed', movedTo: toJurorId } }, now);
		return insertManual(d, s, row.applicationId, toJurorId, actor, now, 'assignment.move');
	});
}

/** Records a declared or recused conflict; a recusal is never downgraded to declared. */
export function upsertConflict(d: DbOrTx, jurorId: string, applicationId: string, reason: 'declared' | 'recused', comment: string, actor: Actor | null, now: Date) {
	const old = d.select().from(conflicts).where(and(eq(conflicts.jurorId, jurorId), eq(conflicts.applicationId, applicationId))).get();
	if (old) {
		const nextReason = old.reason === 'recused' ? 'recused' : reason;
		d.update(conflicts).set({ reason: nextReason, comment: comment || old.comment, updatedAt: now }).where(eq(conflicts.id, old.id)).run();
		audit(d, { ...by(actor), action: 'conflict.update', entity: 'conflict', entityId: old.id, before: { reason: old.reason, comment: old.comment }, after: { reason: nextReason, comment: comment || old.comment } }, now);
		return old.id;
	}
	const id = newId();
	d.insert(conflicts).values({ id, jurorId, applicationId, reason, comment, createdAt: now, updatedAt: now }).run();
	audit(d, { ...by(actor), action: 'conflict.create', entity: 'conflict', entityId: id, after: { jurorId, applicationId, reason, comment } }, now);
	return id;
}

/**
 * «Назначить ещё эксперта»: one more juror for one entry of a round (typically a disagreement
 * seen in the results). Chosen by `routeAssignments` among the jurors `checkPair` allows
 * (covering the nomination, active, in the round's jury, no conflict, not already on the entry,
 * capacity left), preferring the least loaded in this round: the routing is tried on the jurors
 * with the lowest load first, then widened. Refused with the routing's Russian explanation when
 * nobody fits. The assignment is `manual` (an organizer's decision that re-routing keeps).
 */
export function addJurorToEntry(db: DbOrTx, actor: Actor | null, roundId: string, applicationId: string, now = new Date()): { assignmentId: string; jurorId: string; fio: string } {
	return db.transaction((d) => {
		const s = loadRoundState(d, roundId);
		if (s.round.status === 'closed') throw new DomainError(409, 'round_closed', 'Тур закрыт: назначать экспертов нельзя');
		const app = s.apps.get(applicationId);
		if (!app || app.late) throw new DomainError(404, 'not_in_round', 'Заявки нет среди участников тура');
		const input = buildRoutingInput(s);
		const loads = new Map<string, number>();
		for (const r of s.rows.values()) if (isActiveRow(r)) loads.set(r.jurorId, (loads.get(r.jurorId) ?? 0) + 1);
		const onApp = [...s.rows.values()].filter((r) => r.applicationId === applicationId && isActiveRow(r)).map((r) => r.jurorId);
		const onSet = new Set(onApp);
		const free = (j: RoutingJuror) => !onSet.has(j.id) && checkPair(s, applicationId, j.id).ok;
		const jurorsFor = (maxLoad: number): RoutingJuror[] =>
			input.jurors.filter((j) => onSet.has(j.id) || (free(j) && (loads.get(j.id) ?? 0) <= maxLoad)).map((j) => ({ ...j, capacity: 1 }));
		const tiers = [...new Set(input.jurors.filter(free).map((j) => loads.get(j.id) ?? 0))].sort((a, b) => a - b);
		if (!tiers.length) tiers.push(0);
		const routingApp = input.applications.find((a) => a.id === applicationId)!;
		let chosen: string | null = null;
		let last: Unplaced | undefined;
		for (const tier of tiers) {
			const result = routeAssignments({
				applications: [routingApp],
				jurors: jurorsFor(tier),
				conflicts: input.conflicts,
				settings: { k: onApp.length + 1, sameRegionConflict: s.sameRegionConflict },
				existing: onApp.map((jurorId) => ({ applicationId, jurorId, locked: true }))
			});
			const add = result.added.find((p) => !onSet.has(p.jurorId));
			if (add) {
				chosen = add.jurorId;
				break;
			}
			last = result.unplaced[0];
		}
		if (!chosen) throw new DomainError(409, 'no_juror', `Некого назначить: ${last?.reasons.join('; ') ?? 'нет подходящих экспертов'}`);
		const row = insertManual(d, s, applicationId, chosen, actor, now, 'assignment.add', 'disagreement');
		const fio = d.select({ fio: users.fio }).from(users).where(eq(users.id, chosen)).get()?.fio ?? '';
		return { assignmentId: row.id, jurorId: chosen, fio };
	});
}

/**
 * Calibration: every calibration entry of the contest (results settings) that is an entry of
 * this round goes to every active juror of its nomination who has no conflict with it and has
 * never been on it — capacity and the round's jury do not limit it (the point is that everyone
 * scores the same entries). One audit event per assignment.
 */
export function assignCalibration(db: DbOrTx, actor: Actor | null, roundId: string, now = new Date()): { added: number } {
	return db.transaction((d) => {
		const s = loadRoundState(d, roundId);
		if (s.round.status === 'closed') throw new DomainError(409, 'round_closed', 'Тур закрыт');
		const ids = contestSettings(s.contest.settings).calibrationEntryIds;
		if (!ids.length) throw new DomainError(409, 'no_calibration', 'Калибровочные заявки не заданы в настройках итогов');
		const declared = new Map<string, 'declared' | 'recused'>();
		for (const c of s.conflicts) declared.set(conflictKey(c.jurorId, c.applicationId), c.reason);
		const input = buildRoutingInput(s);
		let added = 0;
		for (const id of ids) {
			const app = input.applications.find((a) => a.id === id);
			if (!app || s.apps.get(id)?.late) continue;
			for (const j of s.jurors.values()) {
				if (!j.active || s.rows.has(pairKey(id, j.userId))) continue;
				const juror = { id: j.userId, userId: j.userId, nominationIds: j.nominationIds, region: j.regionCode ?? '', organization: j.organization, capacity: j.capacity };
				if (!isEligible(app, juror, { k: 1, sameRegionConflict: s.sameRegionConflict }, declared)) continue;
				insertManual(d, s, id, j.userId, actor, now, 'assignment.add', 'calibration');
				added++;
			}
		}
		return { added };
	});
}
