/**
 * Routing that knows who knows what (issue 16): expertise affinity, stated preferences, federal
 * districts and the connectivity of the co-review graph as soft goals of the min-cost flow.
 * The plain routing's own properties live in routing.test.ts and hold unchanged.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
	conflictKey,
	expertiseMatch,
	isEligible,
	jurorDistrict,
	routeAssignments,
	type RoutingApplication,
	type RoutingInput,
	type RoutingJuror,
	type RoutingPair,
	type RoutingResult,
	type RoutingWeights
} from './routing';
import { solveMinCostTransport, solveMinCostTransportPruned, UNLIMITED, type CostTransportProblem } from './mcf';
import { mulberry32 } from '../random';
import { REGIONS } from '../../data/regions';
import { SPHERES } from '../../data/spheres';

// ------------------------------------------------------------------------------------------------
// generators

// region codes of four federal districts (77, 50: Центральный; 78: Северо-Западный;
// 16: Приволжский; 54: Сибирский) and an unknown one
const REG = ['77', '50', '78', '16', '54', ''];
const ORG = ['Школа №1', 'Завод', '', ''];
const SPH = ['education', 'health', 'culture'];
const TAG = ['молодёжь', 'село'];

interface Raw {
	k: number;
	sameRegion: boolean;
	weights: RoutingWeights;
	apps: { nom: number; region: number; org: number; user: number; sphere: number; tags: number[] }[];
	jurors: { noms: number[]; region: number; org: number; user: number; cap: number; active: boolean; spheres: number[]; tags: number[] }[];
	prefs: { a: number; j: number; v: number }[];
	conflicts: { a: number; j: number }[];
}

function build(raw: Raw): RoutingInput {
	const applications: RoutingApplication[] = raw.apps.map((a, i) => ({
		id: `a${i}`,
		nominationId: `n${a.nom}`,
		region: REG[a.region],
		organization: ORG[a.org],
		applicantUserId: `u${a.user}`,
		sphere: a.sphere < SPH.length ? SPH[a.sphere] : null,
		tags: a.tags.map((t) => TAG[t])
	}));
	const jurors: RoutingJuror[] = raw.jurors.map((j, i) => ({
		id: `j${i}`,
		userId: `u${j.user}`,
		nominationIds: j.noms.map((n) => `n${n}`),
		region: REG[j.region],
		organization: ORG[j.org],
		capacity: j.cap,
		expertise: { spheres: j.spheres.map((s) => SPH[s]), tags: j.tags.map((t) => TAG[t]) },
		...(j.active ? {} : { active: false })
	}));
	const preferences =
		applications.length && jurors.length
			? raw.prefs.map((p) => ({ applicationId: applications[p.a % applications.length].id, jurorId: jurors[p.j % jurors.length].id, value: p.v }))
			: [];
	const conflicts =
		applications.length && jurors.length
			? raw.conflicts.map((c) => ({ applicationId: applications[c.a % applications.length].id, jurorId: jurors[c.j % jurors.length].id, reason: 'declared' as const }))
			: [];
	return { applications, jurors, conflicts, preferences, settings: { k: raw.k, sameRegionConflict: raw.sameRegion, weights: raw.weights } };
}

function rawArb(o: { apps: number; jurors: number; k: number; minK?: number; cap: number; noms?: number; weights?: fc.Arbitrary<RoutingWeights> }): fc.Arbitrary<Raw> {
	const noms = o.noms ?? 2;
	const sub = (n: number) => fc.subarray(Array.from({ length: n }, (_, i) => i));
	return fc.record({
		k: fc.integer({ min: o.minK ?? 1, max: o.k }),
		sameRegion: fc.boolean(),
		weights:
			o.weights ??
			fc.record({
				expertise: fc.integer({ min: 0, max: 3 }),
				preference: fc.integer({ min: 0, max: 2 }),
				district: fc.integer({ min: 0, max: 4 }),
				connectivity: fc.constant(0)
			}),
		apps: fc.array(
			fc.record({
				nom: fc.nat(noms - 1),
				region: fc.nat(REG.length - 1),
				org: fc.nat(ORG.length - 1),
				user: fc.nat(9),
				sphere: fc.nat(SPH.length),
				tags: sub(TAG.length)
			}),
			{ maxLength: o.apps }
		),
		jurors: fc.array(
			fc.record({
				noms: sub(noms),
				region: fc.nat(REG.length - 1),
				org: fc.nat(ORG.length - 1),
				user: fc.nat(9),
				cap: fc.nat(o.cap),
				active: fc.oneof(fc.constant(true), fc.constant(true), fc.constant(true), fc.constant(false)),
				spheres: sub(SPH.length),
				tags: sub(TAG.length)
			}),
			{ maxLength: o.jurors }
		),
		prefs: fc.array(fc.record({ a: fc.nat(20), j: fc.nat(20), v: fc.integer({ min: -2, max: 2 }) }), { maxLength: 3 }),
		conflicts: fc.array(fc.record({ a: fc.nat(20), j: fc.nat(20) }), { maxLength: 2 })
	});
}

// ------------------------------------------------------------------------------------------------
// independent evaluation of a plan

const pairKey = (p: RoutingPair) => `${p.applicationId}|${p.jurorId}`;

function eligibleFn(input: RoutingInput) {
	const declared = new Set(input.conflicts.map((c) => conflictKey(c.jurorId, c.applicationId)));
	const apps = new Map(input.applications.map((a) => [a.id, a]));
	const jurors = new Map(input.jurors.map((j) => [j.id, j]));
	return (a: string, j: string) => isEligible(apps.get(a)!, jurors.get(j)!, input.settings, declared);
}

function weightsOf(input: RoutingInput) {
	const w = input.settings.weights ?? {};
	return { e: w.expertise ?? 0, p: w.preference ?? 0, d: w.district ?? 0 };
}

/** What a pair earns (load units), recomputed from the definitions. */
function gainFn(input: RoutingInput) {
	const w = weightsOf(input);
	const apps = new Map(input.applications.map((a) => [a.id, a]));
	const jurors = new Map(input.jurors.map((j) => [j.id, j]));
	const prefs = new Map<string, number>();
	for (const p of input.preferences ?? []) {
		const key = `${p.applicationId}|${p.jurorId}`;
		const v = Math.max(-2, Math.min(2, Math.round(p.value)));
		prefs.set(key, Math.min(v, prefs.get(key) ?? v));
	}
	return (a: string, j: string) => w.e * expertiseMatch(apps.get(a)!, jurors.get(j)!) + w.p * (prefs.get(`${a}|${j}`) ?? 0);
}

