/**
 * The console's views at scale return the same rows as the in-memory ones they replace: juror
 * signals and juror sheets built in one pass (not one scan of all assignments per juror), the
 * results page from the cache and with the other mode only on request, the protocol paged by
 * nomination. Checked on the demo data and on a generated round (bench/fixtures/national.ts,
 * small). The references below are the previous implementations, kept verbatim.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildNationalFixture } from '../../../../bench/fixtures/national';
import { tempDb } from '../../../../tests/helpers/db';
import { openDatabase, type DB } from '../db/client';
import { runMigrations } from '../db/migrate';
import { rounds } from '../db/schema';
import { seedDemo } from '../seed';
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

/** jurorSignals before issue 18: every assignment filtered once per juror. */
function jurorSignalsRef(l: LoadedRound, res: RoundResults, now: number) {
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
	const out = [];
	for (const j of l.jurors.values()) {
		const mine = l.assignments.filter((a) => a.jurorId === j.id && entryIds.has(a.applicationId));
		const submitted = mine.filter((a) => a.status === 'submitted');
		const minutes = submitted.filter((a) => a.startedAt !== null && a.submittedAt !== null).map((a) => (a.submittedAt! - a.startedAt!) / 60_000);
		const st = stats.get(j.id);
		const med = medianRef(minutes);
		const bias = st?.mean != null && globalMean !== null ? st.mean - globalMean : null;
		out.push({
			jurorId: j.id,
			fio: j.fio,
			email: j.email,
			assigned: mine.length,
			submitted: submitted.length,
			pending: mine.length - submitted.length,
			overdue: deadlinePassed ? mine.length - submitted.length : 0,
			count: st?.count ?? 0,
			mean: st?.mean ?? null,
			sd: st?.sd ?? null,
			min: st?.min ?? null,
			max: st?.max ?? null,
			extremeShare: st?.extremeShare ?? null,
			agreement: st?.agreement ?? null,
			medianMinutes: med,
			fast: minutes.filter((m) => m < 3).length,
			bias,
			flags: {
				flat: !!st?.flat,
				extreme: (st?.extremeShare ?? 0) > 0.5,
				disagree: st?.agreement != null && st.agreement > threshold / 2,
				fast: med !== null && med < 3,
				harsh: bias !== null && bias < -10,
				lenient: bias !== null && bias > 10
			}
		});
	}
	return out.sort((a, b) => a.fio.localeCompare(b.fio, 'ru'));
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
		return [
			m.number,
			noms.get(m.nominationId)?.title ?? '',
			m.fio,
			...l.criteria.map((c) => (applicable.has(c.id) ? (sc[c.id] ?? null) : null)),
			r2(t?.raw ?? null),
			r2(t?.normalized ?? null),
			STATE[a.status],
			msk(a.startedAt),
			msk(a.submittedAt),
			a.startedAt !== null && a.submittedAt !== null ? r2((a.submittedAt - a.startedAt) / 60_000) : null,
			a.comment,
			a.feedback
		];
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
	const filtered = res.entries
		.filter((e) => {
			if (q.nomination && e.nominationId !== q.nomination) return false;
			if (q.only === 'flagged' && !e.flagged) return false;
			if (q.only === 'missing' && e.missing === 0) return false;
			if (q.only === 'unscored' && e.score !== null) return false;
			if (needle) {
				const m = meta.get(e.applicationId)!;
				if (!e.number.toLowerCase().includes(needle) && !m.fio.toLowerCase().includes(needle) && !m.title.toLowerCase().includes(needle)) return false;
			}
			return true;
		})
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

const dbs: { name: string; db: DB; roundId: string }[] = [];
const cleanups: (() => void)[] = [];

beforeAll(async () => {
	const demo = tempDb();
	cleanups.push(demo.cleanup);
	expect(await seedDemo(demo.db)).toBe(true);
	dbs.push({ name: 'демо', db: demo.db, roundId: demo.db.select().from(rounds).get()!.id });
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'results-views-'));
	const file = path.join(dir, 'portal.db');
	const fx = await buildNationalFixture(file, { size: 'small' });
	const gen = openDatabase(file);
	runMigrations(gen);
	cleanups.push(() => {
		gen.$client.close();
		fs.rmSync(dir, { recursive: true, force: true });
	});
	dbs.push({ name: 'сгенерированный тур', db: gen, roundId: fx.roundId });
}, 180_000);
afterAll(() => cleanups.forEach((c) => c()));

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
