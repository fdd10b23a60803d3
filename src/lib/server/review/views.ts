/**
 * Read views of the review for the organizers' pages: a round's progress (per juror and per
 * entry), its entries with their coverage, one entry with its assignments and who could be
 * added, and the rounds a juror is busy in. Nothing here writes.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type Database from 'better-sqlite3';
import type { DbOrTx } from '../db/client';
import { applications, assignments, conflicts, contests, nominations, roundEntries, rounds, users } from '../db/schema';
import { notFound } from '../errors';
import { ACTIVE_STATUSES, COMPETING, getRound, roundK, roundSettings } from './rounds';
import { allJurors, isActiveRow, loadEntryState, type AssignmentRow } from './round-state';
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
	// Per-entry coverage, counted in SQL: the competing entries from one index, their rows grouped
	// from the (round, application, status) index — not one row per entry brought into JavaScript.
	const competing = sql.raw(COMPETING.map((x) => `'${x}'`).join(', '));
	const cover = db.get<{ entries: number; covered: number; scored: number; short: number }>(sql`
		WITH e AS (
			SELECT a.id AS id FROM applications a
			WHERE a.contest_id = ${round.contestId} AND a.status IN (${competing})
			  AND EXISTS (SELECT 1 FROM round_entries re WHERE re.round_id = ${roundId} AND re.application_id = a.id)
		), c AS (
			SELECT application_id AS id, count(*) AS active, sum(status = 'submitted') AS submitted
			FROM assignments WHERE round_id = ${roundId} AND status IN ('assigned', 'draft', 'submitted') GROUP BY application_id
		)
		SELECT count(*) AS entries, coalesce(sum(coalesce(c.active, 0) >= ${k}), 0) AS covered, coalesce(sum(coalesce(c.submitted, 0) >= ${k}), 0) AS scored,
		       coalesce(sum(coalesce(c.active, 0) < ${k}), 0) AS short
		FROM e LEFT JOIN c ON c.id = e.id`);
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
		entries: cover.entries,
		assignments: totals.assigned + totals.draft + totals.submitted,
		...totals,
		covered: cover.covered,
		scored: cover.scored,
		short: cover.short,
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

/**
 * Entries of a round with their coverage, filtered (number or name), counted and paged in SQL:
 * one statement returns only the page's rows and the total (a window count) — the round is not
 * read into memory nor its applications' JSON parsed in JavaScript. The search (a substring of the
 * number or the name, case folded for Cyrillic too) reads `application_search` and its trigram
 * index (migration 0011), not the applications; one or two characters fall back to a scan of that
 * narrow table with `portal_lower` (= JavaScript's toLowerCase, registered on the connection:
 * SQLite's own lower() folds ASCII only).
 */
export function roundEntriesView(db: DbOrTx, roundId: string, opts: { q?: string; shortOnly?: boolean; limit?: number; offset?: number } = {}): { rows: EntryRow[]; total: number } {
	const round = getRound(db, roundId);
	const k = roundK(round, db.select({ settings: contests.settings }).from(contests).where(eq(contests.id, round.contestId)).get()!.settings);
	const q = (opts.q ?? '').trim().toLowerCase();
	const client = (db as { $client?: Database.Database }).$client;
	if (!client) throw new Error('roundEntriesView needs the database handle, not a transaction');
	registerLower(client);
	const limit = opts.limit ?? 100;
	const offset = opts.offset ?? 0;
	// The competing entries in order come from one index (applications_contest_status_seq_idx)
	// without reading the applications' rows (only a search reads them); «short only» counts each
	// entry's rows in the (round, application, status) index; the coverage counts are computed for
	// the page's rows only. `+s.status` keeps SQLite off the (round, status) index, which would
	// scan every row of the round per entry (the round page hung on it at 24 000 entries).
	// The search reads application_search (migration 0011: number and name, kept by triggers):
	// three characters or more go through its trigram index (a quoted FTS5 phrase = a substring,
	// case folded); one or two characters scan its narrow rows — never the applications' JSON.
	const search =
		q === ''
			? '1'
			: [...q].length >= 3
				? `a.id IN (SELECT s.application_id FROM application_search s WHERE s.id IN (SELECT rowid FROM application_search_fts WHERE application_search_fts MATCH @match))`
				: `a.id IN (SELECT s.application_id FROM application_search s WHERE instr(portal_lower(s.number), @q) > 0 OR instr(portal_lower(s.fio), @q) > 0)`;
	const statement = client.prepare(
		`WITH f AS (
			SELECT a.id AS id, a.seq AS seq
			FROM applications a
			WHERE a.contest_id = @contest AND a.status IN (${COMPETING.map((x) => `'${x}'`).join(', ')})
			  AND EXISTS (SELECT 1 FROM round_entries re WHERE re.round_id = @round AND re.application_id = a.id)
			  AND (@short = 0 OR (SELECT count(*) FROM assignments s WHERE s.round_id = @round AND s.application_id = a.id AND +s.status IN ('assigned', 'draft', 'submitted')) < @k)
			  AND ${search}
		), p AS (SELECT id, seq FROM f ORDER BY seq, id LIMIT @limit OFFSET @offset)
		SELECT a.id AS applicationId, a.number AS number, coalesce(json_extract(a.about, '$.fio'), '') AS fio, n.title AS nominationTitle, a.region_code AS regionCode,
		       (SELECT count(*) FROM assignments s WHERE s.round_id = @round AND s.application_id = a.id AND +s.status IN ('assigned', 'draft', 'submitted')) AS active,
		       (SELECT count(*) FROM assignments s WHERE s.round_id = @round AND s.application_id = a.id AND +s.status = 'submitted') AS submitted,
		       (SELECT count(*) FROM f) AS total
		FROM p JOIN applications a ON a.id = p.id JOIN nominations n ON n.id = a.nomination_id
		ORDER BY p.seq, p.id`
	);
	const args = { round: roundId, contest: round.contestId, short: opts.shortOnly ? 1 : 0, k, ...(q === '' ? {} : [...q].length >= 3 ? { match: `"${q.replaceAll('"', '""')}"` } : { q }) };
	const rows = statement.all({ ...args, limit, offset }) as (EntryRow & { total: number })[];
	const total = rows[0]?.total ?? (offset > 0 ? (statement.all({ ...args, limit: 1, offset: 0 }) as { total: number }[])[0]?.total ?? 0 : 0);
	return { total, rows: rows.map(({ total: _total, ...r }) => ({ ...r, fio: String(r.fio) })) };
}

const withLower = new WeakSet<object>();
function registerLower(client: Database.Database): void {
	if (withLower.has(client)) return;
	client.function('portal_lower', { deterministic: true }, (x: unknown) => (typeof x === 'string' ? x.toLowerCase() : x));
	withLower.add(client);
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
	const s = loadEntryState(db, roundId, applicationId);
	const app = db
		.select({ a: applications, nominationTitle: nominations.title })
		.from(applications)
		.innerJoin(nominations, eq(nominations.id, applications.nominationId))
		.where(and(eq(applications.id, applicationId), eq(applications.contestId, s.contest.id)))
		.get();
	if (!app) throw notFound('Заявка не найдена');
	const loads = s.loads;
	const rows = [...s.rows.values()]
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
