import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
	conflictKey,
	conflictReason,
	isEligible,
	normalizeOrganization,
	routeAssignments,
	type RoutingApplication,
	type RoutingConflict,
	type RoutingInput,
	type RoutingJuror,
	type RoutingPair,
	type RoutingResult
} from './routing';
import { solveBalancedTransport, splitClassFlow } from './mcf';
import { mulberry32 } from '../random';

// ------------------------------------------------------------------------------------------------
// instance generators

const ORGS = ['ООО «Ёлка»', '  ооо   «елка» ', 'Школа №1', 'школа №2', ''];
const REGIONS = ['R1', 'R2', 'r1 ', 'R3', ''];

interface RawInstance {
	k: number;
	sameRegion: boolean;
	apps: { nom: number; region: number; org: number; user: number }[];
	jurors: { noms: number[]; region: number; org: number; user: number; cap: number; active: boolean }[];
	conflicts: { a: number; j: number; recused: boolean }[];
}

function build(raw: RawInstance): RoutingInput {
	const applications: RoutingApplication[] = raw.apps.map((a, i) => ({
		id: `a${i}`,
		nominationId: `n${a.nom}`,
		region: REGIONS[a.region],
		organization: ORGS[a.org],
		applicantUserId: `u${a.user}`
	}));
	const jurors: RoutingJuror[] = raw.jurors.map((j, i) => ({
		id: `j${i}`,
		userId: `u${j.user}`,
		nominationIds: j.noms.map((n) => `n${n}`),
		region: REGIONS[j.region],
		organization: ORGS[j.org],
		capacity: j.cap,
		...(j.active ? {} : { active: false })
	}));
	const conflicts: RoutingConflict[] = [];
	if (applications.length && jurors.length)
		for (const c of raw.conflicts)
			conflicts.push({
				applicationId: applications[c.a % applications.length].id,
				jurorId: jurors[c.j % jurors.length].id,
				reason: c.recused ? 'recused' : 'declared'
			});
	return { applications, jurors, conflicts, settings: { k: raw.k, sameRegionConflict: raw.sameRegion } };
}

/** The instance with existing pairs drawn by index (`a`, `j` wrap around); unchanged when it has no entries or no jurors. */
function withExisting(raw: RoutingInput, ex: { a: number; j: number; locked: boolean }[]): RoutingInput {
	if (!raw.applications.length || !raw.jurors.length) return raw;
	return {
		...raw,
		existing: ex.map((e) => ({
			applicationId: raw.applications[e.a % raw.applications.length].id,
			jurorId: raw.jurors[e.j % raw.jurors.length].id,
			locked: e.locked
		}))
	};
}

function instanceArb(o: {
	maxApps: number;
	maxJurors: number;
	maxK: number;
	maxCap: number;
	noms?: number;
	size?: fc.SizeForArbitrary;
}) {
	const noms = o.noms ?? 2;
	const size = o.size ?? 'small';
	return fc
		.record({
			k: fc.integer({ min: 1, max: o.maxK }),
			sameRegion: fc.boolean(),
			apps: fc.array(
				fc.record({
					nom: fc.nat(noms - 1),
					region: fc.nat(REGIONS.length - 1),
					org: fc.nat(ORGS.length - 1),
					user: fc.nat(9)
				}),
				{ maxLength: o.maxApps, size }
			),
			jurors: fc.array(
				fc.record({
					noms: fc.subarray(
						Array.from({ length: noms }, (_, i) => i),
						{ minLength: 0 }
					),
					region: fc.nat(REGIONS.length - 1),
					org: fc.nat(ORGS.length - 1),
					user: fc.nat(9),
					cap: fc.nat(o.maxCap),
					active: fc.oneof(fc.constant(true), fc.constant(true), fc.constant(true), fc.constant(false))
				}),
				{ maxLength: o.maxJurors, size }
			),
			conflicts: fc.array(fc.record({ a: fc.nat(50), j: fc.nat(50), recused: fc.boolean() }), { maxLength: 4 })
		})
		.map(build);
}

// ------------------------------------------------------------------------------------------------
// independent checks

function declaredMap(input: RoutingInput): Map<string, 'declared' | 'recused'> {
	const m = new Map<string, 'declared' | 'recused'>();
	for (const c of input.conflicts) {
		const key = conflictKey(c.jurorId, c.applicationId);
		if (m.get(key) !== 'recused') m.set(key, c.reason);
	}
	return m;
}

function eligibleFn(input: RoutingInput) {
	const decl = declaredMap(input);
	const apps = new Map(input.applications.map((a) => [a.id, a]));
	const jurors = new Map(input.jurors.map((j) => [j.id, j]));
	return (appId: string, jurorId: string) => {
		const a = apps.get(appId);
		const j = jurors.get(jurorId);
		return !!a && !!j && isEligible(a, j, input.settings, decl);
	};
}

const pairKey = (p: RoutingPair) => `${p.applicationId}|${p.jurorId}`;
const sortPairs = (ps: RoutingPair[]) =>
	[...ps].sort((x, y) =>
		x.applicationId < y.applicationId ? -1 : x.applicationId > y.applicationId ? 1 : x.jurorId < y.jurorId ? -1 : x.jurorId > y.jurorId ? 1 : 0
	);

