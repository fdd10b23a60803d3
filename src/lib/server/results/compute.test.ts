import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
	compareHumanNumbers,
	computeResults,
	normalizeByJuror,
	pickWinners,
	reviewTotal,
	round2,
	shortlist,
	totalKey,
	type Criterion,
	type EntryInfo,
	type EntryResult,
	type ResultsInput,
	type ResultsOutput,
	type ResultsSettings,
	type Review
} from './compute';

// ---------------------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------------------

let seq = 0;
function rv(applicationId: string, jurorId: string, scores: Record<string, number>, submitted = true): Review {
	return { assignmentId: `as-${String(++seq).padStart(4, '0')}`, applicationId, jurorId, scores, submitted };
}

function entry(id: string, nominationId: string, number: string, submittedAt = '2026-03-01T10:00:00Z'): EntryInfo {
	return { id, nominationId, number, submittedAt };
}

const SETTINGS: ResultsSettings = { normalize: false, disagreementThreshold: 20, expectedReviews: 3 };

function byId(out: ResultsOutput): Map<string, EntryResult> {
	return new Map(out.entries.map((e) => [e.applicationId, e]));
}

/** Every number anywhere in the value (recursively). */
function numbersIn(v: unknown, acc: number[] = []): number[] {
	if (typeof v === 'number') acc.push(v);
	else if (Array.isArray(v)) for (const x of v) numbersIn(x, acc);
	else if (v && typeof v === 'object') for (const x of Object.values(v)) numbersIn(x, acc);
	return acc;
}

// ---------------------------------------------------------------------------------------
// reviewTotal / round2
// ---------------------------------------------------------------------------------------

describe('reviewTotal', () => {
	const criteria: Criterion[] = [
		{ id: 'c1', weight: 2, scaleMin: 0, scaleMax: 10 },
		{ id: 'c2', weight: 1, scaleMin: 1, scaleMax: 5 },
		{ id: 'c3', weight: 0.5, scaleMin: 0, scaleMax: 100 }
	];

	it('computes the weighted total on 0..100 (hand-computed)', () => {
		// c1: (7−0)/10 = 0.7   × 2   = 1.40
		// c2: (4−1)/4  = 0.75  × 1   = 0.75
		// c3: (40−0)/100 = 0.4 × 0.5 = 0.20
		// Σ = 2.35; Σw = 3.5; 2.35 / 3.5 × 100 = 67.142857… = 470/7
		const t = reviewTotal(rv('a', 'j', { c1: 7, c2: 4, c3: 40 }), criteria);
		expect(t).toBe(470 / 7); // exact: correctly rounded 470/7
		expect(round2(t!)).toBe(67.14);
	});

	it('maps all-min to 0 and all-max to 100', () => {
		expect(reviewTotal(rv('a', 'j', { c1: 0, c2: 1, c3: 0 }), criteria)).toBe(0);
		expect(reviewTotal(rv('a', 'j', { c1: 10, c2: 5, c3: 100 }), criteria)).toBe(100);
	});

	it('is exact for decimal weights (no float noise)', () => {
		// w = 0.1, 0.2, 0.7 (Σ = 1), scores 0, 0, 3 of 10 → 0.7 · 0.3 / 1 · 100 = 21 exactly.
		// Naive doubles: (0.1·0/10 + 0.2·0/10 + 0.7·3/10) / (0.1+0.2+0.7) · 100 = 20.999999999999996.
		// Exact path: W = 1, 2, 7 (×10), L = 10 → 100 · (7·3) / (10 · 10) = 2100/100 = 21.
		const dec: Criterion[] = [
			{ id: 'a', weight: 0.1, scaleMin: 0, scaleMax: 10 },
			{ id: 'b', weight: 0.2, scaleMin: 0, scaleMax: 10 },
			{ id: 'c', weight: 0.7, scaleMin: 0, scaleMax: 10 }
		];
		const naive = (((0.1 * 0) / 10 + (0.2 * 0) / 10 + (0.7 * 3) / 10) / (0.1 + 0.2 + 0.7)) * 100;
		expect(naive).not.toBe(21);
		expect(reviewTotal(rv('x', 'j', { a: 0, b: 0, c: 3 }), dec)).toBe(21);
		expect(reviewTotal(rv('x', 'j', { a: 3, b: 3, c: 3 }), dec)).toBe(30);
	});

	it('falls back to floating point for non-decimal weights and fractional scores', () => {
		const c: Criterion[] = [
			{ id: 'a', weight: 1 / 3, scaleMin: 0, scaleMax: 10 },
			{ id: 'b', weight: 2 / 3, scaleMin: 0, scaleMax: 10 }
		];
		// (1/3 · 0.5 + 2/3 · 1) / 1 · 100 = (1/6 + 4/6) · 100 = 83.333…
		expect(reviewTotal(rv('x', 'j', { a: 5, b: 10 }), c)).toBeCloseTo(250 / 3, 12);
		// fractional score 7.5 of 10 with the integer criteria → 2·0.75+… : c1 0.75×2=1.5, c2 0.75, c3 0.2 → 2.45/3.5 = 70
		expect(reviewTotal(rv('x', 'j', { c1: 7.5, c2: 4, c3: 40 }), criteria)).toBeCloseTo(70, 12);
	});

	it('returns null for an incomplete or invalid review', () => {
		expect(reviewTotal(rv('a', 'j', { c1: 7, c2: 4 }), criteria)).toBeNull(); // c3 missing
		expect(reviewTotal(rv('a', 'j', { c1: 11, c2: 4, c3: 40 }), criteria)).toBeNull(); // above max
		expect(reviewTotal(rv('a', 'j', { c1: 7, c2: 0, c3: 40 }), criteria)).toBeNull(); // below min
		expect(reviewTotal(rv('a', 'j', { c1: NaN, c2: 4, c3: 40 }), criteria)).toBeNull();
		expect(reviewTotal(rv('a', 'j', {}), [])).toBeNull(); // no criteria
	});

	it('ignores unusable criteria (weight ≤ 0, empty scale) instead of dividing by zero', () => {
		const c: Criterion[] = [
			{ id: 'ok', weight: 1, scaleMin: 0, scaleMax: 10 },
			{ id: 'zero', weight: 0, scaleMin: 0, scaleMax: 10 },
			{ id: 'flat', weight: 5, scaleMin: 3, scaleMax: 3 }
		];
		// only "ok" counts: 6/10 × 100 = 60
		expect(reviewTotal(rv('a', 'j', { ok: 6 }), c)).toBe(60);
	});
});