function duplicates(input: RoutingInput, jurorIds: string[]): number {
	const jurors = new Map(input.jurors.map((j) => [j.id, j]));
	const seen = new Set<string>();
	let dup = 0;
	for (const id of jurorIds) {
		const d = jurorDistrict(jurors.get(id)!);
		if (d === '') continue;
		if (seen.has(d)) dup++;
		else seen.add(d);
	}
	return dup;
}

/** load + district − affinity of a full plan (what the flow minimises). */
function objective(input: RoutingInput, pairs: RoutingPair[]): number {
	const w = weightsOf(input);
	const gain = gainFn(input);
	const load = new Map<string, number>();
	const byApp = new Map<string, string[]>();
	let total = 0;
	for (const p of pairs) {
		load.set(p.jurorId, (load.get(p.jurorId) ?? 0) + 1);
		byApp.set(p.applicationId, [...(byApp.get(p.applicationId) ?? []), p.jurorId]);
		total -= gain(p.applicationId, p.jurorId);
	}
	for (const L of load.values()) total += (L * (L + 1)) / 2;
	for (const list of byApp.values()) total += w.d * duplicates(input, list);
	return total;
}

/** Components of the co-review graph among active jurors with a pair. */
function components(input: RoutingInput, pairs: RoutingPair[]): number {
	const parent = new Map<string, string>();
	const find = (x: string): string => {
		while (parent.get(x) !== x) x = parent.get(x)!;
		return x;
	};
	const active = new Set(input.jurors.filter((j) => j.active !== false).map((j) => j.id));
	const byApp = new Map<string, string[]>();
	for (const p of pairs) {
		if (!active.has(p.jurorId)) continue;
		parent.set(p.jurorId, p.jurorId);
		byApp.set(p.applicationId, [...(byApp.get(p.applicationId) ?? []), p.jurorId]);
	}
	for (const list of byApp.values()) for (const j of list.slice(1)) parent.set(find(j), find(list[0]));
	return new Set([...parent.keys()].map(find)).size;
}

