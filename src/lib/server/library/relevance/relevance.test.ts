/**
 * The relevance suite: the queries of queries.ts over the fixed corpus of corpus.ts, measured by
 * nDCG@10 and precision@5 (metrics.ts). The thresholds are the first honest measurement of the
 * BM25F ranking, rounded down (nDCG@10 0.914, P@5 0.925); the search before it (FTS5 with a bm25
 * that returned -0, so «by relevance» was «all words in the title, then newest») measured
 * nDCG@10 0.587, P@5 0.741 on the same set. `npx tsx src/lib/server/library/relevance/report.ts`
 * prints every query's top 5.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDb } from '../../../../../tests/helpers/db';
import { loadRelevanceCorpus } from './corpus';
import { evaluateRelevance, formatReport, type RelevanceReport } from './evaluate';
import { ndcgAt, precisionAt } from './metrics';
import { RELEVANCE_QUERIES } from './queries';

const MIN_NDCG10 = 0.9;
const MIN_P5 = 0.9;

let t: ReturnType<typeof tempDb>;
let report: RelevanceReport;
beforeAll(() => {
	t = tempDb();
	const keys = loadRelevanceCorpus(t.db);
	report = evaluateRelevance(t.db, keys);
	console.log(formatReport(report));
});
afterAll(() => t.cleanup());

describe('the relevance test set', () => {
	it('has at least 40 queries of every kind, the five of the issue among them, all judged', () => {
		expect(RELEVANCE_QUERIES.length).toBeGreaterThanOrEqual(40);
		const kinds = new Set(RELEVANCE_QUERIES.map((q) => q.kind));
		expect([...kinds].sort()).toEqual(['form', 'multi', 'place', 'prefix', 'synonym', 'tag', 'typo']);
		const qs = RELEVANCE_QUERIES.map((q) => q.q);
		for (const q of ['текучесть кадров', 'инвестиции', 'адаптация молодых специалистов', 'ментор', 'наставнек']) expect(qs).toContain(q);
		for (const q of RELEVANCE_QUERIES) expect(Object.values(q.expect).filter((g) => g === 2).length, q.q).toBeGreaterThan(0);
	});

	it('the measures: nDCG@10 with graded gains, precision@5 out of what can be found', () => {
		expect(ndcgAt(['A', 'B'], { A: 2, B: 1 })).toBe(1);
		expect(ndcgAt(['B', 'A'], { A: 2, B: 1 })).toBeLessThan(1);
		expect(ndcgAt(['X'], { A: 2 })).toBe(0);
		expect(precisionAt(['A', 'X', 'B', 'Y', 'Z'], { A: 1, B: 2 })).toBe(1);
		expect(precisionAt(['A', 'X', 'Y', 'Z', 'W'], { A: 1, B: 1, C: 1, D: 1, E: 1, F: 1 })).toBe(0.2);
	});

	it(`ranks: mean nDCG@10 ≥ ${MIN_NDCG10} and precision@5 ≥ ${MIN_P5}`, () => {
		expect(report.ndcg10).toBeGreaterThanOrEqual(MIN_NDCG10);
		expect(report.p5).toBeGreaterThanOrEqual(MIN_P5);
	});

	it('«текучесть кадров» and «инвестиции» come first with the practice that has the words in its summary and tags', () => {
		const top = (q: string) => report.queries.find((x) => x.q === q)!.top;
		expect(top('текучесть кадров')[0]).toBe('D0');
		expect(top('инвестиции')[0]).toBe('D16');
	});

	it('typos are corrected and synonyms found, as before', () => {
		const of = (q: string) => report.queries.find((x) => x.q === q)!;
		expect(of('наставнек').corrected).toBe('наставник');
		expect(of('адоптация').corrected).toBe('адаптация');
		expect(of('ментор').top.length).toBe(10);
		expect(of('онбординг').top.slice(0, 2)).toEqual(['D0', 'D23']);
	});
});
