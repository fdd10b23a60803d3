/**
 * Contest results («Наставничество»): pure functions, no I/O, no globals.
 *
 * Pipeline: review → weighted total on 0..100 → (optional) per-juror normalization →
 * per-entry statistics → ranking per nomination → shortlist / winners.
 *
 * Determinism: every output is invariant to the order of the input rows (entries,
 * criteria, reviews). Sums that span many rows (global and per-juror statistics) use an
 * exactly rounded summation (Shewchuk / CPython `math.fsum`), whose result does not depend
 * on the order of the addends; per-entry values are summed in a canonical order
 * (jurorId, assignmentId). All string comparisons are by UTF-16 code unit (no locale).
 *
 * Conventions:
 * - Every standard deviation is the population SD (divide by n), so it is defined (= 0) for a
 *   single value.
 * - Values within SCORE_EPSILON (1e-9) on the 0..100 scale are treated as equal.
 * - No function ever returns NaN or ±Infinity; "not available" is `null`.
 */

import { describeJuror, fitJurorModel, FEW_REVIEWS, type JurorEstimate } from './model';
import { plural } from '../../format';

// ---------------------------------------------------------------------------------------
// Input types
// ---------------------------------------------------------------------------------------

export interface Criterion {
	id: string;
	weight: number /* positive integer or decimal */;
	scaleMin: number;
	scaleMax: number /* integers, e.g. 0..10 */;
}

export interface Review {
	assignmentId: string;
	applicationId: string;
	jurorId: string;
	scores: Record<string /*criterionId*/, number>;
	submitted: boolean;
}

export interface EntryInfo {
	id: string;
	nominationId: string;
	number: string /* human number like НС-2026-00123, used for tie-break */;
	submittedAt: string /* ISO */;
}

/**
 * How totals are made comparable across jurors before ranking:
 * 'none' — raw totals; 'zscore' — per-juror z-score (normalizeCore); 'model' — the juror-bias
 * model (model.ts): quality × scale + offset + noise fitted jointly over the review graph.
 */
export type NormalizationMode = 'none' | 'zscore' | 'model';

export interface ResultsSettings {
	/** The old switch: true = 'zscore'. Still accepted; `normalization` wins when given. */
	normalize: boolean;
	normalization?: NormalizationMode;
	disagreementThreshold: number /* on the 0..100 total scale, default 20 */;
	expectedReviews: number /* K, default 3 */;
}

export interface ResultsInput {
	entries: EntryInfo[];
	criteria: Criterion[];
	reviews: Review[];
	settings: ResultsSettings;
}

// ---------------------------------------------------------------------------------------
// Output types
// ---------------------------------------------------------------------------------------

/** One counted review of an entry. */
export interface ReviewTotal {
	assignmentId: string;
	jurorId: string;
	/** Weighted total on 0..100, full precision. */
	raw: number;
	/**
	 * Juror-normalized total on 0..100: the z-score value (always computed), or in 'model' mode
	 * the total corrected for the juror, (raw − offset) / scale, clamped.
	 */
	normalized: number;
}

export interface EntryResult {
	applicationId: string;
	nominationId: string;
	number: string;
	submittedAt: string;
	/** Count of counted reviews: submitted, complete, valid, one per juror. */
	reviews: number;
	/** max(0, expectedReviews − reviews). */
	missing: number;
	/** Sorted by jurorId, then assignmentId. */
	totals: ReviewTotal[];
	/** Statistics of the USED totals (normalized if settings.normalize, else raw); null without reviews. */
	mean: number | null;
	median: number | null;
	/** max − min of the used totals. */
	spread: number | null;
	/** Population SD of the used totals. */
	sd: number | null;
	/** Mean of the raw totals (for display next to a normalized score). */
	rawMean: number | null;
	/** Mean raw criterion value (on the criterion's own scale) per usable criterion id. */
	perCriterion: Record<string, number | null>;
	/** spread > disagreementThreshold (beyond 1e-9) with ≥ 2 reviews. */
	flagged: boolean;
	/**
	 * The value used for ranking: the mean of the used totals, or in 'model' mode the model's
	 * estimate of the entry's quality (clamped to 0..100); null without reviews.
	 */
	score: number | null;
	/** 'model' mode only: the posterior SD of `score` (how sure the model is), else absent. */
	scoreSd?: number;
	/** Competition rank within the nomination («1,2,2,4»); null when score is null. */
	rank: number | null;
	/** Strict 1-based order within the nomination after the tie-break chain; unscored entries last. */
	position: number;
	/** Shares its score (within 1e-9) with another entry of the same nomination. */
	tie: boolean;
}

export interface JurorStats {
	jurorId: string;
	/** Counted reviews of this juror. Jurors that only have drafts/incomplete reviews appear with 0. */
	count: number;
	/** Statistics of this juror's RAW totals (normalization is, by design, flat per juror). */
	mean: number | null;
	sd: number | null;
	min: number | null;
	max: number | null;
	/** All totals equal (within 1e-9) and count ≥ 3. */
	flat: boolean;
	/** Share of this juror's criterion scores that sit at the scale minimum or maximum. */
	extremeShare: number | null;
	/**
	 * Mean |own raw total − mean raw total of the OTHER jurors of the same entry| over the entries
	 * this juror shares with at least one other juror; null if there is no such entry.
	 */
	agreement: number | null;
}

export interface ResultsSummary {
	entries: number;
	/** reviews ≥ expectedReviews. */
	fullyReviewed: number;
	/** missing > 0. */
	withMissing: number;
	flagged: number;
	/** Entries without any counted review (score null). */
	unscored: number;
	/** Reviews that entered the computation. */
	countedReviews: number;
	/** Submitted reviews that were NOT counted: incomplete/invalid scores, unknown entry, duplicate juror×entry. */
	skippedReviews: number;
}

/** A note for the organizer about how the results were computed (Russian `text`). */
export interface ResultsNote {
	code:
		| 'model_fallback'
		| 'model_disconnected'
		| 'model_single_review'
		| 'model_few_reviews'
		| 'model_flat'
		| 'model_inconsistent'
		| 'model_missing_reviews'
		| 'model_not_converged'
		/** the round's nominations have different rubrics: one fit per group (load.ts mergeOutputs) */
		| 'model_groups';
	level: 'info' | 'warning';
	text: string;
	jurorIds?: string[];
	applicationIds?: string[];
	nominationIds?: string[];
}