describe('round2', () => {
	it('rounds half away from zero without float artefacts', () => {
		expect(round2(1.005)).toBe(1.01); // 1.005 × 100 = 100.49999999999999 in doubles
		expect(round2(2.675)).toBe(2.68);
		expect(round2(-1.005)).toBe(-1.01);
		expect(round2(66.666666)).toBe(66.67);
		expect(round2(-0.001)).toBe(0);
		expect(Object.is(round2(-0.001), -0)).toBe(false);
	});
});

describe('compareHumanNumbers', () => {
	it('orders digit runs numerically', () => {
		expect(compareHumanNumbers('НС-2026-99', 'НС-2026-100')).toBeLessThan(0);
		expect(compareHumanNumbers('НС-2026-00099', 'НС-2026-00100')).toBeLessThan(0);
		expect(compareHumanNumbers('НС-2026-00100', 'НС-2026-00100')).toBe(0);
		expect(compareHumanNumbers('НС-2025-00900', 'НС-2026-00001')).toBeLessThan(0);
		// numerically equal, written differently: still a strict order
		expect(compareHumanNumbers('НС-7', 'НС-007')).not.toBe(0);
	});
});

// ---------------------------------------------------------------------------------------
// normalizeByJuror
// ---------------------------------------------------------------------------------------

