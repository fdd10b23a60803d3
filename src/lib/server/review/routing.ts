/**
 * Automatic jury routing: every application of a round gets K jurors who cover its nomination
 * and have no conflict with it, within the jurors' capacities, with loads spread evenly.
 *
 * Model (as in HotCRP's autoassigner): min-cost flow
 *   source → application (cap K) → juror (cap 1, eligible pairs only) → sink,
 * where juror → sink has convex per-unit costs 1, 2, 3, … up to the capacity, so a juror with
 * load L costs L·(L+1)/2 and the optimum spreads the loads: interchangeable jurors end up within
 * one of each other.  Primary objective: place as many pairs as possible (max flow); secondary:
 * minimum Σ L·(L+1)/2 among maximum placements (loads count kept pairs too).
 *
 * How it is made fast (24 000 applications × K = 3 over 600 jurors in well under a second):
 *
 * 1. Aggregation.  What matters for an application is only its set of eligible jurors and how
 *    many jurors it still needs.  Applications are grouped into classes keyed by
 *    (nomination, still needed, set of excluded jurors of that nomination) — excluded by region,
 *    organization, own entry, declared conflict / recusal or because the juror is already on it.
 *    The class network is source → class (cap need·n) → juror (cap n: a juror at most once per
 *    application) → sink (convex).  Every integer flow of the class network can be split back
 *    into applications (see `splitClassFlow`: round-robin filling gives each application distinct
 *    jurors and at most `need` of them) and every assignment aggregates to a class flow with the
 *    same loads, so both problems have the same optimum.  Realistic data gives ~10³ classes.
 *
 * 2. An exact solver specialised to the convex sink costs (`mcf.ts`): "levelled max flow".
 *    For t = 1, 2, … every juror's total cap is raised to min(capacity, t) and the flow is
 *    augmented (Dinic) to a maximum flow.  Augmenting paths never unload a juror, and
 *    L(L+1)/2 = Σ_t max(0, L − t), so after all levels the flow is maximum AND minimises the
 *    convex cost among maximum flows (proof in mcf.ts).  Phases that cannot change anything are
 *    skipped, so the work is bounded by the maximum load, not by the 72 000 units.
 *
 * 3. Incremental re-routing.  Existing pairs that are still valid are kept (locked ones always,
 *    if still eligible; unlocked ones while the application has ≤ K of them and the juror is within
 *    capacity — surplus is dropped deterministically, see `selectKept`).  Only the missing part
 *    is routed, with kept loads as the base of the convex cost.  A recusal, a dropped-out juror or
 *    late applications therefore touch only the affected applications.
 *
 * 4. Determinism.  All inputs are sorted by id (plain code-unit order) before anything else;
 *    the algorithm has no randomness and no dependence on hash iteration order, so permuting
 *    the input arrays does not change the output.
 *
 * 5. Infeasibility.  Whatever cannot be placed is reported per application in `unplaced` with
 *    Russian explanations built from counts: jurors of the nomination, how many dropped out,
 *    how many are excluded and why, and whether the eligible ones have exhausted capacity
 *    (after a maximum flow, every eligible juror missing from a short application is full).
 */

import { solveBalancedTransport, splitClassFlow } from './mcf';

export type ConflictReason = 'same_organization' | 'same_region' | 'declared' | 'own_entry' | 'recused';

export interface RoutingApplication {
	id: string;
	nominationId: string;
	region: string;
	organization: string;
	applicantUserId: string;
}

export interface RoutingJuror {
	id: string;
	userId: string;
	nominationIds: string[];
	region: string;
	organization: string;
	capacity: number;
	/** default true; false = dropped out */
	active?: boolean;
}

export interface RoutingConflict {
	jurorId: string;
	applicationId: string;
	reason: 'declared' | 'recused';
}

export interface RoutingSettings {
	k: number;
	/** default true */
	sameRegionConflict?: boolean;
}

export interface RoutingPair {
	applicationId: string;
	jurorId: string;
}

export interface RoutingInput {
	applications: RoutingApplication[];
	jurors: RoutingJuror[];
	conflicts: RoutingConflict[];
	settings: RoutingSettings;
	/** locked = placed by hand or already scored: keep */
	existing?: (RoutingPair & { locked?: boolean })[];
}

