import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { describeJuror, jurorBiasModel, type ModelRow } from './model';
import { computeResults, pickWinners, type Criterion, type EntryInfo, type ResultsInput, type Review } from './compute';
import { mulberry32 } from '../random';

// ---------------------------------------------------------------------------------------
// generators
// ---------------------------------------------------------------------------------------

/**
 * A connected design: entry e is reviewed by jurors e, e+1, e+3 (mod J) — every juror shares
 * entries with others. True quality, scale and offset per juror; `noise` SD on the 0..100 scale.
 */
const plantedArb = fc
	.record({
		entries: fc.integer({ min: 8, max: 30 }),
		jurors: fc.integer({ min: 4, max: 8 }),
		// spread out (the gauge needs qualities that differ), with jitter
		jitter: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 30, maxLength: 30 }),
		scale: fc.array(fc.double({ min: 0.5, max: 2, noNaN: true }), { minLength: 8, maxLength: 8 }),
		offset: fc.array(fc.double({ min: -20, max: 20, noNaN: true }), { minLength: 8, maxLength: 8 })
	})
	.map((g0) => {
		const order = shuffle(Array.from({ length: g0.entries }, (_, e) => e), Math.floor(g0.jitter[0] * 1e6));
		const quality = order.map((r, e) => 15 + (70 * r) / g0.entries + 2 * g0.jitter[e]);
		const g = { ...g0, quality };
		const rows: ModelRow[] = [];
		for (let e = 0; e < g.entries; e++)
			for (const d of [0, 1, 3]) {
				const j = (e + d) % g.jurors;
				rows.push({ applicationId: `e${String(e).padStart(2, '0')}`, jurorId: `j${j}`, total: g.scale[j] * g.quality[e] + g.offset[j] });
			}
		return { ...g, rows };
	});

function shuffle<T>(xs: T[], seed: number): T[] {
	const rnd = mulberry32(seed);
	const a = [...xs];
	for (let i = a.length - 1; i > 0; i--) {
		const j = Math.floor(rnd() * (i + 1));
		[a[i], a[j]] = [a[j], a[i]];
	}
	return a;
}

/** A realistic small round through computeResults: 2 nominations, jurors with bias, 5 criteria on 0..10. */
function round(seed: number, o: { entries?: number; jurors?: number; k?: number } = {}): ResultsInput {
	const rnd = mulberry32(seed);
	const E = o.entries ?? 40;
	const J = o.jurors ?? 8;
	const K = o.k ?? 3;
	const criteria: Criterion[] = [
		{ id: 'c1', weight: 3, scaleMin: 0, scaleMax: 10 },
		{ id: 'c2', weight: 3, scaleMin: 0, scaleMax: 10 },
		{ id: 'c3', weight: 2, scaleMin: 0, scaleMax: 10 },
		{ id: 'c4', weight: 1, scaleMin: 0, scaleMax: 10 },
		{ id: 'c5', weight: 1, scaleMin: 0, scaleMax: 10 }
	];
	const lenient = Array.from({ length: J }, () => (rnd() - 0.5) * 3);
	const entries: EntryInfo[] = [];
	const reviews: Review[] = [];
	for (let e = 0; e < E; e++) {
		entries.push({ id: `e${String(e).padStart(3, '0')}`, nominationId: `n${e % 2}`, number: `НС-${e + 1}`, submittedAt: '2026-03-01T00:00:00Z' });
		const q = 2 + 6 * rnd();
		const used = new Set<number>();
		while (used.size < Math.min(K, J)) used.add(Math.floor(rnd() * J));
		for (const j of used) {
			const scores: Record<string, number> = {};
			for (const c of criteria) scores[c.id] = Math.max(1, Math.min(9, Math.round(q + lenient[j] + (rnd() - 0.5) * 2)));
			reviews.push({ assignmentId: `a${reviews.length}`, applicationId: entries[e].id, jurorId: `j${j}`, scores, submitted: true });
		}
	}
	return { entries, criteria, reviews, settings: { normalize: true, normalization: 'model', disagreementThreshold: 20, expectedReviews: K } };
}

