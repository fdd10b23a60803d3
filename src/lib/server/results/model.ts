/**
 * A juror-bias model of the review totals («модель строгости экспертов»): pure functions, no I/O.
 *
 *   total(entry e, juror j) = s_j · q_e + b_j + ε,   ε ~ N(0, σ_j²)
 *
 * q_e — the entry's quality on the 0..100 scale of a neutral juror (s = 1, b = 0);
 * s_j — the juror's scale (> 1: uses the scale more widely than a neutral juror, < 1: narrower);
 * b_j — the juror's offset; together with s_j the leniency b_j + (s_j − 1)·μ — how many points
 *       above a neutral juror the juror puts a typical entry (μ = the mean of all totals);
 * σ_j — the juror's residual spread (consistency with the others).
 *
 * It is the model PG1 of Piech et al., «Tuned Models of Peer Assessment in MOOCs» (2013) with a
 * per-juror scale, fitted by maximum a posteriori with coordinate ascent (alternating least
 * squares) over the whole review graph, so a juror's offset is learned from the entries they
 * share with other jurors, not from the average of their own pool:
 *   q_e ~ N(μ, τ²)         μ = mean of all totals, τ² = pooled within-juror variance;
 *   s_j ~ N(1, σ_s²)       shrinkage toward the neutral scale (σ_s = 0.25);
 *   b_j  flat               no shrinkage of the offset: a juror who shifts every score by a
 *                           constant only moves b_j (see below);
 *   σ_j² → σ0² with ν0 = 30 pseudo-reviews (σ0² = pooled residual variance), floored.
 * Steps (each the exact minimiser of the posterior in its block):
 *   q_e  = (μ/τ² + Σ s_j (x − b_j)/σ_j²) / (1/τ² + Σ s_j²/σ_j²)
 *   s_j  = (C_xq/σ_j² + 1/σ_s²) / (C_qq/σ_j² + 1/σ_s²)   (centred cross-products over the juror's
 *          reviews; clamped to [0.05, 5] — a juror is never read upside down), b_j = x̄_j − s_j q̄_j
 *   σ_j² = (ν0 σ0² + RSS_j) / (ν0 + n_j)
 * The posterior SD of q_e, 1/√(1/τ² + Σ s_j²/σ_j²), is what «extra reviews» (uncertainty.ts) use.
 *
 * Invariances (the property tests check them):
 * - a juror who adds a constant c to every total: the optimum is the same up to the gauge
 *   (q → q + Δ for every entry, Δ = the change of μ; b_j → b_j + c − s_j Δ; other b_k − s_k Δ);
 *   the initial values (b_j = x̄_j − μ, q_e = mean of x − b_j) and every step are equivariant,
 *   so the ranks are the same;
 * - order of the input rows: the fit runs on entries and jurors in id order (the caller's
 *   indices must be canonical, `fitJurorModel`) and every sum runs in a fixed order;
 * - noise-free data s_j q_e + b_j are reproduced (the noise floor is tiny), up to the gauge.
 * Never NaN: every division has a positive denominator (priors, floors), inputs are finite.
 */

// ---------------------------------------------------------------------------------------
// Core on typed arrays
// ---------------------------------------------------------------------------------------

import { plural } from '../../format';

export interface ModelData {
	nEntries: number;
	nJurors: number;
	/** per review: entry index (0..nEntries−1); indices must follow a canonical order (e.g. ids) */
	entry: Int32Array;
	/** per review: juror index (0..nJurors−1), canonical too */
	juror: Int32Array;
	/** per review: the total on 0..100, finite */
	x: Float64Array;
}

export interface ModelOptions {
	/** prior SD of the scale around 1 (default 0.25: a juror's scale rarely differs from the neutral one by more than ±50 %) */
	scaleSd?: number;
	/**
	 * pseudo-reviews of the noise prior (default 30: a juror with 120 reviews has 80 % of their
	 * own residual spread — enough to mute one who scores at random; weaker priors make the
	 * variance/quality feedback converge very slowly)
	 */
	noiseReviews?: number;
	/** iterations at most (default 1000; real rounds need ~100) */
	maxIterations?: number;
	/** stop when no quality moves by more than this in an iteration (default 1e-9 on 0..100) */
	tolerance?: number;
}