/** Counts behind the explanation of an unplaced application (all among jurors of its nomination). */
export interface UnplacedDetails {
	/** jurors covering the nomination (active or not) */
	nominationJurors: number;
	/** of them: dropped out (active = false) */
	inactive: number;
	ownEntry: number;
	recused: number;
	declared: number;
	sameOrganization: number;
	sameRegion: number;
	/** active, covering and without conflict (includes the ones already on the application) */
	eligible: number;
	/** eligible, not on this application, with no capacity left */
	eligibleAtCapacity: number;
}

export interface Unplaced {
	applicationId: string;
	/** K */
	needed: number;
	/** jurors the application has in the result */
	placed: number;
	/** Russian, human-readable */
	reasons: string[];
	details: UnplacedDetails;
}

export interface RoutingResult {
	/** the full resulting set, sorted by applicationId then jurorId */
	assignments: RoutingPair[];
	added: RoutingPair[];
	removed: RoutingPair[];
	kept: RoutingPair[];
	unplaced: Unplaced[];
	/** jurorId -> number of assignments (every input juror, inactive ones too) */
	loads: Record<string, number>;
	stats: {
		applications: number;
		/** active jurors */
		jurors: number;
		k: number;
		/** over active jurors */
		minLoad: number;
		maxLoad: number;
		/** Σ over jurors of load·(load+1)/2 */
		cost: number;
		/** applications with at least K jurors */
		coveredFully: number;
	};
}

// ---------------------------------------------------------------------------------------------
// conflicts

/** Organization names are compared trimmed, lower-cased, with collapsed spaces and ё → е. */
export function normalizeOrganization(s: string | null | undefined): string {
	return (s ?? '').normalize('NFC').toLowerCase().replace(/ё/g, 'е').replace(/\s+/g, ' ').trim();
}

/** Regions are compared the same way; an empty region (unknown) never conflicts. */
export const normalizeRegion = normalizeOrganization;

/** Key of a (juror, application) pair in the `declared` set of `conflictReason`. */
export function conflictKey(jurorId: string, applicationId: string): string {
	return `${jurorId}:${applicationId}`;
}

/**
 * Why `juror` may not judge `app`, or null.  Coverage of the nomination and `active` are not
 * conflicts and are not checked here (see `isEligible`).  Checked in this order:
 * own entry, declared/recused (via `declared`), same organization (normalized, empty never
 * conflicts), same region (when settings.sameRegionConflict !== false; empty never conflicts).
 * `declared` holds `conflictKey(jurorId, applicationId)`; a Set marks the pair 'declared', a Map
 * may say which of 'declared' | 'recused'.
 */
export function conflictReason(
	app: RoutingApplication,
	juror: RoutingJuror,
	settings: RoutingSettings,
	declared?: Set<string> | Map<string, 'declared' | 'recused'>
): ConflictReason | null {
	if (juror.userId && app.applicantUserId && juror.userId === app.applicantUserId) return 'own_entry';
	if (declared) {
		const key = conflictKey(juror.id, app.id);
		if (declared instanceof Map) {
			const r = declared.get(key);
			if (r) return r;
		} else if (declared.has(key)) return 'declared';
	}
	const ao = normalizeOrganization(app.organization);
	if (ao !== '' && ao === normalizeOrganization(juror.organization)) return 'same_organization';
	if (settings.sameRegionConflict !== false) {
		const ar = normalizeRegion(app.region);
		if (ar !== '' && ar === normalizeRegion(juror.region)) return 'same_region';
	}
	return null;
}

/** Eligible = active, covers the nomination and no conflict. */
export function isEligible(
	app: RoutingApplication,
	juror: RoutingJuror,
	settings: RoutingSettings,
	declared?: Set<string> | Map<string, 'declared' | 'recused'>
): boolean {
	return (
		juror.active !== false &&
		juror.nominationIds.includes(app.nominationId) &&
		conflictReason(app, juror, settings, declared) === null
	);
}

// ---------------------------------------------------------------------------------------------
// helpers

function cmp(a: string, b: string): number {
	return a < b ? -1 : a > b ? 1 : 0;
}

function cmpPair(a: RoutingPair, b: RoutingPair): number {
	return cmp(a.applicationId, b.applicationId) || cmp(a.jurorId, b.jurorId);
}

function plural(n: number, one: string, few: string, many: string): string {
	const m10 = n % 10;
	const m100 = n % 100;
	if (m10 === 1 && m100 !== 11) return one;
	if (m10 >= 2 && m10 <= 4 && (m100 < 12 || m100 > 14)) return few;
	return many;
}

