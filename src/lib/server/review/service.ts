/**
 * The routing wired to the database (DESIGN.md, flow 3). The pure `routeAssignments` decides;
 * this module builds its input from a round (entries, juror profiles, conflicts, settings),
 * turns its output into a plan against the assignments stored now (what to add, what to remove),
 * shows the plan as a preview and applies it in one transaction with an audit event per change.
 *
 * Semantics of the stored assignments for the routing:
 * - active rows are `assigned`, `draft`, `submitted`; `recused` and `removed` rows are history;
 * - locked (kept whatever the balance says, while still eligible): placed by hand (`manual`), or
 *   started (`draft`, `startedAt`), or `submitted`;
 * - a juror who dropped out (profile inactive, user blocked, or not in the round's jury) keeps
 *   only the submitted assessments: the routing sees them with capacity = their submitted count,
 *   so the unfinished pairs move to others;
 * - a removed pair may be routed again later (nothing forbids it) unless a conflict is recorded:
 *   the organizer removing a juror for a reason marks the conflict, and recusals are conflicts.
 * Applying re-computes the plan inside the transaction and refuses (409) when it differs from
 * the previewed one, so what the organizer saw is exactly what is written.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeHexLowerCase } from '@oslojs/encoding';
import type { DB } from '../db/client';
import { applications, assignments, auditEvents, conflicts, contests, jurorProfiles, nominations, roundEntries, rounds, users } from '../db/schema';
import { newId } from '../ids';
import { DomainError, notFound } from '../errors';
import { audit } from '../audit';
import { contestSettings } from '../contests/settings';
import {
	conflictKey,
	conflictReason,
	routeAssignments,
	type ConflictReason,
	type RoutingApplication,
	type RoutingConflict,
	type RoutingInput,
	type RoutingJuror,
	type RoutingPair,
	type RoutingResult
} from './routing';
import { getRound, lateEntryIds, roundK, roundSettings, COMPETING, type Round } from './rounds';

export const ACTIVE_STATUSES: ('assigned' | 'draft' | 'submitted')[] = ['assigned', 'draft', 'submitted'];
type AssignmentRow = typeof assignments.$inferSelect;

export const CONFLICT_TITLE: Record<ConflictReason | 'inactive' | 'no_expertise' | 'not_in_round' | 'capacity' | 'already', string> = {
	own_entry: 'это собственная заявка эксперта',
	same_organization: 'эксперт из той же организации, что и заявитель',
	same_region: 'эксперт из того же региона, что и заявитель',
	declared: 'отмечен конфликт интересов',
	recused: 'эксперт взял самоотвод по этой заявке',
	inactive: 'эксперт выбыл (профиль неактивен)',
	no_expertise: 'эксперт не оценивает эту номинацию',
	not_in_round: 'эксперт не входит в жюри этого тура',
	capacity: 'у эксперта исчерпана ёмкость тура',
	already: 'эксперт уже назначен на эту заявку'
};

// ---------------------------------------------------------------------------------------------
// reading

export interface JurorInfo {
	userId: string;
	fio: string;
	email: string;
	regionCode: string | null;
	organization: string;
	capacity: number;
	/** profile active, user not blocked */
	active: boolean;
	/** all nomination ids of expertise (of any contest) */
	nominationIds: string[];
	/** has not set a password yet */
	invited: boolean;
}

/** Every user with the jury role that has a profile. */
export function allJurors(db: DB): JurorInfo[] {
	return db
		.select({ p: jurorProfiles, u: { id: users.id, fio: users.fio, email: users.email, blockedAt: users.blockedAt, passwordHash: users.passwordHash } })
		.from(jurorProfiles)
		.innerJoin(users, eq(users.id, jurorProfiles.userId))
		.where(eq(users.role, 'jury'))
		.orderBy(asc(users.fio))
		.all()
		.map(({ p, u }) => ({
			userId: u.id,
			fio: u.fio,
			email: u.email,
			regionCode: p.regionCode,
			organization: p.organization,
			capacity: p.capacity,
			active: p.active && !u.blockedAt,
			nominationIds: p.nominationIds ?? [],
			invited: !u.passwordHash
		}));
}