/** 'model' mode: what the model found. */
export interface ModelSummary {
	/** the method as the protocol names it (Russian) */
	method: string;
	/** what was actually used for ranking after degradation */
	applied: NormalizationMode;
	converged: boolean;
	iterations: number;
	/** connected components of the review graph (entries linked by shared jurors) */
	components: number;
	/** mean of all totals: the neutral juror's typical score */
	mu: number;
	/** pooled residual SD */
	sigma0: number;
	/** by jurorId */
	jurors: JurorEstimate[];
}

export interface ResultsOutput {
	/** Ordered by nominationId, then position. */
	entries: EntryResult[];
	/** Ordered by jurorId. */
	jurors: JurorStats[];
	summary: ResultsSummary;
	/** Settings as actually applied (after sanitizing). */
	settings: ResultsSettings;
	/** The criterion whose mean is step 3 of the tie-break chain (null when no usable criterion). */
	tieBreakCriterionId: string | null;
	/** 'model' mode only: notes for the organizer (degradation, jurors to look at). */
	notes?: ResultsNote[];
	/** 'model' mode only. */
	model?: ModelSummary;
}

export interface Winner {
	applicationId: string;
	number: string;
	/** = position within the nomination (strict). */
	place: number;
	/** Competition rank (may be shared). */
	rank: number;
	score: number;
	tie: boolean;
	flagged: boolean;
	missing: number;
}

export interface NominationWinners {
	nominationId: string;
	winners: Winner[];
	/**
	 * True when the last winner shares its score with the first non-winner, i.e. the cut
	 * was decided by the tie-break chain, not by the score — organizers should look at it.
	 */
	tieAtCutoff: boolean;
}

// ---------------------------------------------------------------------------------------
// Constants and small helpers
// ---------------------------------------------------------------------------------------

export const SCORE_EPSILON = 1e-9;

export const DEFAULT_RESULTS_SETTINGS: Readonly<ResultsSettings> = Object.freeze({
	normalize: false,
	normalization: 'none' as NormalizationMode,
	disagreementThreshold: 20,
	expectedReviews: 3
});

/**
 * Round to 2 decimals for DISPLAY only (half away from zero). Float noise is removed first
 * (x*100 to 15 significant digits), so round2(1.005) = 1.01 and round2(2.675) = 2.68.
 */
export function round2(x: number): number {
	if (!Number.isFinite(x)) return x;
	const v = Number((Math.abs(x) * 100).toPrecision(15));
	const r = (Math.sign(x) * Math.round(v)) / 100;
	return r === 0 ? 0 : r; // no -0
}

/** Key of the map returned by normalizeByJuror. */
export function totalKey(jurorId: string, applicationId: string): string {
	return jurorId + '\u0000' + applicationId;
}

function cmpStr(a: string, b: string): number {
	return a < b ? -1 : a > b ? 1 : 0;
}

/** Clamp to [0, 100]; NaN (cannot happen by construction — last-resort guard) maps to 0. */
function clamp100(v: number): number {
	return v > 100 ? 100 : v >= 0 ? v : 0;
}

/**
 * Natural order of human entry numbers: digit runs compare numerically, other runs by code
 * unit ("НС-2026-99" < "НС-2026-100"; zero-padded numbers compare as plain strings would).
 * Numerically equal but differently written numbers ("007" vs "7") fall back to plain
 * code-unit order so the result is a strict total order on distinct strings.
 */
export function compareHumanNumbers(a: string, b: string): number {
	if (a === b) return 0;
	const ra = a.match(/\d+|\D+/g) ?? [];
	const rb = b.match(/\d+|\D+/g) ?? [];
	const n = Math.min(ra.length, rb.length);
	for (let i = 0; i < n; i++) {
		const x = ra[i];
		const y = rb[i];
		if (x === y) continue;
		const dx = x.charCodeAt(0) >= 48 && x.charCodeAt(0) <= 57;
		const dy = y.charCodeAt(0) >= 48 && y.charCodeAt(0) <= 57;
		if (dx && dy) {
			const sx = x.replace(/^0+(?=\d)/, '');
			const sy = y.replace(/^0+(?=\d)/, '');
			if (sx.length !== sy.length) return sx.length < sy.length ? -1 : 1;
			if (sx !== sy) return sx < sy ? -1 : 1;
			continue;
		}
		return cmpStr(x, y);
	}
	if (ra.length !== rb.length) return ra.length < rb.length ? -1 : 1;
	return cmpStr(a, b);
}

/**
 * Exactly rounded floating-point sum (Shewchuk's algorithm with CPython's `math.fsum`
 * final rounding). The result is the correctly rounded value of the exact sum, hence it
 * does not depend on the order in which values are added.
 */
class ExactSum {
	private p: number[] = [];
	private n = 0;

	add(x: number): void {
		const p = this.p;
		const n = this.n;
		let i = 0;
		for (let j = 0; j < n; j++) {
			let y = p[j];
			if (Math.abs(x) < Math.abs(y)) {
				const t = x;
				x = y;
				y = t;
			}
			const hi = x + y;
			const lo = y - (hi - x);
			if (lo !== 0) p[i++] = lo;
			x = hi;
		}
		p[i] = x;
		this.n = i + 1;
	}

	value(): number {
		const p = this.p;
		let n = this.n;
		if (n === 0) return 0;
		let hi = p[--n];
		let lo = 0;
		while (n > 0) {
			const x = hi;
			const y = p[--n];
			hi = x + y;
			const yr = hi - x;
			lo = y - yr;
			if (lo !== 0) break;
		}
		if (n > 0 && ((lo < 0 && p[n - 1] < 0) || (lo > 0 && p[n - 1] > 0))) {
			const y = lo * 2;
			const x = hi + y;
			const yr = x - hi;
			if (y === yr) hi = x;
		}
		return hi;
	}
}

// ---------------------------------------------------------------------------------------
// Weighted total of one review
// ---------------------------------------------------------------------------------------

interface PlanCriterion {
	id: string;
	w: number;
	min: number;
	max: number;
	range: number;
	/** Weight × 10^d as an integer (exact path). */
	wInt: number;
	/** L / range, L = lcm of all ranges (exact path). */
	mult: number;
}

interface Plan {
	/** Usable criteria, sorted by id (canonical summation order). */
	crit: PlanCriterion[];
	sumW: number;
	/** Exact integer path available (decimal weights, integer scales, no overflow). */
	exact: boolean;
	/** L × Σ wInt. */
	denom: number;
	/** Highest weight; equal weights → smallest id. */
	topIndex: number;
}

function gcd(a: number, b: number): number {
	while (b) {
		const t = a % b;
		a = b;
		b = t;
	}
	return a;
}