function checkValid(input: RoutingInput, r: RoutingResult): void {
	const ok = eligibleFn(input);
	const K = input.settings.k;
	const perApp = new Map<string, number>();
	const perJur = new Map<string, number>();
	const keys = r.assignments.map(pairKey);
	expect(new Set(keys).size).toBe(keys.length);
	for (const p of r.assignments) {
		expect(ok(p.applicationId, p.jurorId), `eligible ${pairKey(p)}`).toBe(true);
		perApp.set(p.applicationId, (perApp.get(p.applicationId) ?? 0) + 1);
		perJur.set(p.jurorId, (perJur.get(p.jurorId) ?? 0) + 1);
	}
	const locked = new Map<string, number>();
	for (const e of input.existing ?? []) if (e.locked && ok(e.applicationId, e.jurorId)) locked.set(e.jurorId, (locked.get(e.jurorId) ?? 0) + 1);
	for (const j of input.jurors) {
		expect(r.loads[j.id]).toBe(perJur.get(j.id) ?? 0);
		expect(r.loads[j.id]).toBeLessThanOrEqual(Math.max(j.capacity, locked.get(j.id) ?? 0));
	}
	const lockedOn = new Map<string, number>();
	for (const e of input.existing ?? []) if (e.locked && ok(e.applicationId, e.jurorId)) lockedOn.set(e.applicationId, (lockedOn.get(e.applicationId) ?? 0) + 1);
	for (const a of input.applications) expect(perApp.get(a.id) ?? 0).toBeLessThanOrEqual(Math.max(a.k ?? K, lockedOn.get(a.id) ?? 0));
	const short = input.applications.filter((a) => (perApp.get(a.id) ?? 0) < (a.k ?? K)).map((a) => a.id).sort();
	expect(r.unplaced.map((u) => u.applicationId)).toEqual(short);
	for (const u of r.unplaced) expect(u.reasons.length).toBeGreaterThan(0);
	expect(r.quality.objective).toBe(objective(input, r.assignments));
	expect(r.quality.components).toBe(components(input, r.assignments));
	expect(r.quality.components).toBeGreaterThanOrEqual(r.quality.componentsMin);
}

/**
 * Every maximum placement of the routed part (given the kept pairs), enumerated: the best
 * objective, the fewest district duplicates and the fewest components among them.
 */
function bruteForce(input: RoutingInput, kept: RoutingPair[]) {
	const K = input.settings.k;
	const ok = eligibleFn(input);
	const jurors = input.jurors;
	const base = new Map<string, number>();
	for (const p of kept) base.set(p.jurorId, (base.get(p.jurorId) ?? 0) + 1);
	const options = input.applications.map((a) => {
		const on = kept.filter((p) => p.applicationId === a.id).map((p) => p.jurorId);
		const need = Math.max(0, (a.k ?? K) - on.length);
		const elig = jurors.filter((j) => !on.includes(j.id) && ok(a.id, j.id)).map((j) => j.id);
		const subsets: string[][] = [];
		const rec = (s: number, cur: string[]) => {
			subsets.push(cur);
			if (cur.length === need) return;
			for (let x = s; x < elig.length; x++) rec(x + 1, [...cur, elig[x]]);
		};
		rec(0, []);
		return { app: a.id, subsets };
	});
	let best = { pairs: -1, objective: Infinity, duplicates: Infinity, components: Infinity };
	const loads = new Map(base);
	const chosen: RoutingPair[] = [...kept];
	const go = (i: number) => {
		if (i === options.length) {
			const pairs = chosen.length;
			if (pairs < best.pairs) return;
			if (pairs > best.pairs) best = { pairs, objective: Infinity, duplicates: Infinity, components: Infinity };
			const byApp = new Map<string, string[]>();
			for (const p of chosen) byApp.set(p.applicationId, [...(byApp.get(p.applicationId) ?? []), p.jurorId]);
			let dup = 0;
			for (const l of byApp.values()) dup += duplicates(input, l);
			best.objective = Math.min(best.objective, objective(input, chosen));
			best.duplicates = Math.min(best.duplicates, dup);
			best.components = Math.min(best.components, components(input, chosen));
			return;
		}
		for (const sub of options[i].subsets) {
			if (sub.some((j) => (loads.get(j) ?? 0) + 1 > jurors.find((x) => x.id === j)!.capacity)) continue;
			for (const j of sub) {
				loads.set(j, (loads.get(j) ?? 0) + 1);
				chosen.push({ applicationId: options[i].app, jurorId: j });
			}
			go(i + 1);
			for (const j of sub) {
				loads.set(j, loads.get(j)! - 1);
				chosen.pop();
			}
		}
	};
	go(0);
	return best;
}

