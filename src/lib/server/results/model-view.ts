/**
 * What the juror-bias model (model.ts, computed in 'model' mode by compute.ts) says about each
 * juror and about the round, in the words of an organizer — for the results page and the jurors
 * tab. Pure: works on a RoundResults and the juror names.
 *
 * Per juror, four short phrases:
 * - leniency: «строже среднего на 6 баллов» / «мягче среднего на 3,5 балла» / «строгость как у
 *   большинства» (|leniency| < 1 point on 0..100); «строгость не оценить» with one review or no
 *   entry shared with another juror (the offset then only restates the juror's own scores);
 * - scale: «оценки разбросаны шире обычного (×1,3)» / «оценки сжаты уже обычного (×0,7)» (the
 *   model's scale ≥ 1.15 or ≤ 0.85), otherwise nothing;
 * - consistency: how far the juror's totals stray from what the model expects, relative to the
 *   round's typical stray (σ_j / σ0, the thresholds of model.ts `describeJuror`);
 * - confidence: why the estimate is unsure — all totals equal, one review, few reviews, or few
 *   entries shared with other jurors (the model learns a juror's strictness only from those).
 * The model's own one-line explanation (`JurorEstimate.explanation`) is kept beside them.
 */
import { plural } from '../../format';
import type { ModelSummary, NormalizationMode, ResultsNote, ResultsOutput } from './compute';
import { FEW_REVIEWS, type JurorEstimate, type JurorReliability } from './model';

export interface JurorModelRow {
	jurorId: string;
	fio: string;
	reviews: number;
	/** entries of this juror that at least one other juror also reviewed (counted reviews) */
	shared: number;
	/** points above (+) / below (−) the average juror on a typical entry */
	leniency: number;
	scale: number;
	spread: number;
	reliability: JurorReliability;
	/** the reading of `leniency`: 'unknown' with one review or nothing shared */
	strictness: 'stricter' | 'milder' | 'typical' | 'unknown';
	/** «строже среднего на 6 баллов» */
	leniencyText: string;
	/** «оценки разбросаны шире обычного (×1,3)» or null */
	scaleText: string | null;
	consistencyText: string;
	/** why the estimate is unsure, or null */
	confidenceText: string | null;
	/** 'ok' | 'warn' (unsure) | 'err' (the juror barely counts: flat or inconsistent) */
	tone: 'ok' | 'warn' | 'err';
	/** the model's own line (model.ts describeJuror) */
	explanation: string;
}

export interface ModelView {
	/** what ranked: 'model', or the fallback after degradation */
	applied: NormalizationMode;
	converged: boolean;
	components: number;
	/** the neutral juror's typical total, 0..100 */
	mu: number;
	/** the round's typical stray of a total from the model, in points */
	sigma0: number;
	/** the model's notes with the names of the jurors and the numbers of the entries they concern */
	notes: (ResultsNote & { jurors: string[]; entries: string[] })[];
	jurors: JurorModelRow[];
}

const num1 = new Intl.NumberFormat('ru-RU', { maximumFractionDigits: 1 });

/** «6 баллов», «3,5 балла», «1 балл» (a decimal takes the genitive singular). */
export function pointsText(x: number): string {
	const a = Math.round(Math.abs(x) * 10) / 10;
	if (!Number.isInteger(a)) return `${num1.format(a)} балла`;
	return `${a} ${plural(a, ['балл', 'балла', 'баллов'])}`;
}

function scaleFmt(s: number): string {
	return num1.format(Math.round(s * 10) / 10);
}

/** Shared entries per juror: entries with ≥ 2 counted reviews, counted for each of their jurors. */
export function sharedEntries(results: Pick<ResultsOutput, 'entries'>): Map<string, number> {
	const out = new Map<string, number>();
	for (const e of results.entries) {
		if (e.totals.length < 2) continue;
		for (const t of e.totals) out.set(t.jurorId, (out.get(t.jurorId) ?? 0) + 1);
	}
	return out;
}

