import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { dbPerTest } from '../../../../tests/helpers/db';
import { seedResultsContest, type SeededResults } from '../../../../tests/helpers/results-data';
import type { DB } from '../db/client';
import { applications, assignments, criteria, scores } from '../db/schema';
import { newId } from '../ids';
import { computeRound, loadRound, normalizationFallbacks, roundResults } from './load';
import { plainRead, asRead } from '../../../../tests/helpers/round-read';

let db: DB;
let s: SeededResults;
dbPerTest((d) => (s = seedResultsContest((db = d))));

const near = (x: number | null, y: number) => expect(x).toBeCloseTo(y, 9);


describe('loadRound + computeRound (hand-computed, see tests/helpers/results-data.ts)', () => {
	it('reads entries, criteria, reviews and scores of the round', () => {
		const l = loadRound(db, s.roundId);
		expect(l.entries).toHaveLength(8);
		expect(l.criteria.map((c) => c.title)).toEqual(['Актуальность', 'Результативность']);
		expect(l.assignments).toHaveLength(24);
		expect(l.scores.size).toBe(20); // 20 submitted reviews (24 − M4·J4 − P4×3), 2 scores each
		expect(l.scores.get(s.assignmentOf(s.apps.M1, s.jurors.J3)!)).toEqual({ [s.c1]: 9, [s.c2]: 6 });
		expect(l.jurors.get(s.jurors.J1)?.fio).toBe('Антонов Борис Ильич');
		expect(l.round.deadlineAt).toBeLessThan(Date.now());
	});

	it('rows read by iteration with shared id strings (issue 18) equal plain queries: assignments, scores, juror names', () => {
		const l = loadRound(db, s.roundId);
		expect(asRead(l)).toEqual(plainRead(db, s.roundId));
		for (const a of l.assignments) expect(l.jurors.get(a.jurorId)?.id).toBe(a.jurorId);
	});

	it('means, medians, spreads, missing reviews, flags, ranks with ties', () => {
		const { results } = roundResults(db, s.roundId, { normalize: false });
		const by = new Map(results.entries.map((e) => [e.applicationId, e]));
		const m1 = by.get(s.apps.M1)!;
		near(m1.mean, 250 / 3);
		near(m1.median, 80);
		near(m1.spread, 10);
		expect(m1.rank).toBe(1);
		const m2 = by.get(s.apps.M2)!;
		near(m2.mean, 170 / 3);
		near(m2.spread, 80);
		expect(m2.flagged).toBe(true);
		expect(m2.rank).toBe(4);
		const m4 = by.get(s.apps.M4)!;
		expect(m4.reviews).toBe(2);
		expect(m4.missing).toBe(1);
		expect(m4.rank).toBe(3);
		const [p1, p2, p3, p4] = [by.get(s.apps.P1)!, by.get(s.apps.P2)!, by.get(s.apps.P3)!, by.get(s.apps.P4)!];
		expect([p1.rank, p2.rank, p3.rank, p4.rank]).toEqual([1, 1, 3, null]);
		expect([p1.tie, p2.tie]).toEqual([true, true]);
		expect([p1.position, p2.position, p3.position, p4.position]).toEqual([1, 2, 3, 4]); // P1 was submitted earlier
		expect(p4.reviews).toBe(0);
		expect(p4.missing).toBe(3);
		near(p3.perCriterion[s.c1], 5);
		expect(results.summary).toMatchObject({ entries: 8, flagged: 1, unscored: 1, countedReviews: 20, withMissing: 2 });
		const j4 = results.jurors.find((j) => j.jurorId === s.jurors.J4)!;
		expect(j4.count).toBe(4);
		near(j4.mean, (20 + 70 + 80 + 60) / 4);
	});

	it('normalization switch: computed both ways from the same load', () => {
		const l = loadRound(db, s.roundId);
		const raw = computeRound(l, { normalize: false });
		const norm = computeRound(l, { normalize: true });
		expect(raw.settings.normalize).toBe(false);
		expect(norm.settings.normalize).toBe(true);
		const a = raw.entries.find((e) => e.applicationId === s.apps.M2)!;
		const b = norm.entries.find((e) => e.applicationId === s.apps.M2)!;
		near(a.rawMean, b.rawMean!);
		expect(a.mean).not.toBeCloseTo(b.mean!, 3);
	});

	it('withdrawn entries are left out and counted; removed assignments are not reviews', () => {
		db.update(applications).set({ status: 'withdrawn' }).where(eq(applications.id, s.apps.P3)).run();
		db.update(assignments).set({ status: 'removed' }).where(eq(assignments.id, s.assignmentOf(s.apps.M2, s.jurors.J4)!)).run();
		const { loaded, results } = roundResults(db, s.roundId);
		expect(loaded.entries).toHaveLength(7);
		expect(loaded.withdrawn).toBe(1);
		const m2 = results.entries.find((e) => e.applicationId === s.apps.M2)!;
		expect(m2.reviews).toBe(2);
		expect(m2.missing).toBe(1);
		near(m2.mean, 75);
	});

	it('nomination-specific criteria: groups computed separately and merged', () => {
		const c3 = newId();
		db.insert(criteria).values({ id: c3, contestId: s.contestId, nominationId: s.practiceId, title: 'Тиражируемость', weight: 1, scaleMin: 0, scaleMax: 10, sort: 2 }).run();
		// practice reviews get the extra criterion = 10 → totals (2·c1 + c2 + 10)/40
		for (const a of db.select().from(assignments).all())
			if (a.status === 'submitted' && [s.apps.P1, s.apps.P2, s.apps.P3].includes(a.applicationId)) db.insert(scores).values({ assignmentId: a.id, criterionId: c3, value: 10 }).run();
		const { results } = roundResults(db, s.roundId);
		expect(results.groups).toBe(2);
		const p1 = results.entries.find((e) => e.applicationId === s.apps.P1)!;
		near(p1.mean, ((2 * 8 + 8 + 10) / 40) * 100);
		const m1 = results.entries.find((e) => e.applicationId === s.apps.M1)!;
		near(m1.mean, 250 / 3);
		// entries stay ordered by nomination id, then position
		const noms = results.entries.map((e) => e.nominationId);
		expect(noms).toEqual([...noms].sort());
		const j1 = results.jurors.find((j) => j.jurorId === s.jurors.J1)!;
		expect(j1.count).toBe(5); // M1, M2, M4 (mentor rubric) + P1, P3 (practice rubric), pooled
	});

	it('normalization fallback note: a juror with one score is only shifted', () => {
		// J5 gets exactly one submitted review of M3 (70 → 7,7).
		const id = newId();
		db.insert(assignments).values({ id, roundId: s.roundId, applicationId: s.apps.M3, jurorId: s.jurors.J5, status: 'submitted' }).run();
		db.insert(scores).values([{ assignmentId: id, criterionId: s.c1, value: 7 }, { assignmentId: id, criterionId: s.c2, value: 7 }]).run();
		const { results } = roundResults(db, s.roundId, { normalize: true });
		expect(normalizationFallbacks(results)).toContainEqual({ jurorId: s.jurors.J5, reason: 'single' });
		for (const e of results.entries) if (e.mean !== null) expect(Number.isFinite(e.mean)).toBe(true);
	});

	it('an empty round computes to empty results', () => {
		const { results } = roundResults(db, s.roundId);
		expect(results.entries.length).toBe(8);
		db.delete(applications).run();
		const empty = roundResults(db, s.roundId);
		expect(empty.results.entries).toEqual([]);
		expect(empty.results.summary.entries).toBe(0);
	});
});
