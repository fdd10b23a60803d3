/**
 * The console's views at scale return the same rows as the in-memory ones they replace: juror
 * signals and juror sheets built in one pass (not one scan of all assignments per juror), the
 * results page from the cache and with the other mode only on request, the protocol paged by
 * nomination. Checked on the demo data and on a generated round (bench/fixtures/national.ts,
 * small). The references below are brute-force formulations of what the views mean (a scan per
 * juror, filters as a table of predicates), not copies of the code under test.
 */
import { describe, expect, it } from 'vitest';
import { scaleDataSets } from '../../../../tests/helpers/scale-data';
import type { DB } from '../db/client';
import { regionByCode } from '../../data/regions';
import { computeRound, criteriaOf, loadRound, type LoadedRound, type RoundResults } from './load';
import { jurorSignals, roundJurorSignals } from './quality';
import { jurorIndex, jurorTable, shortName, type Cell } from './exports';
import { PAGE_SIZE, protocolPage, resultsPage, type ResultsQuery } from './console';

// ---------------------------------------------------------------------------------------------
// references: the previous in-memory implementations

function medianRef(xs: number[]): number | null {
	if (!xs.length) return null;
	const s = [...xs].sort((a, b) => a - b);
	const h = s.length >> 1;
	return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/**
 * jurorSignals by brute force, straight from the definitions: for each juror a scan of every
 * assignment (what issue 18 replaced by one grouped pass), the scoring statistics copied from the
 * juror's results row, the flags from the documented thresholds.
 */
function jurorSignalsRef(l: LoadedRound, res: RoundResults, now: number) {
	const raws = res.entries.flatMap((e) => e.totals.map((t) => t.raw));
	const globalMean = raws.length ? raws.reduce((x, y) => x + y, 0) / raws.length : null;
	const late = l.round.deadlineAt !== null && l.round.deadlineAt < now;
	const inRound = new Set(l.entries.map((e) => e.id));
	const STATS = ['mean', 'sd', 'min', 'max', 'extremeShare', 'agreement'] as const;
	return [...l.jurors.values()]
		.map((j) => {
			const mine = l.assignments.filter((a) => a.jurorId === j.id && inRound.has(a.applicationId));
			const done = mine.filter((a) => a.status === 'submitted');
			const minutes = done.flatMap((a) => (a.startedAt !== null && a.submittedAt !== null ? [(a.submittedAt - a.startedAt) / 60_000] : []));
			const st = res.jurors.find((x) => x.jurorId === j.id);
			const med = medianRef(minutes);
			const bias = st?.mean != null && globalMean !== null ? st.mean - globalMean : null;
			const open = mine.length - done.length;
			const work = { assigned: mine.length, submitted: done.length, pending: open, overdue: late ? open : 0, medianMinutes: med, fast: minutes.filter((m) => m < 3).length };
			const scoring = { count: st?.count ?? 0, ...Object.fromEntries(STATS.map((k) => [k, st?.[k] ?? null])), bias };
			const flags = {
				flat: st?.flat === true,
				extreme: (st?.extremeShare ?? 0) > 0.5,
				disagree: (st?.agreement ?? -Infinity) > l.contest.settings.disagreementThreshold / 2,
				fast: med !== null && med < 3,
				harsh: (bias ?? 0) < -10,
				lenient: (bias ?? 0) > 10
			};
			return { jurorId: j.id, fio: j.fio, email: j.email, ...work, ...scoring, flags };
		})
		.sort((a, b) => a.fio.localeCompare(b.fio, 'ru'));
}

/** The rows of one juror's sheet before issue 18 (a 24k-entry map and a full scan per juror). */
function jurorRowsRef(l: LoadedRound, res: RoundResults, jurorId: string): Cell[][] {
	const r2 = (x: number | null | undefined) => (x === null || x === undefined ? null : Math.round(x * 100) / 100);
	const msk = (ms: number | null) => (ms === null ? '' : new Date(ms + 3 * 3600_000).toISOString().slice(0, 16).replace('T', ' '));
	const meta = new Map(l.entries.map((e) => [e.id, e]));
	const noms = new Map(l.nominations.map((n) => [n.id, n]));
	const totals = new Map<string, { raw: number; normalized: number }>();
	for (const e of res.entries) for (const t of e.totals) if (t.jurorId === jurorId) totals.set(t.assignmentId, t);
	const STATE = { assigned: 'не начата', draft: 'черновик', submitted: 'отправлена' } as const;
	const list = l.assignments.filter((a) => a.jurorId === jurorId && meta.has(a.applicationId)).sort((a, b) => (meta.get(a.applicationId)!.number < meta.get(b.applicationId)!.number ? -1 : 1));
	return list.map((a) => {
		const m = meta.get(a.applicationId)!;
		const sc = l.scores.get(a.id) ?? {};
		const applicable = new Set(criteriaOf(l, m.nominationId).map((c) => c.id));
		const t = totals.get(a.id);
		const scores = l.criteria.map((c) => (applicable.has(c.id) ? (sc[c.id] ?? null) : null));
		const minutes = a.startedAt !== null && a.submittedAt !== null ? r2((a.submittedAt - a.startedAt) / 60_000) : null;
		return [m.number, noms.get(m.nominationId)?.title ?? '', m.fio, ...scores, r2(t?.raw), r2(t?.normalized), STATE[a.status], msk(a.startedAt), msk(a.submittedAt), minutes, a.comment, a.feedback];
	});
}

/** The rows of the results page before issue 18 (both modes computed, filtered in memory). */
function resultsRowsRef(db: DB, roundId: string, q: ResultsQuery) {
	const l = loadRound(db, roundId);
	const official = l.contest.settings.normalization;
	const mode = q.mode ?? official;
	const res = computeRound(l, { normalization: mode });
	// the column: the official rank when another method is shown; else the asked method's ('auto': z-score, or raw beside z-score)
	const asked = q.compare === 'auto' ? (mode === 'zscore' ? 'none' : 'zscore') : q.compare;
	const otherMode = mode !== official ? official : asked && asked !== mode ? asked : null;
	const other = otherMode ? computeRound(l, { normalization: otherMode }) : null;
	const otherRank = new Map((other?.entries ?? []).map((e) => [e.applicationId, e.rank]));
	const meta = new Map(l.entries.map((e) => [e.id, e]));
	const nomOrder = new Map(l.nominations.map((n, i) => [n.id, i]));
	const needle = q.q.toLowerCase();
	type Entry = (typeof res.entries)[number];
	const ONLY: Record<ResultsQuery['only'], (e: Entry) => boolean> = { '': () => true, flagged: (e) => e.flagged, missing: (e) => e.missing > 0, unscored: (e) => e.score === null };
	const found = (e: Entry) => [e.number, meta.get(e.applicationId)!.fio, meta.get(e.applicationId)!.title].some((s) => s.toLowerCase().includes(needle));
	const filtered = res.entries
		.filter((e) => (!q.nomination || e.nominationId === q.nomination) && ONLY[q.only](e) && (!needle || found(e)))
		.sort((a, b) => (nomOrder.get(a.nominationId) ?? 1e9) - (nomOrder.get(b.nominationId) ?? 1e9) || a.position - b.position);
	const pages = Math.max(1, Math.ceil(filtered.length / PAGE_SIZE));
	const page = Math.min(q.page, pages);
	return {
		filteredCount: filtered.length,
		pages,
		rows: filtered.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE).map((e) => ({
			applicationId: e.applicationId,
			number: e.number,
			position: e.position,
			rank: e.rank,
			score: e.score,
			otherRank: otherRank.get(e.applicationId) ?? null,
			region: (meta.get(e.applicationId)!.regionCode && regionByCode(meta.get(e.applicationId)!.regionCode!)?.name) || '—',
			totals: e.totals.map((t) => ({ juror: shortName(l.jurors.get(t.jurorId)?.fio ?? ''), raw: t.raw, normalized: t.normalized })).sort((a, b) => a.juror.localeCompare(b.juror, 'ru'))
		}))
	};
}