interface AppInfo extends RoutingApplication {
	number: string | null;
	status: string;
	late: boolean;
}

export interface RoundState {
	round: Round;
	contest: typeof contests.$inferSelect;
	k: number;
	sameRegionConflict: boolean;
	nominationIds: Set<string>;
	apps: Map<string, AppInfo>;
	/** competing entries of the round + (round 1) late entries, ordered by id */
	appIds: string[];
	late: string[];
	jurors: Map<string, JurorInfo>;
	/** every assignment row of the round, by `${applicationId}:${jurorId}` */
	rows: Map<string, AssignmentRow>;
	conflicts: RoutingConflict[];
	/** round jury restriction */
	inRound: (jurorId: string) => boolean;
}

const pairKey = (applicationId: string, jurorId: string) => `${applicationId}:${jurorId}`;

function chunks<T>(arr: T[], n = 500): T[][] {
	const out: T[][] = [];
	for (let i = 0; i < arr.length; i += n) out.push(arr.slice(i, i + n));
	return out;
}

/** Everything the routing of one round depends on, read in one go. */
export function loadRoundState(db: DB, roundId: string): RoundState {
	const round = getRound(db, roundId);
	const contest = db.select().from(contests).where(eq(contests.id, round.contestId)).get()!;
	const cs = contestSettings(contest.settings);
	const rs = roundSettings(round.settings);
	const nominationIds = new Set(db.select({ id: nominations.id }).from(nominations).where(eq(nominations.contestId, contest.id)).all().map((n) => n.id));
	const late = lateEntryIds(db, round);
	const lateSet = new Set(late);
	const appRows = db
		.select({
			id: applications.id,
			nominationId: applications.nominationId,
			regionCode: applications.regionCode,
			organization: applications.organization,
			applicantId: applications.applicantId,
			number: applications.number,
			status: applications.status
		})
		.from(roundEntries)
		.innerJoin(applications, eq(applications.id, roundEntries.applicationId))
		.where(eq(roundEntries.roundId, roundId))
		.all();
	if (late.length)
		for (const part of chunks(late))
			appRows.push(
				...db
					.select({
						id: applications.id,
						nominationId: applications.nominationId,
						regionCode: applications.regionCode,
						organization: applications.organization,
						applicantId: applications.applicantId,
						number: applications.number,
						status: applications.status
					})
					.from(applications)
					.where(inArray(applications.id, part))
					.all()
			);
	const apps = new Map<string, AppInfo>();
	for (const a of appRows) {
		if (!COMPETING.includes(a.status)) continue;
		apps.set(a.id, {
			id: a.id,
			nominationId: a.nominationId,
			region: a.regionCode ?? '',
			organization: a.organization ?? '',
			applicantUserId: a.applicantId,
			number: a.number,
			status: a.status,
			late: lateSet.has(a.id)
		});
	}
	const appIds = [...apps.keys()].sort();
	const rows = new Map<string, AssignmentRow>();
	for (const r of db.select().from(assignments).where(eq(assignments.roundId, roundId)).all()) rows.set(pairKey(r.applicationId, r.jurorId), r);
	const jurors = new Map<string, JurorInfo>();
	for (const j of allJurors(db)) jurors.set(j.userId, j);
	const conflictRows = db
		.select({ jurorId: conflicts.jurorId, applicationId: conflicts.applicationId, reason: conflicts.reason })
		.from(conflicts)
		.innerJoin(applications, eq(applications.id, conflicts.applicationId))
		.where(eq(applications.contestId, contest.id))
		.all();
	const jurySet = rs.jurorIds ? new Set(rs.jurorIds) : null;
	return {
		round,
		contest,
		k: roundK(round, contest.settings),
		sameRegionConflict: cs.sameRegionConflict,
		nominationIds,
		apps,
		appIds,
		late,
		jurors,
		rows,
		conflicts: conflictRows.filter((c) => apps.has(c.applicationId)),
		inRound: (id) => !jurySet || jurySet.has(id)
	};
}

function isActiveRow(r: AssignmentRow): boolean {
	return (ACTIVE_STATUSES as string[]).includes(r.status);
}

