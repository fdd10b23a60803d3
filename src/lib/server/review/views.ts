/**
 * Read views of the review for the organizers' pages: a round's progress (per juror and per
 * entry), its entries with their coverage, one entry with its assignments and who could be
 * added, and the rounds a juror is busy in. Nothing here writes.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { applications, assignments, conflicts, contests, nominations, roundEntries, rounds, users } from '../db/schema';
import { notFound } from '../errors';
import { ACTIVE_STATUSES, COMPETING, getRound, roundK, roundSettings } from './rounds';
import { allJurors, isActiveRow, loadRoundState, type AssignmentRow } from './round-state';
import { checkPair } from './assignments';

export interface JurorProgress {
	userId: string;
	fio: string;
	email: string;
	capacity: number;
	active: boolean;
	invited: boolean;
	total: number;
	assigned: number;
	draft: number;
	submitted: number;
}

export interface RoundProgress {
	k: number;
	entries: number;
	assignments: number;
	assigned: number;
	draft: number;
	submitted: number;
	/** entries with at least K active assignments */
	covered: number;
	/** entries with K submitted assessments */
	scored: number;
	/** entries short of jurors */
	short: number;
	jurors: JurorProgress[];
}

export function roundProgress(db: DbOrTx, roundId: string): RoundProgress {
	const round = getRound(db, roundId);
	const contest = db.select({ settings: contests.settings }).from(contests).where(eq(contests.id, round.contestId)).get()!;
	const k = roundK(round, contest.settings);
	const byJuror = db
		.select({ jurorId: assignments.jurorId, status: assignments.status, n: sql<number>`count(*)` })
		.from(assignments)
		.where(and(eq(assignments.roundId, roundId), inArray(assignments.status, ACTIVE_STATUSES)))
		.groupBy(assignments.jurorId, assignments.status)
		.all();
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
	const jurors = new Map<string, JurorProgress>();
	const info = new Map(allJurors(db).map((j) => [j.userId, j]));
	const rs = roundSettings(round.settings);
	const contestNoms = new Set(db.select({ id: nominations.id }).from(nominations).where(eq(nominations.contestId, round.contestId)).all().map((n) => n.id));
	// The final jury judges every nomination (round-state.ts); in round 1 a jury only narrows.
	const coversAll = round.number > 1 && !!rs.jurorIds;
	for (const j of info.values()) {
		if (rs.jurorIds && !rs.jurorIds.includes(j.userId)) continue;
		if (!coversAll && !j.nominationIds.some((n) => contestNoms.has(n))) continue;
		jurors.set(j.userId, { userId: j.userId, fio: j.fio, email: j.email, capacity: j.capacity, active: j.active, invited: j.invited, total: 0, assigned: 0, draft: 0, submitted: 0 });
	}
	const totals = { assigned: 0, draft: 0, submitted: 0 };
	for (const r of byJuror) {
		let p = jurors.get(r.jurorId);
		if (!p) {
			const j = info.get(r.jurorId);
			p = { userId: r.jurorId, fio: j?.fio ?? '—', email: j?.email ?? '', capacity: j?.capacity ?? 0, active: !!j?.active, invited: !!j?.invited, total: 0, assigned: 0, draft: 0, submitted: 0 };
			jurors.set(r.jurorId, p);
		}
		const st = r.status as 'assigned' | 'draft' | 'submitted';
		p[st] += r.n;
		p.total += r.n;
		totals[st] += r.n;
	}
	return {
		k,
		entries: perEntry.length,
		assignments: totals.assigned + totals.draft + totals.submitted,
		...totals,
		covered: perEntry.filter((e) => e.active >= k).length,
		scored: perEntry.filter((e) => (e.submitted ?? 0) >= k).length,
		short: perEntry.filter((e) => e.active < k).length,
		jurors: [...jurors.values()].sort((a, b) => a.fio.localeCompare(b.fio, 'ru'))
	};
}

export interface EntryRow {
	applicationId: string;
	number: string | null;
	fio: string;
	nominationTitle: string;
	regionCode: string | null;
	active: number;
	submitted: number;
}