describe('normalizeByJuror', () => {
	it('removes juror leniency (hand-computed z-scores)', () => {
		// Juror A: 60, 80 → mean 70, sd 10.   Juror B: 40, 60 → mean 50, sd 10.
		// Global {60, 80, 40, 60}: mean 60; deviations 0, 20, −20, 0 → var = 800/4 = 200 → sd = √200 ≈ 14.1421
		// A/app1: 60 + √200·(60−70)/10 = 60 − √200 ≈ 45.8579;  A/app2: 60 + √200 ≈ 74.1421
		// B/app1: 60 + √200·(40−50)/10 = 45.8579;               B/app2: 74.1421
		const m = normalizeByJuror([
			{ jurorId: 'A', applicationId: 'app1', total: 60 },
			{ jurorId: 'A', applicationId: 'app2', total: 80 },
			{ jurorId: 'B', applicationId: 'app1', total: 40 },
			{ jurorId: 'B', applicationId: 'app2', total: 60 }
		]);
		const r = Math.sqrt(200);
		expect(m.get(totalKey('A', 'app1'))).toBeCloseTo(60 - r, 12);
		expect(m.get(totalKey('A', 'app2'))).toBeCloseTo(60 + r, 12);
		expect(m.get(totalKey('B', 'app1'))).toBeCloseTo(60 - r, 12);
		expect(m.get(totalKey('B', 'app2'))).toBeCloseTo(60 + r, 12);
		// both jurors now agree exactly
		expect(m.get(totalKey('A', 'app1'))).toBe(m.get(totalKey('B', 'app1')));
	});

	it('fallbacks: one-score juror and all-equal juror are only shifted', () => {
		// A: 60, 80 (mean 70, sd 10);  C: 70 (single score);  D: 50, 50, 50 (sd 0)
		// Global {60, 80, 70, 50, 50, 50}: Σ = 360, mean 60;
		//   deviations 0, 20, 10, −10, −10, −10 → Σ² = 0+400+100+100+100+100 = 800 → var 800/6 → sd = √(400/3) ≈ 11.5470
		// A: 60 ∓ 11.5470 → 48.4530 / 71.5470 (z-score path)
		// C (one score, shift only): 70 − 70 + 60 = 60
		// D (sd 0, shift only):      50 − 50 + 60 = 60 for each
		const m = normalizeByJuror([
			{ jurorId: 'A', applicationId: 'e1', total: 60 },
			{ jurorId: 'A', applicationId: 'e2', total: 80 },
			{ jurorId: 'C', applicationId: 'e3', total: 70 },
			{ jurorId: 'D', applicationId: 'e1', total: 50 },
			{ jurorId: 'D', applicationId: 'e2', total: 50 },
			{ jurorId: 'D', applicationId: 'e3', total: 50 }
		]);
		const gsd = Math.sqrt(400 / 3);
		expect(m.get(totalKey('A', 'e1'))).toBeCloseTo(60 - gsd, 12);
		expect(m.get(totalKey('A', 'e2'))).toBeCloseTo(60 + gsd, 12);
		expect(m.get(totalKey('C', 'e3'))).toBeCloseTo(60, 12);
		for (const e of ['e1', 'e2', 'e3']) expect(m.get(totalKey('D', e))).toBeCloseTo(60, 12);
	});

	it('shift fallback is not fooled by float noise (0.1 × 3 has a non-zero float sd)', () => {
		// Naive mean of three 0.1 is 0.09999999999999999 ≠ 0.1, so a naive sd is ~1e-17, not 0.
		// sd ≤ 1e-9 is treated as 0 → shift: 0.1 − mean + globalMean ≈ globalMean.
		const m = normalizeByJuror([
			{ jurorId: 'F', applicationId: 'a', total: 0.1 },
			{ jurorId: 'F', applicationId: 'b', total: 0.1 },
			{ jurorId: 'F', applicationId: 'c', total: 0.1 },
			{ jurorId: 'G', applicationId: 'a', total: 90 }
		]);
		// global mean = (0.3 + 90)/4 = 22.575
		for (const e of ['a', 'b', 'c']) expect(m.get(totalKey('F', e))).toBeCloseTo(22.575, 9);
		expect(m.get(totalKey('G', 'a'))).toBeCloseTo(22.575, 9); // single score → global mean
	});

	it('clamps to [0, 100]', () => {
		// A: 99, 100 (mean 99.5, sd 0.5); B: 0, 50 (mean 25, sd 25)
		// Global {99, 100, 0, 50}: mean 62.25; Σdev² = 36.75² + 37.75² + 62.25² + 12.25² = 6800.75 → sd = √1700.1875 ≈ 41.2333
		// A/100: 62.25 + 41.2333 · 1 = 103.48 → clamped to 100;  A/99: 62.25 − 41.2333 = 21.0167
		const m = normalizeByJuror([
			{ jurorId: 'A', applicationId: 'x', total: 99 },
			{ jurorId: 'A', applicationId: 'y', total: 100 },
			{ jurorId: 'B', applicationId: 'x', total: 0 },
			{ jurorId: 'B', applicationId: 'y', total: 50 }
		]);
		expect(m.get(totalKey('A', 'y'))).toBe(100);
		expect(m.get(totalKey('A', 'x'))).toBeCloseTo(62.25 - Math.sqrt(1700.1875), 12);
		expect(m.get(totalKey('B', 'x'))).toBeCloseTo(21.0167, 3); // 62.25 − 41.2333
	});

	it('returns raw totals when the global sd is 0; skips non-finite totals; empty input', () => {
		const m = normalizeByJuror([
			{ jurorId: 'A', applicationId: 'x', total: 50 },
			{ jurorId: 'B', applicationId: 'x', total: 50 },
			{ jurorId: 'B', applicationId: 'y', total: NaN },
			{ jurorId: 'B', applicationId: 'z', total: Infinity }
		]);
		expect([...m.entries()]).toEqual([
			[totalKey('A', 'x'), 50],
			[totalKey('B', 'x'), 50]
		]);
		expect(normalizeByJuror([]).size).toBe(0);
		expect(normalizeByJuror([{ jurorId: 'A', applicationId: 'x', total: 42 }]).get(totalKey('A', 'x'))).toBe(42);
	});
});

// ---------------------------------------------------------------------------------------
// computeResults: statistics, ranking, tie-break chain, missing reviews
// ---------------------------------------------------------------------------------------

// q: weight 3, p: weight 1, both 0..10  →  total = (3q + p) / 40 × 100 = 2.5 · (3q + p)
const QP: Criterion[] = [
	{ id: 'q', weight: 3, scaleMin: 0, scaleMax: 10 },
	{ id: 'p', weight: 1, scaleMin: 0, scaleMax: 10 }
];

