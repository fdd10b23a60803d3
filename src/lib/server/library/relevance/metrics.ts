/** Ranking measures of the relevance test set (graded judgments: 2 = what a reader wants first, 1 = relevant). */
export type Judgments = Record<string, 1 | 2>;

/** nDCG@k with gains 2^grade − 1 and the usual log2 discount; the ideal ranking is the judged practices by grade. */
export function ndcgAt(ranked: string[], judged: Judgments, k = 10): number {
	const gain = (g: number) => 2 ** g - 1;
	let dcg = 0;
	ranked.slice(0, k).forEach((key, i) => (dcg += gain(judged[key] ?? 0) / Math.log2(i + 2)));
	const ideal = Object.values(judged)
		.sort((a, b) => b - a)
		.slice(0, k)
		.reduce((s, g, i) => s + gain(g) / Math.log2(i + 2), 0);
	return ideal ? dcg / ideal : 0;
}

/**
 * Precision@k: the share of the first k results that are judged relevant, out of min(k, number of
 * judged practices) — so a query with three relevant practices can reach 1.
 */
export function precisionAt(ranked: string[], judged: Judgments, k = 5): number {
	const n = Math.min(k, Object.keys(judged).length);
	if (!n) return 0;
	return ranked.slice(0, k).filter((key) => judged[key]).length / n;
}