function isLocked(r: AssignmentRow): boolean {
	return r.source === 'manual' || r.status === 'draft' || r.status === 'submitted' || r.startedAt !== null;
}

/** Builds the routing input of a round (see the module comment for the semantics). */
export function buildRoutingInput(s: RoundState, opts: { rebalance?: boolean } = {}): RoutingInput {
	const activeRows = [...s.rows.values()].filter(isActiveRow);
	const submittedBy = new Map<string, number>();
	for (const r of activeRows) if (r.status === 'submitted') submittedBy.set(r.jurorId, (submittedBy.get(r.jurorId) ?? 0) + 1);
	const withRows = new Set(activeRows.map((r) => r.jurorId));
	const jurors: RoutingJuror[] = [];
	const droppedOut = new Set<string>();
	for (const j of s.jurors.values()) {
		const noms = j.nominationIds.filter((n) => s.nominationIds.has(n));
		if (noms.length === 0 && !withRows.has(j.userId)) continue;
		const present = j.active && s.inRound(j.userId);
		if (present) {
			jurors.push({ id: j.userId, userId: j.userId, nominationIds: noms, region: j.regionCode ?? '', organization: j.organization, capacity: j.capacity, active: true });
		} else {
			droppedOut.add(j.userId);
			const done = submittedBy.get(j.userId) ?? 0;
			// A juror who dropped out keeps the finished assessments and takes nothing new.
			jurors.push({ id: j.userId, userId: j.userId, nominationIds: noms, region: j.regionCode ?? '', organization: j.organization, capacity: done, active: done > 0 });
		}
	}
	let existing = activeRows
		.filter((r) => s.apps.has(r.applicationId))
		.map((r) => ({
			applicationId: r.applicationId,
			jurorId: r.jurorId,
			locked: droppedOut.has(r.jurorId) ? r.status === 'submitted' : isLocked(r)
		}));
	if (opts.rebalance) existing = trimForBalance(existing, jurors, s.apps.size * s.k);
	return {
		applications: s.appIds.map((id) => {
			const a = s.apps.get(id)!;
			return { id: a.id, nominationId: a.nominationId, region: a.region, organization: a.organization, applicantUserId: a.applicantUserId };
		}),
		jurors,
		conflicts: s.conflicts,
		settings: { k: s.k, sameRegionConflict: s.sameRegionConflict },
		existing
	};
}

/**
 * «Выровнять нагрузку»: drops the unlocked pairs of jurors loaded above the average
 * (⌊K·entries / active jurors⌋), largest application id first, so that the routing spreads them
 * again over everyone — a juror who joined late gets a fair share. Locked pairs never move.
 */
function trimForBalance(existing: (RoutingPair & { locked: boolean })[], jurors: RoutingJuror[], totalNeeded: number) {
	const active = jurors.filter((j) => j.active !== false && j.capacity > 0 && j.nominationIds.length > 0);
	if (!active.length) return existing;
	const target = Math.max(1, Math.floor(totalNeeded / active.length));
	const byJuror = new Map<string, (RoutingPair & { locked: boolean })[]>();
	for (const e of existing) {
		const l = byJuror.get(e.jurorId);
		if (l) l.push(e);
		else byJuror.set(e.jurorId, [e]);
	}
	// Already balanced (every active juror within one of the others): nothing to free, so that
	// balancing twice changes nothing.
	const loads = active.map((j) => byJuror.get(j.id)?.length ?? 0);
	if (Math.max(...loads) - Math.min(...loads) <= 1) return existing;
	const drop = new Set<RoutingPair & { locked: boolean }>();
	// Freed pairs of distinct applications first: one newcomer can take only one pair per entry.
	const freedApps = new Set<string>();
	const order = [...byJuror.entries()].sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1));
	for (const [, list] of order) {
		let surplus = list.length - target;
		if (surplus <= 0) continue;
		const unlocked = list
			.filter((e) => !e.locked)
			.sort((a, b) => Number(freedApps.has(a.applicationId)) - Number(freedApps.has(b.applicationId)) || (a.applicationId < b.applicationId ? 1 : a.applicationId > b.applicationId ? -1 : 0));
		for (const e of unlocked) {
			if (surplus-- <= 0) break;
			drop.add(e);
			freedApps.add(e.applicationId);
		}
	}
	return existing.filter((e) => !drop.has(e));
}