function scenario(): ResultsInput {
	seq = 0;
	const entries = [
		entry('A', 'n1', 'НС-2026-00001', '2026-03-02T10:00:00Z'),
		entry('B', 'n1', 'НС-2026-00002', '2026-03-01T10:00:00Z'), // earlier than A
		entry('C', 'n1', 'НС-2026-00003'),
		entry('D', 'n1', 'НС-2026-00004'),
		entry('E', 'n1', 'НС-2026-00005'),
		entry('X', 'n1', 'НС-2026-00006'),
		entry('F', 'n2', 'НС-2026-00010'),
		entry('G', 'n2', 'НС-2026-00011'),
		entry('H', 'n2', 'НС-2026-100', '2026-03-05T00:00:00Z'),
		entry('I', 'n2', 'НС-2026-99', '2026-03-05T03:00:00+03:00') // same instant as H
	];
	const reviews = [
		// A: 80, 60, 70
		rv('A', 'j1', { q: 8, p: 8 }),
		rv('A', 'j2', { q: 6, p: 6 }),
		rv('A', 'j3', { q: 7, p: 7 }),
		// B: 90, 50, 70
		rv('B', 'j1', { q: 9, p: 9 }),
		rv('B', 'j2', { q: 5, p: 5 }),
		rv('B', 'j3', { q: 7, p: 7 }),
		// C: 2.5·(30+6) = 90, 2.5·(18+10) = 70 — only two reviews
		rv('C', 'j1', { q: 10, p: 6 }),
		rv('C', 'j2', { q: 6, p: 10 }),
		// D: 80, 80, 80
		rv('D', 'j1', { q: 8, p: 8 }),
		rv('D', 'j2', { q: 8, p: 8 }),
		rv('D', 'j3', { q: 8, p: 8 }),
		// E: 60, 60, 90
		rv('E', 'j1', { q: 6, p: 6 }),
		rv('E', 'j2', { q: 6, p: 6 }),
		rv('E', 'j3', { q: 9, p: 9 }),
		// X: a draft and an incomplete submitted review → no counted review
		rv('X', 'j1', { q: 9, p: 9 }, false),
		rv('X', 'j2', { q: 9 }),
		// F: 2.5·(30+0) = 75 (q = 10);  G: 2.5·(21+9) = 75 (q = 7)
		rv('F', 'j4', { q: 10, p: 0 }),
		rv('G', 'j4', { q: 7, p: 9 }),
		// H, I: 2.5·(12+4) = 40 each, same instant, numbers "…-100" vs "…-99"
		rv('H', 'j5', { q: 4, p: 4 }),
		rv('I', 'j5', { q: 4, p: 4 }),
		// review of an unknown entry: ignored (counts as skipped)
		rv('ZZZ', 'j5', { q: 4, p: 4 })
	];
	return { entries, criteria: QP, reviews, settings: SETTINGS };
}