/** Every invariant of a result that does not need an optimum. */
function checkValid(input: RoutingInput, r: RoutingResult): void {
	const K = input.settings.k;
	const ok = eligibleFn(input);
	const keys = r.assignments.map(pairKey);
	expect(new Set(keys).size, 'no duplicate pairs').toBe(keys.length);
	expect(r.assignments).toEqual(sortPairs(r.assignments));
	const lockedKeys = new Set((input.existing ?? []).filter((e) => e.locked).map(pairKey));
	const perApp = new Map<string, number>();
	const perJur = new Map<string, number>();
	const lockedPerJur = new Map<string, number>();
	for (const p of r.assignments) {
		expect(ok(p.applicationId, p.jurorId), `eligible ${pairKey(p)}`).toBe(true);
		perApp.set(p.applicationId, (perApp.get(p.applicationId) ?? 0) + 1);
		perJur.set(p.jurorId, (perJur.get(p.jurorId) ?? 0) + 1);
		if (lockedKeys.has(pairKey(p))) lockedPerJur.set(p.jurorId, (lockedPerJur.get(p.jurorId) ?? 0) + 1);
	}
	for (const j of input.jurors) {
		const load = perJur.get(j.id) ?? 0;
		expect(r.loads[j.id]).toBe(load);
		// capacity holds, except for hand-locked pairs that alone exceed it
		expect(load).toBeLessThanOrEqual(Math.max(j.capacity, lockedPerJur.get(j.id) ?? 0));
	}
	expect(Object.keys(r.loads).length).toBe(input.jurors.length);
	const lockedPerApp = new Map<string, number>();
	for (const k of lockedKeys) {
		const a = k.split('|')[0];
		lockedPerApp.set(a, (lockedPerApp.get(a) ?? 0) + 1);
	}
	for (const a of input.applications)
		expect(perApp.get(a.id) ?? 0).toBeLessThanOrEqual(Math.max(K, lockedPerApp.get(a.id) ?? 0));

	// bookkeeping relative to existing
	const existing = new Set((input.existing ?? []).map(pairKey));
	const result = new Set(keys);
	expect(sortPairs([...r.kept, ...r.added])).toEqual(r.assignments);
	for (const p of r.kept) expect(existing.has(pairKey(p))).toBe(true);
	for (const p of r.added) expect(existing.has(pairKey(p))).toBe(false);
	expect(r.removed.map(pairKey).sort()).toEqual([...existing].filter((k) => !result.has(k)).sort());
	// locked + still eligible ⇒ kept
	for (const e of input.existing ?? [])
		if (e.locked && ok(e.applicationId, e.jurorId)) expect(result.has(pairKey(e))).toBe(true);

	// unplaced and stats
	const short = input.applications.filter((a) => (perApp.get(a.id) ?? 0) < K).map((a) => a.id).sort();
	expect(r.unplaced.map((u) => u.applicationId)).toEqual(short);
	for (const u of r.unplaced) {
		expect(u.needed).toBe(K);
		expect(u.placed).toBe(perApp.get(u.applicationId) ?? 0);
		expect(u.reasons.length).toBeGreaterThan(0);
		const d = u.details;
		expect(
			d.inactive + d.ownEntry + d.recused + d.declared + d.sameOrganization + d.sameRegion + d.eligible
		).toBe(d.nominationJurors);
		const app = input.applications.find((a) => a.id === u.applicationId)!;
		const elig = input.jurors.filter((j) => ok(app.id, j.id));
		expect(d.eligible).toBe(elig.length);
		// maximum flow: an eligible juror missing from a short application has no capacity left
		const missing = elig.filter((j) => !result.has(`${app.id}|${j.id}`));
		for (const j of missing) expect(r.loads[j.id]).toBeGreaterThanOrEqual(j.capacity);
		expect(d.eligibleAtCapacity).toBe(missing.length);
	}
	expect(r.stats.cost).toBe(input.jurors.reduce((s, j) => s + (r.loads[j.id] * (r.loads[j.id] + 1)) / 2, 0));
	expect(r.stats.coveredFully).toBe(input.applications.length - short.length);
	expect(r.stats.applications).toBe(input.applications.length);
	expect(r.stats.k).toBe(K);
	const activeLoads = input.jurors.filter((j) => j.active !== false).map((j) => r.loads[j.id]);
	expect(r.stats.jurors).toBe(activeLoads.length);
	expect(r.stats.minLoad).toBe(activeLoads.length ? Math.min(...activeLoads) : 0);
	expect(r.stats.maxLoad).toBe(activeLoads.length ? Math.max(...activeLoads) : 0);
}

/**
 * Exhaustive optimum of the routed part: given the kept pairs, choose for every application a
 * subset of its remaining eligible jurors of size ≤ K − kept, within capacities; maximise the
 * number of pairs, then minimise Σ L(L+1)/2 (L includes kept pairs).  Memoised over load vectors.
 */