// ---------------------------------------------------------------------------------------------
// the plan

export interface Plan {
	state: RoundState;
	result: RoutingResult;
	/** pairs to create (or to revive from a removed row) */
	toAdd: RoutingPair[];
	/** active rows to remove */
	toRemove: AssignmentRow[];
	/** identifies the plan: apply refuses when the recomputed plan differs */
	digest: string;
	/** active loads now and after, per juror */
	loadsBefore: Map<string, number>;
	loadsAfter: Map<string, number>;
}

export function computePlan(db: DB, roundId: string, opts: { rebalance?: boolean } = {}): Plan {
	const state = loadRoundState(db, roundId);
	const input = buildRoutingInput(state, opts);
	const result = routeAssignments(input);
	const current = new Map<string, AssignmentRow>();
	for (const r of state.rows.values()) if (isActiveRow(r)) current.set(pairKey(r.applicationId, r.jurorId), r);
	const final = new Set(result.assignments.map((p) => pairKey(p.applicationId, p.jurorId)));
	const toAdd = result.assignments.filter((p) => !current.has(pairKey(p.applicationId, p.jurorId)));
	const toRemove = [...current.values()].filter((r) => !final.has(pairKey(r.applicationId, r.jurorId))).sort((a, b) => (a.id < b.id ? -1 : 1));
	const loadsBefore = new Map<string, number>();
	for (const r of current.values()) loadsBefore.set(r.jurorId, (loadsBefore.get(r.jurorId) ?? 0) + 1);
	const loadsAfter = new Map<string, number>(Object.entries(result.loads));
	// rows of applications that left the round (withdrawn) are removed and not counted by the routing
	const h = JSON.stringify([
		state.late,
		toAdd.map((p) => pairKey(p.applicationId, p.jurorId)),
		toRemove.map((r) => `${r.id}:${r.version}`)
	]);
	const digest = encodeHexLowerCase(sha256(new TextEncoder().encode(h))).slice(0, 32);
	return { state, result, toAdd, toRemove, digest, loadsBefore, loadsAfter };
}

export interface PreviewJuror {
	userId: string;
	fio: string;
	capacity: number;
	active: boolean;
	before: number;
	after: number;
	added: number;
	removed: number;
}

export interface Preview {
	digest: string;
	rebalance: boolean;
	k: number;
	entries: number;
	late: number;
	added: number;
	removed: number;
	kept: number;
	/** entries with K jurors after applying */
	coveredFully: number;
	unplaced: { applicationId: string; number: string | null; needed: number; placed: number; reasons: string[] }[];
	jurors: PreviewJuror[];
	minLoad: number;
	maxLoad: number;
}

/** The plan as the organizer sees it before applying: numbers, loads, what cannot be placed and why. */
export function previewRouting(db: DB, roundId: string, opts: { rebalance?: boolean } = {}): Preview {
	const plan = computePlan(db, roundId, opts);
	return describePlan(plan, !!opts.rebalance);
}

function describePlan(plan: Plan, rebalance: boolean): Preview {
	const { state, result } = plan;
	const addedBy = new Map<string, number>();
	for (const p of plan.toAdd) addedBy.set(p.jurorId, (addedBy.get(p.jurorId) ?? 0) + 1);
	const removedBy = new Map<string, number>();
	for (const r of plan.toRemove) removedBy.set(r.jurorId, (removedBy.get(r.jurorId) ?? 0) + 1);
	const ids = new Set([...plan.loadsBefore.keys(), ...plan.loadsAfter.keys()]);
	const jurors: PreviewJuror[] = [...ids]
		.map((id) => {
			const j = state.jurors.get(id);
			return {
				userId: id,
				fio: j?.fio ?? '—',
				capacity: j?.capacity ?? 0,
				active: !!j && j.active && state.inRound(id),
				before: plan.loadsBefore.get(id) ?? 0,
				after: plan.loadsAfter.get(id) ?? 0,
				added: addedBy.get(id) ?? 0,
				removed: removedBy.get(id) ?? 0
			};
		})
		.sort((a, b) => a.fio.localeCompare(b.fio, 'ru'));
	const activeLoads = jurors.filter((j) => j.active).map((j) => j.after);
	return {
		digest: plan.digest,
		rebalance,
		k: state.k,
		entries: state.apps.size,
		late: state.late.filter((id) => state.apps.has(id)).length,
		added: plan.toAdd.length,
		removed: plan.toRemove.length,
		kept: result.assignments.length - plan.toAdd.length,
		coveredFully: result.stats.coveredFully,
		unplaced: result.unplaced.map((u) => ({ applicationId: u.applicationId, number: state.apps.get(u.applicationId)?.number ?? null, needed: u.needed, placed: u.placed, reasons: u.reasons })),
		jurors,
		minLoad: activeLoads.length ? Math.min(...activeLoads) : 0,
		maxLoad: activeLoads.length ? Math.max(...activeLoads) : 0
	};
}