describe('computeResults', () => {
	it('computes per-entry mean / median / spread / sd / perCriterion (hand-computed)', () => {
		const r = byId(computeResults(scenario()));
		const A = r.get('A')!;
		// A: totals 80, 60, 70 → mean 70, median 70, spread 20, sd = √((10² + 10² + 0)/3) = √(200/3) ≈ 8.165
		expect(A.totals.map((t) => t.raw)).toEqual([80, 60, 70]); // sorted by jurorId j1, j2, j3
		expect(A.mean).toBe(70);
		expect(A.median).toBe(70);
		expect(A.spread).toBe(20);
		expect(A.sd).toBeCloseTo(Math.sqrt(200 / 3), 12);
		expect(A.perCriterion).toEqual({ p: 7, q: 7 }); // (8+6+7)/3 = 7 each
		expect(A.flagged).toBe(false); // spread 20 is NOT > 20
		expect(A.reviews).toBe(3);
		expect(A.missing).toBe(0);

		const B = r.get('B')!;
		// B: 90, 50, 70 → mean 70, median 70, spread 40 > 20 → flagged; sd = √((400+400+0)/3) ≈ 16.330
		expect([B.mean, B.median, B.spread]).toEqual([70, 70, 40]);
		expect(B.sd).toBeCloseTo(Math.sqrt(800 / 3), 12);
		expect(B.flagged).toBe(true);

		const C = r.get('C')!;
		// C: 90, 70 → mean 80, median (70+90)/2 = 80, spread 20, 2 of 3 reviews → missing 1
		// perCriterion q = (10+6)/2 = 8, p = (6+10)/2 = 8
		expect([C.mean, C.median, C.spread, C.reviews, C.missing]).toEqual([80, 80, 20, 2, 1]);
		expect(C.perCriterion).toEqual({ q: 8, p: 8 });

		const E = r.get('E')!;
		// E: 60, 60, 90 → mean 70, median 60, spread 30 → flagged
		expect([E.mean, E.median, E.spread, E.flagged]).toEqual([70, 60, 30, true]);
	});

	it('shows entries without reviews: score null, rank null, listed last', () => {
		const out = computeResults(scenario());
		const X = byId(out).get('X')!;
		expect(X).toMatchObject({ reviews: 0, missing: 3, score: null, mean: null, median: null, rank: null, tie: false, position: 6 });
		expect(X.perCriterion).toEqual({ p: null, q: null });
		expect(X.totals).toEqual([]);
		expect(out.entries.filter((e) => e.nominationId === 'n1').at(-1)!.applicationId).toBe('X');
	});

	it('ranks with competition ranking and breaks ties by the documented chain', () => {
		const out = computeResults(scenario());
		const order = (nom: string) =>
			out.entries.filter((e) => e.nominationId === nom).map((e) => [e.applicationId, e.rank, e.position, e.tie]);
		// n1: scores D 80, C 80, A 70, B 70, E 70, X —
		//  80-group: equal medians (80 = 80) → more reviews: D (3) before C (2)
		//  70-group: medians A 70, B 70, E 60 → E last; A vs B: 3 reviews each,
		//            mean q: A (8+6+7)/3 = 7, B (9+5+7)/3 = 7 → equal → earlier submittedAt: B (Mar 1) before A (Mar 2)
		//  competition ranks: 1, 1, 3, 3, 3
		expect(order('n1')).toEqual([
			['D', 1, 1, true],
			['C', 1, 2, true],
			['B', 3, 3, true],
			['A', 3, 4, true],
			['E', 3, 5, true],
			['X', null, 6, false]
		]);
		// n2: F 75, G 75 → same median 75, same count 1 → higher mean of the highest-weight criterion q: F 10 > G 7
		//     H 40, I 40 → all equal incl. submission instant (10:00Z = 13:00+03:00) → number, natural order: 99 < 100
		expect(order('n2')).toEqual([
			['F', 1, 1, true],
			['G', 1, 2, true],
			['I', 3, 3, true],
			['H', 3, 4, true]
		]);
		expect(out.tieBreakCriterionId).toBe('q');
	});

	it('summary counts', () => {
		const out = computeResults(scenario());
		// fully reviewed (≥ 3): A, B, D, E;  missing: C(1), X(3), F, G, H, I (2 each);  flagged: B (40), E (30)
		// counted: 3+3+2+3+3+1+1+1+1 = 18; skipped: X's incomplete review + review of unknown entry = 2 (drafts are not "skipped")
		expect(out.summary).toEqual({
			entries: 10,
			fullyReviewed: 4,
			withMissing: 6,
			flagged: 2,
			unscored: 1,
			countedReviews: 18,
			skippedReviews: 2
		});
	});

	it('uses normalized totals when settings.normalize', () => {
		// one criterion s (0..10) → total = 10·s.  A: 60, 80; B: 40, 60 (same as the normalizeByJuror example)
		// raw means: app1 (60+40)/2 = 50, spread 20; app2 70, spread 20
		// normalized: app1 = 60 − √200 ≈ 45.858 by both jurors (spread 0), app2 = 60 + √200 ≈ 74.142
		const input: ResultsInput = {
			entries: [entry('app1', 'n', 'НС-1'), entry('app2', 'n', 'НС-2')],
			criteria: [{ id: 's', weight: 1, scaleMin: 0, scaleMax: 10 }],
			reviews: [rv('app1', 'A', { s: 6 }), rv('app2', 'A', { s: 8 }), rv('app1', 'B', { s: 4 }), rv('app2', 'B', { s: 6 })],
			settings: { normalize: true, disagreementThreshold: 10, expectedReviews: 2 }
		};
		const n = byId(computeResults(input));
		expect(n.get('app1')!.score).toBeCloseTo(60 - Math.sqrt(200), 12);
		expect(n.get('app1')!.rawMean).toBe(50);
		expect(n.get('app1')!.spread).toBe(0);
		expect(n.get('app1')!.flagged).toBe(false);
		expect(n.get('app2')!.score).toBeCloseTo(60 + Math.sqrt(200), 12);
		expect(n.get('app2')!.rank).toBe(1);

		const raw = byId(computeResults({ ...input, settings: { ...input.settings, normalize: false } }));
		expect(raw.get('app1')!.score).toBe(50);
		expect(raw.get('app1')!.spread).toBe(20);
		expect(raw.get('app1')!.flagged).toBe(true); // 20 > 10
		// normalized totals are reported in both modes
		expect(raw.get('app1')!.totals[0].normalized).toBeCloseTo(60 - Math.sqrt(200), 12);
	});

	it('juror statistics (hand-computed)', () => {
		// one criterion s (0..10), total = 10·s
		// P1: j1 90, j2 60, j3 100;  P2: j1 60, j2 60;  P3: j1 100;  Q1..Q3: j4 0 each;  j5 only a draft
		const input: ResultsInput = {
			entries: ['P1', 'P2', 'P3', 'Q1', 'Q2', 'Q3'].map((id, i) => entry(id, 'n', `НС-${i}`)),
			criteria: [{ id: 's', weight: 1, scaleMin: 0, scaleMax: 10 }],
			reviews: [
				rv('P1', 'j1', { s: 9 }),
				rv('P1', 'j2', { s: 6 }),
				rv('P1', 'j3', { s: 10 }),
				rv('P2', 'j1', { s: 6 }),
				rv('P2', 'j2', { s: 6 }),
				rv('P3', 'j1', { s: 10 }),
				rv('Q1', 'j4', { s: 0 }),
				rv('Q2', 'j4', { s: 0 }),
				rv('Q3', 'j4', { s: 0 }),
				rv('P1', 'j5', { s: 5 }, false)
			],
			settings: SETTINGS
		};
		const j = new Map(computeResults(input).jurors.map((s) => [s.jurorId, s]));
		expect([...j.keys()]).toEqual(['j1', 'j2', 'j3', 'j4', 'j5']);
		// j1: 90, 60, 100 → mean 250/3 ≈ 83.333; deviations 6.667, −23.333, 16.667 → var (44.44+544.44+277.78)/3 = 288.89 → sd ≈ 16.997
		//     extremes: only s = 10 on P3 → 1/3
		//     agreement: P1 |90 − (60+100)/2| = 10, P2 |60 − 60| = 0, P3 no other juror → (10 + 0)/2 = 5
		expect(j.get('j1')).toMatchObject({ count: 3, min: 60, max: 100, flat: false, agreement: 5 });
		expect(j.get('j1')!.mean).toBeCloseTo(250 / 3, 12);
		expect(j.get('j1')!.sd).toBeCloseTo(Math.sqrt(2600 / 9), 12);
		expect(j.get('j1')!.extremeShare).toBeCloseTo(1 / 3, 12);
		// j2: 60, 60 → sd 0, but only 2 scores → not flat; agreement: P1 |60 − (90+100)/2| = 35, P2 0 → 17.5
		expect(j.get('j2')).toMatchObject({ count: 2, mean: 60, sd: 0, flat: false, extremeShare: 0, agreement: 17.5 });
		// j3: 100 on P1 → agreement |100 − (90+60)/2| = 25, extremeShare 1
		expect(j.get('j3')).toMatchObject({ count: 1, mean: 100, agreement: 25, extremeShare: 1 });
		// j4: 0, 0, 0 → flat; all at scale minimum; shares no entry → agreement null
		expect(j.get('j4')).toMatchObject({ count: 3, mean: 0, sd: 0, flat: true, extremeShare: 1, agreement: null });
		// j5: draft only
		expect(j.get('j5')).toEqual({
			jurorId: 'j5',
			count: 0,
			mean: null,
			sd: null,
			min: null,
			max: null,
			flat: false,
			extremeShare: null,
			agreement: null
		});
	});

	it('counts one review per juror and entry (smallest assignmentId wins)', () => {
		const input: ResultsInput = {
			entries: [entry('e', 'n', 'НС-1')],
			criteria: [{ id: 's', weight: 1, scaleMin: 0, scaleMax: 10 }],
			reviews: [
				{ assignmentId: 'b', applicationId: 'e', jurorId: 'j', scores: { s: 2 }, submitted: true },
				{ assignmentId: 'a', applicationId: 'e', jurorId: 'j', scores: { s: 8 }, submitted: true }
			],
			settings: SETTINGS
		};
		const out = computeResults(input);
		expect(out.entries[0].totals).toEqual([{ assignmentId: 'a', jurorId: 'j', raw: 80, normalized: 80 }]);
		expect(out.summary.skippedReviews).toBe(1);
		expect(computeResults({ ...input, reviews: [...input.reviews].reverse() })).toEqual(out);
	});

	it('sanitizes settings and rejects duplicate entry ids', () => {
		const out = computeResults({
			...scenario(),
			settings: { normalize: false, disagreementThreshold: NaN, expectedReviews: -1 }
		});
		expect(out.settings).toEqual({ normalize: false, normalization: 'none', disagreementThreshold: 20, expectedReviews: 3 });
		expect(() =>
			computeResults({ ...scenario(), entries: [entry('A', 'n', '1'), entry('A', 'n', '2')] })
		).toThrow(/duplicate entry id/);
	});

	it('handles empty input', () => {
		const out = computeResults({ entries: [], criteria: [], reviews: [], settings: SETTINGS });
		expect(out.entries).toEqual([]);
		expect(out.summary.entries).toBe(0);
		expect(shortlist(out, 3)).toEqual([]);
	});
});

