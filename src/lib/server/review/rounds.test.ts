import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { tempDb } from '../../../../tests/helpers/db';
import { asJury, asOrganizer } from '../../../../tests/helpers/actors';
import { juryFixture, type Fixture } from '../../../../tests/helpers/jury';
import type { DB } from '../db/client';
import { assignments, auditEvents, criteria, emailTokens, jurorProfiles, users } from '../db/schema';
import { DomainError } from '../errors';
import { activateRound, addRoundEntries, closeRound, createRound, idsByNumbers, removeRoundEntries, roundEntryIds, scoringOpen } from './rounds';
import { createCriterion, deleteCriterion, moveCriterion, listCriteria, updateCriterion, scoringStarted } from './rubric';
import { addAssignment } from './assignments';
import { applyRouting } from './plan';
import { saveScores } from './scoring';
import { declareConflict, inviteJuror, listJurors, removeConflict, resendInvite, updateJurorProfile, jurorConflicts } from './jurors';

const ORG = asOrganizer();

let t: ReturnType<typeof tempDb>;
let db: DB;
let f: Fixture;
beforeEach(() => {
	t = tempDb();
	db = t.db;
	f = juryFixture(db);
});
afterEach(() => t.cleanup());

const code = (fn: () => unknown) => {
	try {
		fn();
	} catch (e) {
		if (e instanceof DomainError) return `${e.status} ${e.code}`;
		throw e;
	}
	return 'ok';
};

describe('rounds', () => {
	it('round 1 takes every submitted entry; round 2 needs a shortlist of submitted entries', () => {
		const a = f.app();
		const b = f.app();
		f.app({ status: 'draft' });
		const w = f.app({ status: 'withdrawn' });
		const r1 = createRound(db, f.contestId, { number: 1 });
		expect(roundEntryIds(db, r1.id).sort()).toEqual([a, b].sort());
		expect(r1).toMatchObject({ status: 'draft', title: 'Заочный тур' });
		expect(code(() => createRound(db, f.contestId, { number: 1 }))).toBe('409 round_exists');
		expect(code(() => createRound(db, f.contestId, { number: 2 }))).toBe('400 no_shortlist');
		expect(code(() => createRound(db, f.contestId, { number: 2, applicationIds: [w] }))).toBe('400 not_competing');
		expect(code(() => createRound(db, f.contestId, { number: 2, applicationIds: ['nope'] }))).toBe('400 bad_entries');
		expect(code(() => createRound(db, f.contestId, { number: 2, applicationIds: [a], deadlineAt: new Date(Date.now() - 1000) }))).toBe('400 past_deadline');
		const r2 = createRound(db, f.contestId, { number: 2, title: 'Финал', applicationIds: [a, a], k: 5 });
		expect(roundEntryIds(db, r2.id)).toEqual([a]);
		expect(r2.settings).toEqual({ k: 5 });
		expect(idsByNumbers(db, f.contestId, 'нс-2026-00002,\n НС-2026-00001')).toHaveLength(2);
		expect(code(() => idsByNumbers(db, f.contestId, 'НС-2026-09999'))).toBe('400 unknown_numbers');
		expect(addRoundEntries(db, r2.id, [a, b])).toBe(1);
		expect(removeRoundEntries(db, r2.id, [b])).toBe(1);
	});

	it('activation needs assignments and a future deadline; closing stops scoring', () => {
		const a = f.app();
		const j = f.juror();
		const r = createRound(db, f.contestId, { number: 1 });
		expect(code(() => activateRound(db, r.id))).toBe('409 no_assignments');
		addAssignment(db, null, r.id, a, j);
		expect(code(() => closeRound(db, r.id))).toBe('409 not_active');
		const act = activateRound(db, r.id);
		expect(scoringOpen(act)).toBe(true);
		const closed = closeRound(db, r.id);
		expect(scoringOpen(closed)).toBe(false);
		expect(db.select().from(auditEvents).where(eq(auditEvents.entityId, r.id)).all().map((e) => e.action)).toEqual(['round.create', 'round.activate', 'round.close']);
		expect(scoringOpen({ status: 'active', deadlineAt: new Date(Date.now() - 1) })).toBe(false);
	});

	it('entries with started assessments cannot leave a round', () => {
		const a = f.app();
		const j = f.juror();
		const r = createRound(db, f.contestId, { number: 1 });
		const x = addAssignment(db, null, r.id, a, j);
		activateRound(db, r.id);
		saveScores(db, asJury(j), x.id, { values: { [f.criteria[0]]: 3 }, comment: '', version: x.version, intent: 'draft' });
		expect(code(() => removeRoundEntries(db, r.id, [a]))).toBe('409 entries_started');
	});
});

const crit = (o: Partial<Parameters<typeof createCriterion>[3]> = {}) => ({ title: 'Новый критерий', description: '', weight: 2, scaleMin: 0, scaleMax: 5, nominationId: null, levels: [{ value: 0, label: 'нет' }], ...o });