export interface ApplySummary {
	added: number;
	removed: number;
	late: number;
	unplaced: number;
	coveredFully: number;
	entries: number;
}

type AuditRow = typeof auditEvents.$inferInsert;

/**
 * Bulk insert of new assignments and their audit events with two prepared statements (building
 * one multi-row statement per chunk costs drizzle ~10× more for 72 000 rows).
 */
function insertMany(d: DB, rows: (typeof assignments.$inferInsert)[], events: AuditRow[]) {
	const p = (name: string) => sql.placeholder(name);
	if (rows.length) {
		const ins = d
			.insert(assignments)
			.values({ id: p('id'), roundId: p('roundId'), applicationId: p('applicationId'), jurorId: p('jurorId'), status: 'assigned', source: 'auto', version: 1, createdAt: p('createdAt'), updatedAt: p('createdAt') })
			.prepare();
		for (const r of rows) ins.run({ id: r.id, roundId: r.roundId, applicationId: r.applicationId, jurorId: r.jurorId, createdAt: r.createdAt });
	}
	if (events.length) {
		const ins = d
			.insert(auditEvents)
			.values({ actorId: p('actorId'), action: p('action'), entity: 'assignment', entityId: p('entityId'), before: p('before'), after: p('after'), createdAt: p('createdAt') })
			.prepare();
		for (const e of events)
			ins.run({
				actorId: e.actorId ?? null,
				action: e.action,
				entityId: e.entityId ?? null,
				before: e.before ?? null,
				after: e.after ?? null,
				createdAt: e.createdAt
			});
	}
}

/** Writes a plan: late entries join the round, removed rows are marked, new rows inserted; all audited. */
function writePlan(d: DB, plan: Plan, actorId: string | null, now: Date, filter?: (applicationId: string) => boolean): ApplySummary {
	const { state } = plan;
	const roundId = state.round.id;
	const runId = newId();
	const keep = filter ?? (() => true);
	const late = state.late.filter((id) => state.apps.has(id) && keep(id));
	for (const part of chunks(late)) d.insert(roundEntries).values(part.map((applicationId) => ({ roundId, applicationId, createdAt: now }))).onConflictDoNothing().run();
	const events: AuditRow[] = [];
	const toRemove = plan.toRemove.filter((r) => keep(r.applicationId));
	for (const part of chunks(toRemove)) {
		d.update(assignments)
			.set({ status: 'removed', version: sql`${assignments.version} + 1`, updatedAt: now })
			.where(inArray(assignments.id, part.map((r) => r.id)))
			.run();
		for (const r of part)
			events.push({ actorId, action: 'assignment.remove', entity: 'assignment', entityId: r.id, before: { status: r.status, roundId, applicationId: r.applicationId, jurorId: r.jurorId }, after: { status: 'removed', by: 'routing', run: runId }, createdAt: now });
	}
	const toAdd = plan.toAdd.filter((p) => keep(p.applicationId));
	const fresh: (typeof assignments.$inferInsert)[] = [];
	for (const p of toAdd) {
		const old = state.rows.get(pairKey(p.applicationId, p.jurorId));
		if (old) {
			// A removed pair chosen again: the row comes back with its history.
			d.update(assignments)
				.set({ status: old.submittedAt || old.startedAt ? 'draft' : 'assigned', source: 'auto', submittedAt: null, version: sql`${assignments.version} + 1`, updatedAt: now })
				.where(eq(assignments.id, old.id))
				.run();
			events.push({ actorId, action: 'assignment.add', entity: 'assignment', entityId: old.id, before: { status: old.status }, after: { status: 'assigned', source: 'auto', roundId, applicationId: p.applicationId, jurorId: p.jurorId, run: runId }, createdAt: now });
		} else {
			const id = newId();
			fresh.push({ id, roundId, applicationId: p.applicationId, jurorId: p.jurorId, status: 'assigned', source: 'auto', version: 1, createdAt: now, updatedAt: now });
			events.push({ actorId, action: 'assignment.add', entity: 'assignment', entityId: id, after: { status: 'assigned', source: 'auto', roundId, applicationId: p.applicationId, jurorId: p.jurorId, run: runId }, createdAt: now });
		}
	}
	insertMany(d, fresh, events);
	const unplaced = plan.result.unplaced.filter((u) => keep(u.applicationId)).length;
	const summary: ApplySummary = { added: toAdd.length, removed: toRemove.length, late: late.length, unplaced, coveredFully: plan.result.stats.coveredFully, entries: state.apps.size };
	audit(d, { actorId, action: filter ? 'routing.entry' : 'routing.apply', entity: 'round', entityId: roundId, after: { ...summary, run: runId, digest: plan.digest } }, now);
	return summary;
}