export interface ModelFit {
	/** per entry: estimated quality (unclamped; entries without reviews: μ) */
	quality: Float64Array;
	/** per entry: posterior SD of the quality (entries without reviews: τ) */
	qualitySd: Float64Array;
	/** per entry: number of reviews */
	entryReviews: Int32Array;
	/** per juror */
	scale: Float64Array;
	offset: Float64Array;
	/** residual SD σ_j */
	noise: Float64Array;
	/** per juror: number of reviews */
	jurorReviews: Int32Array;
	/** connected component of the review graph per entry / juror (−1: no review) */
	entryComponent: Int32Array;
	jurorComponent: Int32Array;
	components: number;
	/** mean of all totals (the neutral juror's typical score) */
	mu: number;
	/** prior SD of the quality (pooled within-juror SD) */
	tau: number;
	/** pooled residual SD */
	sigma0: number;
	iterations: number;
	converged: boolean;
}

const SCALE_MIN = 0.05;
const SCALE_MAX = 5;
/** variance floors on the 0..100 scale: small enough to reproduce noise-free data */
const VAR_FLOOR = 1e-8;

/**
 * Fits the model. Reviews may come in any order; the result depends only on the set of
 * (entry, juror, x) — given canonical indices (a juror's sums run over its entries by index).
 * Duplicate (entry, juror) pairs are the caller's business (compute.ts keeps one).
 */
