/**
 * Planning and applying the routing of a round. `computePlan` runs the pure `routeAssignments`
 * (routing.ts — «how are jurors assigned») on what round-state.ts reads and turns its output
 * into a plan against the assignments stored now: what to add, what to remove. `previewRouting`
 * shows the plan to the organizer; `applyRouting` writes it in one transaction with an audit
 * event per change. Round 1 (the jury console) and the finals (the results console) go through
 * the same two functions.
 *
 * Applying re-computes the plan inside the transaction and refuses (409) when it differs from
 * the previewed one, so what the organizer saw is exactly what is written. `rerouteEntry`
 * applies the part of the plan that concerns one entry (after a recusal or a removal).
 */
import { eq, inArray, sql } from 'drizzle-orm';
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeHexLowerCase } from '@oslojs/encoding';
import type { DbOrTx } from '../db/client';
import { assignments, auditEvents, roundEntries } from '../db/schema';
import { newId } from '../ids';
import { DomainError } from '../errors';
import { audit } from '../audit';
import { by, type Actor } from '../actor';
import { routeAssignments, type RoutingPair, type RoutingQuality, type RoutingResult } from './routing';
import type { RoutingPrefs } from './routing-prefs';
import { getRound } from './rounds';
import { buildRoutingInput, chunks, isActiveRow, loadRoundState, pairKey, type AssignmentRow, type RoundState } from './round-state';

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

export function computePlan(db: DbOrTx, roundId: string, opts: { rebalance?: boolean } = {}): Plan {
	return planFrom(loadRoundState(db, roundId), opts);
}

/** The plan from a round state already read (the preview job reports progress between the two). */
export function planFrom(state: RoundState, opts: { rebalance?: boolean } = {}): Plan {
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
	/** the routing preferences the plan was computed with */
	prefs: RoutingPrefs;
	/** affinity, district spread, co-review components of the plan (routing.ts `RoutingQuality`) */
	quality: RoutingQuality;
	/** entries whose practice has a sphere or tags; active jurors with areas of expertise */
	entriesWithSphere: number;
	jurorsWithExpertise: number;
}

/** The plan as the organizer sees it before applying: numbers, loads, what cannot be placed and why. */
export function previewRouting(db: DbOrTx, roundId: string, opts: { rebalance?: boolean } = {}): Preview {
	const plan = computePlan(db, roundId, opts);
	return describePlan(plan, !!opts.rebalance);
}

export function describePlan(plan: Plan, rebalance: boolean): Preview {
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
		maxLoad: activeLoads.length ? Math.max(...activeLoads) : 0,
		prefs: state.prefs,
		quality: result.quality,
		entriesWithSphere: [...state.apps.values()].filter((a) => !!a.sphere || (a.tags?.length ?? 0) > 0).length,
		jurorsWithExpertise: [...state.jurors.values()].filter((j) => j.active && state.inRound(j.userId) && (j.expertise.spheres.length > 0 || j.expertise.tags.length > 0)).length
	};
}

export interface ApplySummary {
	added: number;
	removed: number;
	/** active pairs that stay as they were */
	kept: number;
	late: number;
	unplaced: number;
	coveredFully: number;
	entries: number;
}

/** The first entries that could not get K jurors, with the routing's reasons (not audited). */
export const UNPLACED_SHOWN = 200;
export interface ApplyResult extends ApplySummary {
	unplacedEntries: Preview['unplaced'];
}

type AuditRow = typeof auditEvents.$inferInsert;

/**
 * Bulk insert of new assignments and their audit events with two prepared statements (building
 * one multi-row statement per chunk costs drizzle ~10× more for 72 000 rows).
 */
function insertMany(d: DbOrTx, rows: (typeof assignments.$inferInsert)[], events: AuditRow[], source: 'auto' | 'manual' = 'auto') {
	const p = (name: string) => sql.placeholder(name);
	if (rows.length) {
		const ins = d
			.insert(assignments)
			.values({ id: p('id'), roundId: p('roundId'), applicationId: p('applicationId'), jurorId: p('jurorId'), status: 'assigned', source, version: 1, createdAt: p('createdAt'), updatedAt: p('createdAt') })
			.prepare();
		for (const r of rows) ins.run({ id: r.id, roundId: r.roundId, applicationId: r.applicationId, jurorId: r.jurorId, createdAt: r.createdAt });
	}
	if (events.length) {
		const ins = d
			.insert(auditEvents)
			.values({ actorId: p('actorId'), action: p('action'), entity: 'assignment', entityId: p('entityId'), before: p('before'), after: p('after'), ip: p('ip'), createdAt: p('createdAt') })
			.prepare();
		for (const e of events)
			ins.run({
				actorId: e.actorId ?? null,
				action: e.action,
				entityId: e.entityId ?? null,
				before: e.before ?? null,
				after: e.after ?? null,
				ip: e.ip ?? null,
				createdAt: e.createdAt
			});
	}
}