describe('rubric', () => {
	it('CRUD with validation, order', () => {
		const c = createCriterion(db, ORG, f.contestId, crit({ nominationId: f.nominations[0] }));
		expect(listCriteria(db, f.contestId).map((x) => x.id).at(-1)).toBe(c.id);
		expect(code(() => createCriterion(db, ORG, f.contestId, crit({ scaleMax: 0 })))).toBe('400 bad_scale');
		expect(code(() => createCriterion(db, ORG, f.contestId, crit({ levels: [{ value: 9, label: 'вне' }] })))).toBe('400 bad_level');
		const other = juryFixture(db, 'other');
		expect(code(() => createCriterion(db, ORG, f.contestId, crit({ nominationId: other.nominations[0] })))).toBe('400 bad_nomination');
		moveCriterion(db, ORG, f.contestId, c.id, -1);
		expect(listCriteria(db, f.contestId).map((x) => x.id).at(-2)).toBe(c.id);
		updateCriterion(db, ORG, f.contestId, c.id, crit({ weight: 4 }));
		deleteCriterion(db, ORG, f.contestId, c.id);
		expect(db.select().from(criteria).where(eq(criteria.id, c.id)).get()).toBeUndefined();
	});

	it('is frozen structurally once scoring has started; wording stays editable', () => {
		const a = f.app();
		const j = f.juror();
		const r = createRound(db, f.contestId, { number: 1 });
		const x = addAssignment(db, null, r.id, a, j);
		activateRound(db, r.id);
		expect(scoringStarted(db, f.contestId)).toBe(false);
		saveScores(db, asJury(j), x.id, { values: { [f.criteria[0]]: 3 }, comment: '', version: x.version, intent: 'draft' });
		expect(scoringStarted(db, f.contestId)).toBe(true);
		const c0 = listCriteria(db, f.contestId)[0];
		const same = { title: c0.title, description: c0.description, weight: c0.weight, scaleMin: c0.scaleMin, scaleMax: c0.scaleMax, nominationId: c0.nominationId, levels: c0.levels };
		expect(code(() => createCriterion(db, ORG, f.contestId, crit()))).toBe('409 rubric_frozen');
		expect(code(() => deleteCriterion(db, ORG, f.contestId, c0.id))).toBe('409 rubric_frozen');
		expect(code(() => updateCriterion(db, ORG, f.contestId, c0.id, { ...same, weight: 5 }))).toBe('409 rubric_frozen');
		expect(code(() => updateCriterion(db, ORG, f.contestId, c0.id, { ...same, scaleMax: 20 }))).toBe('409 rubric_frozen');
		expect(code(() => updateCriterion(db, ORG, f.contestId, c0.id, { ...same, levels: [...same.levels, { value: 5, label: 'середина' }] }))).toBe('409 rubric_frozen');
		const ok = updateCriterion(db, ORG, f.contestId, c0.id, { ...same, title: 'Компетенции наставника', levels: same.levels.map((l) => ({ ...l, label: l.label + ' (уточнено)' })) });
		expect(ok.title).toBe('Компетенции наставника');
	});
});

describe('jurors', () => {
	it('invites, re-invites, edits the profile per contest, lists loads', () => {
		const { user, token } = inviteJuror(db, ORG, f.contestId, { fio: 'Новиков Новик Новикович', email: 'New@Example.ru', regionCode: '16', organization: 'ВУЗ', capacity: 7, nominationIds: [f.nominations[1]] });
		expect(user).toMatchObject({ email: 'new@example.ru', role: 'jury', passwordHash: null });
		expect(token.length).toBeGreaterThan(20);
		expect(code(() => inviteJuror(db, ORG, f.contestId, { fio: 'Другой Человек Тест', email: 'new@example.ru', regionCode: null, organization: '', capacity: 1, nominationIds: [] }))).toBe('409 email_taken');
		resendInvite(db, ORG, user.id, f.contestId);
		expect(db.select().from(emailTokens).where(eq(emailTokens.userId, user.id)).all()).toHaveLength(2);
		// nominations of another contest stay when this contest's expertise is edited
		const g = juryFixture(db, 'other');
		db.update(jurorProfiles).set({ nominationIds: [f.nominations[1], g.nominations[0]] }).where(eq(jurorProfiles.userId, user.id)).run();
		updateJurorProfile(db, ORG, user.id, f.contestId, { fio: 'Новиков Новик Новикович', regionCode: null, organization: 'ВУЗ', capacity: 9, nominationIds: [f.nominations[0]], active: false });
		expect(db.select().from(jurorProfiles).where(eq(jurorProfiles.userId, user.id)).get()).toMatchObject({ nominationIds: [g.nominations[0], f.nominations[0]], capacity: 9, active: false, regionCode: null });
		const row = listJurors(db, f.contestId).find((j) => j.userId === user.id)!;
		expect(row).toMatchObject({ invited: true, active: false, contestNominationIds: [f.nominations[0]], load: 0 });
		db.update(users).set({ passwordHash: 'set' }).where(eq(users.id, user.id)).run();
		expect(code(() => resendInvite(db, ORG, user.id, f.contestId))).toBe('409 already_joined');
	});

	it('a declared conflict removes the active assignment and re-routes the entry', () => {
		const a = f.app();
		const js = [f.juror(), f.juror(), f.juror(), f.juror()];
		const r = createRound(db, f.contestId, { number: 1 });
		applyRouting(db, null, r.id);
		const victim = db.select().from(assignments).where(eq(assignments.roundId, r.id)).all()[0];
		const res = declareConflict(db, ORG, victim.jurorId, f.contestId, 'нс-2026-00001', 'Соавторы');
		expect(res.removed).toBe(1);
		const now = db.select().from(assignments).where(eq(assignments.roundId, r.id)).all();
		expect(now.find((x) => x.id === victim.id)!.status).toBe('removed');
		expect(now.filter((x) => x.status === 'assigned')).toHaveLength(3);
		expect(now.some((x) => x.status === 'assigned' && x.jurorId === victim.jurorId)).toBe(false);
		const [c] = jurorConflicts(db, victim.jurorId, f.contestId);
		expect(c).toMatchObject({ applicationId: a, reason: 'declared', comment: 'Соавторы' });
		expect(code(() => declareConflict(db, ORG, js[0], f.contestId, 'НС-0000', ''))).toBe('400 unknown_number');
		removeConflict(db, ORG, victim.jurorId, c.id);
		expect(jurorConflicts(db, victim.jurorId, f.contestId)).toHaveLength(0);
	});
});