function shuffled<T>(arr: T[], rnd: () => number): T[] {
	const a = [...arr];
	for (let i = a.length - 1; i > 0; i--) {
		const j = Math.floor(rnd() * (i + 1));
		[a[i], a[j]] = [a[j], a[i]];
	}
	return a;
}

// ------------------------------------------------------------------------------------------------

describe('expertiseMatch and jurorDistrict', () => {
	it('sphere counts 2, a shared tag 1; compared normalized', () => {
		const j = { expertise: { spheres: ['Education', 'health'], tags: ['Молодёжь', 'село'] } };
		expect(expertiseMatch({ sphere: 'education', tags: [] }, j)).toBe(2);
		expect(expertiseMatch({ sphere: 'culture', tags: ['молодежь '] }, j)).toBe(1);
		expect(expertiseMatch({ sphere: ' health', tags: ['село', 'молодёжь'] }, j)).toBe(3);
		expect(expertiseMatch({ sphere: null, tags: undefined }, j)).toBe(0);
		expect(expertiseMatch({ sphere: 'health' }, {})).toBe(0);
	});

	it('the district comes from the region code unless given', () => {
		expect(jurorDistrict({ region: '16' })).toBe('pfd');
		expect(jurorDistrict({ region: '77' })).toBe('cfd');
		expect(jurorDistrict({ region: 'R1' })).toBe('');
		expect(jurorDistrict({ region: '16', district: 'sfd' })).toBe('sfd');
	});
});

