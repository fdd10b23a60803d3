/**
 * Juror quality signals for organizers, from computeResults' juror statistics and the
 * assignments' timestamps, plus calibration entries.
 *
 * Signals (thresholds in SIGNALS, shown on the page):
 * - flat scoring: every counted total of the juror is the same (≥ 3 reviews; compute.ts);
 * - extreme share: share of criterion scores at the scale's minimum or maximum > 50 %;
 * - agreement: mean |own total − mean of the co-jurors of the same entry| > the contest's
 *   disagreement threshold / 2 (the juror is systematically far from the others);
 * - harsh / lenient: the juror's mean total differs from the mean of all counted totals of the
 *   round by more than 10 points;
 * - time per review: submittedAt − startedAt of submitted reviews (median shown); «too fast»
 *   when the median is under 3 minutes (a video card alone is 2–3 minutes).
 * They are signals for a conversation, not verdicts: nothing is changed automatically.
 *
 * Calibration: the contest setting `calibrationEntryIds` lists entries every juror of their
 * nomination scores (first — the ordering of the juror's queue belongs to the jury screens);
 * `assignCalibration` (review/assignments.ts — the review writes assignments) adds the missing
 * assignments in round 1; `calibrationView` shows every
 * juror's total for each calibration entry with the spread, so an organizer can talk the scale
 * through before live scoring goes far.
 */
import { and, eq, inArray } from 'drizzle-orm';
import type { DB, DbOrTx } from '../db/client';
import { applications, users } from '../db/schema';
import type { LoadedRound, ModeOptions, RoundResults } from './load';
import { cachedDerived, cachedResults } from './cache';
import { ruCompare } from './exports';

export const SIGNALS = { extremeShare: 0.5, fastMinutes: 3, harshLenientPoints: 10 } as const;

export interface JurorSignals {
	jurorId: string;
	fio: string;
	email: string;
	assigned: number;
	submitted: number;
	/** Not submitted yet. */
	pending: number;
	/** Not submitted while the round's deadline has passed. */
	overdue: number;
	count: number;
	mean: number | null;
	sd: number | null;
	min: number | null;
	max: number | null;
	extremeShare: number | null;
	agreement: number | null;
	/** Median minutes per submitted review with both timestamps. */
	medianMinutes: number | null;
	/** Submitted reviews faster than SIGNALS.fastMinutes. */
	fast: number;
	/** Mean of the juror − mean of all counted totals. */
	bias: number | null;
	flags: { flat: boolean; extreme: boolean; disagree: boolean; fast: boolean; harsh: boolean; lenient: boolean };
}

function median(xs: number[]): number | null {
	if (!xs.length) return null;
	const s = [...xs].sort((a, b) => a - b);
	const h = s.length >> 1;
	return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

export function jurorSignals(l: LoadedRound, res: RoundResults, now = Date.now()): JurorSignals[] {
	const stats = new Map(res.jurors.map((j) => [j.jurorId, j]));
	let sum = 0;
	let n = 0;
	for (const e of res.entries)
		for (const t of e.totals) {
			sum += t.raw;
			n++;
		}
	const globalMean = n ? sum / n : null;
	const deadlinePassed = l.round.deadlineAt !== null && l.round.deadlineAt < now;
	const threshold = l.contest.settings.disagreementThreshold;
	const entryIds = new Set(l.entries.map((e) => e.id));
	// One pass over the assignments, grouped by juror (never a scan of every assignment per juror).
	const per = new Map<string, { assigned: number; submitted: number; minutes: number[] }>();
	for (const a of l.assignments) {
		if (!entryIds.has(a.applicationId)) continue;
		let p = per.get(a.jurorId);
		if (!p) per.set(a.jurorId, (p = { assigned: 0, submitted: 0, minutes: [] }));
		p.assigned++;
		if (a.status === 'submitted') {
			p.submitted++;
			if (a.startedAt !== null && a.submittedAt !== null) p.minutes.push((a.submittedAt - a.startedAt) / 60_000);
		}
	}
	const out: JurorSignals[] = [];
	for (const j of l.jurors.values()) {
		const p = per.get(j.id) ?? { assigned: 0, submitted: 0, minutes: [] };
		const minutes = p.minutes;
		const st = stats.get(j.id);
		const med = median(minutes);
		const bias = st?.mean != null && globalMean !== null ? st.mean - globalMean : null;
		out.push({
			jurorId: j.id,
			fio: j.fio,
			email: j.email,
			assigned: p.assigned,
			submitted: p.submitted,
			pending: p.assigned - p.submitted,
			overdue: deadlinePassed ? p.assigned - p.submitted : 0,
			count: st?.count ?? 0,
			mean: st?.mean ?? null,
			sd: st?.sd ?? null,
			min: st?.min ?? null,
			max: st?.max ?? null,
			extremeShare: st?.extremeShare ?? null,
			agreement: st?.agreement ?? null,
			medianMinutes: med,
			fast: minutes.filter((m) => m < SIGNALS.fastMinutes).length,
			bias,
			flags: {
				flat: !!st?.flat,
				extreme: (st?.extremeShare ?? 0) > SIGNALS.extremeShare,
				disagree: st?.agreement != null && st.agreement > threshold / 2,
				fast: med !== null && med < SIGNALS.fastMinutes,
				harsh: bias !== null && bias < -SIGNALS.harshLenientPoints,
				lenient: bias !== null && bias > SIGNALS.harshLenientPoints
			}
		});
	}
	return out.sort((a, b) => ruCompare(a.fio, b.fio));
}

/**
 * jurorSignals of a round from the results cache: computed once per change of the round (and
 * per mode; `now` matters only through whether the deadline has passed). Shared: do not mutate.
 */
export function roundJurorSignals(db: DB, roundId: string, opts: ModeOptions = {}, now = Date.now()) {
	const { loaded, results } = cachedResults(db, roundId, opts);
	const passed = loaded.round.deadlineAt !== null && loaded.round.deadlineAt < now;
	const signals = cachedDerived(db, roundId, `signals:${results.settings.normalization}:${passed}`, () => jurorSignals(loaded, results, now));
	return { loaded, results, signals };
}

export interface CalibrationEntry {
	applicationId: string;
	number: string;
	nominationId: string;
	inRound: boolean;
	totals: { jurorId: string; fio: string; raw: number }[];
	/** Jurors of the round assigned to it who have not submitted yet. */
	waiting: number;
	mean: number | null;
	spread: number | null;
}

/** The calibration entries of the contest with every juror's total and the spread. */
export function calibrationView(l: LoadedRound, res: RoundResults, numbers: Map<string, string>): CalibrationEntry[] {
	const ids = l.contest.settings.calibrationEntryIds;
	const byId = new Map(res.entries.map((e) => [e.applicationId, e]));
	const meta = new Map(l.entries.map((e) => [e.id, e]));
	return ids.map((id) => {
		const e = byId.get(id);
		const totals = (e?.totals ?? []).map((t) => ({ jurorId: t.jurorId, fio: l.jurors.get(t.jurorId)?.fio ?? '', raw: t.raw }));
		const raws = totals.map((t) => t.raw);
		return {
			applicationId: id,
			number: meta.get(id)?.number ?? numbers.get(id) ?? id,
			nominationId: meta.get(id)?.nominationId ?? '',
			inRound: !!e,
			totals,
			waiting: l.assignments.filter((a) => a.applicationId === id && a.status !== 'submitted').length,
			mean: raws.length ? raws.reduce((a, b) => a + b, 0) / raws.length : null,
			spread: raws.length ? Math.max(...raws) - Math.min(...raws) : null
		};
	});
}