export function fitJurorModel(data: ModelData, opts: ModelOptions = {}): ModelFit {
	const nE = data.nEntries;
	const nJ = data.nJurors;
	const m = data.x.length;
	const scaleSd = opts.scaleSd ?? 0.25;
	const nu0 = opts.noiseReviews ?? 30;
	const maxIt = opts.maxIterations ?? 1000;
	const tol = opts.tolerance ?? 1e-9;
	const lamS = 1 / (scaleSd * scaleSd);

	// canonical order of the reviews: by entry, then juror
	const order = Int32Array.from({ length: m }, (_, i) => i).sort(
		(a, b) => data.entry[a] - data.entry[b] || data.juror[a] - data.juror[b] || data.x[a] - data.x[b]
	);
	const rE = new Int32Array(m);
	const rJ = new Int32Array(m);
	const x = new Float64Array(m);
	for (let k = 0; k < m; k++) {
		rE[k] = data.entry[order[k]];
		rJ[k] = data.juror[order[k]];
		x[k] = data.x[order[k]];
	}
	// by entry: contiguous (sorted); by juror: CSR in entry order
	const eOff = new Int32Array(nE + 1);
	for (let k = 0; k < m; k++) eOff[rE[k] + 1]++;
	for (let e = 0; e < nE; e++) eOff[e + 1] += eOff[e];
	const jOff = new Int32Array(nJ + 1);
	for (let k = 0; k < m; k++) jOff[rJ[k] + 1]++;
	for (let j = 0; j < nJ; j++) jOff[j + 1] += jOff[j];
	const jRev = new Int32Array(m);
	{
		const fill = jOff.slice(0, nJ);
		for (let k = 0; k < m; k++) jRev[fill[rJ[k]]++] = k;
	}
	// the reviews in juror order (contiguous): entry index and total
	const jE = new Int32Array(m);
	const jX = new Float64Array(m);
	for (let t = 0; t < m; t++) {
		jE[t] = rE[jRev[t]];
		jX[t] = x[jRev[t]];
	}
	const entryReviews = new Int32Array(nE);
	for (let e = 0; e < nE; e++) entryReviews[e] = eOff[e + 1] - eOff[e];
	const jurorReviews = new Int32Array(nJ);
	for (let j = 0; j < nJ; j++) jurorReviews[j] = jOff[j + 1] - jOff[j];

	// ---- global constants (invariant or equivariant under a juror's constant shift)
	let sum = 0;
	for (let k = 0; k < m; k++) sum += x[k];
	const mu = m > 0 ? sum / m : 50;
	const jMean = new Float64Array(nJ);
	for (let j = 0; j < nJ; j++) {
		let s = 0;
		for (let t = jOff[j]; t < jOff[j + 1]; t++) s += x[jRev[t]];
		jMean[j] = jurorReviews[j] > 0 ? s / jurorReviews[j] : 0;
	}
	let within = 0;
	for (let j = 0; j < nJ; j++)
		for (let t = jOff[j]; t < jOff[j + 1]; t++) {
			const d = x[jRev[t]] - jMean[j];
			within += d * d;
		}
	// the prior of the quality: as wide as a juror's own spread (at least 1 point, at most 50)
	const tau2 = Math.min(2500, Math.max(1, m > 0 ? within / m : 100));
	const lamQ = 1 / tau2;

	// ---- connected components of the bipartite review graph
	const parent = new Int32Array(nE + nJ);
	for (let i = 0; i < parent.length; i++) parent[i] = i;
	const find = (v: number): number => {
		while (parent[v] !== v) {
			parent[v] = parent[parent[v]];
			v = parent[v];
		}
		return v;
	};
	for (let k = 0; k < m; k++) {
		const a = find(rE[k]);
		const b = find(nE + rJ[k]);
		if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
	}
	const compId = new Map<number, number>();
	let compCount = 0;
	const entryComponent = new Int32Array(nE).fill(-1);
	const jurorComponent = new Int32Array(nJ).fill(-1);
	for (let e = 0; e < nE; e++) {
		if (entryReviews[e] === 0) continue;
		const r = find(e);
		if (!compId.has(r)) compId.set(r, compId.size);
		entryComponent[e] = compId.get(r)!;
	}
	for (let j = 0; j < nJ; j++) if (jurorReviews[j] > 0) jurorComponent[j] = compId.get(find(nE + j))!;
	compCount = compId.size;

	// ---- initial values (equivariant): b_j = x̄_j − μ, s_j = 1, σ_j² = τ²
	const scale = new Float64Array(nJ).fill(1);
	const offset = new Float64Array(nJ);
	for (let j = 0; j < nJ; j++) offset[j] = jurorReviews[j] > 0 ? jMean[j] - mu : 0;
	const noiseVar = new Float64Array(nJ).fill(tau2);
	let quality: Float64Array = new Float64Array(nE).fill(mu);
	for (let e = 0; e < nE; e++) {
		const n = entryReviews[e];
		if (n === 0) continue;
		let s = 0;
		for (let k = eOff[e]; k < eOff[e + 1]; k++) s += x[k] - offset[rJ[k]];
		quality[e] = s / n;
	}
	let sigma02 = tau2;

	/**
	 * The data term does not change along the gauge of a component (q → αq + β, s → s/α,
	 * b → b − s'β): only the priors pin it.  Moving to the point of the orbit that minimises them
	 * (β: mean quality = μ; u = 1/α: λ_s (S2·u − S1)·u³ = λ_q·V with S1 = Σ s, S2 = Σ s²,
	 * V = Σ (q − q̄)², solved by bisection) lowers the posterior and leaves its maximum where it
	 * is, but spares ALS the slow drift along the gauge when the data are nearly noise-free.
	 * Equivariant under a juror's constant shift (μ and q̄ move by Δ, V, S1, S2 do not).
	 */
	const nC = compCount;
	const cN = new Float64Array(nC);
	const cQ = new Float64Array(nC);
	const cV = new Float64Array(nC);
	const cS1 = new Float64Array(nC);
	const cS2 = new Float64Array(nC);
	const cAlpha = new Float64Array(nC);
	const cBeta = new Float64Array(nC);
	function normalizeGauge(): void {
		if (nC === 0) return;
		cN.fill(0);
		cQ.fill(0);
		cV.fill(0);
		cS1.fill(0);
		cS2.fill(0);
		for (let e = 0; e < nE; e++) {
			const c = entryComponent[e];
			if (c < 0) continue;
			cN[c]++;
			cQ[c] += quality[e];
		}
		for (let c = 0; c < nC; c++) cQ[c] /= cN[c];
		for (let e = 0; e < nE; e++) {
			const c = entryComponent[e];
			if (c < 0) continue;
			const d = quality[e] - cQ[c];
			cV[c] += d * d;
		}
		for (let j = 0; j < nJ; j++) {
			const c = jurorComponent[j];
			if (c < 0) continue;
			cS1[c] += scale[j];
			cS2[c] += scale[j] * scale[j];
		}
		for (let c = 0; c < nC; c++) {
			const g = (u: number) => lamS * (cS2[c] * u - cS1[c]) * u * u * u - lamQ * cV[c];
			let lo = cS1[c] / cS2[c];
			let hi = Math.max(lo * 2, 1);
			for (let t = 0; t < 200 && g(hi) < 0; t++) hi *= 2;
			for (let t = 0; t < 200; t++) {
				const mid = (lo + hi) / 2;
				if (mid === lo || mid === hi) break;
				if (g(mid) < 0) lo = mid;
				else hi = mid;
			}
			const u = (lo + hi) / 2;
			cAlpha[c] = 1 / u;
			cBeta[c] = mu - cAlpha[c] * cQ[c];
		}
		for (let e = 0; e < nE; e++) {
			const c = entryComponent[e];
			if (c >= 0) quality[e] = cAlpha[c] * quality[e] + cBeta[c];
		}
		for (let j = 0; j < nJ; j++) {
			const c = jurorComponent[j];
			if (c < 0) continue;
			scale[j] /= cAlpha[c];
			offset[j] -= scale[j] * cBeta[c];
		}
	}
	/**
	 * One coordinate-ascent sweep F: jurors (scale, offset) from qIn and vIn, their noise
	 * variances → vOut, entries → qOut, then the gauge.  Leaves `scale`/`offset` consistent with qOut.
	 */
	function step(qIn: Float64Array, vIn: Float64Array, qOut: Float64Array, vOut: Float64Array): void {
		let rssAll = 0;
		for (let j = 0; j < nJ; j++) {
			const n = jurorReviews[j];
			if (n === 0) continue;
			const from = jOff[j];
			const to = jOff[j + 1];
			let sq = 0;
			for (let t = from; t < to; t++) sq += qIn[jE[t]];
			const qBar = sq / n;
			const xBar = jMean[j];
			let cxq = 0;
			let cqq = 0;
			for (let t = from; t < to; t++) {
				const dq = qIn[jE[t]] - qBar;
				cxq += (jX[t] - xBar) * dq;
				cqq += dq * dq;
			}
			const w = 1 / vIn[j];
			let sj = (cxq * w + lamS) / (cqq * w + lamS);
			sj = sj < SCALE_MIN ? SCALE_MIN : sj > SCALE_MAX ? SCALE_MAX : sj;
			scale[j] = sj;
			const b = xBar - sj * qBar;
			offset[j] = b;
			let rss = 0;
			for (let t = from; t < to; t++) {
				const r = jX[t] - sj * qIn[jE[t]] - b;
				rss += r * r;
			}
			rssAll += rss;
			vOut[j] = rss; // temporarily the RSS
		}
		sigma02 = Math.max(VAR_FLOOR, m > 0 ? rssAll / m : tau2);
		for (let j = 0; j < nJ; j++) {
			const n = jurorReviews[j];
			vOut[j] = n === 0 ? sigma02 : Math.max(VAR_FLOOR, (nu0 * sigma02 + vOut[j]) / (nu0 + n));
		}
		for (let e = 0; e < nE; e++) {
			if (entryReviews[e] === 0) {
				qOut[e] = mu;
				continue;
			}
			let num = mu * lamQ;
			let den = lamQ;
			for (let k = eOff[e]; k < eOff[e + 1]; k++) {
				const j = rJ[k];
				const w = scale[j] / vOut[j];
				num += w * (x[k] - offset[j]);
				den += w * scale[j];
			}
			qOut[e] = num / den;
		}
		const keep = quality;
		quality = qOut;
		normalizeGauge();
		quality = keep;
	}

	// SQUAREM (Varadhan & Roland, 2008): two sweeps, an extrapolation along them with the step
	// length −‖r‖/‖v‖, one stabilising sweep; kept only if the extrapolated point is closer to a
	// fixed point (its sweep moves the qualities less than the second plain sweep did), else the
	// plain second sweep.  Affine in the state with a step length from norms of differences:
	// equivariant under a juror's constant shift like the plain sweep.
	const q1 = new Float64Array(nE);
	const q2 = new Float64Array(nE);
	const q3 = new Float64Array(nE);
	const qx = new Float64Array(nE);
	const v0 = noiseVar;
	const v1 = new Float64Array(nJ);
	const v2 = new Float64Array(nJ);
	const v3 = new Float64Array(nJ);
	const vx = new Float64Array(nJ);
	let iterations = 0;
	let converged = m === 0;
	while (!converged && iterations < maxIt) {
		step(quality, v0, q1, v1);
		iterations++;
		let moved = 0;
		for (let e = 0; e < nE; e++) {
			const d = Math.abs(q1[e] - quality[e]);
			if (d > moved) moved = d;
		}
		if (moved <= tol) {
			quality.set(q1);
			v0.set(v1);
			converged = true;
			break;
		}
		step(q1, v1, q2, v2);
		iterations++;
		let rr = 0;
		let ww = 0;
		let moved2 = 0;
		for (let e = 0; e < nE; e++) {
			const d = Math.abs(q2[e] - q1[e]);
			if (d > moved2) moved2 = d;
			const r = q1[e] - quality[e];
			const w = q2[e] - 2 * q1[e] + quality[e];
			rr += r * r;
			ww += w * w;
		}
		for (let j = 0; j < nJ; j++) {
			const r = v1[j] - v0[j];
			const w = v2[j] - 2 * v1[j] + v0[j];
			rr += r * r;
			ww += w * w;
		}
		let alpha = ww > 0 ? -Math.sqrt(rr / ww) : -1;
		if (alpha > -1) alpha = -1;
		if (alpha < -1) {
			for (let e = 0; e < nE; e++) {
				const r = q1[e] - quality[e];
				const w = q2[e] - 2 * q1[e] + quality[e];
				qx[e] = quality[e] - 2 * alpha * r + alpha * alpha * w;
			}
			for (let j = 0; j < nJ; j++) {
				const r = v1[j] - v0[j];
				const w = v2[j] - 2 * v1[j] + v0[j];
				vx[j] = Math.max(VAR_FLOOR, v0[j] - 2 * alpha * r + alpha * alpha * w);
			}
			step(qx, vx, q3, v3);
			iterations++;
			let moved3 = 0;
			for (let e = 0; e < nE; e++) {
				const d = Math.abs(q3[e] - qx[e]);
				if (d > moved3) moved3 = d;
			}
			if (moved3 <= moved2) {
				quality.set(q3);
				v0.set(v3);
				continue;
			}
		}
		quality.set(q2);
		v0.set(v2);
	}
	// scale/offset of the final state
	if (m > 0) {
		step(quality, v0, q1, v1);
		quality.set(q1);
		v0.set(v1);
	}
	const qualitySd = new Float64Array(nE);
	for (let e = 0; e < nE; e++) {
		let den = lamQ;
		for (let k = eOff[e]; k < eOff[e + 1]; k++) {
			const j = rJ[k];
			den += (scale[j] * scale[j]) / noiseVar[j];
		}
		qualitySd[e] = Math.sqrt(1 / den);
	}

	const noise = Float64Array.from(noiseVar, (v) => Math.sqrt(v));
	return {
		quality,
		qualitySd,
		entryReviews,
		scale,
		offset,
		noise,
		jurorReviews,
		entryComponent,
		jurorComponent,
		components: compCount,
		mu,
		tau: Math.sqrt(tau2),
		sigma0: Math.sqrt(sigma02),
		iterations,
		converged
	};
}