function bruteForce(input: RoutingInput, kept: RoutingPair[]): { pairs: number; cost: number } {
	const K = input.settings.k;
	const ok = eligibleFn(input);
	const jurors = input.jurors;
	const base = jurors.map((j) => kept.filter((p) => p.jurorId === j.id).length);
	const options = input.applications.map((a) => {
		const on = new Set(kept.filter((p) => p.applicationId === a.id).map((p) => p.jurorId));
		const need = Math.max(0, K - on.size);
		const elig = jurors.map((j, x) => x).filter((x) => !on.has(jurors[x].id) && ok(a.id, jurors[x].id));
		const subsets: number[][] = [];
		const rec = (start: number, cur: number[]) => {
			subsets.push(cur);
			if (cur.length === need) return;
			for (let s = start; s < elig.length; s++) rec(s + 1, [...cur, elig[s]]);
		};
		rec(0, []);
		return subsets;
	});
	const memo = new Map<string, { pairs: number; cost: number }>();
	const go = (i: number, loads: number[]): { pairs: number; cost: number } => {
		if (i === options.length)
			return { pairs: 0, cost: loads.reduce((s, l, x) => s + ((l + base[x]) * (l + base[x] + 1)) / 2, 0) };
		const key = `${i}:${loads.join(',')}`;
		const m = memo.get(key);
		if (m) return m;
		let best = { pairs: -1, cost: Infinity };
		for (const sub of options[i]) {
			if (sub.some((x) => loads[x] + base[x] + 1 > jurors[x].capacity)) continue;
			const next = [...loads];
			for (const x of sub) next[x]++;
			const r = go(i + 1, next);
			const cand = { pairs: r.pairs + sub.length, cost: r.cost };
			if (cand.pairs > best.pairs || (cand.pairs === best.pairs && cand.cost < best.cost)) best = cand;
		}
		memo.set(key, best);
		return best;
	};
	return go(0, jurors.map(() => 0));
}

/**
 * Optimality certificate on the application-level residual network (independent of the class
 * aggregation): no augmenting path (maximum flow) and no negative cycle (minimum cost).
 */
function checkOptimalByResidual(input: RoutingInput, r: RoutingResult): void {
	const K = input.settings.k;
	const ok = eligibleFn(input);
	const A = input.applications.length;
	const J = input.jurors.length;
	const S = 0;
	const T = 1 + A + J;
	const app = (i: number) => 1 + i;
	const jur = (j: number) => 1 + A + j;
	const keptSet = new Set(r.kept.map(pairKey));
	const addedSet = new Set(r.added.map(pairKey));
	const arcs: [number, number, number][] = [];
	const routedJ = input.jurors.map((j) => r.added.filter((p) => p.jurorId === j.id).length);
	input.applications.forEach((a, i) => {
		const keptN = r.kept.filter((p) => p.applicationId === a.id).length;
		const addedN = r.added.filter((p) => p.applicationId === a.id).length;
		if (keptN + addedN < K) arcs.push([S, app(i), 0]);
		if (addedN > 0) arcs.push([app(i), S, 0]);
		input.jurors.forEach((j, x) => {
			const key = `${a.id}|${j.id}`;
			if (addedSet.has(key)) arcs.push([jur(x), app(i), 0]);
			else if (!keptSet.has(key) && ok(a.id, j.id)) arcs.push([app(i), jur(x), 0]);
		});
	});
	input.jurors.forEach((j, x) => {
		const L = r.loads[j.id];
		if (L < j.capacity && j.active !== false) arcs.push([jur(x), T, L + 1]);
		if (routedJ[x] > 0) arcs.push([T, jur(x), -L]);
	});
	// (1) no augmenting path S → T
	const adj = new Map<number, number[]>();
	for (const [u, v] of arcs) (adj.get(u) ?? adj.set(u, []).get(u)!).push(v);
	const seen = new Set([S]);
	const queue = [S];
	while (queue.length) {
		const u = queue.shift()!;
		for (const v of adj.get(u) ?? []) {
			if (v === T) throw new Error('augmenting path exists: not a maximum placement');
			if (!seen.has(v)) {
				seen.add(v);
				queue.push(v);
			}
		}
	}
	// (2) Bellman–Ford from a virtual root: no negative cycle
	const n = T + 1;
	const dist = new Array(n).fill(0);
	for (let it = 0; it < n; it++) {
		let changed = false;
		for (const [u, v, c] of arcs)
			if (dist[u] + c < dist[v]) {
				dist[v] = dist[u] + c;
				changed = true;
			}
		if (!changed) return;
	}
	throw new Error('negative cycle: the load cost can be reduced');
}

function shuffled<T>(arr: T[], rnd: () => number): T[] {
	const a = [...arr];
	for (let i = a.length - 1; i > 0; i--) {
		const j = Math.floor(rnd() * (i + 1));
		[a[i], a[j]] = [a[j], a[i]];
	}
	return a;
}

const placedCount = (r: RoutingResult) => r.assignments.length;

// ------------------------------------------------------------------------------------------------