describe('shortlist / pickWinners', () => {
	it('takes the top N by position, never unscored entries', () => {
		const out = computeResults(scenario());
		expect(shortlist(out, 3)).toEqual(['D', 'C', 'B', 'F', 'G', 'I']);
		expect(shortlist(out, 100)).toEqual(['D', 'C', 'B', 'A', 'E', 'F', 'G', 'I', 'H']); // X never
		expect(shortlist(out, 0)).toEqual([]);
		expect(shortlist(out, NaN)).toEqual([]);
	});

	it('pickWinners reports places, ranks and a tie at the cut-off', () => {
		const out = computeResults(scenario());
		const w = pickWinners(out, 1);
		expect(w.map((n) => [n.nominationId, n.winners.map((x) => x.applicationId), n.tieAtCutoff])).toEqual([
			['n1', ['D'], true], // C has the same score 80 — decided by the tie-break chain
			['n2', ['F'], true]
		]);
		const w2 = pickWinners(out, 2);
		expect(w2[0].winners.map((x) => [x.applicationId, x.place, x.rank, x.score])).toEqual([
			['D', 1, 1, 80],
			['C', 2, 1, 80]
		]);
		expect(w2[0].tieAtCutoff).toBe(false); // next is B with 70
		expect(out).toEqual(computeResults(scenario())); // pure: input not mutated
	});
});