describe('solveMinCostTransport', () => {
	/** Independent reference: successive shortest paths with Bellman–Ford on the unit network. */
	function reference(p: CostTransportProblem): { units: number; cost: number } {
		const C = p.classes;
		const G = p.groupStart[C];
		const J = p.jurors;
		const n = 2 + C + G + J;
		const S = 0;
		const T = n - 1;
		const to: number[] = [];
		const capv: number[] = [];
		const cost: number[] = [];
		const head: number[][] = Array.from({ length: n }, () => []);
		const add = (u: number, v: number, c: number, w: number) => {
			head[u].push(to.length);
			to.push(v);
			capv.push(c);
			cost.push(w);
			head[v].push(to.length);
			to.push(u);
			capv.push(0);
			cost.push(-w);
		};
		for (let c = 0; c < C; c++) {
			add(S, 1 + c, p.demand[c], 0);
			for (let g = p.groupStart[c]; g < p.groupStart[c + 1]; g++) {
				const free = Math.min(p.groupFree[g], 1000);
				if (free > 0) add(1 + c, 1 + C + g, free, 0);
				add(1 + c, 1 + C + g, 1000, p.penalty);
				for (let a = p.arcStart[g]; a < p.arcStart[g + 1]; a++) add(1 + C + g, 1 + C + G + p.arcJuror[a], p.size[c], p.arcCost[a]);
			}
		}
		for (let j = 0; j < J; j++) for (let L = p.base[j] + 1; L <= p.cap[j]; L++) add(1 + C + G + j, T, 1, L);
		let units = 0;
		let total = 0;
		for (;;) {
			const d = new Array(n).fill(Infinity);
			const pe = new Array(n).fill(-1);
			d[S] = 0;
			for (let it = 0; it < n; it++) {
				let changed = false;
				for (let u = 0; u < n; u++)
					if (d[u] < Infinity)
						for (const e of head[u])
							if (capv[e] > 0 && d[u] + cost[e] < d[to[e]]) {
								d[to[e]] = d[u] + cost[e];
								pe[to[e]] = e;
								changed = true;
							}
				if (!changed) break;
			}
			if (d[T] === Infinity) break;
			let f = Infinity;
			for (let v = T; v !== S; v = to[pe[v] ^ 1]) f = Math.min(f, capv[pe[v]]);
			for (let v = T; v !== S; v = to[pe[v] ^ 1]) {
				capv[pe[v]] -= f;
				capv[pe[v] ^ 1] += f;
			}
			units += f;
			total += f * d[T];
		}
		return { units, cost: total };
	}

	function randomProblem(rnd: () => number): CostTransportProblem {
		const ri = (n: number) => Math.floor(rnd() * n);
		const C = 1 + ri(4);
		const J = 1 + ri(5);
		const P = ri(3) === 0 ? 0 : ri(5);
		const demand = new Int32Array(C);
		const size = new Int32Array(C);
		const groupStart = new Int32Array(C + 1);
		const free: number[] = [];
		const arcStart: number[] = [0];
		const arcJuror: number[] = [];
		const arcCost: number[] = [];
		for (let c = 0; c < C; c++) {
			size[c] = 1 + ri(3);
			demand[c] = size[c] * (1 + ri(3));
			const groups = 1 + ri(3);
			const js = [...Array(J).keys()].filter(() => rnd() < 0.7);
			for (let g = 0; g < groups; g++) {
				free.push(P === 0 ? UNLIMITED : ri(2) ? size[c] : 0);
				for (const j of js)
					if (j % groups === g) {
						arcJuror.push(j);
						arcCost.push(ri(4));
					}
				arcStart.push(arcJuror.length);
			}
			groupStart[c + 1] = free.length;
		}
		const base = Int32Array.from({ length: J }, () => ri(3));
		const cap = Int32Array.from(base, (b) => b + ri(5));
		return {
			classes: C,
			jurors: J,
			demand,
			size,
			groupStart,
			groupFree: Int32Array.from(free),
			penalty: P,
			arcStart: Int32Array.from(arcStart),
			arcJuror: Int32Array.from(arcJuror),
			arcCost: Int32Array.from(arcCost),
			base,
			cap
		};
	}

	function costOf(p: CostTransportProblem, s: { flow: Int32Array; routed: Int32Array; groupFlow: Int32Array }) {
		let units = 0;
		let cost = 0;
		for (let a = 0; a < p.arcJuror.length; a++) {
			units += s.flow[a];
			cost += s.flow[a] * p.arcCost[a];
		}
		for (let g = 0; g < p.groupStart[p.classes]; g++) cost += p.penalty * Math.max(0, s.groupFlow[g] - p.groupFree[g]);
		for (let j = 0; j < p.jurors; j++) for (let L = p.base[j] + 1; L <= p.base[j] + s.routed[j]; L++) cost += L;
		return { units, cost };
	}

	it('finds the maximum flow of minimum cost (against a textbook solver)', () => {
		const rnd = mulberry32(16);
		for (let it = 0; it < 400; it++) {
			const p = randomProblem(rnd);
			expect(costOf(p, solveMinCostTransport(p))).toEqual(reference(p));
		}
	});

	it('the pruned solve is certified or repaired: still exactly optimal', () => {
		const rnd = mulberry32(1616);
		for (let it = 0; it < 400; it++) {
			const p = randomProblem(rnd);
			const priority = Float64Array.from(p.arcCost, (c) => c * 100 + Math.floor(rnd() * 100));
			const s = solveMinCostTransportPruned(p, priority, 1 + Math.floor(rnd() * 3));
			expect(s.certified).toBe(true);
			expect(costOf(p, s)).toEqual(reference(p));
		}
	});
});

describe('routeAssignments with weights: the plain routing when all weights are 0', () => {
	it('weights of 0 give exactly the result without weights', () => {
		fc.assert(
			fc.property(rawArb({ apps: 8, jurors: 6, k: 3, cap: 4, weights: fc.constant({ expertise: 0, preference: 0, district: 0, connectivity: 0 }) }), (raw) => {
				const input = build(raw);
				const { weights: _w, ...plain } = input.settings;
				expect(routeAssignments(input)).toEqual(routeAssignments({ ...input, settings: plain, preferences: [] }));
			}),
			{ numRuns: 150 }
		);
	});
});