function experts(n: number): string {
	return `${n} ${plural(n, 'эксперт', 'эксперта', 'экспертов')}`;
}

const R_OWN = 1;
const R_RECUSED = 2;
const R_DECLARED = 3;
const R_ORG = 4;
const R_REGION = 5;

// ---------------------------------------------------------------------------------------------
// routing

export function routeAssignments(input: RoutingInput): RoutingResult {
	const kRaw = Number(input.settings?.k);
	const K = Number.isFinite(kRaw) ? Math.max(0, Math.floor(kRaw)) : 0;
	const sameRegion = input.settings?.sameRegionConflict !== false;

	const apps = [...input.applications].sort((a, b) => cmp(a.id, b.id));
	const jurors = [...input.jurors].sort((a, b) => cmp(a.id, b.id));
	for (let i = 1; i < apps.length; i++)
		if (apps[i].id === apps[i - 1].id) throw new Error(`routeAssignments: duplicate application id ${apps[i].id}`);
	for (let j = 1; j < jurors.length; j++)
		if (jurors[j].id === jurors[j - 1].id) throw new Error(`routeAssignments: duplicate juror id ${jurors[j].id}`);

	const A = apps.length;
	const J = jurors.length;
	const appIndex = new Map<string, number>();
	apps.forEach((a, i) => appIndex.set(a.id, i));
	const jurIndex = new Map<string, number>();
	jurors.forEach((j, i) => jurIndex.set(j.id, i));

	// normalized attributes
	const appOrg = apps.map((a) => normalizeOrganization(a.organization));
	const appReg = apps.map((a) => normalizeRegion(a.region));
	const jurOrg = jurors.map((j) => normalizeOrganization(j.organization));
	const jurReg = jurors.map((j) => normalizeRegion(j.region));
	const jurActive = jurors.map((j) => j.active !== false);
	const jurCap = new Int32Array(J);
	for (let j = 0; j < J; j++) {
		const c = Number(jurors[j].capacity);
		// nobody can take more than one pair per application
		jurCap[j] = Number.isNaN(c) ? 0 : Math.max(0, Math.min(A, Math.floor(c)));
	}
	const jurNoms = jurors.map((j) => new Set(j.nominationIds ?? []));

	// declared / recused conflicts: per application, juror → reason code (recused wins)
	const appConflicts: (Map<number, number> | undefined)[] = new Array(A);
	for (const c of input.conflicts ?? []) {
		const i = appIndex.get(c.applicationId);
		const j = jurIndex.get(c.jurorId);
		if (i === undefined || j === undefined) continue;
		let m = appConflicts[i];
		if (!m) appConflicts[i] = m = new Map();
		const code = c.reason === 'recused' ? R_RECUSED : R_DECLARED;
		const prev = m.get(j);
		if (prev === undefined || code < prev) m.set(j, code);
	}

	/** 0 = no conflict, else the R_* code (same priority as conflictReason). */
	function reasonCode(i: number, j: number): number {
		const ju = jurors[j].userId;
		if (ju && ju === apps[i].applicantUserId) return R_OWN;
		const d = appConflicts[i]?.get(j);
		if (d !== undefined) return d;
		if (appOrg[i] !== '' && appOrg[i] === jurOrg[j]) return R_ORG;
		if (sameRegion && appReg[i] !== '' && appReg[i] === jurReg[j]) return R_REGION;
		return 0;
	}
	function eligible(i: number, j: number): boolean {
		return jurActive[j] && jurNoms[j].has(apps[i].nominationId) && reasonCode(i, j) === 0;
	}

	// ---- existing pairs: dedupe, validate, select what is kept
	const removed: RoutingPair[] = [];
	// valid existing pairs that were not kept (surplus); should routing pick one again, it counts as kept
	const droppedValid = new Set<number>();
	const keptByApp: number[][] = Array.from({ length: A }, () => []);
	const base = new Int32Array(J);
	{
		const seen = new Map<string, { applicationId: string; jurorId: string; locked: boolean }>();
		for (const e of input.existing ?? []) {
			const key = `${e.applicationId}\u0000${e.jurorId}`;
			const prev = seen.get(key);
			if (prev) prev.locked ||= !!e.locked;
			else seen.set(key, { applicationId: e.applicationId, jurorId: e.jurorId, locked: !!e.locked });
		}
		const valid: { i: number; j: number; locked: boolean }[] = [];
		for (const e of seen.values()) {
			const i = appIndex.get(e.applicationId);
			const j = jurIndex.get(e.jurorId);
			if (i === undefined || j === undefined || !eligible(i, j)) {
				removed.push({ applicationId: e.applicationId, jurorId: e.jurorId });
				continue;
			}
			valid.push({ i, j, locked: e.locked });
		}
		const keptPairs = selectKept(valid, K, jurCap, A, J);
		for (const p of keptPairs) {
			keptByApp[p.i].push(p.j);
			base[p.j]++;
		}
		for (const v of valid) droppedValid.add(v.i * J + v.j);
		for (const p of keptPairs) droppedValid.delete(p.i * J + p.j);
		for (const l of keptByApp) l.sort((a, b) => a - b);
	}

	// ---- jurors per nomination, with lookup tables for the exclusions
	interface NomInfo {
		all: number[]; // every juror covering it (active or not)
		active: number[];
		byRegion: Map<string, number[]>;
		byOrg: Map<string, number[]>;
		byUser: Map<string, number[]>;
	}
	const noms = new Map<string, NomInfo>();
	const push = <K2,>(m: Map<K2, number[]>, key: K2, j: number) => {
		const l = m.get(key);
		if (l) l.push(j);
		else m.set(key, [j]);
	};
	for (let j = 0; j < J; j++) {
		for (const n of jurNoms[j]) {
			let info = noms.get(n);
			if (!info) {
				info = { all: [], active: [], byRegion: new Map(), byOrg: new Map(), byUser: new Map() };
				noms.set(n, info);
			}
			info.all.push(j);
			if (!jurActive[j]) continue;
			info.active.push(j);
			if (jurReg[j] !== '') push(info.byRegion, jurReg[j], j);
			if (jurOrg[j] !== '') push(info.byOrg, jurOrg[j], j);
			if (jurors[j].userId) push(info.byUser, jurors[j].userId, j);
		}
	}

	// ---- classes of interchangeable applications
	interface Cls {
		need: number;
		apps: number[];
		eligible: number[];
	}
	const classes: Cls[] = [];
	const classByKey = new Map<string, number>();
	const excluded = new Uint8Array(J);
	for (let i = 0; i < A; i++) {
		const need = K - keptByApp[i].length;
		if (need <= 0) continue;
		const app = apps[i];
		const info = noms.get(app.nominationId);
		if (!info || info.active.length === 0) continue;
		const ex: number[] = [];
		const mark = (j: number) => {
			if (!excluded[j]) {
				excluded[j] = 1;
				ex.push(j);
			}
		};
		if (sameRegion && appReg[i] !== '') for (const j of info.byRegion.get(appReg[i]) ?? []) mark(j);
		if (appOrg[i] !== '') for (const j of info.byOrg.get(appOrg[i]) ?? []) mark(j);
		if (app.applicantUserId) for (const j of info.byUser.get(app.applicantUserId) ?? []) mark(j);
		const conf = appConflicts[i];
		if (conf) for (const j of conf.keys()) if (jurActive[j] && jurNoms[j].has(app.nominationId)) mark(j);
		for (const j of keptByApp[i]) mark(j);
		for (const j of ex) excluded[j] = 0;
		if (ex.length >= info.active.length) continue; // nobody left
		ex.sort((a, b) => a - b);
		const key = `${app.nominationId}\u0000${need}\u0000${ex.join(',')}`;
		let c = classByKey.get(key);
		if (c === undefined) {
			c = classes.length;
			classByKey.set(key, c);
			const exSet = new Set(ex);
			classes.push({ need, apps: [], eligible: info.active.filter((j) => !exSet.has(j)) });
		}
		classes[c].apps.push(i);
	}

	// ---- solve on the class network
	const C = classes.length;
	const arcStart = new Int32Array(C + 1);
	for (let c = 0; c < C; c++) arcStart[c + 1] = arcStart[c] + classes[c].eligible.length;
	const arcJuror = new Int32Array(arcStart[C]);
	const demand = new Int32Array(C);
	const size = new Int32Array(C);
	for (let c = 0; c < C; c++) {
		arcJuror.set(classes[c].eligible, arcStart[c]);
		demand[c] = classes[c].need * classes[c].apps.length;
		size[c] = classes[c].apps.length;
	}
	const cap = Int32Array.from(jurCap);
	for (let j = 0; j < J; j++) if (!jurActive[j]) cap[j] = 0;
	const sol = solveBalancedTransport({ classes: C, jurors: J, demand, size, arcStart, arcJuror, base, cap });

	// ---- disaggregate to applications
	const addedByApp: number[][] = Array.from({ length: A }, () => []);
	for (let c = 0; c < C; c++) {
		const cl = classes[c];
		const split = splitClassFlow(
			cl.apps.length,
			cl.need,
			cl.eligible,
			sol.flow.subarray(arcStart[c], arcStart[c + 1])
		);
		for (let r = 0; r < split.length; r++) addedByApp[cl.apps[r]] = split[r];
	}

	// ---- assemble the result
	const assignments: RoutingPair[] = [];
	const added: RoutingPair[] = [];
	const kept: RoutingPair[] = [];
	const load = new Int32Array(J);
	const onApp = new Uint8Array(J);
	const unplaced: Unplaced[] = [];
	let coveredFully = 0;
	const short: number[] = [];
	for (let i = 0; i < A; i++) {
		// both lists are ascending: merge them
		const ks = keptByApp[i];
		const ad = addedByApp[i];
		const appId = apps[i].id;
		let x = 0;
		let y = 0;
		while (x < ks.length || y < ad.length) {
			const fromKept = y >= ad.length || (x < ks.length && ks[x] < ad[y]);
			const j = fromKept ? ks[x++] : ad[y++];
			const jurorId = jurors[j].id;
			assignments.push({ applicationId: appId, jurorId });
			if (fromKept || droppedValid.delete(i * J + j)) kept.push({ applicationId: appId, jurorId });
			else added.push({ applicationId: appId, jurorId });
			load[j]++;
		}
		if (ks.length + ad.length >= K) coveredFully++;
		else short.push(i);
	}
	for (const key of droppedValid)
		removed.push({ applicationId: apps[Math.floor(key / J)].id, jurorId: jurors[key % J].id });
	for (const i of short) {
		const all = [...keptByApp[i], ...addedByApp[i]];
		for (const j of all) onApp[j] = 1;
		unplaced.push(explain(i, all.length));
		for (const j of all) onApp[j] = 0;
	}
	removed.sort(cmpPair);

	function explain(i: number, placed: number): Unplaced {
		const app = apps[i];
		const info = noms.get(app.nominationId);
		const d: UnplacedDetails = {
			nominationJurors: info ? info.all.length : 0,
			inactive: 0,
			ownEntry: 0,
			recused: 0,
			declared: 0,
			sameOrganization: 0,
			sameRegion: 0,
			eligible: 0,
			eligibleAtCapacity: 0
		};
		for (const j of info?.all ?? []) {
			if (!jurActive[j]) {
				d.inactive++;
				continue;
			}
			switch (reasonCode(i, j)) {
				case R_OWN:
					d.ownEntry++;
					break;
				case R_RECUSED:
					d.recused++;
					break;
				case R_DECLARED:
					d.declared++;
					break;
				case R_ORG:
					d.sameOrganization++;
					break;
				case R_REGION:
					d.sameRegion++;
					break;
				default:
					d.eligible++;
					if (!onApp[j] && load[j] >= jurCap[j]) d.eligibleAtCapacity++;
			}
		}
		const reasons: string[] = [];
		const N = d.nominationJurors;
		const active = N - d.inactive;
		if (N === 0) {
			reasons.push('нет экспертов номинации');
		} else if (active === 0) {
			reasons.push(
				N === 1 ? 'единственный эксперт номинации выбыл' : `все ${experts(N)} номинации выбыли`
			);
		} else if (d.eligible < K) {
			const parts: [number, string, string][] = [
				[d.sameRegion, '— из того же региона', '— из того же региона'],
				[d.sameOrganization, '— из той же организации', '— из той же организации'],
				[d.declared, 'заявил конфликт интересов', 'заявили конфликт интересов'],
				[d.recused, 'взял самоотвод', 'взяли самоотвод'],
				[d.ownEntry, '— автор заявки', '— авторы заявки']
			];
			const nonzero = parts.filter((p) => p[0] > 0);
			if (d.eligible === 0 && d.inactive === 0 && nonzero.length === 1) {
				const [n, one, many] = nonzero[0];
				reasons.push(
					n === 1 ? `единственный эксперт номинации ${one}` : `все ${experts(n)} номинации ${many}`
				);
			} else {
				const list = nonzero.map(([n, one, many]) => `${n} ${n === 1 ? one : many}`);
				if (d.inactive > 0) list.push(`${d.inactive} ${d.inactive === 1 ? 'выбыл' : 'выбыли'}`);
				const gen = `${N} ${plural(N, 'эксперта', 'экспертов', 'экспертов')} номинации`;
				const tail = list.length ? `: ${list.join(', ')}` : '';
				reasons.push(
					d.eligible === 0
						? `ни один из ${gen} не подходит${tail}`
						: `подходят только ${d.eligible} из ${gen} при необходимых ${K}${tail}`
				);
			}
		}
		if (d.eligibleAtCapacity > 0) {
			reasons.push(
				`у экспертов номинации исчерпана ёмкость: ${d.eligibleAtCapacity} из ${d.eligible} ${plural(d.eligible, 'подходящего эксперта', 'подходящих экспертов', 'подходящих экспертов')} загружены полностью`
			);
		}
		if (reasons.length === 0) reasons.push('не удалось подобрать экспертов'); // not expected
		return { applicationId: app.id, needed: K, placed, reasons, details: d };
	}

	const loads: Record<string, number> = {};
	let cost = 0;
	let minLoad = Infinity;
	let maxLoad = -Infinity;
	let activeCount = 0;
	for (let j = 0; j < J; j++) {
		const L = load[j];
		loads[jurors[j].id] = L;
		cost += (L * (L + 1)) / 2;
		if (jurActive[j]) {
			activeCount++;
			if (L < minLoad) minLoad = L;
			if (L > maxLoad) maxLoad = L;
		}
	}
	if (activeCount === 0) minLoad = maxLoad = 0;

	return {
		assignments,
		added,
		removed,
		kept,
		unplaced,
		loads,
		stats: { applications: A, jurors: activeCount, k: K, minLoad, maxLoad, cost, coveredFully }
	};
}