// ---------------------------------------------------------------------------------------
// Property tests
// ---------------------------------------------------------------------------------------

const criteriaArb: fc.Arbitrary<Criterion[]> = fc
	.array(
		fc.record({
			weight: fc.constantFrom(1, 2, 3, 0.5, 1.5, 0.1, 0.25, 1 / 3),
			scaleMin: fc.constantFrom(0, 1),
			span: fc.integer({ min: 1, max: 10 })
		}),
		{ minLength: 1, maxLength: 4 }
	)
	.map((cs) => cs.map((c, i) => ({ id: `c${i}`, weight: c.weight, scaleMin: c.scaleMin, scaleMax: c.scaleMin + c.span })));

const inputArb: fc.Arbitrary<ResultsInput> = fc
	.record({
		criteria: criteriaArb,
		entries: fc.array(
			fc.record({
				nom: fc.integer({ min: 0, max: 2 }),
				num: fc.integer({ min: 1, max: 30 }),
				day: fc.integer({ min: 1, max: 3 })
			}),
			{ minLength: 1, maxLength: 25 }
		),
		reviews: fc.array(
			fc.record({
				e: fc.nat(),
				j: fc.integer({ min: 0, max: 5 }),
				raw: fc.array(fc.integer({ min: 0, max: 10 }), { minLength: 4, maxLength: 4 }),
				drop: fc.integer({ min: 0, max: 9 }),
				submitted: fc.boolean()
			}),
			{ maxLength: 80 }
		),
		normalize: fc.boolean(),
		// the mode (when given, it wins over the old boolean); 'model' = the juror-bias model
		normalization: fc.constantFrom(undefined, 'none', 'zscore', 'model', 'model') as fc.Arbitrary<ResultsSettings['normalization']>,
		threshold: fc.constantFrom(0, 10, 20),
		k: fc.integer({ min: 0, max: 4 })
	})
	.map((g) => {
		const entries = g.entries.map((x, i) =>
			entry(`e${i}`, `n${x.nom}`, `НС-2026-${x.num}`, `2026-03-0${x.day}T00:00:00Z`)
		);
		const reviews: Review[] = g.reviews.map((r, i) => {
			const scores: Record<string, number> = {};
			g.criteria.forEach((c, ci) => {
				if (r.drop === ci) return; // drop = 0..3 → incomplete review sometimes
				scores[c.id] = Math.min(c.scaleMax, c.scaleMin + r.raw[ci]);
			});
			return {
				assignmentId: `a${i}`,
				applicationId: `e${r.e % entries.length}`,
				jurorId: `j${r.j}`,
				scores,
				submitted: r.submitted || r.drop > 6
			};
		});
		return {
			entries,
			criteria: g.criteria,
			reviews,
			settings: { normalize: g.normalize, normalization: g.normalization, disagreementThreshold: g.threshold, expectedReviews: g.k }
		};
	});

function shuffled<T>(xs: T[]): fc.Arbitrary<T[]> {
	return fc.shuffledSubarray(xs, { minLength: xs.length, maxLength: xs.length });
}