describe('conflictReason', () => {
	const app: RoutingApplication = {
		id: 'a1',
		nominationId: 'n1',
		region: 'R77',
		organization: '  ООО   «Ёлка» ',
		applicantUserId: 'u1'
	};
	const juror = (over: Partial<RoutingJuror>): RoutingJuror => ({
		id: 'j1',
		userId: 'u2',
		nominationIds: ['n1'],
		region: 'R50',
		organization: 'Школа',
		capacity: 5,
		...over
	});
	const settings = { k: 3, sameRegionConflict: true };

	it('normalizes organizations (trim, case, spaces, ё)', () => {
		expect(normalizeOrganization('  ООО   «Ёлка» ')).toBe('ооо «елка»');
		expect(conflictReason(app, juror({ organization: 'ооо «елка»' }), settings)).toBe('same_organization');
		expect(conflictReason(app, juror({ organization: 'ООО «Елка-2»' }), settings)).toBeNull();
	});
	it('empty organization never conflicts', () => {
		expect(conflictReason({ ...app, organization: '' }, juror({ organization: '' }), settings)).toBeNull();
		expect(conflictReason({ ...app, organization: '   ' }, juror({ organization: ' ' }), settings)).toBeNull();
	});
	it('same region only when enabled', () => {
		expect(conflictReason(app, juror({ region: 'R77' }), settings)).toBe('same_region');
		expect(conflictReason(app, juror({ region: 'R77' }), { k: 3, sameRegionConflict: false })).toBeNull();
		expect(conflictReason(app, juror({ region: 'R77' }), { k: 3 })).toBe('same_region'); // default on
	});
	it('own entry, declared and recused', () => {
		expect(conflictReason(app, juror({ userId: 'u1', organization: 'ооо елка' }), settings)).toBe('own_entry');
		expect(conflictReason(app, juror({}), settings, new Set([conflictKey('j1', 'a1')]))).toBe('declared');
		expect(conflictReason(app, juror({}), settings, new Map([[conflictKey('j1', 'a1'), 'recused' as const]]))).toBe(
			'recused'
		);
		expect(conflictReason(app, juror({}), settings, new Set([conflictKey('j1', 'a2')]))).toBeNull();
	});
	it('eligibility also needs activity and coverage', () => {
		expect(isEligible(app, juror({}), settings)).toBe(true);
		expect(isEligible(app, juror({ active: false }), settings)).toBe(false);
		expect(isEligible(app, juror({ nominationIds: ['n2'] }), settings)).toBe(false);
	});
});

describe('splitClassFlow (disaggregation of a class flow)', () => {
	it('gives every application distinct jurors, at most `need`, preserving juror totals', () => {
		fc.assert(
			fc.property(
				fc.integer({ min: 1, max: 12 }),
				fc.integer({ min: 1, max: 5 }),
				fc.array(fc.nat(12), { maxLength: 15 }),
				(n, need, rawFlows) => {
					// clip flows to ≤ n and Σ ≤ need·n
					let budget = need * n;
					const flows = rawFlows.map((f) => {
						const x = Math.min(f, n, budget);
						budget -= x;
						return x;
					});
					const jurors = flows.map((_, i) => i);
					const out = splitClassFlow(n, need, jurors, flows);
					expect(out.length).toBe(n);
					const total = flows.reduce((s, f) => s + f, 0);
					const per = new Array(flows.length).fill(0);
					for (const list of out) {
						expect(new Set(list).size).toBe(list.length);
						expect(list.length).toBeLessThanOrEqual(need);
						// spread evenly: ⌊S/n⌋ or ⌈S/n⌉
						expect(list.length).toBeGreaterThanOrEqual(Math.floor(total / n));
						expect(list.length).toBeLessThanOrEqual(Math.ceil(total / n));
						for (const j of list) per[j]++;
					}
					expect(per).toEqual(flows);
				}
			),
			{ seed: 11, numRuns: 500 }
		);
	});
	it('rejects flows that cannot be split', () => {
		expect(() => splitClassFlow(2, 3, [0], [3])).toThrow();
		expect(() => splitClassFlow(2, 1, [0, 1], [2, 1])).toThrow();
	});
});

describe('solveBalancedTransport', () => {
	it('balances a single class over jurors with different base loads', () => {
		// one class of 10 applications needing 1 each, 3 jurors with base loads 0, 2, 5
		const sol = solveBalancedTransport({
			classes: 1,
			jurors: 3,
			demand: Int32Array.of(10),
			size: Int32Array.of(10),
			arcStart: Int32Array.of(0, 3),
			arcJuror: Int32Array.of(0, 1, 2),
			base: Int32Array.of(0, 2, 5),
			cap: Int32Array.of(100, 100, 100)
		});
		// total 17 over 3 → 6, 6, 5 (juror 2 already has 5; it takes 1 → 6 and the rest go to 0/1)
		expect(Array.from(sol.routed).map((x, j) => x + [0, 2, 5][j]).sort()).toEqual([5, 6, 6]);
		expect(sol.deficit[0]).toBe(0);
	});
});

describe('routeAssignments: validity on random instances', () => {
	it('respects conflicts, coverage, capacities and K; bookkeeping is consistent', () => {
		fc.assert(
			fc.property(instanceArb({ maxApps: 60, maxJurors: 12, maxK: 3, maxCap: 15, noms: 3, size: 'medium' }), (input) => {
				checkValid(input, routeAssignments(input));
			}),
			{ seed: 1, numRuns: 300 }
		);
	});
	it('is optimal by the residual-network certificate (medium instances)', () => {
		fc.assert(
			fc.property(instanceArb({ maxApps: 30, maxJurors: 8, maxK: 3, maxCap: 10, noms: 2 }), (input) => {
				const r = routeAssignments(input);
				checkValid(input, r);
				checkOptimalByResidual(input, r);
			}),
			{ seed: 2, numRuns: 200 }
		);
	});
	it('is optimal by the certificate with existing pairs, on larger instances', () => {
		fc.assert(
			fc.property(
				instanceArb({ maxApps: 120, maxJurors: 14, maxK: 3, maxCap: 40, noms: 3, size: 'max' }),
				fc.array(fc.record({ a: fc.nat(200), j: fc.nat(20), locked: fc.boolean() }), { maxLength: 60, size: 'max' }),
				(raw, ex) => {
					const input = withExisting(raw, ex);
					const r = routeAssignments(input);
					checkValid(input, r);
					checkOptimalByResidual(input, r);
				}
			),
			{ seed: 12, numRuns: 60 }
		);
	});
});