// ---------------------------------------------------------------------------------------

describe('jurorBiasModel: properties', () => {
	it('is invariant to the order of the rows', () => {
		fc.assert(
			fc.property(plantedArb, fc.nat(), fc.double({ min: 0, max: 5, noNaN: true }), (g, seed, noise) => {
				const rnd = mulberry32(seed);
				const rows = g.rows.map((r) => ({ ...r, total: r.total + noise * (rnd() - 0.5) }));
				const a = jurorBiasModel(rows);
				const b = jurorBiasModel(shuffle(rows, seed + 1));
				expect(b.entries).toEqual(a.entries);
				expect(b.jurors).toEqual(a.jurors);
			}),
			{ numRuns: 150 }
		);
	});

	it('recovers planted offsets and scales on noise-free data (up to the common gauge q → αq + β)', () => {
		fc.assert(
			fc.property(plantedArb, (g) => {
				const r = jurorBiasModel(g.rows);
				expect(r.fit.converged).toBe(true);
				// the estimated qualities are an increasing affine image of the true ones …
				const qt = r.entryIds.map((id) => g.quality[Number(id.slice(1))]);
				const qh = r.entryIds.map((id) => r.entries.get(id)!.quality);
				const n = qt.length;
				const mt = qt.reduce((s, v) => s + v, 0) / n;
				const mh = qh.reduce((s, v) => s + v, 0) / n;
				let sxy = 0;
				let sxx = 0;
				for (let i = 0; i < n; i++) {
					sxy += (qt[i] - mt) * (qh[i] - mh);
					sxx += (qt[i] - mt) ** 2;
				}
				const alpha = sxy / sxx;
				const beta = mh - alpha * mt;
				expect(alpha).toBeGreaterThan(0);
				for (let i = 0; i < n; i++) expect(Math.abs(qh[i] - (alpha * qt[i] + beta))).toBeLessThan(1e-5);
				// … and every juror's (scale, offset) is the planted one in that gauge: ŝ·α = s, b̂ = b − ŝ·β
				r.jurorIds.forEach((id, k) => {
					const j = Number(id.slice(1));
					expect(Math.abs(r.fit.scale[k] * alpha - g.scale[j])).toBeLessThan(1e-5);
					expect(Math.abs(r.fit.offset[k] - (g.offset[j] - r.fit.scale[k] * beta))).toBeLessThan(1e-4);
				});
			}),
			{ numRuns: 150 }
		);
	});

	it('a juror who shifts all totals by a constant changes nothing but the gauge', () => {
		fc.assert(
			fc.property(plantedArb, fc.nat(), fc.double({ min: -15, max: 15, noNaN: true }), (g, seed, c) => {
				const rnd = mulberry32(seed);
				const rows = g.rows.map((r) => ({ ...r, total: r.total + 4 * (rnd() - 0.5) }));
				const shifted = rows.map((r) => (r.jurorId === 'j0' ? { ...r, total: r.total + c } : r));
				const a = jurorBiasModel(rows);
				const b = jurorBiasModel(shifted);
				// every quality moves by the same Δ (the change of the mean), so the order is the same
				const delta = b.fit.mu - a.fit.mu;
				for (const id of a.entryIds) expect(Math.abs(b.entries.get(id)!.quality - a.entries.get(id)!.quality - delta)).toBeLessThan(1e-6);
				const order = (r: typeof a) => [...r.entryIds].sort((x, y) => r.entries.get(y)!.quality - r.entries.get(x)!.quality || (x < y ? -1 : 1));
				const gaps = a.entryIds.map((id) => a.entries.get(id)!.quality).sort((x, y) => x - y);
				if (gaps.every((v, i) => i === 0 || v - gaps[i - 1] > 1e-4)) expect(order(b)).toEqual(order(a));
				// the shifted juror's leniency moves by c, scales stay
				const k = a.jurorIds.indexOf('j0');
				expect(Math.abs(b.fit.scale[k] - a.fit.scale[k])).toBeLessThan(1e-6);
				expect(Math.abs(b.fit.offset[k] - a.fit.offset[k] - (c - a.fit.scale[k] * delta))).toBeLessThan(1e-5);
			}),
			{ numRuns: 150 }
		);
	});

	it('learns a juror’s offset from shared entries, not from the strength of their pool', () => {
		// two neutral jurors: A sees the strong half plus 10 shared entries, B the weak half plus the
		// same 10; a third, lenient juror C (+10) reviews everything
		const rows: ModelRow[] = [];
		const rnd = mulberry32(5);
		const q = Array.from({ length: 60 }, (_, e) => (e < 30 ? 70 : 30) + 10 * (rnd() - 0.5));
		for (let e = 0; e < 60; e++) {
			const id = `e${String(e).padStart(2, '0')}`;
			const noise = () => 2 * (rnd() - 0.5);
			if (e < 30 || e % 6 === 0) rows.push({ applicationId: id, jurorId: 'A', total: q[e] + noise() });
			if (e >= 30 || e % 6 === 0) rows.push({ applicationId: id, jurorId: 'B', total: q[e] + noise() });
			rows.push({ applicationId: id, jurorId: 'C', total: q[e] + 10 + noise() });
		}
		const r = jurorBiasModel(rows);
		const len = Object.fromEntries(r.jurors.map((j) => [j.jurorId, j.leniency]));
		expect(Math.abs(len.A - len.B)).toBeLessThan(1.5);
		expect(len.C - (len.A + len.B) / 2).toBeGreaterThan(8.5);
		expect(len.C - (len.A + len.B) / 2).toBeLessThan(11.5);
		// a pool-average method (z-score) would put A ~40 points above B
		const mean = (j: string) => {
			const xs = rows.filter((x) => x.jurorId === j).map((x) => x.total);
			return xs.reduce((s, v) => s + v, 0) / xs.length;
		};
		expect(mean('A') - mean('B')).toBeGreaterThan(25);
	});

	it('never produces NaN or Infinity, whatever the rows', () => {
		const total = fc.oneof(fc.double({ min: 0, max: 100, noNaN: true }), fc.constantFrom(0, 50, 100), fc.constant(Number.NaN));
		fc.assert(
			fc.property(fc.array(fc.record({ e: fc.nat(6), j: fc.nat(4), total }), { maxLength: 40 }), (raw) => {
				const r = jurorBiasModel(raw.map((x) => ({ applicationId: `e${x.e}`, jurorId: `j${x.j}`, total: x.total })));
				for (const v of r.entries.values()) {
					expect(Number.isFinite(v.quality)).toBe(true);
					expect(Number.isFinite(v.sd) && v.sd > 0).toBe(true);
				}
				for (const j of r.jurors) {
					for (const v of [j.leniency, j.scale, j.offset, j.spread]) expect(Number.isFinite(v)).toBe(true);
					expect(j.explanation.length).toBeGreaterThan(10);
				}
			}),
			{ numRuns: 400 }
		);
	});
});

