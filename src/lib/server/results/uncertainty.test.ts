import { describe, expect, it } from 'vitest';
import { computeResults, type Criterion, type EntryInfo, type ResultsInput, type Review } from './compute';
import { normalCdf, planExtraReviews } from './uncertainty';
import { mulberry32 } from '../random';

function round(seed: number, entries = 30, nominations = 2): ResultsInput {
	const rnd = mulberry32(seed);
	const criteria: Criterion[] = [
		{ id: 'c1', weight: 2, scaleMin: 0, scaleMax: 10 },
		{ id: 'c2', weight: 1, scaleMin: 0, scaleMax: 10 }
	];
	const es: EntryInfo[] = [];
	const reviews: Review[] = [];
	for (let e = 0; e < entries; e++) {
		es.push({ id: `e${String(e).padStart(3, '0')}`, nominationId: `n${e % nominations}`, number: `${e + 1}`, submittedAt: '2026-03-01T00:00:00Z' });
		const q = 1 + 8 * rnd();
		for (let k = 0; k < 3; k++) {
			const j = (e + k * 3) % 9;
			const v = () => Math.max(0, Math.min(10, Math.round(q + (rnd() - 0.5) * 3)));
			reviews.push({ assignmentId: `a${reviews.length}`, applicationId: es[e].id, jurorId: `j${j}`, scores: { c1: v(), c2: v() }, submitted: true });
		}
	}
	return { entries: es, criteria, reviews, settings: { normalize: true, normalization: 'model', disagreementThreshold: 20, expectedReviews: 3 } };
}

describe('normalCdf', () => {
	it('matches known values', () => {
		expect(normalCdf(0)).toBeCloseTo(0.5, 7);
		expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
		expect(normalCdf(-1)).toBeCloseTo(0.158655, 6);
		expect(normalCdf(Infinity)).toBe(1);
		expect(normalCdf(-Infinity)).toBe(0);
	});
});

describe('planExtraReviews', () => {
	it('picks the entries whose side of the winners’ cut is most uncertain, within the budget', () => {
		const out = computeResults(round(1, 60));
		const plan = planExtraReviews(out, { winnersPerNomination: 5, reviews: 12, perEntry: 2 });
		expect(plan.picks).toHaveLength(6);
		expect(plan.reviews).toBe(12);
		expect(plan.picks).toEqual(plan.candidates.slice(0, 6));
		for (let i = 1; i < plan.candidates.length; i++) expect(plan.candidates[i - 1].probability).toBeGreaterThanOrEqual(plan.candidates[i].probability);
		for (const p of plan.picks) {
			// the picked entries sit around the cut: positions near 5/6
			expect(p.position).toBeGreaterThanOrEqual(1);
			expect(Math.abs(p.score - p.cut) / p.sd).toBeLessThan(2);
			expect(p.side).toBe(p.position <= 5 ? 'in' : 'out');
			expect(p.reason).toMatch(/граница .* вероятность оказаться по другую сторону \d+ %/);
		}
		// every entry far from the cut has a small probability
		const byId = new Map(out.entries.map((e) => [e.applicationId, e]));
		for (const c of plan.candidates) expect(byId.get(c.applicationId)!.score).not.toBeNull();
		expect(plan.nominations.map((n) => n.winners)).toEqual([5, 5]);
	});

	it('is deterministic and does not depend on the order of the entries', () => {
		const out = computeResults(round(2, 40));
		const a = planExtraReviews(out, { winnersPerNomination: 3, reviews: 10 });
		const b = planExtraReviews({ entries: [...out.entries].reverse() }, { winnersPerNomination: 3, reviews: 10 });
		expect(b).toEqual(a);
	});

	it('a nomination with fewer entries than winners needs no cut: a note, no picks', () => {
		const out = computeResults(round(3, 8, 2));
		const plan = planExtraReviews(out, { winnersPerNomination: 5, reviews: 20 });
		expect(plan.picks).toEqual([]);
		expect(plan.notes).toHaveLength(2);
		expect(plan.notes[0]).toContain('не больше, чем мест победителей');
	});

	it('works without the model too (SD of the totals over √reviews)', () => {
		const input = round(4, 40);
		const out = computeResults({ ...input, settings: { ...input.settings, normalization: 'none' } });
		const plan = planExtraReviews(out, { winnersPerNomination: 4, reviews: 8, perEntry: 1 });
		expect(plan.picks.length).toBeGreaterThan(0);
		for (const p of plan.picks) expect(Number.isFinite(p.sd) && p.sd > 0).toBe(true);
	});
});