// ---------------------------------------------------------------------------------------
// What an organizer reads
// ---------------------------------------------------------------------------------------

/** How much to trust a juror's estimate. */
export type JurorReliability = 'ok' | 'few_reviews' | 'flat' | 'inconsistent';

export interface JurorEstimate {
	jurorId: string;
	/** counted reviews */
	reviews: number;
	/** points above (+) or below (−) a neutral juror on a typical entry: b + (s − 1)·μ */
	leniency: number;
	/** scale s */
	scale: number;
	/** offset b */
	offset: number;
	/** residual SD σ on 0..100: how far the juror's totals stray from what the model expects */
	spread: number;
	reliability: JurorReliability;
	/** Russian, one line, for the results page */
	explanation: string;
}

/** Fewer reviews than this: the estimate is rough. */
export const FEW_REVIEWS = 5;

function fmt(x: number, digits = 1): string {
	const v = Math.round(x * 10 ** digits) / 10 ** digits;
	return (v === 0 ? 0 : v).toFixed(digits).replace('.', ',').replace('-', '−');
}


/** «балл», «балла», «баллов» with a decimal value (decimals take the genitive singular). */
function points(x: number): string {
	const a = Math.abs(Math.round(x * 10) / 10);
	if (!Number.isInteger(a)) return `${fmt(a)} балла`;
	return `${a} ${plural(a, ['балл', 'балла', 'баллов'])}`;
}