describe('routeAssignments: brute-force optimum on small instances', () => {
	it('places the maximum number of pairs with the minimum convex cost', () => {
		fc.assert(
			fc.property(instanceArb({ maxApps: 6, maxJurors: 5, maxK: 2, maxCap: 4 }), (input) => {
				const r = routeAssignments(input);
				checkValid(input, r);
				const best = bruteForce(input, []);
				expect(placedCount(r)).toBe(best.pairs);
				expect(r.stats.cost).toBe(best.cost);
			}),
			{ seed: 3, numRuns: 1000 }
		);
	});
	it('with existing pairs: the routed part is optimal given the kept pairs', () => {
		fc.assert(
			fc.property(
				instanceArb({ maxApps: 6, maxJurors: 5, maxK: 2, maxCap: 4 }),
				fc.array(fc.record({ a: fc.nat(5), j: fc.nat(4), locked: fc.boolean() }), { maxLength: 8 }),
				(raw, ex) => {
					if (!raw.applications.length || !raw.jurors.length) return;
					const input = withExisting(raw, ex);
					const r = routeAssignments(input);
					checkValid(input, r);
					const best = bruteForce(input, r.kept);
					expect(r.added.length).toBe(best.pairs);
					expect(r.stats.cost).toBe(best.cost);
				}
			),
			{ seed: 4, numRuns: 300 }
		);
	});
});

describe('routeAssignments: determinism', () => {
	it('gives the same output for the input in any order', () => {
		fc.assert(
			fc.property(
				instanceArb({ maxApps: 30, maxJurors: 10, maxK: 3, maxCap: 12, noms: 3 }),
				fc.integer(),
				fc.array(fc.record({ a: fc.nat(40), j: fc.nat(10), locked: fc.boolean() }), { maxLength: 10 }),
				(raw, seed, ex) => {
					const input = withExisting(raw, ex);
					const rnd = mulberry32(seed);
					const perm: RoutingInput = {
						applications: shuffled(input.applications, rnd),
						jurors: shuffled(input.jurors, rnd).map((j) => ({ ...j, nominationIds: shuffled(j.nominationIds, rnd) })),
						conflicts: shuffled(input.conflicts, rnd),
						settings: { ...input.settings },
						existing: input.existing && shuffled(input.existing, rnd)
					};
					expect(routeAssignments(perm)).toEqual(routeAssignments(input));
				}
			),
			{ seed: 5, numRuns: 200 }
		);
	});
});

