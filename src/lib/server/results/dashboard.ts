/**
 * Numbers of the organizer's dashboard and the index of contests and rounds of the console.
 * Counting is done in SQL (GROUP BY); the jury part reuses the round's loaded results.
 */
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import type { DB, DbOrTx } from '../db/client';
import { applications, contests, nominations, roundEntries, rounds } from '../db/schema';
import { FEDERAL_DISTRICTS, districtOf, regionByCode } from '../../data/regions';
import { roundResults } from './load';
import { COMPETING } from '../review/rounds';
import { jurorSignals } from './quality';

/** Contests (newest first) with their rounds and entry counts: the console's picker. */
export function resultsIndex(db: DbOrTx) {
	const cs = db.select({ id: contests.id, title: contests.title, slug: contests.slug, phase: contests.phase, year: contests.year }).from(contests).orderBy(desc(contests.year), desc(contests.openAt)).all();
	const rs = db
		.select({ id: rounds.id, contestId: rounds.contestId, number: rounds.number, title: rounds.title, status: rounds.status, deadlineAt: rounds.deadlineAt, entries: sql<number>`(SELECT count(*) FROM round_entries e WHERE e.round_id = ${rounds.id})` })
		.from(rounds)
		.orderBy(asc(rounds.number))
		.all();
	return cs.map((c) => ({ ...c, rounds: rs.filter((r) => r.contestId === c.id).map((r) => ({ ...r, deadlineAt: r.deadlineAt?.getTime() ?? null })) }));
}

export interface Dashboard {
	contest: { id: string; title: string; closeAt: number; phase: string };
	round: { id: string; title: string; number: number; deadlineAt: number | null; status: string } | null;
	totals: { all: number; competing: number; drafts: number; withdrawn: number };
	byStatus: { status: string; n: number }[];
	byNomination: { id: string; title: string; track: string; n: number }[];
	byDistrict: { code: string; short: string; name: string; n: number }[];
	byRegion: { code: string; name: string; district: string; n: number }[];
	unknownRegion: number;
	byDay: { day: string; n: number }[];
	/** The busiest day (the deadline spike). */
	peak: { day: string; n: number } | null;
	jury: {
		jurorId: string;
		fio: string;
		assigned: number;
		draft: number;
		submitted: number;
		overdue: number;
		mean: number | null;
		sd: number | null;
		min: number | null;
		max: number | null;
		count: number;
	}[];
	disagreement: { flagged: number; scored: number; byNomination: { id: string; title: string; flagged: number; scored: number }[]; spreadHistogram: { from: number; to: number; n: number }[]; threshold: number };
}

