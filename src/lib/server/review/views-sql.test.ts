/**
 * The round page at scale reads what it shows: the entries list is filtered, counted and paged in
 * SQL and returns the same rows as the previous in-memory implementation (kept below as the
 * reference) on the demo data and on a generated round (bench/fixtures/national.ts, small). One
 * entry's page reads that entry's rows and the jurors' loads in one GROUP BY (loadEntryState):
 * its rows and candidates (loads, reasons, order) equal the whole-round-state reference; the
 * round progress counts equal the per-entry rows counted in memory.
 */
import { describe, expect, it } from 'vitest';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { scaleDataSets } from '../../../../tests/helpers/scale-data';
import type { DB } from '../db/client';
import { applications, assignments, contests, nominations, roundEntries } from '../db/schema';
import { ACTIVE_STATUSES, COMPETING, getRound, roundK } from './rounds';
import { isActiveRow, loadRoundState } from './round-state';
import { checkPair } from './assignments';
import { entryAssignments, roundEntriesView, roundProgress } from './views';

/** roundEntriesView before issue 18: every entry of the round aggregated and parsed, then sliced. */
function roundEntriesRef(db: DB, roundId: string, opts: { q?: string; shortOnly?: boolean; limit?: number; offset?: number } = {}) {
	const round = getRound(db, roundId);
	const k = roundK(round, db.select({ settings: contests.settings }).from(contests).where(eq(contests.id, round.contestId)).get()!.settings);
	const q = (opts.q ?? '').trim().toLowerCase();
	const all = db
		.select({
			applicationId: applications.id,
			number: applications.number,
			about: applications.about,
			nominationTitle: nominations.title,
			regionCode: applications.regionCode,
			active: sql<number>`count(${assignments.id})`,
			submitted: sql<number>`coalesce(sum(case when ${assignments.status} = 'submitted' then 1 else 0 end), 0)`
		})
		.from(roundEntries)
		.innerJoin(applications, eq(applications.id, roundEntries.applicationId))
		.innerJoin(nominations, eq(nominations.id, applications.nominationId))
		.leftJoin(assignments, and(eq(assignments.roundId, roundEntries.roundId), eq(assignments.applicationId, roundEntries.applicationId), inArray(assignments.status, ACTIVE_STATUSES)))
		.where(and(eq(roundEntries.roundId, roundId), inArray(applications.status, COMPETING)))
		.groupBy(applications.id)
		.orderBy(asc(applications.seq))
		.all()
		.map((r) => ({ ...r, fio: String((r.about as Record<string, unknown>)?.fio ?? '') }))
		.filter((r) => (!opts.shortOnly || r.active < k) && (!q || (r.number ?? '').toLowerCase().includes(q) || r.fio.toLowerCase().includes(q)));
	const offset = opts.offset ?? 0;
	return { total: all.length, rows: all.slice(offset, offset + (opts.limit ?? 100)).map(({ about: _about, ...r }) => r) };
}

/**
 * The rows and candidates of one entry by brute force: the entry's rows active first, then the
 * rest, each group oldest first; every juror of the contest's nominations with a load counted by
 * scanning all active rows; those who may take the entry first, then the least loaded, then by name.
 */
function candidatesRef(db: DB, roundId: string, applicationId: string) {
	const s = loadRoundState(db, roundId);
	const all = [...s.rows.values()];
	const byCreated = (a: (typeof all)[number], b: (typeof all)[number]) => a.createdAt.getTime() - b.createdAt.getTime();
	const own = all.filter((r) => r.applicationId === applicationId);
	const rows = [...own.filter((r) => isActiveRow(r)).sort(byCreated), ...own.filter((r) => !isActiveRow(r)).sort(byCreated)];
	const people = [...s.jurors.values()]
		.filter((j) => j.nominationIds.some((n) => s.nominationIds.has(n)))
		.map((j) => ({ j, check: checkPair(s, applicationId, j.userId), load: all.filter((r) => r.jurorId === j.userId && isActiveRow(r)).length }))
		.map(({ j, check, load }) => ({ userId: j.userId, fio: j.fio, load, capacity: j.capacity, ok: check.ok, reason: check.ok ? '' : check.message }));
	type Candidate = (typeof people)[number];
	const byLoadThenName = (a: Candidate, b: Candidate) => a.load - b.load || a.fio.localeCompare(b.fio, 'ru');
	const candidates = [...people.filter((c) => c.ok).sort(byLoadThenName), ...people.filter((c) => !c.ok).sort(byLoadThenName)];
	return { inRound: s.apps.has(applicationId), assignments: rows.map((r) => r.id), candidates };
}

/** roundProgress's per-entry coverage before issue 18: one row per entry brought into memory. */
function coverageRef(db: DB, roundId: string) {
	const round = getRound(db, roundId);
	const k = roundK(round, db.select({ settings: contests.settings }).from(contests).where(eq(contests.id, round.contestId)).get()!.settings);
	const perEntry = db
		.select({
			active: sql<number>`count(${assignments.id})`,
			submitted: sql<number>`sum(case when ${assignments.status} = 'submitted' then 1 else 0 end)`
		})
		.from(roundEntries)
		.innerJoin(applications, eq(applications.id, roundEntries.applicationId))
		.leftJoin(assignments, and(eq(assignments.roundId, roundEntries.roundId), eq(assignments.applicationId, roundEntries.applicationId), inArray(assignments.status, ACTIVE_STATUSES)))
		.where(and(eq(roundEntries.roundId, roundId), inArray(applications.status, COMPETING)))
		.groupBy(roundEntries.applicationId)
		.all();
	return {
		entries: perEntry.length,
		covered: perEntry.filter((e) => e.active >= k).length,
		scored: perEntry.filter((e) => (e.submitted ?? 0) >= k).length,
		short: perEntry.filter((e) => e.active < k).length
	};
}