describe('routeAssignments: incremental re-routing', () => {
	const arb = instanceArb({ maxApps: 30, maxJurors: 10, maxK: 3, maxCap: 12, noms: 3 });

	it('a juror dropping out re-routes only that juror’s pairs', () => {
		fc.assert(
			fc.property(arb, fc.nat(20), (input, pickJ) => {
				if (!input.jurors.length) return;
				const r1 = routeAssignments(input);
				const gone = input.jurors[pickJ % input.jurors.length].id;
				const input2: RoutingInput = {
					...input,
					jurors: input.jurors.map((j) => (j.id === gone ? { ...j, active: false } : j)),
					existing: r1.assignments
				};
				const r2 = routeAssignments(input2);
				checkValid(input2, r2);
				expect(r2.removed).toEqual(r1.assignments.filter((p) => p.jurorId === gone));
				expect(r2.kept).toEqual(r1.assignments.filter((p) => p.jurorId !== gone));
				const affected = new Set(r2.removed.map((p) => p.applicationId));
				for (const p of r2.added) expect(affected.has(p.applicationId)).toBe(true);
				expect(r2.loads[gone]).toBe(0);
			}),
			{ seed: 6, numRuns: 200 }
		);
	});

	it('a recusal removes that pair and re-routes only that application', () => {
		fc.assert(
			fc.property(arb, fc.nat(200), (input, pickP) => {
				const r1 = routeAssignments(input);
				if (!r1.assignments.length) return;
				const pair = r1.assignments[pickP % r1.assignments.length];
				const input2: RoutingInput = {
					...input,
					conflicts: [...input.conflicts, { ...pair, reason: 'recused' }],
					existing: r1.assignments
				};
				const r2 = routeAssignments(input2);
				checkValid(input2, r2);
				expect(r2.removed).toEqual([pair]);
				expect(r2.kept.length).toBe(r1.assignments.length - 1);
				// new jurors only for that application — or for applications that were short
				// before and can now use the capacity the recusal freed
				const wasShort = new Set(r1.unplaced.map((u) => u.applicationId));
				expect(r2.added.filter((p) => p.applicationId === pair.applicationId).length).toBeLessThanOrEqual(1);
				for (const p of r2.added) {
					expect(p.applicationId === pair.applicationId || wasShort.has(p.applicationId)).toBe(true);
					expect(p).not.toEqual(pair);
				}
			}),
			{ seed: 7, numRuns: 200 }
		);
	});

	it('late applications get jurors without touching the existing pairs', () => {
		fc.assert(
			fc.property(arb, arb, (input, late) => {
				const r1 = routeAssignments(input);
				const extra = late.applications.map((a, i) => ({ ...a, id: `late${i}` }));
				const input2: RoutingInput = {
					...input,
					applications: [...input.applications, ...extra],
					existing: r1.assignments
				};
				const r2 = routeAssignments(input2);
				checkValid(input2, r2);
				expect(r2.removed).toEqual([]);
				expect(r2.kept).toEqual(r1.assignments);
				for (const p of r2.added) expect(p.applicationId.startsWith('late')).toBe(true);
			}),
			{ seed: 8, numRuns: 150 }
		);
	});

	it('re-running on its own output changes nothing', () => {
		fc.assert(
			fc.property(arb, (input) => {
				const r1 = routeAssignments(input);
				const r2 = routeAssignments({ ...input, existing: r1.assignments });
				expect(r2.assignments).toEqual(r1.assignments);
				expect(r2.added).toEqual([]);
				expect(r2.removed).toEqual([]);
			}),
			{ seed: 9, numRuns: 150 }
		);
	});

	it('keeps locked pairs over capacity and drops the unlocked surplus deterministically', () => {
		const input: RoutingInput = {
			applications: ['a1', 'a2', 'a3', 'a4'].map((id) => ({
				id,
				nominationId: 'n',
				region: 'R1',
				organization: '',
				applicantUserId: `u-${id}`
			})),
			jurors: [
				{ id: 'j1', userId: 'x1', nominationIds: ['n'], region: 'R2', organization: '', capacity: 2 },
				{ id: 'j2', userId: 'x2', nominationIds: ['n'], region: 'R2', organization: '', capacity: 10 }
			],
			conflicts: [],
			settings: { k: 1, sameRegionConflict: true },
			existing: [
				{ applicationId: 'a4', jurorId: 'j1', locked: true },
				{ applicationId: 'a3', jurorId: 'j1' },
				{ applicationId: 'a2', jurorId: 'j1' },
				{ applicationId: 'a1', jurorId: 'j1' }
			]
		};
		const r = routeAssignments(input);
		checkValid(input, r);
		// j1 keeps the locked a4 and the unlocked pair with the smallest application id
		expect(r.kept).toEqual([
			{ applicationId: 'a1', jurorId: 'j1' },
			{ applicationId: 'a4', jurorId: 'j1' }
		]);
		expect(r.removed).toEqual([
			{ applicationId: 'a2', jurorId: 'j1' },
			{ applicationId: 'a3', jurorId: 'j1' }
		]);
		expect(r.added).toEqual([
			{ applicationId: 'a2', jurorId: 'j2' },
			{ applicationId: 'a3', jurorId: 'j2' }
		]);

		// a locked pair that is no longer eligible is removed; an over-capacity locked set is kept
		const r2 = routeAssignments({
			...input,
			jurors: [{ ...input.jurors[0], capacity: 1 }, input.jurors[1]],
			existing: [
				{ applicationId: 'a1', jurorId: 'j1', locked: true },
				{ applicationId: 'a2', jurorId: 'j1', locked: true },
				{ applicationId: 'a3', jurorId: 'j1', locked: true }
			],
			conflicts: [{ applicationId: 'a3', jurorId: 'j1', reason: 'recused' }]
		});
		expect(r2.kept).toEqual([
			{ applicationId: 'a1', jurorId: 'j1' },
			{ applicationId: 'a2', jurorId: 'j1' }
		]);
		expect(r2.removed).toEqual([{ applicationId: 'a3', jurorId: 'j1' }]);
		expect(r2.loads).toEqual({ j1: 2, j2: 2 });
	});

	it('existing pairs of unknown applications or jurors are removed', () => {
		const input: RoutingInput = {
			applications: [{ id: 'a1', nominationId: 'n', region: '', organization: '', applicantUserId: 'u' }],
			jurors: [{ id: 'j1', userId: 'v', nominationIds: ['n'], region: '', organization: '', capacity: 1 }],
			conflicts: [],
			settings: { k: 1, sameRegionConflict: true },
			existing: [
				{ applicationId: 'gone', jurorId: 'j1' },
				{ applicationId: 'a1', jurorId: 'nobody' }
			]
		};
		const r = routeAssignments(input);
		expect(r.assignments).toEqual([{ applicationId: 'a1', jurorId: 'j1' }]);
		expect(r.removed).toEqual([
			{ applicationId: 'a1', jurorId: 'nobody' },
			{ applicationId: 'gone', jurorId: 'j1' }
		]);
	});
});

