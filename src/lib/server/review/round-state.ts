/**
 * What the routing of a round reads (DESIGN.md, flow 3): its entries, the juror profiles, the
 * conflicts, the settings and the assignments stored now, in one go (`loadRoundState`), and the
 * input of the pure `routeAssignments` built from them (`buildRoutingInput`). The plan
 * (plan.ts), the manual edits (assignments.ts) and the read views (views.ts) all start here, so
 * they see a round the same way.
 *
 * Semantics of the stored assignments for the routing:
 * - active rows are `assigned`, `draft`, `submitted`; `recused` and `removed` rows are history;
 * - locked (kept whatever the balance says, while still eligible): placed by hand (`manual`), or
 *   started (`draft`, `startedAt`), or `submitted`;
 * - a juror who dropped out (profile inactive, user blocked, or not in the round's jury) keeps
 *   only the submitted assessments: the routing sees them with capacity = their submitted count,
 *   so the unfinished pairs move to others;
 * - a removed pair may be routed again later (nothing forbids it) unless a conflict is recorded:
 *   the organizer removing a juror for a reason marks the conflict, and recusals are conflicts;
 * - the own jury of a round after the first (the final jury, `settings.jurorIds`) judges every
 *   nomination of the contest, whatever the members' expertise; in round 1 a jury only narrows
 *   who takes part.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { applications, assignments, conflicts, contests, jurorProfiles, nominations, roundEntries, users } from '../db/schema';
import { contestSettings } from '../contests/settings';
import type { RoutingApplication, RoutingConflict, RoutingInput, RoutingJuror, RoutingPair } from './routing';
import { ACTIVE_STATUSES, COMPETING, NOT_COMPETING, getRound, lateEntryIds, roundK, roundSettings, type Round } from './rounds';
import { DEFAULT_ROUTING_PREFS, isDefaultPrefs, routingWeights, type RoutingPrefs } from './routing-prefs';
import { sphereOfEntry } from '../../data/spheres';

export type AssignmentRow = typeof assignments.$inferSelect;

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
	/** areas of expertise: sphere codes and free tags (routing affinity) */
	expertise: { spheres: string[]; tags: string[] };
}

/** Every user with the jury role that has a profile. */
export function allJurors(db: DbOrTx): JurorInfo[] {
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
			invited: !u.passwordHash,
			expertise: { spheres: p.expertiseSpheres ?? [], tags: p.expertiseTags ?? [] }
		}));
}

export interface AppInfo extends RoutingApplication {
	number: string | null;
	status: string;
	late: boolean;
}

export interface RoundState {
	round: Round;
	contest: typeof contests.$inferSelect;
	k: number;
	sameRegionConflict: boolean;
	/** the organizer's routing preferences of the round (expertise, districts, connectivity) */
	prefs: RoutingPrefs;
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
	/** active assignments per juror when `rows` holds part of the round only (loadEntryState) */
	loads?: Map<string, number>;
}

export const pairKey = (applicationId: string, jurorId: string) => `${applicationId}:${jurorId}`;

export function chunks<T>(arr: T[], n = 500): T[][] {
	const out: T[][] = [];
	for (let i = 0; i < arr.length; i += n) out.push(arr.slice(i, i + n));
	return out;
}

/** The application columns the routing reads (the practice's sphere and tags from its JSON, in SQL). */
function appColumns() {
	return {
		id: applications.id,
		nominationId: applications.nominationId,
		regionCode: applications.regionCode,
		organization: applications.organization,
		applicantId: applications.applicantId,
		number: applications.number,
		status: applications.status,
		sphere: PRACTICE_SPHERE,
		tags: PRACTICE_TAGS
	};
}

type AppRow = { id: string; nominationId: string; regionCode: string | null; organization: string | null; applicantId: string; number: string | null; status: string; sphere: string | null; tags: string | null };

function toAppInfo(a: AppRow, late: boolean, nomination: Parameters<typeof sphereOfEntry>[1]): AppInfo {
	return {
		id: a.id,
		nominationId: a.nominationId,
		region: a.regionCode ?? '',
		organization: a.organization ?? '',
		applicantUserId: a.applicantId,
		number: a.number,
		status: a.status,
		late,
		sphere: sphereOfEntry(a.sphere, nomination),
		tags: parseTags(a.tags)
	};
}