/**
 * Applies the routing of a round in one transaction. `digest` (from the preview) makes sure the
 * written plan is the one the organizer saw; without it, the current plan is applied.
 */
export function applyRouting(db: DB, actorId: string | null, roundId: string, opts: { digest?: string; rebalance?: boolean } = {}, now = new Date()): ApplySummary {
	return db.transaction((tx) => {
		const d = tx as unknown as DB;
		const round = getRound(d, roundId);
		if (round.status === 'closed') throw new DomainError(409, 'round_closed', 'Тур закрыт: распределение изменить нельзя');
		const plan = computePlan(d, roundId, { rebalance: opts.rebalance });
		if (opts.digest && opts.digest !== plan.digest)
			throw new DomainError(409, 'stale_preview', 'После предпросмотра данные изменились (назначения, эксперты или заявки). Посмотрите обновлённый предпросмотр и примените его.');
		return writePlan(d, plan, actorId, now);
	});
}

/**
 * Re-routes one entry of a round (after a recusal or a removal): only the pairs of that entry
 * change; everything else stays as it is. No-op for closed or unknown rounds.
 */
export function rerouteEntry(db: DB, actorId: string | null, roundId: string, applicationId: string, now = new Date()): ApplySummary | null {
	return db.transaction((tx) => {
		const d = tx as unknown as DB;
		const round = getRound(d, roundId);
		if (round.status === 'closed') return null;
		const plan = computePlan(d, roundId);
		if (!plan.state.apps.has(applicationId)) return null;
		return writePlan(d, plan, actorId, now, (id) => id === applicationId);
	});
}

// ---------------------------------------------------------------------------------------------
// manual edits

export type PairCheck = { ok: true } | { ok: false; code: keyof typeof CONFLICT_TITLE | 'not_entry' | 'unknown_juror'; message: string };

/** Whether a juror may be put on an entry of the round by hand, and why not. */
export function checkPair(s: RoundState, applicationId: string, jurorId: string): PairCheck {
	const app = s.apps.get(applicationId);
	if (!app) return { ok: false, code: 'not_entry', message: 'Заявка не входит в этот тур (или отозвана)' };
	const j = s.jurors.get(jurorId);
	if (!j) return { ok: false, code: 'unknown_juror', message: 'Эксперт не найден' };
	const fail = (code: keyof typeof CONFLICT_TITLE): PairCheck => ({ ok: false, code, message: CONFLICT_TITLE[code] });
	const existing = s.rows.get(pairKey(applicationId, jurorId));
	if (existing && isActiveRow(existing)) return fail('already');
	if (!j.active) return fail('inactive');
	if (!s.inRound(jurorId)) return fail('not_in_round');
	if (!j.nominationIds.includes(app.nominationId)) return fail('no_expertise');
	const declared = new Map<string, 'declared' | 'recused'>();
	for (const c of s.conflicts) if (c.applicationId === applicationId) declared.set(conflictKey(c.jurorId, c.applicationId), c.reason);
	const reason = conflictReason(app, { id: j.userId, userId: j.userId, nominationIds: j.nominationIds, region: j.regionCode ?? '', organization: j.organization, capacity: j.capacity }, { k: s.k, sameRegionConflict: s.sameRegionConflict }, declared);
	if (reason) return fail(reason);
	let load = 0;
	for (const r of s.rows.values()) if (r.jurorId === jurorId && isActiveRow(r)) load++;
	if (load >= j.capacity) return { ok: false, code: 'capacity', message: `${CONFLICT_TITLE.capacity} (${load} из ${j.capacity})` };
	return { ok: true };
}