describe('describeJuror: a line an organizer understands', () => {
	const ctx = { mu: 60, sigma0: 5 };
	it('names leniency, scale and consistency in Russian', () => {
		const j = describeJuror('j', { reviews: 120, scale: 0.7, offset: 24.2, spread: 3.5, flat: false }, ctx);
		expect(j.leniency).toBeCloseTo(6.2, 6);
		expect(j.reliability).toBe('ok');
		expect(j.explanation).toBe('Ставит в среднем на 6,2 балла выше нейтрального эксперта; шкалу использует уже (×0,70); с коллегами согласуется хорошо (типичное отклонение 3,5 балла).');
		expect(describeJuror('j', { reviews: 50, scale: 1, offset: -3, spread: 5, flat: false }, ctx).explanation).toBe(
			'Ставит в среднем на 3 балла ниже нейтрального эксперта; с коллегами согласуется обычно (типичное отклонение 5 баллов).'
		);
	});
	it('flags flat, inconsistent and nearly unreviewed jurors', () => {
		expect(describeJuror('j', { reviews: 30, scale: 0.06, offset: 50, spread: 0.1, flat: true }, ctx).reliability).toBe('flat');
		expect(describeJuror('j', { reviews: 30, scale: 0.06, offset: 50, spread: 0.1, flat: true }, ctx).explanation).toContain('одинаковый итог');
		const odd = describeJuror('j', { reviews: 80, scale: 0.1, offset: 55, spread: 18, flat: false }, ctx);
		expect(odd.reliability).toBe('inconsistent');
		expect(odd.explanation).toContain('почти не согласуется');
		const one = describeJuror('j', { reviews: 1, scale: 1, offset: 0, spread: 5, flat: false }, ctx);
		expect(one.reliability).toBe('few_reviews');
		expect(one.explanation).toContain('одна оценка');
		expect(describeJuror('j', { reviews: 3, scale: 1, offset: 0, spread: 5, flat: false }, ctx).explanation).toContain('всего 3 оценки');
	});
});

