/**
 * Extra reviews where the decision is unsure: pure, no I/O.
 *
 * After round 1, the winners of a nomination are its first `winners` entries by score. An entry
 * whose score lies close to that cut — relative to how sure the score is — may end on the other
 * side of it once more jurors have looked at it. With the juror-bias model (normalization
 * 'model') every entry has a posterior SD (`EntryResult.scoreSd`); for the other modes the SD of
 * the entry's used totals over √reviews stands in (pooled over the nomination when an entry has a
 * single review).
 *
 *   cut c    = midpoint between the last winner's and the first non-winner's score;
 *   p_e      = Φ(−|score_e − c| / sd_e)  — the probability that the entry is on the wrong side;
 *   picks    = the entries with the highest p_e (at least `minProbability`), as many as the budget
 *              of extra reviews allows at `perEntry` more jurors each; ties by nomination, then
 *              position (deterministic).
 *
 * The integration routes the picks with `routeAssignments`: the picked applications get
 * `k = current jurors + perEntry` and their current pairs as locked `existing`, so exactly the
 * extra jurors are added (routing.ts, point 7).
 */
import type { EntryResult, ResultsOutput } from './compute';

export interface UncertainEntry {
	applicationId: string;
	nominationId: string;
	/** current position in the nomination */
	position: number;
	score: number;
	/** SD used for the probability */
	sd: number;
	/** the nomination's cut */
	cut: number;
	/** 'in' = currently a winner */
	side: 'in' | 'out';
	/** probability of being on the wrong side of the cut, 0..0.5 */
	probability: number;
	/** Russian, one line */
	reason: string;
}

export interface ExtraReviewOptions {
	/** winners per nomination (the cut) */
	winnersPerNomination: number;
	/** extra reviews to spend in total */
	reviews: number;
	/** more jurors per picked entry (M), default 2 */
	perEntry?: number;
	/** entries below this probability are never picked (default 0.05) */
	minProbability?: number;
}

export interface ExtraReviewPlan {
	/** the entries to give `perEntry` more jurors, most uncertain first */
	picks: UncertainEntry[];
	perEntry: number;
	/** picks × perEntry */
	reviews: number;
	/** every entry with a probability ≥ minProbability, most uncertain first (picks are its head) */
	candidates: UncertainEntry[];
	/** per nomination: the cut and how many entries are uncertain */
	nominations: { nominationId: string; cut: number | null; winners: number; entries: number; uncertain: number }[];
	/** Russian notes for the organizer (e.g. a nomination without a cut) */
	notes: string[];
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 via erf; |error| < 1.5e-7). */
export function normalCdf(z: number): number {
	if (!Number.isFinite(z)) return z > 0 ? 1 : 0;
	const t = 1 / (1 + 0.3275911 * (Math.abs(z) / Math.SQRT2));
	const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-(z * z) / 2);
	return z >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}

function cmp(a: string, b: string): number {
	return a < b ? -1 : a > b ? 1 : 0;
}

function fmt(x: number): string {
	return (Math.round(x * 10) / 10).toFixed(1).replace('.', ',');
}

/** The SD of an entry's score when the results carry no model SD. */
function fallbackSd(e: EntryResult, pooled: number): number {
	if (e.reviews >= 2 && e.sd !== null && e.sd > 0) return e.sd / Math.sqrt(e.reviews);
	return pooled / Math.sqrt(Math.max(1, e.reviews));
}

export function planExtraReviews(results: Pick<ResultsOutput, 'entries'>, opts: ExtraReviewOptions): ExtraReviewPlan {
	const W = Math.max(0, Math.floor(Number(opts.winnersPerNomination) || 0));
	const M = Math.max(1, Math.floor(Number(opts.perEntry ?? 2) || 1));
	const budget = Math.max(0, Math.floor(Number(opts.reviews) || 0));
	const minP = Number.isFinite(opts.minProbability) ? Math.max(0, opts.minProbability as number) : 0.05;

	const byNom = new Map<string, EntryResult[]>();
	for (const e of results.entries) {
		if (e.score === null) continue;
		let l = byNom.get(e.nominationId);
		if (!l) byNom.set(e.nominationId, (l = []));
		l.push(e);
	}
	const candidates: UncertainEntry[] = [];
	const nominations: ExtraReviewPlan['nominations'] = [];
	const notes: string[] = [];
	for (const nom of [...byNom.keys()].sort(cmp)) {
		const list = byNom.get(nom)!.sort((a, b) => a.position - b.position);
		if (W === 0 || list.length <= W) {
			nominations.push({ nominationId: nom, cut: null, winners: Math.min(W, list.length), entries: list.length, uncertain: 0 });
			if (W > 0) notes.push(`Номинация ${nom}: работ с оценками (${list.length}) не больше, чем мест победителей (${W}) — граница не нужна, дополнительные оценки не назначаются.`);
			continue;
		}
		// pooled SD of a single review around its entry's mean, for entries without a model SD
		let ss = 0;
		let n = 0;
		for (const e of list)
			if (e.reviews >= 2 && e.sd !== null) {
				ss += e.sd * e.sd * e.reviews;
				n += e.reviews;
			}
		const pooled = n > 0 ? Math.sqrt(ss / n) : 10;
		const cut = ((list[W - 1].score as number) + (list[W].score as number)) / 2;
		let uncertain = 0;
		for (const e of list) {
			const score = e.score as number;
			const sd = Math.max(1e-6, e.scoreSd ?? fallbackSd(e, pooled));
			const p = normalCdf(-Math.abs(score - cut) / sd);
			if (!(p >= minP)) continue;
			uncertain++;
			const side = e.position <= W ? 'in' : 'out';
			candidates.push({
				applicationId: e.applicationId,
				nominationId: nom,
				position: e.position,
				score,
				sd,
				cut,
				side,
				probability: p,
				reason: `${side === 'in' ? 'Среди победителей' : 'Рядом с победителями'}: балл ${fmt(score)} ± ${fmt(sd)}, граница ${fmt(cut)} — вероятность оказаться по другую сторону ${Math.round(p * 100)} %.`
			});
		}
		nominations.push({ nominationId: nom, cut, winners: W, entries: list.length, uncertain });
	}
	candidates.sort((a, b) => b.probability - a.probability || cmp(a.nominationId, b.nominationId) || a.position - b.position);
	const picks = candidates.slice(0, Math.floor(budget / M));
	return { picks, perEntry: M, reviews: picks.length * M, candidates, nominations, notes };
}