function assertOpenForEdits(round: Round) {
	if (round.status === 'closed') throw new DomainError(409, 'round_closed', 'Тур закрыт: назначения изменить нельзя');
}

function refuse(check: PairCheck): never {
	if (check.ok) throw new Error('unreachable');
	throw new DomainError(409, check.code, `Нельзя назначить: ${check.message}`);
}

/** Puts a juror on an entry by hand (source `manual`: the routing keeps it). */
export function addAssignment(db: DB, actorId: string | null, roundId: string, applicationId: string, jurorId: string, now = new Date()): AssignmentRow {
	return db.transaction((tx) => {
		const d = tx as unknown as DB;
		const s = loadRoundState(d, roundId);
		assertOpenForEdits(s.round);
		const check = checkPair(s, applicationId, jurorId);
		if (!check.ok) refuse(check);
		return insertManual(d, s, applicationId, jurorId, actorId, now, 'assignment.add');
	});
}

function insertManual(d: DB, s: RoundState, applicationId: string, jurorId: string, actorId: string | null, now: Date, action: string): AssignmentRow {
	const roundId = s.round.id;
	if (s.apps.get(applicationId)?.late) d.insert(roundEntries).values({ roundId, applicationId, createdAt: now }).onConflictDoNothing().run();
	const old = s.rows.get(pairKey(applicationId, jurorId));
	let row: AssignmentRow;
	if (old) {
		row = d
			.update(assignments)
			.set({ status: old.startedAt ? 'draft' : 'assigned', source: 'manual', submittedAt: null, version: sql`${assignments.version} + 1`, updatedAt: now })
			.where(eq(assignments.id, old.id))
			.returning()
			.get();
	} else {
		row = d.insert(assignments).values({ id: newId(), roundId, applicationId, jurorId, status: 'assigned', source: 'manual', createdAt: now, updatedAt: now }).returning().get();
	}
	audit(d, { actorId, action, entity: 'assignment', entityId: row.id, before: old ? { status: old.status } : null, after: { status: row.status, source: 'manual', roundId, applicationId, jurorId } }, now);
	return row;
}

function loadAssignment(d: DB, assignmentId: string): AssignmentRow {
	const row = d.select().from(assignments).where(eq(assignments.id, assignmentId)).get();
	if (!row) throw notFound('Назначение не найдено');
	return row;
}

/**
 * Takes a juror off an entry. With `conflict`, a declared conflict is recorded too, so that the
 * routing never puts this juror on this entry again. A submitted assessment can be removed (it
 * then does not count); its scores stay in the database.
 */
export function removeAssignment(db: DB, actorId: string | null, assignmentId: string, opts: { comment?: string; conflict?: boolean } = {}, now = new Date()): AssignmentRow {
	return db.transaction((tx) => {
		const d = tx as unknown as DB;
		const row = loadAssignment(d, assignmentId);
		assertOpenForEdits(getRound(d, row.roundId));
		if (!isActiveRow(row)) throw new DomainError(409, 'not_active', 'Это назначение уже снято');
		const next = d
			.update(assignments)
			.set({ status: 'removed', version: sql`${assignments.version} + 1`, updatedAt: now })
			.where(eq(assignments.id, row.id))
			.returning()
			.get();
		if (opts.conflict) upsertConflict(d, row.jurorId, row.applicationId, 'declared', opts.comment ?? '', actorId, now);
		audit(d, { actorId, action: 'assignment.remove', entity: 'assignment', entityId: row.id, before: { status: row.status }, after: { status: 'removed', by: 'organizer', comment: opts.comment ?? '', conflict: !!opts.conflict } }, now);
		return next;
	});
}