/**
 * Usable criteria: finite weight > 0 and a finite scale with max > min.
 * Criteria that fail this (weight ≤ 0, min ≥ max, non-finite values) cannot discriminate
 * entries and would divide by zero, so they are ignored. Duplicate ids: the first wins.
 */
function compilePlan(criteria: readonly Criterion[]): Plan {
	const seen = new Set<string>();
	const crit: PlanCriterion[] = [];
	for (const c of criteria ?? []) {
		if (!c || typeof c.id !== 'string' || seen.has(c.id)) continue;
		seen.add(c.id);
		const w = c.weight;
		const min = c.scaleMin;
		const max = c.scaleMax;
		if (typeof w !== 'number' || !Number.isFinite(w) || !(w > 0)) continue;
		if (typeof min !== 'number' || typeof max !== 'number') continue;
		if (!Number.isFinite(min) || !Number.isFinite(max) || !(max > min) || !Number.isFinite(max - min)) continue;
		crit.push({ id: c.id, w, min, max, range: max - min, wInt: 0, mult: 0 });
	}
	crit.sort((a, b) => cmpStr(a.id, b.id));

	let sumW = 0;
	let topIndex = -1;
	for (let i = 0; i < crit.length; i++) {
		sumW += crit[i].w;
		if (topIndex < 0 || crit[i].w > crit[topIndex].w) topIndex = i;
	}
	if (crit.length > 0 && (!Number.isFinite(sumW) || crit[topIndex].w < 1e-150)) {
		// Absurdly large or tiny weights: rescale (only ratios matter) so nothing overflows/underflows.
		const maxW = crit[topIndex].w;
		sumW = 0;
		for (const c of crit) {
			c.w = c.w / maxW;
			sumW += c.w;
		}
	}

	// Exact path: weights are decimals with ≤ 6 fractional digits → integers W = w·10^d;
	// integer scales → ranges R with L = lcm(R). Then
	//   total = 100 · Σ W·(s−min)·(L/R) / (L · ΣW)
	// is one division of two exact integers, i.e. correctly rounded.
	let exact = crit.length > 0;
	let denom = 0;
	if (exact) {
		let scale = 0;
		for (let d = 0, f = 1; d <= 6; d++, f *= 10) {
			let ok = true;
			for (const c of crit) {
				const v = c.w * f;
				if (Math.abs(v - Math.round(v)) > 1e-9 * Math.max(1, v)) {
					ok = false;
					break;
				}
			}
			if (ok) {
				scale = f;
				break;
			}
		}
		let L = 1;
		let sumWInt = 0;
		if (scale === 0) exact = false;
		for (const c of crit) {
			if (!exact) break;
			if (!Number.isInteger(c.min) || !Number.isInteger(c.max)) {
				exact = false;
				break;
			}
			c.wInt = Math.round(c.w * scale);
			if (!(c.wInt >= 1)) {
				exact = false;
				break;
			}
			sumWInt += c.wInt;
			L = (L / gcd(L, c.range)) * c.range;
			if (L > 1e9) exact = false;
		}
		if (exact) {
			denom = L * sumWInt;
			if (!(100 * denom <= Number.MAX_SAFE_INTEGER)) exact = false;
			else for (const c of crit) c.mult = L / c.range;
		}
	}
	return { crit, sumW, exact, denom, topIndex };
}

/** Total of one score record; when `buf` is given, the validated scores are copied to buf[at + c]. */
function totalWithPlan(
	scores: Record<string, number> | null | undefined,
	plan: Plan,
	buf?: Float64Array,
	at = 0
): number | null {
	const crit = plan.crit;
	if (crit.length === 0 || !scores || typeof scores !== 'object') return null;
	let exact = plan.exact;
	let n = 0;
	let f = 0;
	for (let i = 0; i < crit.length; i++) {
		const c = crit[i];
		const s = scores[c.id];
		// Missing, non-numeric, NaN or out-of-scale score → incomplete/invalid review.
		if (typeof s !== 'number' || !(s >= c.min && s <= c.max)) return null;
		if (buf) buf[at + i] = s;
		if (exact) {
			if (Number.isInteger(s)) n += c.wInt * (s - c.min) * c.mult;
			else exact = false;
		}
		f += c.w * ((s - c.min) / c.range);
	}
	if (exact) return (100 * n) / plan.denom;
	return clamp100((f / plan.sumW) * 100);
}

/**
 * Weighted total of one review on 0..100:
 *   Σ_c w_c·(s_c − min_c)/(max_c − min_c) / Σ_c w_c · 100
 * Full precision (use round2 for display). Exact (correctly rounded) for decimal weights and
 * integer scores/scales. Returns null when any usable criterion has no score, or a score is
 * not a number or lies outside [scaleMin, scaleMax] (an invalid review counts as incomplete),
 * or there is no usable criterion (see compilePlan). `review.submitted` is not looked at.
 */
export function reviewTotal(review: Review, criteria: Criterion[]): number | null {
	return totalWithPlan(review?.scores, compilePlan(criteria));
}

// ---------------------------------------------------------------------------------------
// Normalization
// ---------------------------------------------------------------------------------------

/**
 * Core of normalizeByJuror on typed arrays (jur[i] = juror index of total x[i]).
 *
 *   norm = globalMean + globalSd · (x − jurorMean) / jurorSd, clamped to [0, 100]
 *
 * with population SDs over all totals (global) and over the juror's totals (juror).
 * Fallbacks (never divide by zero, never NaN):
 * - juror with a single score, or all scores equal (jurorSd ≤ 1e-9): shift only,
 *   norm = x − jurorMean + globalMean (clamped) — i.e. the juror's scores land on the global mean;
 * - global SD ≤ 1e-9 (all totals equal, or a single total): raw totals are returned unchanged.
 * The map is monotone per juror: x_a ≤ x_b ⇒ norm_a ≤ norm_b (every step is a non-decreasing
 * function of x, and IEEE rounding is monotone).
 */