/**
 * Reads a juror's fit: leniency, scale, consistency and a Russian line an organizer understands,
 * e.g. «Ставит в среднем на 6,2 балла выше нейтрального эксперта; шкалу использует уже
 * (×0,7); с коллегами согласуется хорошо (типичное отклонение 4,1 балла).»
 * `flat` = all the juror's totals are equal.
 */
export function describeJuror(
	jurorId: string,
	fit: { reviews: number; scale: number; offset: number; spread: number; flat: boolean },
	ctx: { mu: number; sigma0: number }
): JurorEstimate {
	const leniency = fit.offset + (fit.scale - 1) * ctx.mu;
	const base = { jurorId, reviews: fit.reviews, leniency, scale: fit.scale, offset: fit.offset, spread: fit.spread };
	if (fit.reviews === 0) return { ...base, reliability: 'few_reviews', explanation: 'Нет учтённых оценок.' };
	if (fit.flat && fit.reviews >= 2)
		return {
			...base,
			reliability: 'flat',
			explanation: `Ставит всем одинаковый итог (${fit.reviews} ${plural(fit.reviews, ['оценка', 'оценки', 'оценок'])}) — его оценки почти не влияют на места.`
		};
	const parts: string[] = [];
	if (Math.abs(leniency) < 1) parts.push('Строгость как у нейтрального эксперта');
	else parts.push(`Ставит в среднем на ${points(leniency)} ${leniency > 0 ? 'выше' : 'ниже'} нейтрального эксперта`);
	if (fit.scale >= 1.15) parts.push(`шкалу использует шире (×${fmt(fit.scale, 2)})`);
	else if (fit.scale <= 0.85) parts.push(`шкалу использует уже (×${fmt(fit.scale, 2)})`);
	const ratio = ctx.sigma0 > 0 ? fit.spread / ctx.sigma0 : 1;
	let reliability: JurorReliability = 'ok';
	if (fit.reviews < FEW_REVIEWS) {
		reliability = 'few_reviews';
		parts.push(
			fit.reviews === 1
				? 'одна оценка — строгость не оценить, на места она почти не влияет'
				: `всего ${fit.reviews} ${plural(fit.reviews, ['оценка', 'оценки', 'оценок'])} — оценка приблизительная`
		);
	} else if (fit.scale <= 0.2 || ratio >= 2) {
		reliability = 'inconsistent';
		parts.push(`с коллегами почти не согласуется (типичное отклонение ${points(fit.spread)}) — его оценки мало влияют на места`);
	} else if (ratio <= 0.8) parts.push(`с коллегами согласуется хорошо (типичное отклонение ${points(fit.spread)})`);
	else if (ratio <= 1.3) parts.push(`с коллегами согласуется обычно (типичное отклонение ${points(fit.spread)})`);
	else parts.push(`с коллегами согласуется слабо (типичное отклонение ${points(fit.spread)})`);
	return { ...base, reliability, explanation: parts.join('; ') + '.' };
}