describe('routeAssignments: explanations for infeasible applications', () => {
	const app = (id: string, over: Partial<RoutingApplication> = {}): RoutingApplication => ({
		id,
		nominationId: 'n1',
		region: 'R1',
		organization: 'ООО  Ёлка',
		applicantUserId: `author-${id}`,
		...over
	});
	const jur = (id: string, over: Partial<RoutingJuror> = {}): RoutingJuror => ({
		id,
		userId: `user-${id}`,
		nominationIds: ['n1'],
		region: 'R9',
		organization: 'Школа',
		capacity: 10,
		...over
	});
	const run = (applications: RoutingApplication[], jurors: RoutingJuror[], k = 3, conflicts: RoutingConflict[] = []) => {
		const input: RoutingInput = { applications, jurors, conflicts, settings: { k, sameRegionConflict: true } };
		const r = routeAssignments(input);
		checkValid(input, r);
		return r;
	};

	it('no juror covers the nomination', () => {
		const r = run([app('a1')], [jur('j1', { nominationIds: ['n2'] })]);
		expect(r.unplaced).toEqual([
			expect.objectContaining({ applicationId: 'a1', needed: 3, placed: 0, reasons: ['нет экспертов номинации'] })
		]);
		expect(r.unplaced[0].details.nominationJurors).toBe(0);
	});

	it('all jurors of the nomination are from the same region', () => {
		const r = run([app('a1')], ['j1', 'j2', 'j3', 'j4'].map((id) => jur(id, { region: 'R1' })));
		expect(r.unplaced[0].reasons).toEqual(['все 4 эксперта номинации — из того же региона']);
		expect(r.unplaced[0].details).toMatchObject({ nominationJurors: 4, sameRegion: 4, eligible: 0 });
	});

	it('a single juror from the same organization (normalized)', () => {
		const r = run([app('a1')], [jur('j1', { organization: 'ооо ёлка ' })], 1);
		expect(r.unplaced[0].reasons).toEqual(['единственный эксперт номинации — из той же организации']);
	});

	it('mixed exclusions are counted per reason', () => {
		const r = run(
			[app('a1')],
			[
				jur('j1', { region: 'R1' }),
				jur('j2', { region: 'R1' }),
				jur('j3', { organization: 'ооо ёлка' }),
				jur('j4'),
				jur('j5', { userId: 'author-a1' }),
				jur('j6'),
				jur('j7', { active: false })
			],
			3,
			[{ jurorId: 'j6', applicationId: 'a1', reason: 'recused' }]
		);
		expect(r.unplaced).toHaveLength(1);
		const u = r.unplaced[0];
		expect(u.placed).toBe(1);
		expect(u.reasons).toEqual([
			'подходят только 1 из 7 экспертов номинации при необходимых 3: 2 — из того же региона, 1 — из той же организации, 1 взял самоотвод, 1 — автор заявки, 1 выбыл'
		]);
		expect(u.details).toEqual({
			nominationJurors: 7,
			inactive: 1,
			ownEntry: 1,
			recused: 1,
			declared: 0,
			sameOrganization: 1,
			sameRegion: 2,
			eligible: 1,
			eligibleAtCapacity: 0
		});
	});

	it('declared conflicts and dropped-out jurors', () => {
		const r1 = run([app('a1')], [jur('j1'), jur('j2')], 1, [
			{ jurorId: 'j1', applicationId: 'a1', reason: 'declared' },
			{ jurorId: 'j2', applicationId: 'a1', reason: 'declared' }
		]);
		expect(r1.unplaced[0].reasons).toEqual(['все 2 эксперта номинации заявили конфликт интересов']);
		const r2 = run([app('a1')], [jur('j1', { active: false }), jur('j2', { active: false })], 1);
		expect(r2.unplaced[0].reasons).toEqual(['все 2 эксперта номинации выбыли']);
	});

	it('eligible jurors exist but their capacity is used up', () => {
		// 3 jurors × capacity 1 = 3 slots for 2 applications × K = 2 = 4 pairs
		const r = run([app('a1'), app('a2')], ['j1', 'j2', 'j3'].map((id) => jur(id, { capacity: 1 })), 2);
		expect(r.assignments).toHaveLength(3);
		expect(r.unplaced).toHaveLength(1);
		const u = r.unplaced[0];
		expect(u.placed).toBe(1);
		expect(u.reasons).toEqual(['у экспертов номинации исчерпана ёмкость: 2 из 3 подходящих экспертов загружены полностью']);
		expect(u.details).toMatchObject({ eligible: 3, eligibleAtCapacity: 2 });
	});

	it('too few eligible jurors and no capacity left: both reasons', () => {
		const r = run(
			[app('a1'), app('a2', { region: 'R5' })],
			[jur('j1', { capacity: 1 }), jur('j2', { region: 'R1', capacity: 1 })],
			2
		);
		// j2 can only take a2; j1 serves one of them; a1 ends with ≤ 1 juror
		const u = r.unplaced.find((x) => x.applicationId === 'a1')!;
		expect(u.reasons[0]).toBe(
			'подходят только 1 из 2 экспертов номинации при необходимых 2: 1 — из того же региона'
		);
		if (u.placed === 0)
			expect(u.reasons[1]).toBe('у экспертов номинации исчерпана ёмкость: 1 из 1 подходящего эксперта загружены полностью');
	});
});