function normalizeCore(jur: Int32Array, x: Float64Array, nJurors: number): Float64Array {
	const n = x.length;
	const out = new Float64Array(n);
	if (n === 0) return out;

	const gs = new ExactSum();
	for (let i = 0; i < n; i++) gs.add(x[i]);
	const gm = gs.value() / n;
	const gv = new ExactSum();
	for (let i = 0; i < n; i++) {
		const d = x[i] - gm;
		gv.add(d * d);
	}
	const gsd = Math.sqrt(gv.value() / n);
	if (!(gsd > SCORE_EPSILON)) {
		out.set(x);
		return out;
	}

	const cnt = new Int32Array(nJurors);
	const sums: ExactSum[] = new Array(nJurors);
	for (let j = 0; j < nJurors; j++) sums[j] = new ExactSum();
	for (let i = 0; i < n; i++) {
		cnt[jur[i]]++;
		sums[jur[i]].add(x[i]);
	}
	const jm = new Float64Array(nJurors);
	for (let j = 0; j < nJurors; j++) {
		jm[j] = cnt[j] > 0 ? sums[j].value() / cnt[j] : 0;
		sums[j] = new ExactSum();
	}
	for (let i = 0; i < n; i++) {
		const d = x[i] - jm[jur[i]];
		sums[jur[i]].add(d * d);
	}
	const jsd = new Float64Array(nJurors);
	for (let j = 0; j < nJurors; j++) jsd[j] = cnt[j] > 0 ? Math.sqrt(sums[j].value() / cnt[j]) : 0;

	for (let i = 0; i < n; i++) {
		const j = jur[i];
		const sd = jsd[j];
		const v = sd > SCORE_EPSILON ? gm + gsd * ((x[i] - jm[j]) / sd) : x[i] - jm[j] + gm;
		out[i] = clamp100(v);
	}
	return out;
}

/**
 * Per-juror z-score normalization within the round, mapped back onto 0..100 with the global
 * mean and SD of all totals (formula and fallbacks: see normalizeCore above).
 * Keys are totalKey(jurorId, applicationId). Rows with a non-finite total are skipped;
 * for a repeated (jurorId, applicationId) pair only the first row is used.
 */
export function normalizeByJuror(
	totals: { jurorId: string; applicationId: string; total: number }[]
): Map<string, number> {
	const keys: string[] = [];
	const vals: number[] = [];
	const jIdx: number[] = [];
	const jurors = new Map<string, number>();
	const seen = new Set<string>();
	for (const t of totals ?? []) {
		if (!t || typeof t.total !== 'number' || !Number.isFinite(t.total)) continue;
		const key = totalKey(t.jurorId, t.applicationId);
		if (seen.has(key)) continue;
		seen.add(key);
		let j = jurors.get(t.jurorId);
		if (j === undefined) {
			j = jurors.size;
			jurors.set(t.jurorId, j);
		}
		keys.push(key);
		vals.push(t.total);
		jIdx.push(j);
	}
	const out = normalizeCore(Int32Array.from(jIdx), Float64Array.from(vals), jurors.size);
	const map = new Map<string, number>();
	for (let i = 0; i < keys.length; i++) map.set(keys[i], out[i]);
	return map;
}

// ---------------------------------------------------------------------------------------
// Ranking
// ---------------------------------------------------------------------------------------

/**
 * TIE-BREAK RULE (quoted in the README):
 *
 * Within a nomination, entries are sorted by score (the mean of the used totals — juror-normalized
 * when normalization is on, raw otherwise) from highest to lowest. Scores that differ by no more
 * than 1e-9 are equal (a chain of such neighbours forms one group): such entries are tied, share
 * the same competition rank («1, 2, 2, 4») and are marked `tie`. To obtain a strict order (`position`), tied entries are ordered by:
 *   1. higher median of the used totals;
 *   2. more counted reviews;
 *   3. higher mean raw score on the highest-weight criterion (if several criteria share the
 *      highest weight, the one with the smallest id);
 *   4. earlier submission time (submittedAt; an unparsable time counts as latest);
 *   5. human entry number ascending (natural order: НС-2026-00099 before НС-2026-00100);
 *   6. application id ascending (only if the numbers coincide).
 * Steps 1 and 3 also treat values within 1e-9 as equal. Entries without any counted review have
 * no score and no rank; they are listed after all scored entries (by steps 4–6) and are never
 * shortlisted or picked as winners. The order does not depend on the order of input rows.
 */
interface RankKey {
	v: Float64Array;
	desc: boolean;
	tol: number;
}

function close(a: number, b: number, tol: number): boolean {
	return a === b || Math.abs(a - b) <= tol;
}

function sortByKey(items: number[], k: RankKey): void {
	const v = k.v;
	if (k.desc) items.sort((a, b) => (v[a] === v[b] ? 0 : v[a] < v[b] ? 1 : -1));
	else items.sort((a, b) => (v[a] === v[b] ? 0 : v[a] < v[b] ? -1 : 1));
}

/**
 * Orders items by keys[level..] lexicographically; values within `tol` of a neighbour form a
 * group (single linkage on the sorted values, so "equal" is transitive and order-invariant)
 * that is ordered by the next key; the strict `final` comparator decides the rest.
 */
function orderItems(
	items: number[],
	keys: RankKey[],
	level: number,
	final: (a: number, b: number) => number,
	out: number[]
): void {
	if (items.length <= 1) {
		if (items.length === 1) out.push(items[0]);
		return;
	}
	if (level >= keys.length) {
		items.sort(final);
		for (const it of items) out.push(it);
		return;
	}
	const k = keys[level];
	sortByKey(items, k);
	let start = 0;
	for (let i = 1; i <= items.length; i++) {
		if (i === items.length || !close(k.v[items[i - 1]], k.v[items[i]], k.tol)) {
			if (i - start === 1) out.push(items[start]);
			else orderItems(items.slice(start, i), keys, level + 1, final, out);
			start = i;
		}
	}
}

// ---------------------------------------------------------------------------------------
// computeResults
// ---------------------------------------------------------------------------------------

const MODES: readonly NormalizationMode[] = ['none', 'zscore', 'model'];

function sanitizeSettings(s: Partial<ResultsSettings> | null | undefined): ResultsSettings {
	const d = DEFAULT_RESULTS_SETTINGS;
	const t = s?.disagreementThreshold;
	const k = s?.expectedReviews;
	const mode: NormalizationMode = MODES.includes(s?.normalization as NormalizationMode)
		? (s!.normalization as NormalizationMode)
		: s?.normalize === true
			? 'zscore'
			: 'none';
	return {
		normalize: mode !== 'none',
		normalization: mode,
		disagreementThreshold: typeof t === 'number' && Number.isFinite(t) && t >= 0 ? t : d.disagreementThreshold,
		expectedReviews: typeof k === 'number' && Number.isFinite(k) && k >= 0 ? Math.floor(k) : d.expectedReviews
	};
}

/**
 * Computes the full results of a round.
 *
 * Counted reviews: submitted === true, for a known entry, complete and valid (reviewTotal ≠ null).
 * If one juror has several counted reviews of the same entry, only the one with the smallest
 * assignmentId is used (then the lower total) — deterministic regardless of row order.
 * Normalization (always computed, used when settings.normalize) runs over all counted reviews
 * of the round. Invalid settings values fall back to the defaults (threshold 20, K = 3).
 * Throws only on duplicate entry ids (a data-integrity error).
 */