describe('routeAssignments with weights: optimal for the stated costs', () => {
	it('maximum placement, then minimum load + district − affinity (brute force)', () => {
		fc.assert(
			fc.property(rawArb({ apps: 4, jurors: 4, k: 2, cap: 3 }), (raw) => {
				const input = build(raw);
				const r = routeAssignments(input);
				checkValid(input, r);
				const bf = bruteForce(input, []);
				expect(r.assignments.length).toBe(bf.pairs);
				expect(r.quality.objective).toBe(bf.objective);
			}),
			{ numRuns: 300 }
		);
	});

	it('with existing pairs: the routed part is optimal given the kept pairs', () => {
		fc.assert(
			fc.property(
				rawArb({ apps: 4, jurors: 4, k: 2, cap: 3 }),
				fc.array(fc.record({ a: fc.nat(9), j: fc.nat(9), locked: fc.boolean() }), { maxLength: 4 }),
				(raw, ex) => {
					const base = build(raw);
					if (!base.applications.length || !base.jurors.length) return;
					const existing = ex.map((e) => ({
						applicationId: base.applications[e.a % base.applications.length].id,
						jurorId: base.jurors[e.j % base.jurors.length].id,
						locked: e.locked
					}));
					const input = { ...base, existing };
					const r = routeAssignments(input);
					checkValid(input, r);
					const bf = bruteForce(input, r.kept);
					expect(r.assignments.length).toBe(bf.pairs);
					expect(r.quality.objective).toBe(bf.objective);
				}
			),
			{ numRuns: 200 }
		);
	});

	it('a larger instance: the flow is certified on the full network and beats the plain plan on affinity', () => {
		const rnd = mulberry32(7);
		const pick = <T,>(a: T[]) => a[Math.floor(rnd() * a.length)];
		const jurors: RoutingJuror[] = Array.from({ length: 60 }, (_, j) => ({
			id: `j${String(j).padStart(3, '0')}`,
			userId: `uj${j}`,
			nominationIds: [pick(['n1', 'n2', 'n3'])],
			region: pick(REGIONS).code,
			organization: `орг ${j % 17}`,
			capacity: 80,
			expertise: { spheres: [pick(SPHERES).code, pick(SPHERES).code] }
		}));
		const applications: RoutingApplication[] = Array.from({ length: 900 }, (_, i) => ({
			id: `a${String(i).padStart(4, '0')}`,
			nominationId: pick(['n1', 'n2', 'n3']),
			region: pick(REGIONS).code,
			organization: `орг ${i % 23}`,
			applicantUserId: `ua${i}`,
			sphere: pick(SPHERES).code
		}));
		const input: RoutingInput = { applications, jurors, conflicts: [], settings: { k: 3, weights: { expertise: 2, district: 3 } } };
		const r = routeAssignments(input);
		const plain = routeAssignments({ ...input, settings: { k: 3 } });
		checkValid(input, r);
		expect(r.unplaced).toEqual(plain.unplaced);
		expect(r.assignments.length).toBe(plain.assignments.length);
		expect(r.quality.sphereMatchShare!).toBeGreaterThan(plain.quality.sphereMatchShare! + 0.3);
		expect(r.quality.districtDuplicates).toBeLessThan(plain.quality.districtDuplicates);
		expect(r.quality.objective).toBeLessThan(objective(input, plain.assignments));
	});
});

