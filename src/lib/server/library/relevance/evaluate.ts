/** Runs the relevance test set against the search and measures it (the test and `npx tsx …/report.ts` use it). */
import type { DB } from '../../db/client';
import { searchLibrary } from '../search';
import { readSearchParams } from '../../../schemas/library-search';
import { ndcgAt, precisionAt } from './metrics';
import { RELEVANCE_QUERIES, type QueryKind } from './queries';

export interface QueryOutcome {
	q: string;
	kind: QueryKind;
	ndcg10: number;
	p5: number;
	top: string[];
	corrected: string | null;
}

export interface RelevanceReport {
	ndcg10: number;
	p5: number;
	byKind: Record<string, { n: number; ndcg10: number; p5: number }>;
	queries: QueryOutcome[];
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
const r3 = (x: number) => Math.round(x * 1000) / 1000;

export function evaluateRelevance(db: DB, keys: Map<string, string>): RelevanceReport {
	const queries = RELEVANCE_QUERIES.map(({ q, kind, expect }) => {
		const r = searchLibrary(db, readSearchParams(new URLSearchParams({ q, per_page: '10' })).params);
		const top = r.items.map((i) => keys.get(i.title) ?? `?${i.title}`);
		return { q, kind, ndcg10: r3(ndcgAt(top, expect, 10)), p5: r3(precisionAt(top, expect, 5)), top, corrected: r.corrected?.to ?? null };
	});
	const byKind: RelevanceReport['byKind'] = {};
	for (const kind of new Set(queries.map((x) => x.kind))) {
		const qs = queries.filter((x) => x.kind === kind);
		byKind[kind] = { n: qs.length, ndcg10: r3(mean(qs.map((x) => x.ndcg10))), p5: r3(mean(qs.map((x) => x.p5))) };
	}
	return { ndcg10: r3(mean(queries.map((x) => x.ndcg10))), p5: r3(mean(queries.map((x) => x.p5))), byKind, queries };
}

export function formatReport(r: RelevanceReport): string {
	const lines = [`nDCG@10 ${r.ndcg10.toFixed(3)}   P@5 ${r.p5.toFixed(3)}   (${r.queries.length} запросов)`];
	for (const [k, v] of Object.entries(r.byKind)) lines.push(`  ${k.padEnd(8)} n=${String(v.n).padStart(2)}  nDCG@10 ${v.ndcg10.toFixed(3)}  P@5 ${v.p5.toFixed(3)}`);
	for (const x of r.queries) lines.push(`  ${x.ndcg10.toFixed(2)} ${x.p5.toFixed(2)}  ${x.q}${x.corrected ? ` → ${x.corrected}` : ''}: ${x.top.slice(0, 5).join(' ')}`);
	return lines.join('\n');
}