/** The organizer's words for one juror's estimate. */
export function jurorWords(est: JurorEstimate, shared: number, sigma0: number): Omit<JurorModelRow, 'jurorId' | 'fio'> {
	const L = est.leniency;
	// one review, or none shared with anyone: the offset only restates that review — no reading of strictness
	const strictness: JurorModelRow['strictness'] = est.reviews <= 1 || shared === 0 ? 'unknown' : Math.abs(L) < 1 ? 'typical' : L < 0 ? 'stricter' : 'milder';
	const leniencyText =
		strictness === 'unknown'
			? 'строгость не оценить'
			: strictness === 'typical'
				? 'строгость как у большинства экспертов'
				: `${L < 0 ? 'строже' : 'мягче'} среднего на ${pointsText(L)}`;
	const scaleText = est.scale >= 1.15 ? `оценки разбросаны шире обычного (×${scaleFmt(est.scale)})` : est.scale <= 0.85 ? `оценки сжаты уже обычного (×${scaleFmt(est.scale)})` : null;
	const ratio = sigma0 > 0 ? est.spread / sigma0 : 1;
	let consistencyText: string;
	if (est.reliability === 'flat') consistencyText = 'ставит всем одинаковый итог';
	else if (est.reviews <= 1 || shared === 0) consistencyText = 'согласованность с коллегами не оценить';
	else if (est.reliability === 'inconsistent') consistencyText = `с коллегами почти не согласуется (типичное отклонение ${pointsText(est.spread)}) — его оценки мало влияют на места`;
	else if (ratio <= 0.8) consistencyText = `с коллегами согласуется хорошо (типичное отклонение ${pointsText(est.spread)})`;
	else if (ratio <= 1.3) consistencyText = `с коллегами согласуется как обычно (типичное отклонение ${pointsText(est.spread)})`;
	else consistencyText = `с коллегами согласуется слабее обычного (типичное отклонение ${pointsText(est.spread)})`;
	let confidenceText: string | null = null;
	if (est.reliability === 'flat') confidenceText = 'на места его оценки почти не влияют';
	else if (est.reviews === 1) confidenceText = 'одна оценка — строгость не оценить';
	else if (shared === 0) confidenceText = 'ни одной общей работы с другими экспертами — строгость не с чем сравнить';
	else if (shared < FEW_REVIEWS) confidenceText = `мало общих работ с другими (${shared}) — оценка неуверенная`;
	else if (est.reviews < FEW_REVIEWS) confidenceText = `всего ${est.reviews} ${plural(est.reviews, ['оценка', 'оценки', 'оценок'])} — оценка приблизительная`;
	const tone = est.reliability === 'flat' || est.reliability === 'inconsistent' ? 'err' : confidenceText ? 'warn' : 'ok';
	return {
		reviews: est.reviews,
		shared,
		leniency: L,
		scale: est.scale,
		spread: est.spread,
		reliability: est.reliability,
		strictness,
		leniencyText,
		scaleText,
		consistencyText,
		confidenceText,
		tone,
		explanation: est.explanation
	};
}

/**
 * The model's view of a round computed in 'model' mode; null in other modes. Jurors sorted by
 * name (`compare`), notes in the model's order with the jurors they name.
 */
export function modelView(
	results: Pick<ResultsOutput, 'entries' | 'notes'> & { model?: ModelSummary },
	nameOf: (jurorId: string) => string,
	compare: (a: string, b: string) => number,
	numberOf: (applicationId: string) => string = (id) => id
): ModelView | null {
	const m = results.model;
	if (!m) return null;
	const shared = sharedEntries(results);
	const jurors = m.jurors
		.map((est) => ({ jurorId: est.jurorId, fio: nameOf(est.jurorId), ...jurorWords(est, shared.get(est.jurorId) ?? 0, m.sigma0) }))
		.sort((a, b) => compare(a.fio, b.fio));
	return {
		applied: m.applied,
		converged: m.converged,
		components: m.components,
		mu: m.mu,
		sigma0: m.sigma0,
		notes: (results.notes ?? []).map((n) => ({ ...n, jurors: (n.jurorIds ?? []).map(nameOf).sort(compare), entries: (n.applicationIds ?? []).map(numberOf).sort(compare) })),
		jurors
	};
}

/** Jurors per page of the per-juror words (600 jurors of a national round would be megabytes of HTML). */
export const MODEL_JURORS_PAGE = 50;

/** A note as a page shows it: up to 30 names and 20 entry numbers, the rest counted; no ids. */
export interface PageNote {
	code: ResultsNote['code'];
	level: ResultsNote['level'];
	text: string;
	jurors: string[];
	moreJurors: number;
	entries: string[];
	moreEntries: number;
}

export interface ModelJurorsPage extends Omit<ModelView, 'notes'> {
	notes: PageNote[];
	/** over all jurors of the model, not only the page */
	counts: { jurors: number; stricter: number; milder: number; unsure: number };
	page: number;
	pages: number;
}

/**
 * One page of the per-juror words: the jurors to look at first (those who barely count, then the
 * unsure ones), then the rest, each group in the view's order; the counts are over all jurors.
 */
export function pageModelJurors(view: ModelView | null, page = 1, size = MODEL_JURORS_PAGE): ModelJurorsPage | null {
	if (!view) return null;
	const rank = { err: 0, warn: 1, ok: 2 } as const;
	const ordered = view.jurors.map((j, i) => ({ j, i })).sort((a, b) => rank[a.j.tone] - rank[b.j.tone] || a.i - b.i);
	const pages = Math.max(1, Math.ceil(ordered.length / size));
	const p = Math.min(Math.max(1, Math.floor(page) || 1), pages);
	return {
		...view,
		// a national round's notes may name hundreds of jurors and thousands of entries
		notes: view.notes.map((n) => ({
			code: n.code,
			level: n.level,
			text: n.text,
			jurors: n.jurors.slice(0, 30),
			moreJurors: Math.max(0, n.jurors.length - 30),
			entries: n.entries.slice(0, 20),
			moreEntries: Math.max(0, n.entries.length - 20)
		})),
		jurors: ordered.slice((p - 1) * size, p * size).map((x) => x.j),
		counts: {
			jurors: view.jurors.length,
			stricter: view.jurors.filter((j) => j.strictness === 'stricter').length,
			milder: view.jurors.filter((j) => j.strictness === 'milder').length,
			unsure: view.jurors.filter((j) => j.tone !== 'ok').length
		},
		page: p,
		pages
	};
}