export function computeResults(input: ResultsInput): ResultsOutput {
	const settings = sanitizeSettings(input?.settings);
	const plan = compilePlan(input?.criteria ?? []);
	const entries = input?.entries ?? [];
	const reviews = input?.reviews ?? [];
	const crit = plan.crit;
	const nC = crit.length;
	const EPS = SCORE_EPSILON;

	// --- entries -------------------------------------------------------------------------
	const nE = entries.length;
	const entryIndex = new Map<string, number>();
	for (let i = 0; i < nE; i++) {
		const id = entries[i].id;
		if (entryIndex.has(id)) throw new Error(`computeResults: duplicate entry id ${JSON.stringify(id)}`);
		entryIndex.set(id, i);
	}

	// --- reviews: filter and total ----------------------------------------------------------
	const jurorIndex = new Map<string, number>();
	const jurorIds: string[] = [];
	const candRef: Review[] = [];
	const candRaw: number[] = [];
	const candEntry: number[] = [];
	const candJuror: number[] = [];
	// Validated criterion scores of candidate i at candScores[i·nC + c] (no second keyed lookup).
	let candScores = new Float64Array(Math.max(1, Math.min(reviews.length, 1 << 16)) * nC);
	let skipped = 0;

	for (let r = 0; r < reviews.length; r++) {
		const rv = reviews[r];
		if (!rv) continue;
		const e = entryIndex.get(rv.applicationId);
		if (e === undefined) {
			if (rv.submitted === true) skipped++;
			continue;
		}
		let j = jurorIndex.get(rv.jurorId);
		if (j === undefined) {
			j = jurorIds.length;
			jurorIndex.set(rv.jurorId, j);
			jurorIds.push(rv.jurorId);
		}
		if (rv.submitted !== true) continue;
		const at = candRef.length * nC;
		if (at + nC > candScores.length) {
			const grown = new Float64Array(Math.max(candScores.length * 2, at + nC));
			grown.set(candScores);
			candScores = grown;
		}
		const total = totalWithPlan(rv.scores, plan, candScores, at);
		if (total === null) {
			skipped++;
			continue;
		}
		candRef.push(rv);
		candRaw.push(total);
		candEntry.push(e);
		candJuror.push(j);
	}
	const nJ = jurorIds.length;
	const nCand = candRef.length;

	// Juror ids in code-unit order: jurorRank[j] gives the canonical position of juror j.
	const jurorOrder = Array.from(jurorIds.keys()).sort((a, b) => cmpStr(jurorIds[a], jurorIds[b]));
	const jurorRank = new Int32Array(nJ);
	for (let k = 0; k < nJ; k++) jurorRank[jurorOrder[k]] = k;

	// --- group by entry (CSR), canonical order (jurorId, assignmentId, total), dedupe -------
	const cOff = new Int32Array(nE + 1);
	for (let i = 0; i < nCand; i++) cOff[candEntry[i] + 1]++;
	for (let e = 0; e < nE; e++) cOff[e + 1] += cOff[e];
	const fill = cOff.slice(0, nE);
	const cByEntry = new Int32Array(nCand);
	for (let i = 0; i < nCand; i++) cByEntry[fill[candEntry[i]]++] = i;
	const canon = (a: number, b: number): number =>
		jurorRank[candJuror[a]] - jurorRank[candJuror[b]] ||
		cmpStr(candRef[a].assignmentId, candRef[b].assignmentId) ||
		candRaw[a] - candRaw[b];
	for (let e = 0; e < nE; e++) {
		const s = cOff[e];
		const t = cOff[e + 1];
		if (t - s <= 1) continue;
		if (t - s <= 16) {
			// insertion sort: typical slices hold ~3 reviews
			for (let k = s + 1; k < t; k++) {
				const x = cByEntry[k];
				let q = k - 1;
				while (q >= s && canon(cByEntry[q], x) > 0) {
					cByEntry[q + 1] = cByEntry[q];
					q--;
				}
				cByEntry[q + 1] = x;
			}
		} else {
			cByEntry.set(Array.from(cByEntry.subarray(s, t)).sort(canon), s);
		}
	}
	// Counted reviews, compacted in canonical order: review k belongs to the entry e with
	// off[e] ≤ k < off[e+1]. One review per juror and entry — the first in canonical order,
	// i.e. the smallest assignmentId (then the lower total).
	const ref: Review[] = [];
	const rawList: number[] = [];
	const jurList: number[] = [];
	const candList: number[] = [];
	const off = new Int32Array(nE + 1);
	for (let e = 0; e < nE; e++) {
		let prevJ = -1;
		for (let k = cOff[e]; k < cOff[e + 1]; k++) {
			const i = cByEntry[k];
			if (candJuror[i] === prevJ) {
				skipped++;
				continue;
			}
			prevJ = candJuror[i];
			ref.push(candRef[i]);
			rawList.push(candRaw[i]);
			jurList.push(prevJ);
			candList.push(i);
		}
		off[e + 1] = ref.length;
	}
	const m = ref.length;
	const rJuror = Int32Array.from(jurList);
	const rRaw = Float64Array.from(rawList);
	const rScoreAt = Int32Array.from(candList, (i) => i * nC); // offset of review k's scores in candScores
	let rNorm = normalizeCore(rJuror, rRaw, nJ);
	let rUsed = settings.normalization === 'none' ? rRaw : rNorm;
	// 'model' mode: the juror-bias model over the counted reviews (entries and jurors in id order)
	let modelScore: Float64Array | null = null;
	let modelSd: Float64Array | null = null;
	let modelOut: { notes: ResultsNote[]; summary: ModelSummary } | null = null;
	if (settings.normalization === 'model') {
		const mr = applyModel();
		modelOut = { notes: mr.notes, summary: mr.summary };
		if (mr.used) {
			rNorm = mr.used;
			rUsed = mr.used;
			modelScore = mr.score;
			modelSd = mr.sd;
		} else if (mr.summary.applied === 'none') rUsed = rRaw;
	}

	/**
	 * Fits the model and decides whether it can be used: it needs jurors who share entries
	 * (at least one entry with two reviews and two jurors with reviews); otherwise the z-score
	 * (or raw means when even that is degenerate) with a note.
	 */
	function applyModel(): {
		used: Float64Array | null;
		score: Float64Array | null;
		sd: Float64Array | null;
		notes: ResultsNote[];
		summary: ModelSummary;
	} {
		const notes: ResultsNote[] = [];
		const entryOrder = Array.from(entries.keys()).sort((a, b) => cmpStr(entries[a].id, entries[b].id));
		const entryRank = new Int32Array(nE);
		for (let k = 0; k < nE; k++) entryRank[entryOrder[k]] = k;
		const rEntry = new Int32Array(m);
		for (let e = 0; e < nE; e++) for (let i = off[e]; i < off[e + 1]; i++) rEntry[i] = entryRank[e];
		const fit = fitJurorModel({ nEntries: nE, nJurors: nJ, entry: rEntry, juror: Int32Array.from(rJuror, (j) => jurorRank[j]), x: rRaw });
		const jCount = new Int32Array(nJ);
		const jMin = new Float64Array(nJ).fill(Infinity);
		const jMax = new Float64Array(nJ).fill(-Infinity);
		for (let i = 0; i < m; i++) {
			const j = rJuror[i];
			jCount[j]++;
			if (rRaw[i] < jMin[j]) jMin[j] = rRaw[i];
			if (rRaw[i] > jMax[j]) jMax[j] = rRaw[i];
		}
		let shared = 0;
		for (let e = 0; e < nE; e++) if (off[e + 1] - off[e] >= 2) shared++;
		let withReviews = 0;
		for (let j = 0; j < nJ; j++) if (jCount[j] > 0) withReviews++;
		const estimates: JurorEstimate[] = [];
		for (const j of jurorOrder) {
			if (jCount[j] === 0) continue;
			const r = jurorRank[j];
			estimates.push(
				describeJuror(
					jurorIds[j],
					{ reviews: jCount[j], scale: fit.scale[r], offset: fit.offset[r], spread: fit.noise[r], flat: jMax[j] - jMin[j] <= EPS },
					{ mu: fit.mu, sigma0: fit.sigma0 }
				)
			);
		}
		const summary: ModelSummary = {
			method: MODEL_METHOD,
			applied: 'model',
			converged: fit.converged,
			iterations: fit.iterations,
			components: fit.components,
			mu: fit.mu,
			sigma0: fit.sigma0,
			jurors: estimates
		};
		if (m === 0) return { used: null, score: null, sd: null, notes, summary };
		if (shared === 0 || withReviews < 2) {
			const degenerate = rNorm.every((v, i) => v === rRaw[i]);
			summary.applied = degenerate ? 'none' : 'zscore';
			notes.push({
				code: 'model_fallback',
				level: 'warning',
				text:
					(shared === 0
						? 'Модель строгости не применена: ни одну работу не оценили два эксперта, сравнить строгость экспертов не по чему. '
						: 'Модель строгости не применена: оценки поставил только один эксперт. ') +
					(degenerate ? 'Места определены по средним баллам без нормализации.' : 'Места определены с нормализацией z-оценкой по каждому эксперту.')
			});
			return { used: null, score: null, sd: null, notes, summary };
		}
		const used = new Float64Array(m);
		for (let i = 0; i < m; i++) {
			const r = jurorRank[rJuror[i]];
			used[i] = clamp100((rRaw[i] - fit.offset[r]) / Math.max(fit.scale[r], 0.2));
		}
		const score = new Float64Array(nE);
		const sd = new Float64Array(nE);
		for (let e = 0; e < nE; e++) {
			score[e] = clamp100(fit.quality[entryRank[e]]);
			sd[e] = fit.qualitySd[entryRank[e]];
		}
		// notes
		if (fit.components > 1) {
			const compsByNom = new Map<string, Set<number>>();
			for (let e = 0; e < nE; e++) {
				const c = fit.entryComponent[entryRank[e]];
				if (c < 0) continue;
				const nom = entries[e].nominationId;
				let set = compsByNom.get(nom);
				if (!set) compsByNom.set(nom, (set = new Set()));
				set.add(c);
			}
			const split = [...compsByNom].filter(([, set]) => set.size > 1).map(([nom]) => nom).sort(cmpStr);
			notes.push({
				code: 'model_disconnected',
				level: split.length ? 'warning' : 'info',
				text:
					`Эксперты делятся на ${fit.components} ${plural(fit.components, ['группу', 'группы', 'групп'])}, не оценивавших общих работ: строгость сравнивается только внутри группы, а между группами модель считает экспертов в среднем одинаково строгими.` +
					(split.length ? ` В ${split.length === 1 ? 'номинации' : 'номинациях'} с работами разных групп сравнение между группами приблизительное.` : ''),
				...(split.length ? { nominationIds: split } : {})
			});
		}
		const byRel = (rel: JurorEstimate['reliability'], f: (x: JurorEstimate) => boolean = () => true) =>
			estimates.filter((x) => x.reliability === rel && f(x)).map((x) => x.jurorId);
		const single = byRel('few_reviews', (x) => x.reviews === 1);
		if (single.length)
			notes.push({
				code: 'model_single_review',
				level: 'info',
				text: `${single.length} ${plural(single.length, ['эксперт поставил', 'эксперта поставили', 'экспертов поставили'])} по одной оценке: их строгость не оценить, на места такие оценки почти не влияют.`,
				jurorIds: single
			});
		const few = byRel('few_reviews', (x) => x.reviews > 1);
		if (few.length)
			notes.push({
				code: 'model_few_reviews',
				level: 'info',
				text: `У ${few.length} ${plural(few.length, ['эксперта', 'экспертов', 'экспертов'])} меньше ${FEW_REVIEWS} оценок: их строгость оценена приблизительно.`,
				jurorIds: few
			});
		const flat = byRel('flat');
		if (flat.length)
			notes.push({
				code: 'model_flat',
				level: 'warning',
				text: `${flat.length} ${plural(flat.length, ['эксперт ставит', 'эксперта ставят', 'экспертов ставят'])} всем работам одинаковый итог: модель почти не учитывает эти оценки.`,
				jurorIds: flat
			});
		const odd = byRel('inconsistent');
		if (odd.length)
			notes.push({
				code: 'model_inconsistent',
				level: 'warning',
				text: `${odd.length} ${plural(odd.length, ['эксперт', 'эксперта', 'экспертов'])} почти не ${odd.length === 1 ? 'согласуется' : 'согласуются'} с коллегами: модель уменьшает вес ${odd.length === 1 ? 'его' : 'их'} оценок — посмотрите на них.`,
				jurorIds: odd
			});
		const K = settings.expectedReviews;
		const missing: string[] = [];
		for (let e = 0; e < nE; e++) {
			const n = off[e + 1] - off[e];
			if (n > 0 && n < K) missing.push(entries[e].id);
		}
		if (missing.length)
			notes.push({
				code: 'model_missing_reviews',
				level: 'info',
				text: `У ${missing.length} ${plural(missing.length, ['работы', 'работ', 'работ'])} меньше ${K} ${plural(K, ['оценки', 'оценок', 'оценок'])}: их место определено менее надёжно (модель учитывает это в разбросе).`,
				applicationIds: missing.sort(cmpStr)
			});
		if (!fit.converged)
			notes.push({
				code: 'model_not_converged',
				level: 'warning',
				text: `Подгонка модели не сошлась за ${fit.iterations} итераций: результаты приблизительные.`
			});
		return { used, score, sd, notes, summary };
	}

	// --- per-entry statistics -------------------------------------------------------------
	const K = settings.expectedReviews;
	const threshold = settings.disagreementThreshold;
	const scoreV = new Float64Array(nE);
	const medianV = new Float64Array(nE);
	const countV = new Float64Array(nE);
	const topV = new Float64Array(nE);
	const timeV = new Float64Array(nE); // submittedAt in ms; filled lazily, only where a tie needs it
	const results: EntryResult[] = new Array(nE);
	const scratch: number[] = [];
	const critSum = new Float64Array(nC);

	for (let e = 0; e < nE; e++) {
		const info = entries[e];
		const s = off[e];
		const t = off[e + 1];
		const n = t - s;
		const totals: ReviewTotal[] = new Array(n);
		const perCriterion: Record<string, number | null> = {};
		let mean: number | null = null;
		let median: number | null = null;
		let spread: number | null = null;
		let sd: number | null = null;
		let rawMean: number | null = null;
		critSum.fill(0);
		let topMean = -Infinity;
		if (n > 0) {
			let sumU = 0;
			let sumR = 0;
			let mn = Infinity;
			let mx = -Infinity;
			scratch.length = 0;
			for (let i = s; i < t; i++) {
				const rv = ref[i];
				totals[i - s] = { assignmentId: rv.assignmentId, jurorId: rv.jurorId, raw: rRaw[i], normalized: rNorm[i] };
				const u = rUsed[i];
				sumU += u;
				sumR += rRaw[i];
				if (u < mn) mn = u;
				if (u > mx) mx = u;
				scratch.push(u);
				const at = rScoreAt[i];
				for (let c = 0; c < nC; c++) critSum[c] += candScores[at + c];
			}
			mean = clamp100(sumU / n);
			rawMean = clamp100(sumR / n);
			if (n <= 16) {
				for (let k = 1; k < n; k++) {
					const x = scratch[k];
					let q = k - 1;
					while (q >= 0 && scratch[q] > x) {
						scratch[q + 1] = scratch[q];
						q--;
					}
					scratch[q + 1] = x;
				}
			} else scratch.sort((a, b) => a - b);
			const h = n >> 1;
			median = n % 2 === 1 ? scratch[h] : (scratch[h - 1] + scratch[h]) / 2;
			spread = mx - mn;
			let ss = 0;
			for (let k = 0; k < n; k++) {
				const d = scratch[k] - mean;
				ss += d * d;
			}
			sd = Math.sqrt(ss / n);
			for (let c = 0; c < nC; c++) {
				let cm = critSum[c] / n;
				if (!Number.isFinite(cm)) {
					// Only for huge scales where the plain sum overflows: mean = min + Σ (s − min)/n.
					cm = crit[c].min;
					for (let k = s; k < t; k++) cm += (candScores[rScoreAt[k] + c] - crit[c].min) / n;
					cm = Math.min(crit[c].max, cm);
				}
				perCriterion[crit[c].id] = cm;
				if (c === plan.topIndex) topMean = cm;
			}
		} else {
			for (let c = 0; c < nC; c++) perCriterion[crit[c].id] = null;
		}
		if (modelScore && n > 0) {
			// the model's estimate ranks; the used totals' statistics stay for display
			scoreV[e] = modelScore[e];
		} else scoreV[e] = mean ?? -Infinity;
		medianV[e] = median ?? -Infinity;
		countV[e] = n;
		topV[e] = topMean;
		results[e] = {
			applicationId: info.id,
			nominationId: info.nominationId,
			number: info.number,
			submittedAt: info.submittedAt,
			reviews: n,
			missing: Math.max(0, K - n),
			totals,
			mean,
			median,
			spread,
			sd,
			rawMean,
			perCriterion,
			flagged: n >= 2 && spread !== null && spread - threshold > EPS,
			score: modelScore && n > 0 ? modelScore[e] : mean,
			...(modelSd && n > 0 ? { scoreSd: modelSd[e] } : {}),
			rank: null,
			position: 0,
			tie: false
		};
	}

	// --- ranking per nomination (see TIE-BREAK RULE above) ---------------------------------
	const byNom = new Map<string, number[]>();
	for (let e = 0; e < nE; e++) {
		const nom = entries[e].nominationId;
		let list = byNom.get(nom);
		if (!list) byNom.set(nom, (list = []));
		list.push(e);
	}
	const noms = Array.from(byNom.keys()).sort(cmpStr);
	const finalCmp = (a: number, b: number): number =>
		compareHumanNumbers(entries[a].number, entries[b].number) || cmpStr(entries[a].id, entries[b].id);
	const tieKeys: RankKey[] = [
		{ v: scoreV, desc: true, tol: EPS }, // level 0: score (groups = ties)
		{ v: medianV, desc: true, tol: EPS },
		{ v: countV, desc: true, tol: 0 },
		{ v: topV, desc: true, tol: EPS },
		{ v: timeV, desc: false, tol: 0 }
	];
	const tailKeys: RankKey[] = [{ v: timeV, desc: false, tol: 0 }];
	const fillTime = (e: number): void => {
		const ms = Date.parse(entries[e].submittedAt);
		timeV[e] = Number.isFinite(ms) ? ms : Infinity; // unparsable → latest
	};
	const ordered: EntryResult[] = [];

	for (const nom of noms) {
		const list = byNom.get(nom)!;
		const scored: number[] = [];
		const unscored: number[] = [];
		for (const e of list) (countV[e] > 0 ? scored : unscored).push(e);

		sortByKey(scored, tieKeys[0]);
		let pos = 0;
		let start = 0;
		for (let i = 1; i <= scored.length; i++) {
			if (i === scored.length || !close(scoreV[scored[i - 1]], scoreV[scored[i]], EPS)) {
				const group = scored.slice(start, i);
				const rank = start + 1;
				const tie = group.length > 1;
				if (tie) for (const e of group) fillTime(e);
				const out: number[] = [];
				orderItems(group, tieKeys, 1, finalCmp, out);
				for (const e of out) {
					const r = results[e];
					r.rank = rank;
					r.tie = tie;
					r.position = ++pos;
					ordered.push(r);
				}
				start = i;
			}
		}
		for (const e of unscored) fillTime(e);
		const out: number[] = [];
		orderItems(unscored, tailKeys, 0, finalCmp, out);
		for (const e of out) {
			results[e].position = ++pos;
			ordered.push(results[e]);
		}
	}

	// --- juror statistics (raw totals) ----------------------------------------------------
	const jCount = new Int32Array(nJ);
	const jMin = new Float64Array(nJ).fill(Infinity);
	const jMax = new Float64Array(nJ).fill(-Infinity);
	const jExtreme = new Int32Array(nJ);
	const jSum: ExactSum[] = new Array(nJ);
	const jAgree: ExactSum[] = new Array(nJ);
	const jAgreeN = new Int32Array(nJ);
	for (let j = 0; j < nJ; j++) {
		jSum[j] = new ExactSum();
		jAgree[j] = new ExactSum();
	}
	for (let i = 0; i < m; i++) {
		const j = rJuror[i];
		const x = rRaw[i];
		jCount[j]++;
		jSum[j].add(x);
		if (x < jMin[j]) jMin[j] = x;
		if (x > jMax[j]) jMax[j] = x;
		const at = rScoreAt[i];
		for (let c = 0; c < nC; c++) {
			const v = candScores[at + c];
			if (v === crit[c].min || v === crit[c].max) jExtreme[j]++;
		}
	}
	for (let e = 0; e < nE; e++) {
		const s = off[e];
		const t = off[e + 1];
		if (t - s < 2) continue;
		for (let i = s; i < t; i++) {
			let others = 0;
			for (let q = s; q < t; q++) if (q !== i) others += rRaw[q];
			const j = rJuror[i];
			jAgree[j].add(Math.abs(rRaw[i] - others / (t - s - 1)));
			jAgreeN[j]++;
		}
	}
	const jMean = new Float64Array(nJ);
	const jVar: ExactSum[] = new Array(nJ);
	for (let j = 0; j < nJ; j++) {
		jMean[j] = jCount[j] > 0 ? jSum[j].value() / jCount[j] : 0;
		jVar[j] = new ExactSum();
	}
	for (let i = 0; i < m; i++) {
		const d = rRaw[i] - jMean[rJuror[i]];
		jVar[rJuror[i]].add(d * d);
	}
	const jurors: JurorStats[] = jurorOrder.map((j) => {
		const cnt = jCount[j];
		if (cnt === 0) {
			return { jurorId: jurorIds[j], count: 0, mean: null, sd: null, min: null, max: null, flat: false, extremeShare: null, agreement: null };
		}
		return {
			jurorId: jurorIds[j],
			count: cnt,
			mean: clamp100(jMean[j]),
			sd: Math.sqrt(jVar[j].value() / cnt),
			min: jMin[j],
			max: jMax[j],
			flat: cnt >= 3 && jMax[j] - jMin[j] <= EPS,
			extremeShare: nC > 0 ? jExtreme[j] / (cnt * nC) : null,
			agreement: jAgreeN[j] > 0 ? jAgree[j].value() / jAgreeN[j] : null
		};
	});

	// --- summary --------------------------------------------------------------------------
	let fully = 0;
	let withMissing = 0;
	let flagged = 0;
	let unscored = 0;
	for (const r of results) {
		if (r.reviews >= K) fully++;
		if (r.missing > 0) withMissing++;
		if (r.flagged) flagged++;
		if (r.reviews === 0) unscored++;
	}

	return {
		entries: ordered,
		jurors,
		summary: { entries: nE, fullyReviewed: fully, withMissing, flagged, unscored, countedReviews: m, skippedReviews: skipped },
		settings,
		tieBreakCriterionId: plan.topIndex >= 0 ? crit[plan.topIndex].id : null,
		...(modelOut ? { notes: modelOut.notes, model: modelOut.summary } : {})
	};
}

