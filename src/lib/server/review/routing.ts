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
 *    Weights are soft costs, so they never make an instance infeasible.
 *
 * 6. Who knows what (`settings.weights`, all 0 by default — then everything above is exactly
 *    what runs).  Soft goals, all priced in the unit of the load cost (the L-th review on a
 *    juror's desk costs L):
 *    - expertise: a pair earns `weights.expertise × expertiseMatch` (0–3: the entry's sphere is
 *      among the juror's spheres — 2, a shared tag — 1).  A weight w means "a juror may take up
 *      to 3·w more reviews than a colleague to get entries of their field";
 *    - stated preferences (bids, −2…2 per pair) earn `weights.preference × value`;
 *    - districts: every second (third, …) juror of an entry from the same federal district costs
 *      `weights.district`;
 *    - connectivity: the co-review graph (jurors linked by a shared entry) should have no more
 *      components than eligibility forces; a merge may cost up to `weights.connectivity`.
 *    The first three are costs of a min-cost flow on the same class network (`mcf.ts`,
 *    `solveMinCostTransport`: exact, primal–dual).  Classes are then also keyed by what the costs
 *    see (sphere, relevant tags, the entry's bids, the districts of its kept jurors); a class
 *    gets one node per federal district of its eligible jurors with n free units (one juror per
 *    district and application) and penalised ones beyond.  Jurors are split onto applications in
 *    district order, so a district's units are consecutive in the round-robin and land on
 *    distinct applications whenever they can: the aggregated penalty max(0, D − n) is exactly
 *    the applications' one.  The result is optimal for these costs (maximum placement first).
 *    Connectivity is not a flow cost: after the flow, pairs routed in this run are exchanged
 *    (a juror from another component replaces one on an entry, or two jurors swap entries)
 *    while that lowers the number of components at an extra cost ≤ `weights.connectivity` per
 *    merge; kept pairs never move, so incremental runs stay local.
 *
 * 7. Per-application K (`RoutingApplication.k`): extra reviews for chosen entries are routed by
 *    giving them k = K + M with their current pairs as locked `existing` — only the M are added.
 */

import { solveBalancedTransport, solveMinCostTransportPruned, splitClassFlow, UNLIMITED } from './mcf';
import { districtOf } from '../../data/regions';
import { plural } from '../../format';

export type ConflictReason = 'same_organization' | 'same_region' | 'declared' | 'own_entry' | 'recused';

export interface RoutingApplication {
	id: string;
	nominationId: string;
	region: string;
	organization: string;
	applicantUserId: string;
	/** sphere of the practice (SPHERES code), for the expertise match */
	sphere?: string | null;
	/** tags of the practice, for the expertise match */
	tags?: string[];
	/** own number of jurors for this application (e.g. K + M for extra reviews); default settings.k */
	k?: number;
}

/** A juror's areas of expertise: spheres (SPHERES codes) and free tags. */
export interface JurorExpertise {
	spheres?: string[];
	tags?: string[];
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
	/** areas of expertise (soft: weighed by settings.weights.expertise) */
	expertise?: JurorExpertise;
	/** federal district code ('cfd', …); default: the district of `region` when it is a region code */
	district?: string | null;
}

/** A juror's stated preference for an application: −2 (rather not) … 2 (very much want); the same pair twice: the lower value counts. */
export interface RoutingPreference {
	jurorId: string;
	applicationId: string;
	value: number;
}

/**
 * Weights of the soft goals, in units of the load cost (see the header, point 6).
 * Integers 0…1000 (rounded, clamped); all 0 = plain balanced routing.
 */
export interface RoutingWeights {
	expertise?: number;
	preference?: number;
	district?: number;
	connectivity?: number;
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
	/** soft goals; default all 0 */
	weights?: RoutingWeights;
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
	/** stated preferences (bids); used when settings.weights.preference > 0 */
	preferences?: RoutingPreference[];
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

/** What the preview shows about the plan (computed for every result). */
export interface RoutingQuality {
	/** mean expertiseMatch (0–3) over pairs whose application has a sphere or tags; null if none has */
	meanAffinity: number | null;
	/** share of those pairs whose juror has the application's sphere among theirs */
	sphereMatchShare: number | null;
	/** applications with ≥ 2 jurors of known district */
	districtApplications: number;
	/** of them: applications whose jurors of known district all come from different districts */
	districtDistinct: number;
	/** Σ over applications and districts of max(0, jurors from that district − 1) */
	districtDuplicates: number;
	/** connected components of the co-review graph (active jurors with a pair; linked by a shared application) */
	components: number;
	/**
	 * lower bound for `components`: components of the same jurors when every two jurors eligible
	 * for a common application (with K ≥ 2) are linked — fewer is impossible
	 */
	componentsMin: number;
	/** jurors in the smallest component (0 when there is none) */
	smallestComponent: number;
	/** exchanges made by the connectivity goal */
	connectivityMoves: number;
	/** total cost of the plan in load units: load + district − affinity (what the flow minimises) */
	objective: number;
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
	quality: RoutingQuality;
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
// expertise and districts

/** Tags and spheres are compared trimmed, lower-cased, with collapsed spaces and ё → е. */
export const normalizeTag = normalizeOrganization;

/**
 * How well a juror's expertise fits an application: 2 when the application's sphere is among the
 * juror's spheres, plus 1 when they share a tag; 0…3.
 */
export function expertiseMatch(app: Pick<RoutingApplication, 'sphere' | 'tags'>, juror: Pick<RoutingJuror, 'expertise'>): number {
	let m = 0;
	const sphere = normalizeTag(app.sphere);
	if (sphere !== '' && (juror.expertise?.spheres ?? []).some((s) => normalizeTag(s) === sphere)) m += 2;
	const tags = new Set((app.tags ?? []).map(normalizeTag).filter((t) => t !== ''));
	if (tags.size && (juror.expertise?.tags ?? []).some((t) => tags.has(normalizeTag(t)))) m += 1;
	return m;
}

/** The juror's federal district code, '' when unknown. */
export function jurorDistrict(juror: Pick<RoutingJuror, 'district' | 'region'>): string {
	if (juror.district) return juror.district;
	return districtOf((juror.region ?? '').trim())?.code ?? '';
}

function sanitizeWeight(w: unknown): number {
	const n = Number(w);
	return Number.isFinite(n) ? Math.max(0, Math.min(1000, Math.round(n))) : 0;
}

// ---------------------------------------------------------------------------------------------
// helpers

function cmp(a: string, b: string): number {
	return a < b ? -1 : a > b ? 1 : 0;
}

function cmpPair(a: RoutingPair, b: RoutingPair): number {
	return cmp(a.applicationId, b.applicationId) || cmp(a.jurorId, b.jurorId);
}


function experts(n: number): string {
	return `${n} ${plural(n, ['эксперт', 'эксперта', 'экспертов'])}`;
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
	const W = input.settings?.weights ?? {};
	const wE = sanitizeWeight(W.expertise);
	const wP = sanitizeWeight(W.preference);
	const wD = sanitizeWeight(W.district);
	const wC = sanitizeWeight(W.connectivity);
	/** the flow has costs beyond the load (else: the balanced solver, exactly as without weights) */
	const costly = wE > 0 || wP > 0 || wD > 0;

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
	// per application: its own K
	const appK = new Int32Array(A);
	for (let i = 0; i < A; i++) {
		const kr = apps[i].k;
		const n = kr === undefined || kr === null ? NaN : Number(kr);
		appK[i] = Number.isFinite(n) ? Math.max(0, Math.floor(n)) : K;
	}
	// expertise, preferences, districts (normalized; only what the weights look at)
	const jurDistrict = jurors.map((j) => jurorDistrict(j));
	const none = new Set<string>();
	const jurSpheres = jurors.map((j) => (j.expertise?.spheres?.length ? new Set(j.expertise.spheres.map(normalizeTag).filter((x) => x !== '')) : none));
	const jurTags = jurors.map((j) => (j.expertise?.tags?.length ? new Set(j.expertise.tags.map(normalizeTag).filter((x) => x !== '')) : none));
	const allJurorTags = new Set<string>();
	for (const t of jurTags) for (const x of t) allJurorTags.add(x);
	const appSphere = apps.map((a) => (a.sphere ? normalizeTag(a.sphere) : ''));
	/** the application's tags that some juror has (others cannot change a match), sorted */
	const noTags: string[] = [];
	const appTags = apps.map((a) => (a.tags?.length && allJurorTags.size ? [...new Set(a.tags.map(normalizeTag))].filter((t) => allJurorTags.has(t)).sort(cmp) : noTags));
	const appPrefs: (Map<number, number> | undefined)[] = new Array(A);
	if (wP > 0)
		for (const p of input.preferences ?? []) {
			const i = appIndex.get(p.applicationId);
			const j = jurIndex.get(p.jurorId);
			const v = Math.max(-2, Math.min(2, Math.round(Number(p.value))));
			if (i === undefined || j === undefined || !Number.isFinite(v)) continue;
			// the same pair twice: the lower value wins (order-invariant)
			const m = (appPrefs[i] ??= new Map());
			m.set(j, Math.min(v, m.get(j) ?? v));
		}
	/** 0…3, see expertiseMatch */
	function match(i: number, j: number): number {
		let m = appSphere[i] !== '' && jurSpheres[j].has(appSphere[i]) ? 2 : 0;
		const tags = appTags[i];
		for (let t = 0; t < tags.length; t++)
			if (jurTags[j].has(tags[t])) {
				m += 1;
				break;
			}
		return m;
	}
	/** what a pair earns, in load units */
	function gain(i: number, j: number): number {
		return (wE > 0 ? wE * match(i, j) : 0) + (wP > 0 ? wP * (appPrefs[i]?.get(j) ?? 0) : 0);
	}
	/** district penalty of a set of jurors on one application */
	function districtPenalty(list: readonly number[]): number {
		if (wD === 0 || list.length < 2) return 0;
		let dup = 0;
		for (let x = 1; x < list.length; x++) {
			const d = jurDistrict[list[x]];
			if (d === '') continue;
			for (let y = 0; y < x; y++)
				if (jurDistrict[list[y]] === d) {
					dup++;
					break;
				}
		}
		return wD * dup;
	}

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
		const keptPairs = selectKept(valid, appK, jurCap, A, J);
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
	// With a district weight, classes list their jurors by (district, index) — unknown district
	// last — so that a district's arcs are consecutive (one group) and the split keeps them apart.
	if (costly && wD > 0) {
		const rank = new Int32Array(J);
		const byDistrict = Array.from({ length: J }, (_, j) => j).sort((x, y) => {
			const dx = jurDistrict[x];
			const dy = jurDistrict[y];
			if (dx !== dy) return dx === '' ? 1 : dy === '' ? -1 : cmp(dx, dy);
			return x - y;
		});
		byDistrict.forEach((j, r) => (rank[j] = r));
		for (const info of noms.values()) info.active.sort((x, y) => rank[x] - rank[y]);
	}

	// ---- classes of interchangeable applications
	interface Cls {
		need: number;
		apps: number[];
		eligible: number[];
		/** districts of the kept jurors (weighted runs with a district weight) */
		keptDistricts?: Set<string>;
	}
	const classes: Cls[] = [];
	const classByKey = new Map<string, number>();
	const excluded = new Uint8Array(J);
	for (let i = 0; i < A; i++) {
		const need = appK[i] - keptByApp[i].length;
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
		if (ex.length >= info.active.length) {
			for (const j of ex) excluded[j] = 0;
			continue; // nobody left
		}
		ex.sort((a, b) => a - b);
		let key = `${app.nominationId}\u0000${need}\u0000${ex.join(',')}`;
		let keptDistricts: string[] | undefined;
		if (costly) {
			// everything the costs look at must be equal within a class
			if (wE > 0) key += `\u0000${appSphere[i]}\u0000${appTags[i].join('\u0001')}`;
			if (wP > 0 && appPrefs[i]) key += `\u0000${[...appPrefs[i]!].filter((e) => e[1] !== 0).sort((x, y) => x[0] - y[0]).map(([j, v]) => `${j}:${v}`).join(',')}`;
			if (wD > 0) {
				keptDistricts = [...new Set(keptByApp[i].map((j) => jurDistrict[j]).filter((d) => d !== ''))].sort(cmp);
				key += `\u0000${keptDistricts.join(',')}`;
			}
		}
		let c = classByKey.get(key);
		if (c === undefined) {
			c = classes.length;
			classByKey.set(key, c);
			const eligible: number[] = [];
			for (const j of info.active) if (!excluded[j]) eligible.push(j);
			classes.push({ need, apps: [], eligible, keptDistricts: keptDistricts && new Set(keptDistricts) });
		}
		for (const j of ex) excluded[j] = 0;
		classes[c].apps.push(i);
	}

	// ---- solve on the class network
	const C = classes.length;
	const cap = Int32Array.from(jurCap);
	for (let j = 0; j < J; j++) if (!jurActive[j]) cap[j] = 0;
	const addedByApp: number[][] = Array.from({ length: A }, () => []);
	if (!costly) {
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
		const sol = solveBalancedTransport({ classes: C, jurors: J, demand, size, arcStart, arcJuror, base, cap });

		// ---- disaggregate to applications
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
	} else {
		// groups: one per federal district of the eligible jurors when districts are weighed
		// ('' = unknown district: never penalised), else one per class; arcs in group order
		const groupStart = new Int32Array(C + 1);
		const groupFree: number[] = [];
		const arcStartL: number[] = [0];
		let nArcs = 0;
		for (const cl of classes) nArcs += cl.eligible.length;
		const arcJurorA = new Int32Array(nArcs);
		const arcCostA = new Int32Array(nArcs);
		const priorityA = new Float64Array(nArcs);
		let at = 0;
		const shift = 3 * wE + 2 * wP; // the highest gain: arc costs shift − gain ≥ 0
		// jurors per sphere and per tag, for the gains of a class without string lookups
		const sphereJurors = new Map<string, number[]>();
		const tagJurors = new Map<string, number[]>();
		if (wE > 0)
			for (let j = 0; j < J; j++) {
				for (const x of jurSpheres[j]) push(sphereJurors, x, j);
				for (const x of jurTags[j]) push(tagJurors, x, j);
			}
		const g0 = new Int32Array(J); // gain of each juror for the current class (reset after use)
		const touched: number[] = [];
		for (let c = 0; c < C; c++) {
			const cl = classes[c];
			const rep = cl.apps[0];
			const n = cl.apps.length;
			if (wE > 0) {
				for (const j of sphereJurors.get(appSphere[rep]) ?? []) {
					if (g0[j] === 0) touched.push(j);
					g0[j] += 2 * wE;
				}
				const seen = new Set<number>();
				for (const t of appTags[rep])
					for (const j of tagJurors.get(t) ?? [])
						if (!seen.has(j)) {
							seen.add(j);
							if (g0[j] === 0) touched.push(j);
							g0[j] += wE;
						}
			}
			const prefs = wP > 0 ? appPrefs[rep] : undefined;
			let prev: string | null = null;
			for (const j of cl.eligible) {
				const d = wD > 0 ? jurDistrict[j] : '';
				if (prev === null || d !== prev) {
					if (prev !== null) arcStartL.push(at);
					groupFree.push(d === '' ? UNLIMITED : cl.keptDistricts?.has(d) ? 0 : n);
					prev = d;
				}
				const cost = shift - g0[j] - (prefs ? wP * (prefs.get(j) ?? 0) : 0);
				arcJurorA[at] = j;
				arcCostA[at] = cost;
				// pruning order: cheapest first, ties spread over the jurors by a hash of the pair
				priorityA[at] = cost * 1048576 + (mix32(rep * 0x9e3779b1 + j * 0x85ebca77) & 0xfffff);
				at++;
			}
			for (const j of touched) g0[j] = 0;
			touched.length = 0;
			if (prev !== null) arcStartL.push(at);
			groupStart[c + 1] = groupFree.length;
		}
		const demand = new Int32Array(C);
		const size = new Int32Array(C);
		for (let c = 0; c < C; c++) {
			demand[c] = classes[c].need * classes[c].apps.length;
			size[c] = classes[c].apps.length;
		}
		const arcStart = Int32Array.from(arcStartL);
		const sol = solveMinCostTransportPruned({
			classes: C,
			jurors: J,
			demand,
			size,
			groupStart,
			groupFree: Int32Array.from(groupFree),
			penalty: wD,
			arcStart,
			arcJuror: arcJurorA,
			arcCost: arcCostA,
			base,
			cap
		}, priorityA, PRUNE_KEEP);
		for (let c = 0; c < C; c++) {
			const cl = classes[c];
			const from = arcStart[groupStart[c]];
			const split = splitClassFlow(cl.apps.length, cl.need, cl.eligible, sol.flow.subarray(from, from + cl.eligible.length));
			for (let r = 0; r < split.length; r++) addedByApp[cl.apps[r]] = split[r].sort((x, y) => x - y);
		}
	}

	// ---- connectivity of the co-review graph
	const load = new Int32Array(J);
	for (let i = 0; i < A; i++) {
		for (const j of keptByApp[i]) load[j]++;
		for (const j of addedByApp[i]) load[j]++;
	}
	const potential = potentialRoots();
	const connectivityMoves = wC > 0 ? repairConnectivity() : 0;

	/**
	 * Components of the "could co-review" graph: two active jurors with capacity are linked when
	 * both are eligible for one application that takes ≥ 2 jurors.  Returns the root per juror.
	 */
	function potentialRoots(): Int32Array {
		const uf = new UnionFind(J);
		const exMark = new Uint8Array(J);
		// per nomination: once all its jurors with capacity are in one set, later applications of
		// it cannot change anything (their jurors are a subset); checked every few applications
		const nomDone = new Set<string>();
		const sinceCheck = new Map<string, number>();
		for (let i = 0; i < A; i++) {
			if (appK[i] < 2) continue;
			const app = apps[i];
			const nom = app.nominationId;
			if (nomDone.has(nom)) continue;
			const info = noms.get(nom);
			if (!info || info.active.length < 2) continue;
			const ex: number[] = [];
			const mark = (j: number) => {
				if (!exMark[j]) {
					exMark[j] = 1;
					ex.push(j);
				}
			};
			if (sameRegion && appReg[i] !== '') for (const j of info.byRegion.get(appReg[i]) ?? []) mark(j);
			if (appOrg[i] !== '') for (const j of info.byOrg.get(appOrg[i]) ?? []) mark(j);
			if (app.applicantUserId) for (const j of info.byUser.get(app.applicantUserId) ?? []) mark(j);
			const conf = appConflicts[i];
			if (conf) for (const j of conf.keys()) mark(j);
			let first = -1;
			for (const j of info.active) {
				if (exMark[j] || cap[j] <= 0) continue;
				if (first < 0) first = j;
				else uf.union(first, j);
			}
			for (const j of ex) exMark[j] = 0;
			const n = (sinceCheck.get(nom) ?? 0) + 1;
			sinceCheck.set(nom, n);
			if (n >= 8) {
				sinceCheck.set(nom, 0);
				let root = -1;
				let one = true;
				for (const j of info.active) {
					if (cap[j] <= 0) continue;
					const r = uf.find(j);
					if (root < 0) root = r;
					else if (r !== root) {
						one = false;
						break;
					}
				}
				if (one) nomDone.add(nom);
			}
		}
		// kept pairs are in every plan: they link their jurors (whatever their capacity) with the
		// application's other possible jurors
		for (let i = 0; i < A; i++) {
			const ks = keptByApp[i];
			if (ks.length === 0) continue;
			for (const j of ks) uf.union(ks[0], j);
			if (appK[i] < 2 && ks.length < 2) continue;
			for (const j of noms.get(apps[i].nominationId)?.active ?? [])
				if (cap[j] > 0 && reasonCode(i, j) === 0) {
					uf.union(ks[0], j);
					break;
				}
		}
		return uf.roots();
	}

	/** Union–find of the current co-review graph (jurors linked through shared applications). */
	function coReview(): UnionFind {
		const uf = new UnionFind(J);
		for (let i = 0; i < A; i++) {
			const ks = keptByApp[i];
			const ad = addedByApp[i];
			const first = ks.length ? ks[0] : ad.length ? ad[0] : -1;
			if (first < 0) continue;
			for (const j of ks) uf.union(first, j);
			for (const j of ad) uf.union(first, j);
		}
		return uf;
	}

	/** Components among jurors with a pair, and the lower bound from the potential graph. */
	function componentCounts(uf: UnionFind): { count: number; min: number } {
		const roots = new Set<number>();
		const proots = new Set<number>();
		for (let j = 0; j < J; j++) {
			if (load[j] === 0 || !jurActive[j]) continue;
			roots.add(uf.find(j));
			proots.add(potential[j]);
		}
		return { count: roots.size, min: proots.size };
	}

	/**
	 * Exchanges of pairs routed in this run that lower the number of co-review components, each at
	 * an extra cost ≤ wC per component merged (cost = load + district − affinity, as in the flow).
	 * Moves: R — a juror y of another component with capacity left replaces a juror x on an
	 * application a; R' — a juror x of the component with capacity left replaces y on an
	 * application of another component; S — x (on a) and y (on b) swap.  Candidates are tried
	 * cheapest first (deterministic order) and kept only if the count of components drops.
	 */
	function repairConnectivity(): number {
		const CAND_LIMIT = 20_000;
		const TRY_LIMIT = 60;
		let moves = 0;
		const isOn = (i: number, j: number) => keptByApp[i].includes(j) || addedByApp[i].includes(j);
		const jurorsOf = (i: number) => [...keptByApp[i], ...addedByApp[i]];
		const eligibleCache = new Map<number, number[]>();
		const eligibleOf = (i: number): number[] => {
			let l = eligibleCache.get(i);
			if (!l) {
				const info = noms.get(apps[i].nominationId);
				l = (info?.active ?? []).filter((j) => cap[j] > 0 && reasonCode(i, j) === 0);
				eligibleCache.set(i, l);
			}
			return l;
		};
		for (let iter = 0; iter < 4 * J + 10; iter++) {
			let uf = coReview();
			const { count, min } = componentCounts(uf);
			if (count <= min) break;
			const root = new Int32Array(J);
			const compSize = new Map<number, number>();
			for (let j = 0; j < J; j++) {
				root[j] = uf.find(j);
				if (load[j] > 0 && jurActive[j]) compSize.set(root[j], (compSize.get(root[j]) ?? 0) + 1);
			}
			// potential components holding more than one actual component: only there can a merge happen
			const perPotential = new Map<number, Set<number>>();
			for (const [r] of compSize) {
				const pr = potential[r];
				let set = perPotential.get(pr);
				if (!set) perPotential.set(pr, (set = new Set()));
				set.add(r);
			}
			const comps = [...compSize.keys()]
				.filter((r) => (perPotential.get(potential[r])?.size ?? 0) > 1)
				.sort((x, y) => compSize.get(x)! - compSize.get(y)! || x - y);
			// applications per component, movable applications per juror
			const appRoot = new Int32Array(A).fill(-1);
			const movableApps: number[][] = Array.from({ length: J }, () => []);
			for (let i = 0; i < A; i++) {
				const l = jurorsOf(i);
				if (l.length) appRoot[i] = root[l[0]];
				for (const j of addedByApp[i]) movableApps[j].push(i);
			}
			/** kind 0: y replaces x on a; 1: x (on a) and y (on b) swap; 2: juror x moves from b to a */
			type Cand = { delta: number; kind: 0 | 1 | 2; a: number; x: number; y: number; b: number };
			const count0 = (i: number) => keptByApp[i].length + addedByApp[i].length;
			const penWithout = (i: number, out: number) => districtPenalty(jurorsOf(i).filter((j) => j !== out));
			const penPlus = (i: number, inn: number) => districtPenalty([...jurorsOf(i), inn]);
			const cands: Cand[] = [];
			const penBefore = (i: number) => districtPenalty(jurorsOf(i));
			const penWith = (i: number, out: number, inn: number) => districtPenalty(jurorsOf(i).map((j) => (j === out ? inn : j)));
			gen: for (const X of comps) {
				for (let a = 0; a < A; a++) {
					if (appRoot[a] !== X || addedByApp[a].length === 0) continue;
					for (const y of eligibleOf(a)) {
						if (load[y] === 0 || root[y] === X || isOn(a, y)) continue;
						if (potential[y] !== potential[X]) continue;
						for (const x of addedByApp[a]) {
							if (load[y] < cap[y]) {
								// R: y replaces x on a
								const delta = load[y] + 1 - load[x] + gain(a, x) - gain(a, y) + penWith(a, x, y) - penBefore(a);
								cands.push({ delta, kind: 0, a, x, y, b: -1 });
							}
							for (const b of movableApps[y]) {
								if (isOn(b, x) || reasonCode(b, x) !== 0 || !jurActive[x] || !jurNoms[x].has(apps[b].nominationId)) continue;
								const delta =
									gain(a, x) + gain(b, y) - gain(a, y) - gain(b, x) + penWith(a, x, y) - penBefore(a) + penWith(b, y, x) - penBefore(b);
								cands.push({ delta, kind: 1, a, x, y, b });
							}
							if (cands.length >= CAND_LIMIT) break gen;
						}
					}
				}
				// R': a juror of X with capacity left replaces a routed juror of another component
				for (let x = 0; x < J; x++) {
					if (root[x] !== X || load[x] === 0 || load[x] >= cap[x]) continue;
					for (let b = 0; b < A; b++) {
						if (appRoot[b] < 0 || appRoot[b] === X || addedByApp[b].length === 0) continue;
						if (!jurNoms[x].has(apps[b].nominationId) || isOn(b, x) || reasonCode(b, x) !== 0) continue;
						for (const y of addedByApp[b]) {
							const delta = load[x] + 1 - load[y] + gain(b, y) - gain(b, x) + penWith(b, y, x) - penBefore(b);
							cands.push({ delta, kind: 0, a: b, x: y, y: x, b: -1 });
						}
						if (cands.length >= CAND_LIMIT) break gen;
					}
				}
				// M: a short application pulls a routed pair of a juror of another component, or a
				// juror of X moves a routed pair to a short application of another component
				// (loads unchanged; only when some application is short anyway)
				for (let a = 0; a < A; a++) {
					if (count0(a) >= appK[a] || count0(a) === 0) continue;
					const inX = appRoot[a] === X;
					for (const y of eligibleOf(a)) {
						if (load[y] === 0 || isOn(a, y)) continue;
						if (inX ? root[y] === X || potential[y] !== potential[X] : root[y] !== X) continue;
						for (const b of movableApps[y]) {
							if (b === a) continue;
							const delta = gain(b, y) - gain(a, y) + penPlus(a, y) - penBefore(a) + penWithout(b, y) - penBefore(b);
							cands.push({ delta, kind: 2, a, x: y, y: -1, b });
						}
					}
					if (cands.length >= CAND_LIMIT) break gen;
				}
			}
			cands.sort((p, q) => p.delta - q.delta || p.a - q.a || p.x - q.x || p.y - q.y || p.b - q.b || p.kind - q.kind);
			let accepted = false;
			for (let t = 0, tried = 0; t < cands.length && tried < TRY_LIMIT; t++) {
				const m = cands[t];
				const prev = t > 0 ? cands[t - 1] : null;
				if (prev && prev.kind === m.kind && prev.a === m.a && prev.x === m.x && prev.y === m.y && prev.b === m.b) continue; // generated twice
				tried++;
				if (m.delta > wC * (count - min)) break;
				const swapIn = (i: number, out: number, inn: number) => {
					const l = addedByApp[i];
					l[l.indexOf(out)] = inn;
					l.sort((p, q) => p - q);
				};
				const moveTo = (from: number, to: number, j: number) => {
					const l = addedByApp[from];
					l.splice(l.indexOf(j), 1);
					addedByApp[to].push(j);
					addedByApp[to].sort((p, q) => p - q);
				};
				if (m.kind === 2) moveTo(m.b, m.a, m.x);
				else {
					swapIn(m.a, m.x, m.y);
					if (m.kind === 1) swapIn(m.b, m.y, m.x);
					else {
						load[m.y]++;
						load[m.x]--;
					}
				}
				uf = coReview();
				const after = componentCounts(uf).count;
				if (after < count && m.delta <= wC * (count - after)) {
					accepted = true;
					break;
				}
				// revert
				if (m.kind === 2) {
					moveTo(m.a, m.b, m.x);
					continue;
				}
				swapIn(m.a, m.y, m.x);
				if (m.kind === 1) swapIn(m.b, m.x, m.y);
				else {
					load[m.y]--;
					load[m.x]++;
				}
			}
			if (!accepted && forceMergeDepth === 0 && A * J <= FORCE_MERGE_SIZE && forceMerge(root, compSize, perPotential, count)) accepted = true;
			if (!accepted) break;
			moves++;
		}
		return moves;
	}

	/** load + district − affinity of the current plan (the flow's objective). */
	function planObjective(): number {
		let total = 0;
		for (let j = 0; j < J; j++) total += (load[j] * (load[j] + 1)) / 2;
		for (let i = 0; i < A; i++) {
			const l = [...keptByApp[i], ...addedByApp[i]];
			total += districtPenalty(l);
			for (const j of l) total -= gain(i, j);
		}
		return total;
	}

	/**
	 * Last resort of the connectivity goal on small instances: make one application shared by
	 * two components (both pairs locked), let the flow re-route the rest incrementally (kept pairs
	 * locked, this run's pairs movable; its own exchanges still lower the components), and adopt the plan if the placement stays maximal, the
	 * components drop and the extra cost stays within the weight.
	 */
	function forceMerge(root: Int32Array, compSize: Map<number, number>, perPotential: Map<number, Set<number>>, count: number): boolean {
		const placed = () => {
			let n = 0;
			for (let i = 0; i < A; i++) n += keptByApp[i].length + addedByApp[i].length;
			return n;
		};
		const before = planObjective();
		const pairsBefore = placed();
		const tries: [number, number, number][] = [];
		for (let i = 0; i < A && tries.length < FORCE_MERGE_TRIES; i++) {
			if (appK[i] < 2) continue;
			const info = noms.get(apps[i].nominationId);
			const elig = (info?.active ?? []).filter((j) => cap[j] > 0 && load[j] > 0 && reasonCode(i, j) === 0);
			for (let x = 0; x < elig.length && tries.length < FORCE_MERGE_TRIES; x++)
				for (let y = x + 1; y < elig.length && tries.length < FORCE_MERGE_TRIES; y++) {
					const rx = root[elig[x]];
					const ry = root[elig[y]];
					if (rx === ry || !compSize.has(rx) || !compSize.has(ry) || (perPotential.get(potential[rx])?.size ?? 0) < 2) continue;
					tries.push([i, elig[x], elig[y]]);
				}
		}
		// each try twice: this run's pairs offered as unlocked existing ones (a small change), then
		// left out (routed afresh, so the inner exchanges may move every one of them)
		for (const [i, x, y] of tries)
			for (const keepRouted of [true, false]) {
				const existing: (RoutingPair & { locked?: boolean })[] = [];
				for (let a = 0; a < A; a++) {
					for (const j of keptByApp[a]) existing.push({ applicationId: apps[a].id, jurorId: jurors[j].id, locked: true });
					if (keepRouted) for (const j of addedByApp[a]) existing.push({ applicationId: apps[a].id, jurorId: jurors[j].id });
				}
				existing.push({ applicationId: apps[i].id, jurorId: jurors[x].id, locked: true }, { applicationId: apps[i].id, jurorId: jurors[y].id, locked: true });
				// the re-route keeps the connectivity goal by exchanges (one level: no forced merge inside),
				// so a merge that needs two moves (lock a shared entry, then pull a pair) is found too
				let inner: RoutingResult;
				forceMergeDepth++;
				try {
					inner = routeAssignments({ ...input, applications: apps, jurors, existing });
				} finally {
					forceMergeDepth--;
				}
				if (inner.assignments.length < pairsBefore) continue;
				const saved = addedByApp.map((l) => [...l]);
				const savedLoad = Int32Array.from(load);
				for (let a = 0; a < A; a++) addedByApp[a] = [];
				load.fill(0);
				for (const p of inner.assignments) {
					const a = appIndex.get(p.applicationId)!;
					const j = jurIndex.get(p.jurorId)!;
					load[j]++;
					if (!keptByApp[a].includes(j)) addedByApp[a].push(j);
				}
				for (const l of addedByApp) l.sort((p, q) => p - q);
				const after = componentCounts(coReview()).count;
				if (placed() === pairsBefore && after < count && planObjective() - before <= wC * (count - after)) return true;
				for (let a = 0; a < A; a++) addedByApp[a] = saved[a];
				load.set(savedLoad);
			}
		return false;
	}

	// ---- assemble the result
	const assignments: RoutingPair[] = [];
	const added: RoutingPair[] = [];
	const kept: RoutingPair[] = [];
	load.fill(0);
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
		if (ks.length + ad.length >= appK[i]) coveredFully++;
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
		const K = appK[i];
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
				const gen = `${N} ${plural(N, ['эксперта', 'экспертов', 'экспертов'])} номинации`;
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
				`у экспертов номинации исчерпана ёмкость: ${d.eligibleAtCapacity} из ${d.eligible} ${plural(d.eligible, ['подходящего эксперта', 'подходящих экспертов', 'подходящих экспертов'])} загружены полностью`
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

	// ---- what the preview shows
	let affSum = 0;
	let affN = 0;
	let sphereHit = 0;
	let sphereN = 0;
	let dApps = 0;
	let dDistinct = 0;
	let dDup = 0;
	let gainSum = 0;
	const dSeen: string[] = [];
	for (let i = 0; i < A; i++) {
		const hasData = appSphere[i] !== '' || (apps[i].tags ?? []).length > 0;
		let known = 0;
		let dup = 0;
		dSeen.length = 0;
		for (let half = 0; half < 2; half++) {
			const list = half === 0 ? keptByApp[i] : addedByApp[i];
			for (let x = 0; x < list.length; x++) {
				const j = list[x];
				if (hasData) {
					affSum += match(i, j);
					affN++;
				}
				if (appSphere[i] !== '') {
					sphereN++;
					if (jurSpheres[j].has(appSphere[i])) sphereHit++;
				}
				if (wE > 0 || wP > 0) gainSum += gain(i, j);
				const d = jurDistrict[j];
				if (d === '') continue;
				known++;
				if (dSeen.includes(d)) dup++;
				else dSeen.push(d);
			}
		}
		if (known >= 2) {
			dApps++;
			if (dup === 0) dDistinct++;
		}
		dDup += dup;
	}
	const finalUf = coReview();
	const cc = componentCounts(finalUf);
	const compSizes = new Map<number, number>();
	for (let j = 0; j < J; j++) if (load[j] > 0 && jurActive[j]) compSizes.set(finalUf.find(j), (compSizes.get(finalUf.find(j)) ?? 0) + 1);
	const quality: RoutingQuality = {
		meanAffinity: affN > 0 ? affSum / affN : null,
		sphereMatchShare: sphereN > 0 ? sphereHit / sphereN : null,
		districtApplications: dApps,
		districtDistinct: dDistinct,
		districtDuplicates: dDup,
		components: cc.count,
		componentsMin: cc.min,
		smallestComponent: compSizes.size ? Math.min(...compSizes.values()) : 0,
		connectivityMoves,
		objective: cost + wD * dDup - gainSum
	};

	return {
		assignments,
		added,
		removed,
		kept,
		unplaced,
		loads,
		stats: { applications: A, jurors: activeCount, k: K, minLoad, maxLoad, cost, coveredFully },
		quality
	};
}

/** The connectivity goal's last resort (forced shared application + re-route) runs on instances up to this many application × juror pairs, at most this many tries per merge. */
const FORCE_MERGE_SIZE = 50_000;
/** > 0 while a forced merge re-routes: the inner run repairs by exchanges only. */
let forceMergeDepth = 0;
const FORCE_MERGE_TRIES = 40;

/** Arcs kept per class in the first round of the pruned min-cost solve (see mcf.ts). */
const PRUNE_KEEP = 24;

function mix32(x: number): number {
	x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
	x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
	return (x ^ (x >>> 16)) >>> 0;
}

class UnionFind {
	private p: Int32Array;
	constructor(n: number) {
		this.p = new Int32Array(n);
		for (let i = 0; i < n; i++) this.p[i] = i;
	}
	find(x: number): number {
		const p = this.p;
		while (p[x] !== x) {
			p[x] = p[p[x]];
			x = p[x];
		}
		return x;
	}
	union(a: number, b: number): void {
		const ra = this.find(a);
		const rb = this.find(b);
		// the smaller index becomes the root: deterministic
		if (ra < rb) this.p[rb] = ra;
		else if (rb < ra) this.p[ra] = rb;
	}
	roots(): Int32Array {
		const out = new Int32Array(this.p.length);
		for (let i = 0; i < out.length; i++) out[i] = this.find(i);
		return out;
	}
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
	K: Int32Array,
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
			.sort((a, b) => Number(perApp[a.i] > K[a.i]) - Number(perApp[b.i] > K[b.i]) || a.i - b.i);
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
	for (let i = 0; i < A; i++) {
		const list = byApp[i];
		if (list.length <= K[i]) {
			out.push(...list);
			continue;
		}
		let surplus = list.length - K[i];
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