export interface WriteOptions {
	/** only the pairs of these applications are written */
	filter?: (applicationId: string) => boolean;
	/** the round's audit action (default 'routing.apply', or 'routing.entry' with a filter) */
	action?: string;
	/** 'manual' = locked: a later routing run keeps the pairs (extra reviews); default 'auto' */
	source?: 'auto' | 'manual';
	/** more fields of the round's audit event */
	meta?: Record<string, unknown>;
}

/**
 * Writes a plan: late entries join the round, removed rows are marked, new rows inserted; all
 * audited. The caller holds the transaction. The one writer of routed assignments: the routing
 * run, the re-routing of one entry and the extra reviews (extra-reviews.ts) all come here.
 */
export function writePlan(d: DbOrTx, plan: Plan, actor: Actor | null, now: Date, opts: WriteOptions = {}): ApplyResult {
	const { filter } = opts;
	const source = opts.source ?? 'auto';
	const { actorId, ip } = by(actor);
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
			events.push({ actorId, ip, action: 'assignment.remove', entity: 'assignment', entityId: r.id, before: { status: r.status, roundId, applicationId: r.applicationId, jurorId: r.jurorId }, after: { status: 'removed', by: 'routing', run: runId }, createdAt: now });
	}
	const toAdd = plan.toAdd.filter((p) => keep(p.applicationId));
	const fresh: (typeof assignments.$inferInsert)[] = [];
	for (const p of toAdd) {
		const old = state.rows.get(pairKey(p.applicationId, p.jurorId));
		if (old) {
			// A removed pair chosen again: the row comes back with its history.
			d.update(assignments)
				.set({ status: old.submittedAt || old.startedAt ? 'draft' : 'assigned', source, submittedAt: null, version: sql`${assignments.version} + 1`, updatedAt: now })
				.where(eq(assignments.id, old.id))
				.run();
			events.push({ actorId, ip, action: 'assignment.add', entity: 'assignment', entityId: old.id, before: { status: old.status }, after: { status: 'assigned', source, roundId, applicationId: p.applicationId, jurorId: p.jurorId, run: runId }, createdAt: now });
		} else {
			const id = newId();
			fresh.push({ id, roundId, applicationId: p.applicationId, jurorId: p.jurorId, status: 'assigned', source, version: 1, createdAt: now, updatedAt: now });
			events.push({ actorId, ip, action: 'assignment.add', entity: 'assignment', entityId: id, after: { status: 'assigned', source, roundId, applicationId: p.applicationId, jurorId: p.jurorId, run: runId }, createdAt: now });
		}
	}
	insertMany(d, fresh, events, source);
	const unplaced = plan.result.unplaced.filter((u) => keep(u.applicationId));
	const kept = plan.result.assignments.filter((p) => keep(p.applicationId)).length - toAdd.length;
	const summary: ApplySummary = { added: toAdd.length, removed: toRemove.length, kept, late: late.length, unplaced: unplaced.length, coveredFully: plan.result.stats.coveredFully, entries: state.apps.size };
	audit(d, { actorId, ip, action: opts.action ?? (filter ? 'routing.entry' : 'routing.apply'), entity: 'round', entityId: roundId, after: { ...summary, run: runId, digest: plan.digest, ...opts.meta } }, now);
	const unplacedEntries = unplaced
		.slice(0, UNPLACED_SHOWN)
		.map((u) => ({ applicationId: u.applicationId, number: state.apps.get(u.applicationId)?.number ?? null, needed: u.needed, placed: u.placed, reasons: u.reasons }));
	return { ...summary, unplacedEntries };
}

/**
 * Applies the routing of a round in one transaction. `digest` (from the preview) makes sure the
 * written plan is the one the organizer saw; without it, the current plan is applied.
 */
export function applyRouting(db: DbOrTx, actor: Actor | null, roundId: string, opts: { digest?: string; rebalance?: boolean } = {}, now = new Date()): ApplyResult {
	return db.transaction((d) => {
		const round = getRound(d, roundId);
		if (round.status === 'closed') throw new DomainError(409, 'round_closed', 'Тур закрыт: распределение изменить нельзя');
		const plan = computePlan(d, roundId, { rebalance: opts.rebalance });
		if (opts.digest && opts.digest !== plan.digest)
			throw new DomainError(409, 'stale_preview', 'После предпросмотра данные изменились (назначения, эксперты или заявки). Посмотрите обновлённый предпросмотр и примените его.');
		return writePlan(d, plan, actor, now);
	});
}

/**
 * Re-routes one entry of a round (after a recusal or a removal): only the pairs of that entry
 * change; everything else stays as it is. No-op for closed or unknown rounds.
 */
export function rerouteEntry(db: DbOrTx, actor: Actor | null, roundId: string, applicationId: string, now = new Date()): ApplyResult | null {
	return db.transaction((d) => {
		const round = getRound(d, roundId);
		if (round.status === 'closed') return null;
		const plan = computePlan(d, roundId);
		if (!plan.state.apps.has(applicationId)) return null;
		return writePlan(d, plan, actor, now, { filter: (id) => id === applicationId });
	});
}
