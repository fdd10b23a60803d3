import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { tempDb } from '../../../../tests/helpers/db';
import { asJury } from '../../../../tests/helpers/actors';
import { juryFixture, type Fixture } from '../../../../tests/helpers/jury';
import type { DB } from '../db/client';
import { applications, assignments, auditEvents, scores } from '../db/schema';
import { DomainError } from '../errors';
import { activateRound, closeRound, createRound, updateRound } from './rounds';
import { addAssignment, removeAssignment } from './assignments';
import { juryQueue, loadOwnAssignment, recuse, saveScores, scoringView } from './scoring';

let t: ReturnType<typeof tempDb>;
let db: DB;
let f: Fixture;
let juror: string;
let other: string;
let roundId: string;
let mine: typeof assignments.$inferSelect;
let theirs: typeof assignments.$inferSelect;
let appId: string;

beforeEach(() => {
	t = tempDb();
	db = t.db;
	f = juryFixture(db);
	juror = f.juror();
	other = f.juror();
	appId = f.app({ nom: 1 });
	const second = f.app({ nom: 0 });
	const round = createRound(db, f.contestId, { number: 1, deadlineAt: new Date(Date.now() + 7 * 86400_000) });
	roundId = round.id;
	mine = addAssignment(db, null, roundId, appId, juror);
	addAssignment(db, null, roundId, second, juror);
	theirs = addAssignment(db, null, roundId, appId, other);
	activateRound(db, roundId);
});
afterEach(() => t.cleanup());

const err = (fn: () => unknown) => {
	try {
		fn();
	} catch (e) {
		if (e instanceof DomainError) return { status: e.status, code: e.code, message: e.message, details: e.details };
		throw e;
	}
	return null;
};
const stored = (id: string) => db.select().from(scores).where(eq(scores.assignmentId, id)).all();
const row = (id: string) => db.select().from(assignments).where(eq(assignments.id, id)).get()!;
const [c0, c1, c2] = [0, 1, 2];