const dbs = scaleDataSets();

describe.each([0, 1])('round views in SQL = the in-memory ones (data set %i: 0 demo, 1 generated)', (i) => {
	it('entries of the round: every filter, page and offset gives the same rows and total', () => {
		const { db, roundId } = dbs[i];
		const all = roundEntriesRef(db, roundId, { limit: 100_000 });
		expect(all.total).toBeGreaterThan(30);
		const fio = all.rows[3].fio;
		const cases = [
			{},
			{ limit: 7 },
			{ limit: 7, offset: 14 },
			{ limit: 50, offset: all.total - 3 },
			{ limit: 10, offset: all.total + 5 },
			{ shortOnly: true },
			{ q: all.rows[5].number!.slice(-4) },
			{ q: fio.split(' ')[0].toUpperCase() },
			{ q: fio.split(' ')[0].toLowerCase(), limit: 2 },
			{ q: 'нет-такого' },
			{ q: '  ' + all.rows[0].number + '  ' }
		];
		for (const c of cases) expect(roundEntriesView(db, roundId, c), JSON.stringify(c)).toEqual(roundEntriesRef(db, roundId, c));
	});

	it('search by number or name through the trigram index (migration 0011) = the scan, also after a name or number changes', () => {
		const { db, roundId } = dbs[i];
		const all = roundEntriesRef(db, roundId, { limit: 100_000 });
		const fio = all.rows[3].fio;
		const [family, name] = fio.split(' ');
		const number = all.rows[6].number!;
		const queries = [
			family.slice(0, 1), // one and two characters scan the narrow table
			family.slice(1, 3).toUpperCase(),
			family.slice(1, 4), // three and more go through the index: a substring inside a word
			family.toUpperCase(),
			`${family} ${name}`, // across the space
			`${family}  ${name}`,
			name.slice(-3),
			number,
			number.slice(0, 3).toLowerCase(),
			number.slice(-5),
			'"',
			'a"b*',
			'ё',
			'нет-такого'
		];
		const check = () => {
			for (const q of queries) expect(roundEntriesView(db, roundId, { q, limit: 100_000 }), q).toEqual(roundEntriesRef(db, roundId, { q, limit: 100_000 }));
		};
		check();
		// the triggers keep the search table in the statement that changes the application
		const target = all.rows[2];
		const before = db.select({ about: applications.about, number: applications.number }).from(applications).where(eq(applications.id, target.applicationId)).get()!;
		try {
			db.update(applications).set({ about: { ...before.about, fio: 'Ёлкина-Щукина Мария «Тест» Ивановна' }, number: 'ТЕСТ-777' }).where(eq(applications.id, target.applicationId)).run();
			queries.push('ёлкина-щ', 'ЩУКИНА', 'тест-7', '«тест»');
			check();
			expect(roundEntriesView(db, roundId, { q: 'щукина' }).rows.map((r) => r.applicationId)).toEqual([target.applicationId]);
			expect(roundEntriesView(db, roundId, { q: target.fio }).rows.map((r) => r.applicationId)).not.toContain(target.applicationId);
		} finally {
			db.update(applications).set({ about: before.about, number: before.number }).where(eq(applications.id, target.applicationId)).run();
		}
		check();
		expect(roundEntriesView(db, roundId, { q: target.fio }).rows.map((r) => r.applicationId)).toContain(target.applicationId);
		const counts = db.get<{ apps: number; rows: number; fts: number }>(sql`SELECT (SELECT count(*) FROM applications) AS apps, (SELECT count(*) FROM application_search) AS rows, (SELECT count(*) FROM application_search_fts) AS fts`);
		expect(counts.rows).toBe(counts.apps);
		expect(counts.fts).toBe(counts.apps);
	});

	it('one entry: its rows, the candidates with their loads and reasons, from that entry only', () => {
		const { db, roundId } = dbs[i];
		const ids = db.select({ id: roundEntries.applicationId }).from(roundEntries).where(eq(roundEntries.roundId, roundId)).orderBy(roundEntries.applicationId).all().map((r) => r.id);
		for (const id of ids.filter((_, j) => j % Math.ceil(ids.length / 8) === 0)) {
			const v = entryAssignments(db, roundId, id);
			const ref = candidatesRef(db, roundId, id);
			expect(v.inRound).toBe(ref.inRound);
			expect(v.assignments.map((a) => a.id)).toEqual(ref.assignments);
			expect(v.candidates).toEqual(ref.candidates);
		}
	});

	it('round progress: the coverage counts in SQL = the per-entry rows counted in memory', () => {
		const { db, roundId } = dbs[i];
		const { entries, covered, scored, short } = roundProgress(db, roundId);
		const ref = coverageRef(db, roundId);
		expect({ entries, covered, scored, short }).toEqual(ref);
		expect(ref.entries).toBeGreaterThan(30);
	});
});