describe('computeResults: normalization "model"', () => {
	it('the old boolean keeps working and maps to the modes', () => {
		const input = round(1);
		const s = (settings: object) => computeResults({ ...input, settings: settings as ResultsInput['settings'] }).settings;
		expect(s({ normalize: true }).normalization).toBe('zscore');
		expect(s({ normalize: false }).normalization).toBe('none');
		expect(s({ normalize: false, normalization: 'model' })).toMatchObject({ normalization: 'model', normalize: true });
		expect(s({ normalize: true, normalization: 'bogus' }).normalization).toBe('zscore');
		// z-score via the boolean = z-score via the mode
		const a = computeResults({ ...input, settings: { ...input.settings, normalize: true, normalization: undefined } });
		const b = computeResults({ ...input, settings: { ...input.settings, normalize: false, normalization: 'zscore' } });
		expect(b.entries).toEqual(a.entries);
	});

	it('ranks by the model, names the method, explains every juror', () => {
		const out = computeResults(round(2));
		expect(out.model?.applied).toBe('model');
		expect(out.model?.method).toContain('модель строгости экспертов');
		expect(out.model?.converged).toBe(true);
		expect(out.model!.jurors.map((j) => j.jurorId)).toEqual(out.jurors.filter((j) => j.count > 0).map((j) => j.jurorId));
		for (const j of out.model!.jurors) expect(j.explanation).toMatch(/эксперт|оценк/);
		for (const e of out.entries) {
			expect(e.scoreSd).toBeGreaterThan(0);
			expect(e.score).not.toBeNull();
		}
		// other modes carry no model output
		const z = computeResults({ ...round(2), settings: { ...round(2).settings, normalization: 'zscore' } });
		expect(z.model).toBeUndefined();
		expect(z.notes).toBeUndefined();
		expect(z.entries.every((e) => e.scoreSd === undefined)).toBe(true);
	});

	it('a juror who adds a constant to every score gets the same ranks', () => {
		fc.assert(
			fc.property(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 0, max: 7 }), fc.constantFrom(-1, 1), (seed, who, c) => {
				const input = round(seed, { entries: 24 });
				const shifted: ResultsInput = {
					...input,
					reviews: input.reviews.map((r) =>
						r.jurorId === `j${who}` ? { ...r, scores: Object.fromEntries(Object.entries(r.scores).map(([k, v]) => [k, v + c])) } : r
					)
				};
				const rank = (o: ReturnType<typeof computeResults>) => Object.fromEntries(o.entries.map((e) => [e.applicationId, e.rank]));
				expect(rank(computeResults(shifted))).toEqual(rank(computeResults(input)));
			}),
			{ numRuns: 120 }
		);
	});

	it('degrades with a visible note, never NaN: a juror with one review, a flat juror, missing reviews', () => {
		const input = round(3, { entries: 30 });
		// j7 keeps only one review; j6 gives every entry the same scores; some entries lose a review
		let keptJ7 = false;
		const reviews = input.reviews
			.filter((r) => {
				if (r.jurorId !== 'j7') return true;
				if (keptJ7) return false;
				keptJ7 = true;
				return true;
			})
			.map((r) => (r.jurorId === 'j6' ? { ...r, scores: { c1: 6, c2: 6, c3: 6, c4: 6, c5: 6 } } : r))
			.filter((_, i) => i % 17 !== 5);
		const out = computeResults({ ...input, reviews });
		const codes = out.notes!.map((n) => n.code);
		expect(codes).toContain('model_single_review');
		expect(codes).toContain('model_flat');
		expect(codes).toContain('model_missing_reviews');
		expect(out.notes!.find((n) => n.code === 'model_single_review')!.jurorIds).toEqual(['j7']);
		expect(out.notes!.find((n) => n.code === 'model_flat')!.jurorIds).toEqual(['j6']);
		for (const n of out.notes!) expect(n.text).toMatch(/[а-я]/);
		expect(out.model!.jurors.find((j) => j.jurorId === 'j6')!.reliability).toBe('flat');
		for (const e of out.entries) if (e.score !== null) expect(Number.isFinite(e.score) && e.score >= 0 && e.score <= 100).toBe(true);
	});

	it('a disconnected review graph: fitted per component, with a note naming the nominations', () => {
		// nomination n0 is judged by j0..j2, n1 by j3..j5, and one entry of n0 only by j5
		const base = round(4, { entries: 20, jurors: 6 });
		const reviews: Review[] = [];
		for (const e of base.entries) {
			const n1 = e.nominationId === 'n1';
			const js = e.id === 'e000' ? ['j5', 'j4'] : n1 ? ['j3', 'j4', 'j5'] : ['j0', 'j1', 'j2'];
			for (const j of js) reviews.push({ assignmentId: `${e.id}-${j}`, applicationId: e.id, jurorId: j, scores: { c1: 5, c2: 6, c3: 5, c4: 7, c5: Number(e.id.slice(-1)) }, submitted: true });
		}
		const out = computeResults({ ...base, reviews });
		expect(out.model!.applied).toBe('model');
		expect(out.model!.components).toBe(2);
		const note = out.notes!.find((n) => n.code === 'model_disconnected')!;
		expect(note.level).toBe('warning');
		expect(note.nominationIds).toEqual(['n0']);
		expect(note.text).toContain('2 группы');
	});

	it('falls back to the z-score when no entry has two reviews, and says so', () => {
		const base = round(5, { entries: 12, k: 1 });
		const out = computeResults(base);
		expect(out.model!.applied).toBe('zscore');
		expect(out.notes![0].code).toBe('model_fallback');
		expect(out.notes![0].text).toContain('z-оценкой');
		const z = computeResults({ ...base, settings: { ...base.settings, normalization: 'zscore' } });
		expect(out.entries.map((e) => [e.applicationId, e.score])).toEqual(z.entries.map((e) => [e.applicationId, e.score]));
	});

	it('a nomination with fewer entries than winners still gets winners, without NaN', () => {
		const base = round(6, { entries: 6 });
		const out = computeResults(base);
		const w = pickWinners(out, 5);
		expect(w.map((x) => x.winners.length)).toEqual([3, 3]);
		for (const x of w) for (const v of x.winners) expect(Number.isFinite(v.score)).toBe(true);
	});
});