/** Entries of a round with their coverage, filtered (number or name) and paged. */
export function roundEntriesView(db: DbOrTx, roundId: string, opts: { q?: string; shortOnly?: boolean; limit?: number; offset?: number } = {}): { rows: EntryRow[]; total: number } {
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
	return {
		total: all.length,
		rows: all.slice(offset, offset + (opts.limit ?? 100)).map(({ about: _about, ...r }) => r)
	};
}

export interface EntryAssignments {
	application: { id: string; number: string | null; fio: string; nominationId: string; nominationTitle: string; regionCode: string | null; organization: string | null; status: string };
	inRound: boolean;
	assignments: { id: string; jurorId: string; fio: string; status: AssignmentRow['status']; source: AssignmentRow['source']; updatedAt: Date; submittedAt: Date | null }[];
	candidates: { userId: string; fio: string; load: number; capacity: number; ok: boolean; reason: string }[];
	conflicts: { jurorId: string; fio: string; reason: 'declared' | 'recused'; comment: string }[];
}

/** One entry of a round: its assignments (all statuses) and who could be added and why not. */
export function entryAssignments(db: DbOrTx, roundId: string, applicationId: string): EntryAssignments {
	const s = loadRoundState(db, roundId);
	const app = db
		.select({ a: applications, nominationTitle: nominations.title })
		.from(applications)
		.innerJoin(nominations, eq(nominations.id, applications.nominationId))
		.where(and(eq(applications.id, applicationId), eq(applications.contestId, s.contest.id)))
		.get();
	if (!app) throw notFound('Заявка не найдена');
	const loads = new Map<string, number>();
	for (const r of s.rows.values()) if (isActiveRow(r)) loads.set(r.jurorId, (loads.get(r.jurorId) ?? 0) + 1);
	const rows = [...s.rows.values()]
		.filter((r) => r.applicationId === applicationId)
		.sort((a, b) => Number(!isActiveRow(a)) - Number(!isActiveRow(b)) || a.createdAt.getTime() - b.createdAt.getTime());
	const candidates = [...s.jurors.values()]
		.filter((j) => j.nominationIds.some((n) => s.nominationIds.has(n)))
		.map((j) => {
			const c = checkPair(s, applicationId, j.userId);
			return { userId: j.userId, fio: j.fio, load: loads.get(j.userId) ?? 0, capacity: j.capacity, ok: c.ok, reason: c.ok ? '' : c.message };
		})
		.sort((a, b) => Number(b.ok) - Number(a.ok) || a.load - b.load || a.fio.localeCompare(b.fio, 'ru'));
	return {
		application: {
			id: app.a.id,
			number: app.a.number,
			fio: String((app.a.about as Record<string, unknown>)?.fio ?? ''),
			nominationId: app.a.nominationId,
			nominationTitle: app.nominationTitle,
			regionCode: app.a.regionCode,
			organization: app.a.organization,
			status: app.a.status
		},
		inRound: s.apps.has(applicationId),
		assignments: rows.map((r) => ({ id: r.id, jurorId: r.jurorId, fio: s.jurors.get(r.jurorId)?.fio ?? '—', status: r.status, source: r.source, updatedAt: r.updatedAt, submittedAt: r.submittedAt })),
		candidates,
		conflicts: db
			.select({ jurorId: conflicts.jurorId, fio: users.fio, reason: conflicts.reason, comment: conflicts.comment })
			.from(conflicts)
			.innerJoin(users, eq(users.id, conflicts.jurorId))
			.where(eq(conflicts.applicationId, applicationId))
			.all()
	};
}

/** Rounds in which a juror has active assignments: to tell the organizer what a dropout affects. */
export function activeLoadOf(db: DbOrTx, jurorId: string): { roundId: string; number: number; title: string; contestId: string; n: number }[] {
	return db
		.select({ roundId: rounds.id, number: rounds.number, title: rounds.title, contestId: rounds.contestId, n: sql<number>`count(*)` })
		.from(assignments)
		.innerJoin(rounds, eq(rounds.id, assignments.roundId))
		.where(and(eq(assignments.jurorId, jurorId), inArray(assignments.status, ACTIVE_STATUSES), inArray(rounds.status, ['draft', 'active'])))
		.groupBy(rounds.id)
		.all();
}