/** Moves an assignment that is not submitted to another juror (checks the new pair). */
export function moveAssignment(db: DB, actorId: string | null, assignmentId: string, toJurorId: string, now = new Date()): AssignmentRow {
	return db.transaction((tx) => {
		const d = tx as unknown as DB;
		const row = loadAssignment(d, assignmentId);
		if (!isActiveRow(row)) throw new DomainError(409, 'not_active', 'Это назначение уже снято');
		if (row.status === 'submitted') throw new DomainError(409, 'submitted', 'Оценка по этому назначению уже отправлена: перенести его нельзя (можно снять, тогда оценка не будет учитываться)');
		if (row.jurorId === toJurorId) throw new DomainError(400, 'same_juror', 'Выберите другого эксперта');
		const s = loadRoundState(d, row.roundId);
		assertOpenForEdits(s.round);
		const check = checkPair(s, row.applicationId, toJurorId);
		if (!check.ok) refuse(check);
		d.update(assignments).set({ status: 'removed', version: sql`${assignments.version} + 1`, updatedAt: now }).where(eq(assignments.id, row.id)).run();
		audit(d, { actorId, action: 'assignment.move', entity: 'assignment', entityId: row.id, before: { status: row.status, jurorId: row.jurorId }, after: { status: 'removed', movedTo: toJurorId } }, now);
		return insertManual(d, s, row.applicationId, toJurorId, actorId, now, 'assignment.move');
	});
}

/** Records a declared or recused conflict; a recusal is never downgraded to declared. */
export function upsertConflict(d: DB, jurorId: string, applicationId: string, reason: 'declared' | 'recused', comment: string, actorId: string | null, now: Date) {
	const old = d.select().from(conflicts).where(and(eq(conflicts.jurorId, jurorId), eq(conflicts.applicationId, applicationId))).get();
	if (old) {
		const nextReason = old.reason === 'recused' ? 'recused' : reason;
		d.update(conflicts).set({ reason: nextReason, comment: comment || old.comment, updatedAt: now }).where(eq(conflicts.id, old.id)).run();
		audit(d, { actorId, action: 'conflict.update', entity: 'conflict', entityId: old.id, before: { reason: old.reason, comment: old.comment }, after: { reason: nextReason, comment: comment || old.comment } }, now);
		return old.id;
	}
	const id = newId();
	d.insert(conflicts).values({ id, jurorId, applicationId, reason, comment, createdAt: now, updatedAt: now }).run();
	audit(d, { actorId, action: 'conflict.create', entity: 'conflict', entityId: id, after: { jurorId, applicationId, reason, comment } }, now);
	return id;
}

// ---------------------------------------------------------------------------------------------
// progress

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

export function roundProgress(db: DB, roundId: string): RoundProgress {
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
	for (const j of info.values()) {
		if (rs.jurorIds && !rs.jurorIds.includes(j.userId)) continue;
		if (!j.nominationIds.some((n) => contestNoms.has(n))) continue;
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
export function roundEntriesView(db: DB, roundId: string, opts: { q?: string; shortOnly?: boolean; limit?: number; offset?: number } = {}): { rows: EntryRow[]; total: number } {
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
export function entryAssignments(db: DB, roundId: string, applicationId: string): EntryAssignments {
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
export function activeLoadOf(db: DB, jurorId: string): { roundId: string; number: number; title: string; contestId: string; n: number }[] {
	return db
		.select({ roundId: rounds.id, number: rounds.number, title: rounds.title, contestId: rounds.contestId, n: sql<number>`count(*)` })
		.from(assignments)
		.innerJoin(rounds, eq(rounds.id, assignments.roundId))
		.where(and(eq(assignments.jurorId, jurorId), inArray(assignments.status, ACTIVE_STATUSES), inArray(rounds.status, ['draft', 'active'])))
		.groupBy(rounds.id)
		.all();
}