describe('scoring', () => {
	it('saves a draft, then submits; every save is audited and bumps the version', () => {
		const C = f.criteria;
		const r1 = saveScores(db, asJury(juror), mine.id, { values: { [C[c0]]: '7', [C[c1]]: '' }, comment: ' Хорошо ', version: mine.version, intent: 'draft' });
		expect(r1).toMatchObject({ status: 'draft', version: mine.version + 1, scores: { [C[c0]]: 7 }, comment: 'Хорошо' });
		expect(row(mine.id).startedAt).not.toBeNull();
		const r2 = saveScores(db, asJury(juror), mine.id, { values: { [C[c0]]: 8, [C[c1]]: 5, [C[c2]]: 0 }, comment: 'Хорошо', version: r1.version, intent: 'submit' });
		expect(r2.status).toBe('submitted');
		expect(stored(mine.id).map((s) => s.value).sort()).toEqual([0, 5, 8]);
		const events = db.select().from(auditEvents).where(eq(auditEvents.entityId, mine.id)).all();
		expect(events.map((e) => e.action)).toEqual(['assignment.add', 'score.save', 'score.submit']);
		expect(events[2].before).toMatchObject({ scores: { [C[c0]]: 7 } });
		expect(events[2].after).toMatchObject({ scores: { [C[c0]]: 8 } });
		// after submission edits are allowed until the round closes, and stay submitted
		const r3 = saveScores(db, asJury(juror), mine.id, { values: { [C[c0]]: 9 }, comment: 'Хорошо', version: r2.version, intent: 'draft' });
		expect(r3.status).toBe('submitted');
		// but a submitted assessment cannot lose a score
		expect(err(() => saveScores(db, asJury(juror), mine.id, { values: { [C[c0]]: '' }, comment: '', version: r3.version, intent: 'draft' }))).toMatchObject({ status: 400, code: 'incomplete' });
	});

	it('refuses values off the scale or not integers, and writes nothing', () => {
		const C = f.criteria;
		for (const v of ['11', '-1', '2.5', 'семь', '1e1']) {
			const e = err(() => saveScores(db, asJury(juror), mine.id, { values: { [C[c0]]: v }, comment: '', version: mine.version, intent: 'draft' }));
			expect(e, v).toMatchObject({ status: 400, code: 'out_of_scale' });
			expect((e!.details as { errors: Record<string, string> }).errors[C[c0]]).toMatch(/Компетенции/);
		}
		expect(err(() => saveScores(db, asJury(juror), mine.id, { values: { [C[c1]]: 0 }, comment: '', version: mine.version, intent: 'draft' }))?.message).toMatch(/вне шкалы 1–5/);
		expect(stored(mine.id)).toHaveLength(0);
		expect(row(mine.id).version).toBe(mine.version);
	});

	it('refuses a criterion of another contest or of another nomination', () => {
		const g = juryFixture(db, 'other-2026');
		expect(err(() => saveScores(db, asJury(juror), mine.id, { values: { [g.criteria[0]]: 5 }, comment: '', version: mine.version, intent: 'draft' }))).toMatchObject({ status: 400, code: 'unknown_criterion', message: expect.stringMatching(/другому конкурсу/) });
		const second = juryQueue(db, juror).rounds[0].items.find((i) => i.id !== mine.id)!;
		const v = row(second.id).version;
		expect(err(() => saveScores(db, asJury(juror), second.id, { values: { [f.criteria[c2]]: 5 }, comment: '', version: v, intent: 'draft' }))).toMatchObject({ status: 400, code: 'unknown_criterion', message: expect.stringMatching(/номинации/) });
		expect(err(() => saveScores(db, asJury(juror), mine.id, { values: { nope: 5 }, comment: '', version: mine.version, intent: 'draft' }))).toMatchObject({ status: 400 });
	});

	it('a submission needs every criterion', () => {
		const e = err(() => saveScores(db, asJury(juror), mine.id, { values: { [f.criteria[c0]]: 5 }, comment: '', version: mine.version, intent: 'submit' }));
		expect(e).toMatchObject({ status: 400, code: 'incomplete' });
		expect(e!.message).toMatch(/Видео.*Тиражируемость/);
		expect(stored(mine.id)).toHaveLength(0);
	});

	it('another juror’s assignment: 403 for viewing and for saving, nothing revealed', () => {
		expect(err(() => scoringView(db, juror, theirs.id))).toMatchObject({ status: 403 });
		expect(err(() => saveScores(db, asJury(juror), theirs.id, { values: { [f.criteria[c0]]: 5 }, comment: '', version: theirs.version, intent: 'draft' }))).toMatchObject({ status: 403 });
		expect(err(() => recuse(db, asJury(juror), theirs.id, 'длинная причина'))).toMatchObject({ status: 403 });
		expect(err(() => scoringView(db, juror, 'no-such-id'))).toMatchObject({ status: 404 });
		expect(stored(theirs.id)).toHaveLength(0);
	});

	it('a juror sees only their own scores', () => {
		saveScores(db, asJury(other), theirs.id, { values: { [f.criteria[c0]]: 2 }, comment: 'чужое', version: theirs.version, intent: 'draft' });
		const v = scoringView(db, juror, mine.id);
		expect(v.scores).toEqual({});
		expect(v.assignment.comment).toBe('');
		expect(v.criteria.map((c) => c.title)).toEqual(['Компетенции', 'Видео', 'Тиражируемость']);
		expect(v.application.about).not.toHaveProperty('phone');
		expect(v.nav).toMatchObject({ position: 1, total: 2 });
	});

	it('recused and removed assignments take no scores (410)', () => {
		recuse(db, asJury(juror), mine.id, 'Знаком с заявителем лично');
		expect(err(() => saveScores(db, asJury(juror), mine.id, { values: { [f.criteria[c0]]: 5 }, comment: '', version: row(mine.id).version, intent: 'draft' }))).toMatchObject({ status: 410, code: 'recused' });
		removeAssignment(db, null, theirs.id);
		expect(err(() => saveScores(db, asJury(other), theirs.id, { values: { [f.criteria[c0]]: 5 }, comment: '', version: row(theirs.id).version, intent: 'draft' }))).toMatchObject({ status: 410, code: 'removed' });
	});

	it('nothing after the round closes or its deadline passes; nothing for a withdrawn entry', () => {
		const v = { values: { [f.criteria[c0]]: 5 }, comment: '', version: mine.version, intent: 'draft' as const };
		const later = new Date(Date.now() + 8 * 86400_000);
		expect(err(() => saveScores(db, asJury(juror), mine.id, v, later))).toMatchObject({ status: 409, code: 'round_closed', message: expect.stringMatching(/Срок тура истёк/) });
		updateRound(db, roundId, { deadlineAt: new Date(Date.now() + 10 * 86400_000) });
		expect(saveScores(db, asJury(juror), mine.id, v, later).status).toBe('draft');
		closeRound(db, roundId);
		expect(err(() => saveScores(db, asJury(juror), mine.id, { ...v, version: row(mine.id).version }))).toMatchObject({ status: 409, code: 'round_closed', message: expect.stringMatching(/Тур закрыт/) });
		expect(scoringView(db, juror, mine.id).round.open).toBe(false);
		activateRound(db, roundId);
		db.update(applications).set({ status: 'withdrawn' }).where(eq(applications.id, appId)).run();
		expect(err(() => saveScores(db, asJury(juror), mine.id, { ...v, version: row(mine.id).version }))).toMatchObject({ status: 409, code: 'withdrawn' });
	});

	it('recusal: refused after the deadline and for a submitted assessment', () => {
		const later = new Date(Date.now() + 8 * 86400_000);
		expect(err(() => recuse(db, asJury(juror), mine.id, 'Знаком с заявителем', later))).toMatchObject({ status: 409, code: 'round_closed' });
		const v = row(mine.id).version;
		saveScores(db, asJury(juror), mine.id, { values: { [f.criteria[0]]: 5, [f.criteria[1]]: 5, [f.criteria[2]]: 5 }, comment: '', version: v, intent: 'submit' });
		expect(err(() => recuse(db, asJury(juror), mine.id, 'Знаком с заявителем'))).toMatchObject({ status: 409, code: 'submitted' });
		expect(row(mine.id).status).toBe('submitted');
	});

	it('concurrent saves from two tabs: the stale one gets 409 with what is stored', () => {
		const C = f.criteria;
		const tabA = mine.version;
		const tabB = mine.version;
		saveScores(db, asJury(juror), mine.id, { values: { [C[c0]]: 6 }, comment: 'из вкладки A', version: tabA, intent: 'draft' });
		const e = err(() => saveScores(db, asJury(juror), mine.id, { values: { [C[c0]]: 3 }, comment: 'из вкладки B', version: tabB, intent: 'draft' }));
		expect(e).toMatchObject({ status: 409, code: 'version_conflict' });
		expect((e!.details as { stored: unknown }).stored).toMatchObject({ version: tabA + 1, comment: 'из вкладки A', scores: { [C[c0]]: 6 } });
		expect(db.select().from(scores).where(and(eq(scores.assignmentId, mine.id), eq(scores.criterionId, C[c0]))).get()!.value).toBe(6);
		expect(row(mine.id).comment).toBe('из вкладки A');
	});

	it('the comment for the organizers and the feedback for the applicant are kept apart', () => {
		const C = f.criteria;
		const r = saveScores(db, asJury(juror), mine.id, { values: { [C[c0]]: 6 }, comment: '  Для организаторов: знаком с темой  ', feedback: ' Сильная практика, не хватает цифр. ', version: mine.version, intent: 'draft' });
		expect(r).toMatchObject({ comment: 'Для организаторов: знаком с темой', feedback: 'Сильная практика, не хватает цифр.' });
		expect(row(mine.id)).toMatchObject({ comment: 'Для организаторов: знаком с темой', feedback: 'Сильная практика, не хватает цифр.' });
		expect(scoringView(db, juror, mine.id).assignment).toMatchObject({ comment: 'Для организаторов: знаком с темой', feedback: 'Сильная практика, не хватает цифр.' });
		// A save that does not send the feedback (an old tab) keeps it.
		saveScores(db, asJury(juror), mine.id, { values: {}, comment: 'Другое', version: row(mine.id).version, intent: 'draft' });
		expect(row(mine.id).feedback).toBe('Сильная практика, не хватает цифр.');
		expect(err(() => saveScores(db, asJury(juror), mine.id, { values: {}, comment: '', feedback: 'я'.repeat(5001), version: row(mine.id).version, intent: 'draft' }))).toMatchObject({ status: 400, code: 'bad_feedback' });
		const events = db.select().from(auditEvents).where(eq(auditEvents.entityId, mine.id)).all();
		expect(JSON.stringify(events.map((e) => e.after))).toContain('Сильная практика');
	});

	it('a draft round is invisible to jurors', () => {
		const r2 = createRound(db, f.contestId, { number: 2, applicationIds: [appId] });
		const a = addAssignment(db, null, r2.id, appId, juror);
		expect(err(() => loadOwnAssignment(db, juror, a.id))).toMatchObject({ status: 403 });
		expect(juryQueue(db, juror).rounds.map((r) => r.number)).toEqual([1]);
	});
});

describe('the queue', () => {
	it('shows progress and filters by status and nomination', () => {
		saveScores(db, asJury(juror), mine.id, { values: { [f.criteria[0]]: 5, [f.criteria[1]]: 5, [f.criteria[2]]: 5 }, comment: '', version: mine.version, intent: 'submit' });
		const q = juryQueue(db, juror);
		expect(q.rounds).toHaveLength(1);
		expect(q.rounds[0]).toMatchObject({ number: 1, total: 2, submitted: 1, open: true });
		expect(q.nominations).toHaveLength(2);
		expect(juryQueue(db, juror, { status: 'todo' }).rounds[0].items).toHaveLength(1);
		expect(juryQueue(db, juror, { status: 'submitted' }).rounds[0].items.map((i) => i.id)).toEqual([mine.id]);
		expect(juryQueue(db, juror, { nominationId: f.nominations[0] }).rounds[0].items).toHaveLength(1);
		expect(juryQueue(db, other).rounds[0].items.map((i) => i.id)).toEqual([theirs.id]);
	});
});