describe('properties', () => {
	it('results are invariant to the order of input rows', () => {
		fc.assert(
			fc.property(
				inputArb.chain((input) =>
					fc.tuple(fc.constant(input), shuffled(input.entries), shuffled(input.criteria), shuffled(input.reviews))
				),
				([input, entries, criteria, reviews]) => {
					const a = computeResults(input);
					const b = computeResults({ ...input, entries, criteria, reviews });
					expect(b).toEqual(a);
					expect(shortlist(b, 2)).toEqual(shortlist(a, 2));
				}
			),
			{ numRuns: 300 }
		);
	});

	it('ranking is consistent: strict positions, shared competition ranks, unscored last', () => {
		fc.assert(
			fc.property(inputArb, (input) => {
				const out = computeResults(input);
				const noms = new Map<string, EntryResult[]>();
				for (const e of out.entries) noms.set(e.nominationId, [...(noms.get(e.nominationId) ?? []), e]);
				for (const list of noms.values()) {
					expect(list.map((e) => e.position)).toEqual(list.map((_, i) => i + 1));
					list.forEach((e, i) => {
						if (e.score === null) {
							expect(e.rank).toBeNull();
							expect(list.slice(i).every((x) => x.score === null)).toBe(true);
							return;
						}
						const higher = list.filter((x) => x.score !== null && x.score > e.score! + 1e-9).length;
						expect(e.rank).toBe(higher + 1);
						if (i > 0) expect(list[i - 1].score!).toBeGreaterThanOrEqual(e.score - 1e-9);
					});
				}
				const sl = shortlist(out, 2);
				for (const id of sl) expect(out.entries.find((e) => e.applicationId === id)!.score).not.toBeNull();
			}),
			{ numRuns: 200 }
		);
	});

	it('normalization keeps each juror’s order of entries (monotone) and stays in [0, 100]', () => {
		const totalArb = fc.oneof(
			fc.double({ min: 0, max: 100, noNaN: true }),
			fc.constantFrom(0, 50, 100, 33.3, 66.7),
			fc.integer({ min: 0, max: 100 })
		);
		fc.assert(
			fc.property(
				fc.array(fc.record({ j: fc.constantFrom('a', 'b', 'c', 'd'), total: totalArb }), { maxLength: 60 }),
				(rows) => {
					const totals = rows.map((r, i) => ({ jurorId: r.j, applicationId: `e${i}`, total: r.total }));
					const m = normalizeByJuror(totals);
					expect(m.size).toBe(totals.length);
					for (const t of totals) {
						const v = m.get(totalKey(t.jurorId, t.applicationId))!;
						expect(Number.isFinite(v)).toBe(true);
						expect(v).toBeGreaterThanOrEqual(0);
						expect(v).toBeLessThanOrEqual(100);
					}
					for (const x of totals)
						for (const y of totals) {
							if (x.jurorId !== y.jurorId || !(x.total <= y.total)) continue;
							const nx = m.get(totalKey(x.jurorId, x.applicationId))!;
							const ny = m.get(totalKey(y.jurorId, y.applicationId))!;
							expect(nx).toBeLessThanOrEqual(ny);
							if (x.total === y.total) expect(nx).toBe(ny);
						}
				}
			),
			{ numRuns: 500 }
		);
	});

	it('never produces NaN/Infinity and scores stay within [0, 100] for any input', () => {
		const num = fc.oneof(
			fc.double(), // includes NaN, ±Infinity, ±0, huge and tiny values
			fc.integer({ min: -5, max: 15 }),
			fc.constantFrom(0, 0.1, 1 / 3, 1e308, -1e308, Number.MAX_SAFE_INTEGER)
		);
		const wild = fc
			.record({
				criteria: fc.array(
					fc.record({
						id: fc.constantFrom('a', 'b', 'c', 'd'),
						weight: num,
						scaleMin: num,
						scaleMax: num
					}),
					{ maxLength: 4 }
				),
				entries: fc.array(
					fc.record({ nom: fc.constantFrom('x', 'y'), number: fc.string({ maxLength: 6 }), at: fc.string({ maxLength: 25 }) }),
					{ maxLength: 12 }
				),
				reviews: fc.array(
					fc.record({
						e: fc.nat(),
						j: fc.constantFrom('j1', 'j2', 'j3'),
						scores: fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd'), num),
						submitted: fc.boolean()
					}),
					{ maxLength: 40 }
				),
				settings: fc.record({
					normalize: fc.boolean(),
					normalization: fc.constantFrom(undefined, 'none', 'zscore', 'model', 'bogus') as fc.Arbitrary<ResultsSettings['normalization']>,
					disagreementThreshold: num,
					expectedReviews: num
				})
			})
			.map((g) => {
				const entries = g.entries.map((x, i) => ({ id: `e${i}`, nominationId: x.nom, number: x.number, submittedAt: x.at }));
				return {
					entries,
					criteria: g.criteria,
					reviews: g.reviews.map((r, i) => ({
						assignmentId: `a${i}`,
						applicationId: entries.length ? `e${r.e % (entries.length + 1)}` : 'none',
						jurorId: r.j,
						scores: r.scores,
						submitted: r.submitted
					})),
					settings: g.settings
				} satisfies ResultsInput;
			});
		fc.assert(
			fc.property(wild, (input) => {
				const out = computeResults(input);
				for (const v of numbersIn(out)) expect(Number.isFinite(v)).toBe(true);
				for (const e of out.entries) {
					for (const v of [e.score, e.mean, e.median, e.rawMean, ...e.totals.flatMap((t) => [t.raw, t.normalized])]) {
						if (v === null) continue;
						expect(v).toBeGreaterThanOrEqual(0);
						expect(v).toBeLessThanOrEqual(100);
					}
				}
				for (const c of input.criteria) {
					for (const r of input.reviews) {
						const t = reviewTotal(r, [c]);
						if (t !== null) {
							expect(t).toBeGreaterThanOrEqual(0);
							expect(t).toBeLessThanOrEqual(100);
						}
					}
				}
				numbersIn(pickWinners(out, 2)).forEach((v) => expect(Number.isFinite(v)).toBe(true));
			}),
			{ numRuns: 500 }
		);
	});
});