/** Everything the routing of one round depends on, read in one go. */
export function loadRoundState(db: DbOrTx, roundId: string): RoundState {
	const round = getRound(db, roundId);
	const contest = db.select().from(contests).where(eq(contests.id, round.contestId)).get()!;
	const cs = contestSettings(contest.settings);
	const rs = roundSettings(round.settings);
	const nominationRows = db.select({ id: nominations.id, slug: nominations.slug, title: nominations.title }).from(nominations).where(eq(nominations.contestId, contest.id)).all();
	const nominationIds = new Set(nominationRows.map((n) => n.id));
	const nominationById = new Map(nominationRows.map((n) => [n.id, n]));
	const late = lateEntryIds(db, round);
	const lateSet = new Set(late);
	const appRows = db
		.select(appColumns())
		.from(roundEntries)
		.innerJoin(applications, eq(applications.id, roundEntries.applicationId))
		.where(eq(roundEntries.roundId, roundId))
		.all();
	if (late.length)
		for (const part of chunks(late))
			appRows.push(
				...db
					.select(appColumns())
					.from(applications)
					.where(inArray(applications.id, part))
					.all()
			);
	const apps = new Map<string, AppInfo>();
	for (const a of appRows) {
		if (!COMPETING.includes(a.status)) continue;
		apps.set(a.id, toAppInfo(a, lateSet.has(a.id), nominationById.get(a.nominationId)));
	}
	const appIds = [...apps.keys()].sort();
	const rows = new Map<string, AssignmentRow>();
	for (const r of db.select().from(assignments).where(eq(assignments.roundId, roundId)).all()) rows.set(pairKey(r.applicationId, r.jurorId), r);
	const jurySet = rs.jurorIds ? new Set(rs.jurorIds) : null;
	const coversAll = round.number > 1 && jurySet !== null;
	const jurors = new Map<string, JurorInfo>();
	for (const j of allJurors(db)) jurors.set(j.userId, coversAll && jurySet.has(j.userId) ? { ...j, nominationIds: [...nominationIds] } : j);
	const conflictRows = db
		.select({ jurorId: conflicts.jurorId, applicationId: conflicts.applicationId, reason: conflicts.reason })
		.from(conflicts)
		.innerJoin(applications, eq(applications.id, conflicts.applicationId))
		.where(eq(applications.contestId, contest.id))
		.all();
	return {
		round,
		contest,
		k: roundK(round, contest.settings),
		sameRegionConflict: cs.sameRegionConflict,
		prefs: rs.routing ?? { ...DEFAULT_ROUTING_PREFS },
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

/** The practice's sphere and tags are read from the JSON in SQL: the practice texts stay in the database. */
const PRACTICE_SPHERE = sql<string | null>`json_extract(${applications.practice}, '$.sphere')`;
const PRACTICE_TAGS = sql<string | null>`json_extract(${applications.practice}, '$.tags')`;

/** Tags of a practice as stored: a JSON array (json_extract returns its text) or a comma-separated string. */
function parseTags(raw: unknown): string[] {
	if (typeof raw !== 'string' || raw === '') return [];
	let list: unknown = raw;
	if (raw.startsWith('[')) {
		try {
			list = JSON.parse(raw);
		} catch {
			list = raw;
		}
	}
	const items = Array.isArray(list) ? list : String(list).split(/[,;\n]/);
	return [...new Set(items.filter((t): t is string => typeof t === 'string').map((t) => t.trim()).filter(Boolean))].slice(0, 20);
}

/**
 * The round state as one entry's page needs it (issue 18): the same shape as loadRoundState, but
 * `rows`, `apps` and `conflicts` hold that entry only and the jurors' active loads come from one
 * GROUP BY (`loads`, which checkPair uses instead of scanning every row) — the 72 000 assignment
 * rows of a national round are not read.
 */
export function loadEntryState(db: DbOrTx, roundId: string, applicationId: string): RoundState & { loads: Map<string, number> } {
	const round = getRound(db, roundId);
	const contest = db.select().from(contests).where(eq(contests.id, round.contestId)).get()!;
	const cs = contestSettings(contest.settings);
	const rs = roundSettings(round.settings);
	const nominationRows = db.select({ id: nominations.id, slug: nominations.slug, title: nominations.title }).from(nominations).where(eq(nominations.contestId, contest.id)).all();
	const nominationIds = new Set(nominationRows.map((n) => n.id));
	const a = db
		.select({
			...appColumns(),
			contestId: applications.contestId,
			entered: sql<number | null>`(SELECT 1 FROM ${roundEntries} WHERE ${roundEntries.roundId} = ${roundId} AND ${roundEntries.applicationId} = ${applications.id})`
		})
		.from(applications)
		.where(eq(applications.id, applicationId))
		.get();
	// late: round 1, not an entry yet, not out of the competition (lateEntryIds for one application)
	const late = !!a && a.contestId === contest.id && round.number === 1 && !a.entered && !(NOT_COMPETING as string[]).includes(a.status);
	const apps = new Map<string, AppInfo>();
	if (a && (a.entered || late) && COMPETING.includes(a.status))
		apps.set(a.id, toAppInfo(a, late, nominationRows.find((n) => n.id === a.nominationId)));
	const rows = new Map<string, AssignmentRow>();
	for (const r of db.select().from(assignments).where(and(eq(assignments.roundId, roundId), eq(assignments.applicationId, applicationId))).all()) rows.set(pairKey(r.applicationId, r.jurorId), r);
	const loads = new Map<string, number>();
	for (const l of db
		.select({ jurorId: assignments.jurorId, n: sql<number>`count(*)` })
		.from(assignments)
		.where(and(eq(assignments.roundId, roundId), inArray(assignments.status, ACTIVE_STATUSES)))
		.groupBy(assignments.jurorId)
		.all())
		loads.set(l.jurorId, l.n);
	const jurySet = rs.jurorIds ? new Set(rs.jurorIds) : null;
	const coversAll = round.number > 1 && jurySet !== null;
	const jurors = new Map<string, JurorInfo>();
	for (const j of allJurors(db)) jurors.set(j.userId, coversAll && jurySet.has(j.userId) ? { ...j, nominationIds: [...nominationIds] } : j);
	const conflictRows = apps.size ? db.select({ jurorId: conflicts.jurorId, applicationId: conflicts.applicationId, reason: conflicts.reason }).from(conflicts).where(eq(conflicts.applicationId, applicationId)).all() : [];
	return {
		round,
		contest,
		k: roundK(round, contest.settings),
		sameRegionConflict: cs.sameRegionConflict,
		prefs: rs.routing ?? { ...DEFAULT_ROUTING_PREFS },
		nominationIds,
		apps,
		appIds: [...apps.keys()],
		late: late && apps.size ? [applicationId] : [],
		jurors,
		rows,
		conflicts: conflictRows,
		inRound: (id) => !jurySet || jurySet.has(id),
		loads
	};
}

export function isActiveRow(r: AssignmentRow): boolean {
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
			jurors.push({ id: j.userId, userId: j.userId, nominationIds: noms, region: j.regionCode ?? '', organization: j.organization, capacity: j.capacity, active: true, expertise: j.expertise });
		} else {
			droppedOut.add(j.userId);
			const done = submittedBy.get(j.userId) ?? 0;
			// A juror who dropped out keeps the finished assessments and takes nothing new.
			jurors.push({ id: j.userId, userId: j.userId, nominationIds: noms, region: j.regionCode ?? '', organization: j.organization, capacity: done, active: done > 0, expertise: j.expertise });
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
			return { id: a.id, nominationId: a.nominationId, region: a.region, organization: a.organization, applicantUserId: a.applicantUserId, sphere: a.sphere, tags: a.tags };
		}),
		jurors,
		conflicts: s.conflicts,
		// default preferences: no weights at all, the plain balanced routing exactly as before
		settings: isDefaultPrefs(s.prefs) ? { k: s.k, sameRegionConflict: s.sameRegionConflict } : { k: s.k, sameRegionConflict: s.sameRegionConflict, weights: routingWeights(s.prefs) },
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