describe('routeAssignments: balance', () => {
	it('homogeneous jurors end within one of each other', () => {
		fc.assert(
			fc.property(
				fc.integer({ min: 1, max: 200 }),
				fc.integer({ min: 3, max: 25 }),
				fc.integer({ min: 1, max: 3 }),
				(nApps, nJur, k) => {
					const input: RoutingInput = {
						applications: Array.from({ length: nApps }, (_, i) => ({
							id: `a${i}`,
							nominationId: `n${i % 3}`,
							region: `R${i % 7}`,
							organization: '',
							applicantUserId: `ua${i}`
						})),
						jurors: Array.from({ length: nJur }, (_, j) => ({
							id: `j${j}`,
							userId: `uj${j}`,
							nominationIds: ['n0', 'n1', 'n2'],
							region: 'Rx',
							organization: 'Жюри',
							capacity: 1000
						})),
						conflicts: [],
						settings: { k, sameRegionConflict: true }
					};
					const r = routeAssignments(input);
					expect(r.unplaced).toEqual([]);
					expect(r.stats.maxLoad - r.stats.minLoad).toBeLessThanOrEqual(1);
				}
			),
			{ seed: 10, numRuns: 100 }
		);
	});

	it('balances within groups of interchangeable jurors', () => {
		// group A covers n1 only, group B covers n1 and n2; n2 has its own load, so groups differ
		const applications: RoutingApplication[] = [];
		for (let i = 0; i < 90; i++)
			applications.push({ id: `a${String(i).padStart(3, '0')}`, nominationId: i < 60 ? 'n1' : 'n2', region: '', organization: '', applicantUserId: `u${i}` });
		const jurors: RoutingJuror[] = [];
		for (let j = 0; j < 4; j++) jurors.push({ id: `A${j}`, userId: `A${j}`, nominationIds: ['n1'], region: '', organization: '', capacity: 100 });
		for (let j = 0; j < 5; j++) jurors.push({ id: `B${j}`, userId: `B${j}`, nominationIds: ['n1', 'n2'], region: '', organization: '', capacity: 100 });
		const input: RoutingInput = { applications, jurors, conflicts: [], settings: { k: 2, sameRegionConflict: true } };
		const r = routeAssignments(input);
		checkValid(input, r);
		checkOptimalByResidual(input, r);
		const a = jurors.filter((j) => j.id.startsWith('A')).map((j) => r.loads[j.id]);
		const b = jurors.filter((j) => j.id.startsWith('B')).map((j) => r.loads[j.id]);
		expect(Math.max(...a) - Math.min(...a)).toBeLessThanOrEqual(1);
		expect(Math.max(...b) - Math.min(...b)).toBeLessThanOrEqual(1);
		// 180 pairs over 9 jurors = 20 each is reachable: n2 needs 60 from B (12 each), B also takes 8 of n1
		expect(r.stats.minLoad).toBe(20);
		expect(r.stats.maxLoad).toBe(20);
	});

	it('a realistic instance (6 000 applications, 150 jurors) is complete, balanced and quick', () => {
		const rnd = mulberry32(42);
		const pick = (n: number) => Math.floor(rnd() * n);
		const applications: RoutingApplication[] = Array.from({ length: 6000 }, (_, i) => ({
			id: `a${String(i).padStart(5, '0')}`,
			nominationId: `n${pick(10)}`,
			region: `R${1 + pick(89)}`,
			organization: `org ${pick(500)}`,
			applicantUserId: `ua${i}`
		}));
		const jurors: RoutingJuror[] = Array.from({ length: 150 }, (_, j) => {
			const noms = new Set<string>();
			const c = 1 + pick(3);
			while (noms.size < c) noms.add(`n${pick(10)}`);
			return {
				id: `j${String(j).padStart(3, '0')}`,
				userId: `uj${j}`,
				nominationIds: [...noms],
				region: `R${1 + pick(89)}`,
				organization: `ORG  ${pick(500)}`,
				capacity: 150
			};
		});
		const conflicts: RoutingConflict[] = Array.from({ length: 300 }, () => ({
			jurorId: jurors[pick(150)].id,
			applicationId: applications[pick(6000)].id,
			reason: 'declared'
		}));
		const input: RoutingInput = { applications, jurors, conflicts, settings: { k: 3, sameRegionConflict: true } };
		const t0 = performance.now();
		const r = routeAssignments(input);
		expect(performance.now() - t0).toBeLessThan(10_000);
		checkValid(input, r);
		expect(r.unplaced).toEqual([]);
		expect(r.stats.maxLoad - r.stats.minLoad).toBeLessThanOrEqual(1);
		// drop-out of one juror: only its pairs move
		const gone = jurors[0].id;
		const r2 = routeAssignments({
			...input,
			jurors: jurors.map((j) => (j.id === gone ? { ...j, active: false } : j)),
			existing: r.assignments
		});
		expect(r2.removed.length).toBe(r.loads[gone]);
		expect(r2.added.length).toBe(r.loads[gone]);
	});
});

describe('routeAssignments: input validation', () => {
	it('rejects duplicate ids', () => {
		const a: RoutingApplication = { id: 'a', nominationId: 'n', region: '', organization: '', applicantUserId: 'u' };
		expect(() =>
			routeAssignments({ applications: [a, a], jurors: [], conflicts: [], settings: { k: 1, sameRegionConflict: true } })
		).toThrow(/duplicate application/);
	});
	it('K = 0 routes nothing and reports nothing', () => {
		const r = routeAssignments({
			applications: [{ id: 'a', nominationId: 'n', region: '', organization: '', applicantUserId: 'u' }],
			jurors: [{ id: 'j', userId: 'v', nominationIds: ['n'], region: '', organization: '', capacity: 3 }],
			conflicts: [],
			settings: { k: 0, sameRegionConflict: true }
		});
		expect(r.assignments).toEqual([]);
		expect(r.unplaced).toEqual([]);
	});
});