/** How the protocol names the model (Russian). */
export const MODEL_METHOD =
	'модель строгости экспертов: итог эксперта = качество работы × шкала эксперта + сдвиг эксперта + случайная ошибка; ' +
	'строгость, шкала и разброс каждого эксперта оцениваются совместно по всем работам, которые эксперты оценивали вместе ' +
	'(модель PG1 Piech et al., 2013, с масштабом эксперта); место определяет оценка качества работы';


// ---------------------------------------------------------------------------------------
// Shortlist and winners
// ---------------------------------------------------------------------------------------

function topByNomination(results: ResultsOutput, perNomination: number): { n: number; groups: Map<string, EntryResult[]> } {
	const n = Number.isFinite(perNomination) ? Math.max(0, Math.floor(perNomination)) : 0;
	const byNom = new Map<string, EntryResult[]>();
	for (const r of results.entries) {
		let list = byNom.get(r.nominationId);
		if (!list) byNom.set(r.nominationId, (list = []));
		list.push(r);
	}
	const groups = new Map<string, EntryResult[]>();
	for (const nom of Array.from(byNom.keys()).sort(cmpStr)) {
		// Only scored entries, strict order by position.
		const list = byNom
			.get(nom)!
			.filter((r) => r.score !== null)
			.sort((a, b) => a.position - b.position);
		groups.set(nom, list);
	}
	return { n, groups };
}