describe('routeAssignments with weights: the soft goals are met whenever a feasible plan allows it', () => {
	it('districts: with a dominant district weight, as few same-district pairs as any maximum placement has', () => {
		fc.assert(
			fc.property(
				rawArb({ apps: 4, jurors: 5, k: 3, cap: 3, weights: fc.record({ district: fc.constant(1000), expertise: fc.constant(0) }) }),
				(raw) => {
					const input = build(raw);
					const r = routeAssignments(input);
					checkValid(input, r);
					const bf = bruteForce(input, []);
					expect(r.quality.districtDuplicates).toBe(bf.duplicates);
				}
			),
			{ numRuns: 250 }
		);
	});

	it('connectivity: with a dominant connectivity weight, as few co-review components as any maximum placement has (K ≥ 2)', () => {
		fc.assert(
			fc.property(
				rawArb({ apps: 4, jurors: 5, k: 3, minK: 2, cap: 3, noms: 1, weights: fc.record({ connectivity: fc.constant(1000), expertise: fc.integer({ min: 0, max: 2 }) }) }),
				(raw) => {
					const input = build(raw);
					const r = routeAssignments(input);
					checkValid(input, r);
					const bf = bruteForce(input, []);
					expect(r.assignments.length).toBe(bf.pairs);
					expect(r.quality.components).toBe(bf.components);
				}
			),
			{
				numRuns: 300,
				// seed 1505152949: no single exchange merges the two components; the
				// merge needs two (J1 leaves app 1 for app 0, J2 moves from app 0 to app 2)
				examples: [
					[
						{
							k: 2,
							sameRegion: false,
							weights: { connectivity: 1000, expertise: 1 },
							apps: [
								{ nom: 0, region: 0, org: 0, user: 0, sphere: 0, tags: [] },
								{ nom: 0, region: 0, org: 0, user: 0, sphere: 3, tags: [] },
								{ nom: 0, region: 0, org: 0, user: 0, sphere: 2, tags: [] }
							],
							jurors: [
								{ noms: [0], region: 0, org: 1, user: 1, cap: 1, active: true, spheres: [0, 2], tags: [] },
								{ noms: [0], region: 0, org: 1, user: 1, cap: 2, active: true, spheres: [], tags: [] },
								{ noms: [0], region: 0, org: 1, user: 1, cap: 1, active: true, spheres: [0, 2], tags: [] }
							],
							prefs: [],
							conflicts: []
						}
					],
					// seed 553240726: the forced shared entry only helps when this run's pairs are
					// routed afresh (kept as unlocked existing pairs they could not move)
					[
						{
							k: 2,
							sameRegion: false,
							weights: { connectivity: 1000, expertise: 0 },
							apps: [
								{ nom: 0, region: 0, org: 0, user: 3, sphere: 0, tags: [] },
								{ nom: 0, region: 0, org: 0, user: 0, sphere: 0, tags: [] },
								{ nom: 0, region: 0, org: 0, user: 0, sphere: 0, tags: [] }
							],
							jurors: [
								{ noms: [0], region: 0, org: 1, user: 4, cap: 1, active: true, spheres: [], tags: [] },
								{ noms: [0], region: 0, org: 1, user: 1, cap: 1, active: true, spheres: [], tags: [] },
								{ noms: [0], region: 0, org: 1, user: 3, cap: 2, active: true, spheres: [], tags: [] }
							],
							prefs: [],
							conflicts: []
						}
					]
				]
			}
		);
	});

	it('connectivity: islands of experts get linked on a larger instance', () => {
		// two spheres, experts of each sphere and a few generalists: with a strong expertise weight
		// the experts of a sphere would only ever review together
		const jurors: RoutingJuror[] = [];
		for (let j = 0; j < 24; j++)
			jurors.push({
				id: `j${String(j).padStart(2, '0')}`,
				userId: `uj${j}`,
				nominationIds: ['n'],
				region: '',
				organization: '',
				capacity: 30,
				expertise: { spheres: j < 12 ? ['education'] : ['health'] }
			});
		const applications: RoutingApplication[] = Array.from({ length: 200 }, (_, i) => ({
			id: `a${String(i).padStart(3, '0')}`,
			nominationId: 'n',
			region: '',
			organization: '',
			applicantUserId: `ua${i}`,
			sphere: i % 2 ? 'education' : 'health'
		}));
		const base: RoutingInput = { applications, jurors, conflicts: [], settings: { k: 3, weights: { expertise: 3 } } };
		const islands = routeAssignments(base);
		// experts of a sphere only ever review together — in blocks, even (the round-robin split)
		expect(islands.quality.components).toBeGreaterThanOrEqual(2);
		const input = { ...base, settings: { k: 3, weights: { expertise: 3, connectivity: 20 } } };
		const r = routeAssignments(input);
		checkValid(input, r);
		expect(r.quality.components).toBe(1);
		expect(r.quality.componentsMin).toBe(1);
		expect(r.quality.connectivityMoves).toBeGreaterThan(0);
		// each merge costs at most the weight
		expect(r.quality.objective - islands.quality.objective).toBeLessThanOrEqual(20 * (islands.quality.components - 1));
		expect(r.quality.sphereMatchShare!).toBeGreaterThan(0.99);
	});
});