export function dashboard(db: DB, contestId: string, roundId?: string, now = Date.now()): Dashboard | null {
	const c = db.select().from(contests).where(eq(contests.id, contestId)).get();
	if (!c) return null;
	const byStatus = db
		.select({ status: applications.status, n: sql<number>`count(*)` })
		.from(applications)
		.where(eq(applications.contestId, contestId))
		.groupBy(applications.status)
		.all();
	const noms = db.select().from(nominations).where(eq(nominations.contestId, contestId)).orderBy(asc(nominations.sort)).all();
	const byNom = db
		.select({ id: applications.nominationId, n: sql<number>`count(*)` })
		.from(applications)
		.where(and(eq(applications.contestId, contestId), inArray(applications.status, COMPETING)))
		.groupBy(applications.nominationId)
		.all();
	const byReg = db
		.select({ code: applications.regionCode, n: sql<number>`count(*)` })
		.from(applications)
		.where(and(eq(applications.contestId, contestId), inArray(applications.status, COMPETING)))
		.groupBy(applications.regionCode)
		.all();
	// Days in Moscow time (UTC+3, no daylight saving).
	const byDay = db
		.select({ day: sql<string>`strftime('%Y-%m-%d', ${applications.submittedAt} / 1000 + 10800, 'unixepoch')`, n: sql<number>`count(*)` })
		.from(applications)
		.where(and(eq(applications.contestId, contestId), inArray(applications.status, COMPETING), sql`${applications.submittedAt} IS NOT NULL`))
		.groupBy(sql`1`)
		.orderBy(sql`1`)
		.all();

	const district = new Map<string, number>();
	const regions: Dashboard['byRegion'] = [];
	let unknown = 0;
	for (const r of byReg) {
		const reg = r.code ? regionByCode(r.code) : undefined;
		if (!reg) {
			unknown += r.n;
			continue;
		}
		district.set(reg.district, (district.get(reg.district) ?? 0) + r.n);
		regions.push({ code: reg.code, name: reg.name, district: districtOf(reg.code)?.short ?? '', n: r.n });
	}
	regions.sort((a, b) => b.n - a.n || a.name.localeCompare(b.name, 'ru'));
	const count = (s: string) => byStatus.find((x) => x.status === s)?.n ?? 0;
	const all = byStatus.reduce((s, x) => s + x.n, 0);
	const competing = byStatus.filter((x) => (COMPETING as string[]).includes(x.status)).reduce((s, x) => s + x.n, 0);
	const peak = byDay.reduce<{ day: string; n: number } | null>((p, d) => (!p || d.n > p.n ? d : p), null);

	// The round: the given one, else the active one with the highest number, else the latest.
	const rs = db.select().from(rounds).where(eq(rounds.contestId, contestId)).orderBy(desc(rounds.number)).all();
	const round = (roundId && rs.find((r) => r.id === roundId)) || rs.find((r) => r.status === 'active') || rs[0];
	let jury: Dashboard['jury'] = [];
	let disagreement: Dashboard['disagreement'] = { flagged: 0, scored: 0, byNomination: [], spreadHistogram: [], threshold: 0 };
	if (round) {
		const { loaded, results } = roundResults(db, round.id);
		const drafts = new Map<string, number>();
		for (const a of loaded.assignments) if (a.status === 'draft') drafts.set(a.jurorId, (drafts.get(a.jurorId) ?? 0) + 1);
		jury = jurorSignals(loaded, results, now).map((j) => ({
			jurorId: j.jurorId,
			fio: j.fio,
			assigned: j.assigned,
			draft: drafts.get(j.jurorId) ?? 0,
			submitted: j.submitted,
			overdue: j.overdue,
			mean: j.mean,
			sd: j.sd,
			min: j.min,
			max: j.max,
			count: j.count
		}));
		const hist = Array.from({ length: 10 }, (_, i) => ({ from: i * 10, to: i * 10 + 10, n: 0 }));
		const perNom = new Map<string, { flagged: number; scored: number }>();
		let flagged = 0;
		let scored = 0;
		for (const e of results.entries) {
			const p = perNom.get(e.nominationId) ?? { flagged: 0, scored: 0 };
			perNom.set(e.nominationId, p);
			if (e.reviews >= 2 && e.spread !== null) {
				scored++;
				p.scored++;
				hist[Math.min(9, Math.floor(e.spread / 10))].n++;
			}
			if (e.flagged) {
				flagged++;
				p.flagged++;
			}
		}
		disagreement = {
			flagged,
			scored,
			threshold: results.settings.disagreementThreshold,
			spreadHistogram: hist,
			byNomination: loaded.nominations.map((n) => ({ id: n.id, title: n.title, ...(perNom.get(n.id) ?? { flagged: 0, scored: 0 }) }))
		};
	}
	return {
		contest: { id: c.id, title: c.title, closeAt: c.closeAt.getTime(), phase: c.phase },
		round: round ? { id: round.id, title: round.title, number: round.number, deadlineAt: round.deadlineAt?.getTime() ?? null, status: round.status } : null,
		totals: { all, competing, drafts: count('draft'), withdrawn: count('withdrawn') },
		byStatus,
		byNomination: noms.map((n) => ({ id: n.id, title: n.title, track: n.track, n: byNom.find((x) => x.id === n.id)?.n ?? 0 })),
		byDistrict: FEDERAL_DISTRICTS.map((d) => ({ code: d.code, short: d.short, name: d.name, n: district.get(d.code) ?? 0 })),
		byRegion: regions,
		unknownRegion: unknown,
		byDay,
		peak,
		jury,
		disagreement
	};
}

/** Used by the console to tell an empty round from a missing one. */
export function roundEntryCount(db: DbOrTx, roundId: string): number {
	return db.select({ n: sql<number>`count(*)` }).from(roundEntries).where(eq(roundEntries.roundId, roundId)).get()?.n ?? 0;
}