/**
 * Top `perNomination` applicationIds of every nomination by position (entries without a score
 * are never shortlisted). Ordered by nominationId, then position. Pure.
 */
export function shortlist(results: ResultsOutput, perNomination: number): string[] {
	const { n, groups } = topByNomination(results, perNomination);
	const ids: string[] = [];
	for (const list of groups.values()) for (const r of list.slice(0, n)) ids.push(r.applicationId);
	return ids;
}

/**
 * Winners: the first `perNomination` scored entries of every nomination by position, with
 * place/rank/score, and `tieAtCutoff` when the cut falls inside a tie. Nominations without
 * scored entries are listed with no winners. Pure.
 */
export function pickWinners(results: ResultsOutput, perNomination: number): NominationWinners[] {
	const { n, groups } = topByNomination(results, perNomination);
	const out: NominationWinners[] = [];
	for (const [nominationId, scored] of groups) {
		const chosen = scored.slice(0, n);
		const next = scored[n];
		const last = chosen[chosen.length - 1];
		out.push({
			nominationId,
			winners: chosen.map((r) => ({
				applicationId: r.applicationId,
				number: r.number,
				place: r.position,
				rank: r.rank as number,
				score: r.score as number,
				tie: r.tie,
				flagged: r.flagged,
				missing: r.missing
			})),
			tieAtCutoff: !!(last && next && last.rank === next.rank)
		});
	}
	return out;
}