// ---------------------------------------------------------------------------------------------

const dbs = scaleDataSets();

describe.each([0, 1])('views at scale = the in-memory ones (data set %i)', (i) => {
	const ds = () => dbs[i];

	it('juror signals: one pass per round equals the per-juror scans, for both modes and both sides of the deadline', () => {
		const { db, roundId } = ds();
		const l = loadRound(db, roundId);
		for (const normalization of ['none', 'zscore', 'model'] as const) {
			const res = computeRound(l, { normalization });
			for (const now of [Date.now(), (l.round.deadlineAt ?? Date.now()) + 1000]) {
				expect(jurorSignals(l, res, now)).toEqual(jurorSignalsRef(l, res, now));
				expect(roundJurorSignals(db, roundId, { normalization }, now).signals).toEqual(jurorSignalsRef(l, res, now));
			}
		}
	});

	it('juror sheets: the shared index gives every juror the same rows as the per-juror scan', () => {
		const { db, roundId } = ds();
		const l = loadRound(db, roundId);
		const res = computeRound(l);
		const idx = jurorIndex(l, res);
		expect(l.jurors.size).toBeGreaterThan(3);
		for (const j of l.jurors.keys()) expect([...jurorTable(l, res, j, idx).rows()]).toEqual(jurorRowsRef(l, res, j));
	});

	it('results page from the cache: the same rows, counts and pages for every filter; the other mode only when compared', () => {
		const { db, roundId } = ds();
		const l = loadRound(db, roundId);
		const qs: ResultsQuery[] = [];
		for (const mode of [null, 'none', 'zscore', 'model'] as const)
			for (const only of ['', 'flagged', 'missing', 'unscored'] as const) qs.push({ mode, nomination: '', only, q: '', page: 1, compare: 'auto' });
		for (const compare of ['none', 'zscore', 'model'] as const) qs.push({ mode: null, nomination: '', only: '', q: '', page: 1, compare });
		qs.push({ mode: 'model', nomination: '', only: 'flagged', q: '', page: 1, compare: null });
		qs.push({ mode: null, nomination: l.nominations[1].id, only: '', q: '', page: 1, compare: 'auto' });
		qs.push({ mode: null, nomination: '', only: '', q: 'а', page: 2, compare: 'auto' });
		qs.push({ mode: null, nomination: '', only: '', q: '', page: 99, compare: 'auto' });
		for (const q of qs) {
			const v = resultsPage(db, roundId, q);
			const ref = resultsRowsRef(db, roundId, q);
			expect(v.filteredCount).toBe(ref.filteredCount);
			expect(v.pages).toBe(ref.pages);
			expect(v.rows.map((r) => ({ applicationId: r.applicationId, number: r.number, position: r.position, rank: r.rank, score: r.score, otherRank: r.otherRank, region: r.region, totals: r.totals }))).toEqual(ref.rows);
		}
		const plain = resultsPage(db, roundId, { mode: null, nomination: '', only: '', q: '', page: 1, compare: null });
		expect(plain.compareWith).toBeNull();
		expect(plain.rows.every((r) => r.otherRank === null)).toBe(true);
		// a mode other than the official one is a comparison by itself (with the official one)
		const official = l.contest.settings.normalization;
		for (const mode of ['none', 'zscore', 'model'] as const)
			if (mode !== official) expect(resultsPage(db, roundId, { mode, nomination: '', only: '', q: '', page: 1, compare: null }).compareWith).toBe(official);
	});

	it.each([undefined, 7])('protocol (page size %s): the pages of every nomination put together are the whole protocol', (pageSize) => {
		const { db, roundId } = ds();
		const whole = protocolPage(db, roundId, { pageSize });
		const l = loadRound(db, roundId);
		const res = computeRound(l);
		const expected = l.nominations.map((n) => res.entries.filter((e) => e.nominationId === n.id).map((e) => e.applicationId));
		if (pageSize === undefined) {
			expect(whole.paged).toBeNull();
			expect(whole.nominations.map((n) => n.rows.map((r) => r.applicationId))).toEqual(expected);
			return;
		}
		expect(whole.paged?.nominationId).toBe(l.nominations[0].id);
		expect(whole.nominations).toHaveLength(1);
		const got = l.nominations.map((n) => {
			const first = protocolPage(db, roundId, { nomination: n.id, pageSize });
			expect(first.nominations[0].rows.length).toBeLessThanOrEqual(pageSize);
			const ids = first.nominations[0].rows.map((r) => r.applicationId);
			for (let p = 2; p <= first.nominations[0].pages; p++) ids.push(...protocolPage(db, roundId, { nomination: n.id, page: p, pageSize }).nominations[0].rows.map((r) => r.applicationId));
			return ids;
		});
		expect(got).toEqual(expected);
		expect(whole.nominationLinks.map((n) => n.entries)).toEqual(expected.map((e) => e.length));
	});
});