// ---------------------------------------------------------------------------------------
// Convenience wrapper on ids (tests, bench, other callers)
// ---------------------------------------------------------------------------------------

export interface ModelRow {
	applicationId: string;
	jurorId: string;
	/** total on 0..100 */
	total: number;
}

export interface ModelResult {
	/** applicationId → estimate */
	entries: Map<string, { quality: number; sd: number; reviews: number; component: number }>;
	/** by jurorId */
	jurors: JurorEstimate[];
	fit: ModelFit;
	/** ids in index order */
	entryIds: string[];
	jurorIds: string[];
}

function cmp(a: string, b: string): number {
	return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Fits the model on rows keyed by ids (order-invariant: indices follow id order). Rows with a
 * non-finite total are ignored; a repeated (application, juror) pair keeps the lower total.
 */
export function jurorBiasModel(rows: readonly ModelRow[], opts: ModelOptions = {}): ModelResult {
	const best = new Map<string, ModelRow>();
	for (const r of rows ?? []) {
		if (!r || typeof r.total !== 'number' || !Number.isFinite(r.total)) continue;
		const key = `${r.applicationId}\u0000${r.jurorId}`;
		const prev = best.get(key);
		if (!prev || r.total < prev.total) best.set(key, r);
	}
	const kept = [...best.values()];
	const entryIds = [...new Set(kept.map((r) => r.applicationId))].sort(cmp);
	const jurorIds = [...new Set(kept.map((r) => r.jurorId))].sort(cmp);
	const eIdx = new Map(entryIds.map((id, i) => [id, i]));
	const jIdx = new Map(jurorIds.map((id, i) => [id, i]));
	const data: ModelData = {
		nEntries: entryIds.length,
		nJurors: jurorIds.length,
		entry: Int32Array.from(kept, (r) => eIdx.get(r.applicationId)!),
		juror: Int32Array.from(kept, (r) => jIdx.get(r.jurorId)!),
		x: Float64Array.from(kept, (r) => r.total)
	};
	const fit = fitJurorModel(data, opts);
	const entries = new Map<string, { quality: number; sd: number; reviews: number; component: number }>();
	entryIds.forEach((id, e) =>
		entries.set(id, { quality: fit.quality[e], sd: fit.qualitySd[e], reviews: fit.entryReviews[e], component: fit.entryComponent[e] })
	);
	const mins = new Float64Array(jurorIds.length).fill(Infinity);
	const maxs = new Float64Array(jurorIds.length).fill(-Infinity);
	for (let k = 0; k < data.x.length; k++) {
		const j = data.juror[k];
		if (data.x[k] < mins[j]) mins[j] = data.x[k];
		if (data.x[k] > maxs[j]) maxs[j] = data.x[k];
	}
	const jurors = jurorIds.map((id, j) =>
		describeJuror(
			id,
			{ reviews: fit.jurorReviews[j], scale: fit.scale[j], offset: fit.offset[j], spread: fit.noise[j], flat: maxs[j] - mins[j] <= 1e-9 },
			{ mu: fit.mu, sigma0: fit.sigma0 }
		)
	);
	return { entries, jurors, fit, entryIds, jurorIds };
}