/**
 * Which valid existing pairs are kept.  Locked pairs: always.  Unlocked pairs are dropped
 * (1) when a juror is over capacity: the juror keeps its locked pairs, then unlocked ones —
 *     first those of applications that do not have more than K pairs, then by smallest
 *     application id — up to its capacity;
 * (2) then, when an application still has more than K pairs (K was lowered): the surplus is
 *     taken from its most loaded jurors first (ties: larger juror id first).
 * Step (2) only lowers loads, so capacities stay respected; a dropped pair can never be routed
 * again in the same run (its juror is full, or its application is complete).
 * Indices are sorted-by-id positions, so comparing indices = comparing ids.
 */
function selectKept(
	valid: { i: number; j: number; locked: boolean }[],
	K: number,
	cap: Int32Array,
	A: number,
	J: number
): { i: number; j: number; locked: boolean }[] {
	type P = { i: number; j: number; locked: boolean };
	const sorted = [...valid].sort((a, b) => a.i - b.i || a.j - b.j);
	const perApp = new Int32Array(A);
	for (const p of sorted) perApp[p.i]++;
	// (1) per juror
	const byJur: P[][] = Array.from({ length: J }, () => []);
	for (const p of sorted) byJur[p.j].push(p);
	const step1: P[] = [];
	for (let j = 0; j < J; j++) {
		const list = byJur[j];
		if (list.length <= cap[j]) {
			step1.push(...list);
			continue;
		}
		const locked = list.filter((p) => p.locked);
		const unlocked = list
			.filter((p) => !p.locked)
			.sort((a, b) => Number(perApp[a.i] > K) - Number(perApp[b.i] > K) || a.i - b.i);
		const keep = unlocked.slice(0, Math.max(0, cap[j] - locked.length));
		for (const p of unlocked.slice(keep.length)) perApp[p.i]--;
		step1.push(...locked, ...keep);
	}
	// (2) per application
	const load = new Int32Array(J);
	for (const p of step1) load[p.j]++;
	const byApp: P[][] = Array.from({ length: A }, () => []);
	for (const p of step1) byApp[p.i].push(p);
	const out: P[] = [];
	for (const list of byApp) {
		if (list.length <= K) {
			out.push(...list);
			continue;
		}
		let surplus = list.length - K;
		const unlocked = list.filter((p) => !p.locked).sort((a, b) => load[b.j] - load[a.j] || b.j - a.j);
		const drop = new Set<P>();
		for (const p of unlocked) {
			if (surplus <= 0) break;
			drop.add(p);
			load[p.j]--;
			surplus--;
		}
		for (const p of list) if (!drop.has(p)) out.push(p);
	}
	return out;
}