describe('routeAssignments with weights: guarantees of the plain routing', () => {
	it('does not depend on the order of the input', () => {
		const rnd = mulberry32(99);
		fc.assert(
			fc.property(rawArb({ apps: 10, jurors: 7, k: 3, cap: 5, weights: fc.record({ expertise: fc.nat(3), preference: fc.nat(2), district: fc.nat(3), connectivity: fc.nat(5) }) }), (raw) => {
				const input = build(raw);
				const a = routeAssignments(input);
				const b = routeAssignments({
					...input,
					applications: shuffled(input.applications, rnd),
					jurors: shuffled(input.jurors, rnd),
					conflicts: shuffled(input.conflicts, rnd),
					preferences: shuffled(input.preferences ?? [], rnd)
				});
				expect(b).toEqual(a);
			}),
			{ numRuns: 150 }
		);
	});

	it('is incremental: a juror dropping out re-routes only that juror’s pairs', () => {
		fc.assert(
			fc.property(
				rawArb({ apps: 10, jurors: 7, k: 2, cap: 6, weights: fc.record({ expertise: fc.nat(3), district: fc.nat(3), connectivity: fc.nat(5) }) }),
				fc.nat(20),
				(raw, x) => {
					const input = build(raw);
					const first = routeAssignments(input);
					if (!input.jurors.length) return;
					const gone = input.jurors[x % input.jurors.length].id;
					const input2 = { ...input, jurors: input.jurors.map((j) => (j.id === gone ? { ...j, active: false } : j)), existing: first.assignments };
					const second = routeAssignments(input2);
					checkValid(input2, second);
					const lost = new Set(first.assignments.filter((p) => p.jurorId === gone).map((p) => p.applicationId));
					expect(second.removed.every((p) => p.jurorId === gone)).toBe(true);
					for (const p of second.added) expect(lost.has(p.applicationId)).toBe(true);
					expect(second.kept.length).toBe(first.assignments.length - lost.size);
				}
			),
			{ numRuns: 150 }
		);
	});

	it('infeasible instances still explain which applications lack eligible jurors', () => {
		const jurors: RoutingJuror[] = [
			{ id: 'j1', userId: 'u1', nominationIds: ['n'], region: '16', organization: '', capacity: 5, expertise: { spheres: ['health'] } },
			{ id: 'j2', userId: 'u2', nominationIds: ['n'], region: '16', organization: '', capacity: 5, expertise: { spheres: ['health'] } },
			{ id: 'j3', userId: 'u3', nominationIds: ['n'], region: '77', organization: '', capacity: 5 }
		];
		const applications: RoutingApplication[] = [
			{ id: 'a1', nominationId: 'n', region: '16', organization: '', applicantUserId: 'x1', sphere: 'health' },
			{ id: 'a2', nominationId: 'n', region: '54', organization: '', applicantUserId: 'x2', sphere: 'health' },
			{ id: 'a3', nominationId: 'other', region: '54', organization: '', applicantUserId: 'x3', sphere: 'health' }
		];
		const plain: RoutingInput = { applications, jurors, conflicts: [], settings: { k: 2 } };
		const weighted: RoutingInput = { ...plain, settings: { k: 2, weights: { expertise: 10, district: 10, connectivity: 10 } } };
		const a = routeAssignments(plain);
		const b = routeAssignments(weighted);
		checkValid(weighted, b);
		expect(b.unplaced.map((u) => [u.applicationId, u.reasons])).toEqual(a.unplaced.map((u) => [u.applicationId, u.reasons]));
		expect(b.unplaced.find((u) => u.applicationId === 'a1')!.reasons[0]).toContain('из того же региона');
		expect(b.unplaced.find((u) => u.applicationId === 'a3')!.reasons).toEqual(['нет экспертов номинации']);
		// a2 gets both from different districts... but only one expert: j3 is the other district
		expect(b.assignments.filter((p) => p.applicationId === 'a2').map((p) => p.jurorId)).toHaveLength(2);
	});

	it('routes M more jurors to chosen applications through their own k', () => {
		const jurors: RoutingJuror[] = Array.from({ length: 6 }, (_, j) => ({
			id: `j${j}`,
			userId: `u${j}`,
			nominationIds: ['n'],
			region: '',
			organization: '',
			capacity: 10,
			expertise: { spheres: j < 3 ? ['health'] : [] }
		}));
		const applications: RoutingApplication[] = Array.from({ length: 4 }, (_, i) => ({ id: `a${i}`, nominationId: 'n', region: '', organization: '', applicantUserId: `x${i}`, sphere: 'health' }));
		const round1 = routeAssignments({ applications, jurors, conflicts: [], settings: { k: 2, weights: { expertise: 2 } } });
		const extra = routeAssignments({
			applications: applications.map((a) => (a.id === 'a1' || a.id === 'a3' ? { ...a, k: 4 } : a)),
			jurors,
			conflicts: [],
			settings: { k: 2, weights: { expertise: 2 } },
			existing: round1.assignments.map((p) => ({ ...p, locked: true }))
		});
		expect(extra.kept).toEqual(round1.assignments);
		expect(extra.removed).toEqual([]);
		expect(extra.added.map((p) => p.applicationId).sort()).toEqual(['a1', 'a1', 'a3', 'a3']);
		expect(extra.unplaced).toEqual([]);
	});
});
