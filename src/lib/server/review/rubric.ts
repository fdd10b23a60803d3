/**
 * The rubric of a contest: criteria (title, description, weight, scale, level descriptors),
 * common to every nomination or specific to one.
 *
 * Changes once scoring has started: we REFUSE structural changes rather than version the rubric.
 * Structural = adding or deleting a criterion, its weight, its scale, its nomination — anything
 * that would make scores already given incomparable with later ones. Wording (title,
 * description, the descriptors' texts) and the order stay editable: they clarify, they do not
 * change what a number means. Scoring has started when any assessment of the contest is begun
 * (an assignment in `draft` or `submitted`, or any score stored).
 */
import { and, asc, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { assignments, criteria, nominations, rounds, scores } from '../db/schema';
import { newId } from '../ids';
import { DomainError, notFound } from '../errors';
import { audit } from '../audit';
import { by, type Actor } from '../actor';

export type Criterion = typeof criteria.$inferSelect;

export interface CriterionInput {
	title: string;
	description: string;
	weight: number;
	scaleMin: number;
	scaleMax: number;
	nominationId: string | null;
	levels: { value: number; label: string }[];
}

export function listCriteria(db: DbOrTx, contestId: string): Criterion[] {
	return db.select().from(criteria).where(eq(criteria.contestId, contestId)).orderBy(asc(criteria.sort), asc(criteria.createdAt)).all();
}

/** The criteria that apply to an application of a nomination: common ones and the nomination's own. */
export function criteriaFor(db: DbOrTx, contestId: string, nominationId: string): Criterion[] {
	return db
		.select()
		.from(criteria)
		.where(and(eq(criteria.contestId, contestId), or(isNull(criteria.nominationId), eq(criteria.nominationId, nominationId))))
		.orderBy(asc(criteria.sort), asc(criteria.createdAt))
		.all();
}

/** Whether any assessment of the contest has begun (then the rubric's structure is frozen). */
export function scoringStarted(db: DbOrTx, contestId: string): boolean {
	const started = db
		.select({ id: assignments.id })
		.from(assignments)
		.innerJoin(rounds, eq(rounds.id, assignments.roundId))
		.where(and(eq(rounds.contestId, contestId), inArray(assignments.status, ['draft', 'submitted'])))
		.limit(1)
		.get();
	if (started) return true;
	return !!db
		.select({ n: sql<number>`1` })
		.from(scores)
		.innerJoin(criteria, eq(criteria.id, scores.criterionId))
		.where(eq(criteria.contestId, contestId))
		.limit(1)
		.get();
}

const FROZEN = 'Оценивание уже началось: менять состав критериев, веса, шкалы и номинации нельзя — иначе выставленные оценки станут несопоставимы. Можно уточнить формулировки и описания уровней.';

function validate(db: DbOrTx, contestId: string, input: CriterionInput) {
	if (input.scaleMax <= input.scaleMin) throw new DomainError(400, 'bad_scale', 'Максимальный балл должен быть больше минимального');
	for (const l of input.levels)
		if (l.value < input.scaleMin || l.value > input.scaleMax)
			throw new DomainError(400, 'bad_level', `Уровень ${l.value} вне шкалы ${input.scaleMin}–${input.scaleMax}`);
	if (input.nominationId) {
		const n = db.select({ id: nominations.id }).from(nominations).where(and(eq(nominations.id, input.nominationId), eq(nominations.contestId, contestId))).get();
		if (!n) throw new DomainError(400, 'bad_nomination', 'Выберите номинацию из списка этого конкурса');
	}
}

function loadCriterion(db: DbOrTx, contestId: string, id: string): Criterion {
	const c = db.select().from(criteria).where(and(eq(criteria.id, id), eq(criteria.contestId, contestId))).get();
	if (!c) throw notFound('Критерий не найден');
	return c;
}

export function createCriterion(db: DbOrTx, actor: Actor | null, contestId: string, input: CriterionInput, now = new Date()): Criterion {
	return db.transaction((d) => {
		if (scoringStarted(d, contestId)) throw new DomainError(409, 'rubric_frozen', FROZEN);
		validate(d, contestId, input);
		const sort = (d.select({ m: sql<number>`coalesce(max(${criteria.sort}), -1)` }).from(criteria).where(eq(criteria.contestId, contestId)).get()?.m ?? -1) + 1;
		const c = d
			.insert(criteria)
			.values({ id: newId(), contestId, ...input, sort, createdAt: now, updatedAt: now })
			.returning()
			.get();
		audit(d, { ...by(actor), action: 'criterion.create', entity: 'criterion', entityId: c.id, after: input }, now);
		return c;
	});
}

export function updateCriterion(db: DbOrTx, actor: Actor | null, contestId: string, id: string, input: CriterionInput, now = new Date()): Criterion {
	return db.transaction((d) => {
		const old = loadCriterion(d, contestId, id);
		validate(d, contestId, input);
		const structural =
			old.weight !== input.weight ||
			old.scaleMin !== input.scaleMin ||
			old.scaleMax !== input.scaleMax ||
			(old.nominationId ?? null) !== (input.nominationId ?? null) ||
			JSON.stringify(old.levels.map((l) => l.value)) !== JSON.stringify(input.levels.map((l) => l.value));
		if (structural && scoringStarted(d, contestId)) throw new DomainError(409, 'rubric_frozen', FROZEN);
		const c = d
			.update(criteria)
			.set({ ...input, updatedAt: now })
			.where(eq(criteria.id, id))
			.returning()
			.get();
		audit(d, { ...by(actor), action: 'criterion.update', entity: 'criterion', entityId: id, before: { title: old.title, description: old.description, weight: old.weight, scaleMin: old.scaleMin, scaleMax: old.scaleMax, nominationId: old.nominationId, levels: old.levels }, after: input }, now);
		return c;
	});
}

export function deleteCriterion(db: DbOrTx, actor: Actor | null, contestId: string, id: string, now = new Date()) {
	db.transaction((d) => {
		const old = loadCriterion(d, contestId, id);
		if (scoringStarted(d, contestId)) throw new DomainError(409, 'rubric_frozen', FROZEN);
		d.delete(criteria).where(eq(criteria.id, id)).run();
		audit(d, { ...by(actor), action: 'criterion.delete', entity: 'criterion', entityId: id, before: old }, now);
	});
}

/** Moves a criterion one place up or down (wording and order stay editable at any time). */
export function moveCriterion(db: DbOrTx, actor: Actor | null, contestId: string, id: string, dir: -1 | 1, now = new Date()) {
	db.transaction((d) => {
		const list = listCriteria(d, contestId);
		const i = list.findIndex((c) => c.id === id);
		if (i < 0) throw notFound('Критерий не найден');
		const j = i + dir;
		if (j < 0 || j >= list.length) return;
		[list[i], list[j]] = [list[j], list[i]];
		list.forEach((c, k) => {
			if (c.sort !== k) d.update(criteria).set({ sort: k, updatedAt: now }).where(eq(criteria.id, c.id)).run();
		});
		audit(d, { ...by(actor), action: 'criterion.move', entity: 'criterion', entityId: id, after: { order: list.map((c) => c.id) } }, now);
	});
}
