/**
 * Exact solver for the "balanced transportation" problem behind jury routing.
 *
 * Bipartite network:  source → class c (cap demand[c]) → juror j (cap size[c] per arc,
 * only eligible pairs) → sink, where the juror → sink side carries the convex cost
 * f(L) = L·(L+1)/2 of the juror's TOTAL load L = base[j] + routed[j], routed[j] ≤ cap[j] − base[j].
 * Goal: maximum flow first, then minimum Σ f(L_j) among maximum flows.
 *
 * Method: "levelled max flow" (a primal–dual / successive-shortest-path algorithm that is
 * specialised to this cost structure).
 *
 *   for t = 1, 2, …:  give every juror the routed cap  r_j(t) = max(0, min(cap_j, t) − base_j)
 *                     and augment the current flow to a maximum flow under these caps (Dinic).
 *
 * Why it is optimal.  f(L) = Σ_{t ≥ 0} max(0, L − t), hence for a flow of total load F
 *   Σ_j f(L_j) = Σ_{t ≥ 1} ( F − Σ_j min(L_j, t) ) + F.
 * For every t, Σ_j min(L_j, t) ≤ Σ_j min(base_j, t) + M_t, where M_t is the max flow under the
 * caps r_j(t) (because min(base + x, t) = min(base, t) + min(x, max(0, t − base))).
 * Augmenting paths never take flow away from a juror→sink arc (a simple s–t path touches the
 * sink once, at its end), so loads only grow.  After phase t the flow reaches M_t and, loads
 * being monotone, keeps Σ_j min(L_j, t) at that bound forever.  The final phase uses the full
 * capacities, so the flow is maximum, and it attains every per-t bound simultaneously, so it
 * minimises Σ f(L_j) among maximum flows (in fact it minimises every separable convex function
 * of the loads — the classic "lexicographically optimal base").
 *
 * Skipping useless phases.  When a phase ends, the last breadth-first search found no
 * augmenting path and therefore explored the whole residual reachable set R.  Nothing can change
 * before the cap of some juror in R grows, so the next phase is
 *   t' = min_{j ∈ R, base_j + routed_j < cap_j} (base_j + routed_j + 1),
 * and if there is no such juror the flow is already maximum.  This keeps the number of phases
 * ≤ max load, and makes incremental re-routing (high base loads, few units) cheap.
 *
 * Work per phase.  First a greedy pass: every juror with spare phase cap takes units directly
 * from deficit classes it is eligible for (augmenting paths of length one — any augmenting path
 * keeps the argument above valid).  Only what remains goes to Dinic (BFS levels + blocking flow
 * with current-arc pointers).  A phase ends without any search when no live juror has spare
 * phase cap.  Jurors outside the reachable set of a failed search are marked dead for good: that
 * set has no residual arc leaving it and later augmentations stay inside it.  On the benchmark
 * (24 000 × 3 units, 600 jurors, ~2 300 classes, ~270 000 arcs) this needs 120 phases and a
 * single BFS in total.
 *
 * Everything is typed arrays.
 */

export interface TransportProblem {
	/** number of classes (left side) */
	classes: number;
	/** number of jurors (right side) */
	jurors: number;
	/** per class: total units to route (need × number of applications) */
	demand: Int32Array;
	/** per class: cap of each class→juror arc (number of applications in the class) */
	size: Int32Array;
	/** CSR: arcs of class c are arcStart[c] .. arcStart[c+1]-1 */
	arcStart: Int32Array;
	/** per arc: juror index */
	arcJuror: Int32Array;
	/** per juror: load already fixed outside the flow (kept pairs) */
	base: Int32Array;
	/** per juror: total capacity (base included) */
	cap: Int32Array;
}

export interface TransportSolution {
	/** per arc: units routed class→juror */
	flow: Int32Array;
	/** per class: units that could not be routed */
	deficit: Int32Array;
	/** per juror: routed units (base not included) */
	routed: Int32Array;
	/** number of phases actually run (diagnostics) */
	phases: number;
	/** number of breadth-first searches run (diagnostics) */
	searches: number;
}

export function solveBalancedTransport(p: TransportProblem): TransportSolution {
	const C = p.classes;
	const J = p.jurors;
	const E = p.arcJuror.length;
	const { size, arcStart, arcJuror, base, cap } = p;

	const flow = new Int32Array(E);
	const deficit = Int32Array.from(p.demand);
	const routed = new Int32Array(J);
	const limit = new Int32Array(J);

	// arc → class, and the juror-side CSR of arcs
	const arcClass = new Int32Array(E);
	for (let c = 0; c < C; c++) for (let a = arcStart[c]; a < arcStart[c + 1]; a++) arcClass[a] = c;
	const jStart = new Int32Array(J + 1);
	for (let a = 0; a < E; a++) jStart[arcJuror[a] + 1]++;
	for (let j = 0; j < J; j++) jStart[j + 1] += jStart[j];
	const jArcs = new Int32Array(E);
	{
		const fill = jStart.slice(0, J);
		for (let a = 0; a < E; a++) jArcs[fill[arcJuror[a]]++] = a;
	}
	// Per juror, the arcs that may carry flow (a superset: arcs whose flow fell to zero are
	// compacted away by the next search that expands the juror).  A juror carries flow on at most
	// `load` arcs but may be adjacent to thousands of classes, so searches walk this list only.
	const fArcs = new Int32Array(E);
	const fEnd = jStart.slice(0, J);
	const inF = new Uint8Array(E);
	const touch = (a: number) => {
		if (inF[a] === 0) {
			inF[a] = 1;
			fArcs[fEnd[arcJuror[a]]++] = a;
		}
	};

	let totalDeficit = 0;
	for (let c = 0; c < C; c++) totalDeficit += deficit[c];

	const levelC = new Int32Array(C);
	const levelJ = new Int32Array(J);
	const ptrC = new Int32Array(C);
	const ptrJ = new Int32Array(J);
	const queue = new Int32Array(C + J);
	let sinkLevel = 0;
	const INF = 0x3fffffff;

	/** BFS over the residual graph from all deficit classes; true if a juror with spare phase cap is reachable. */
	let searches = 0;
	function bfs(): boolean {
		searches++;
		levelC.fill(-1);
		levelJ.fill(-1);
		let head = 0;
		let tail = 0;
		for (let c = 0; c < C; c++) {
			if (deficit[c] > 0) {
				levelC[c] = 0;
				queue[tail++] = c;
			}
		}
		sinkLevel = INF;
		while (head < tail) {
			const v = queue[head++];
			if (v < C) {
				const L = levelC[v];
				if (L + 1 > sinkLevel) break;
				const sz = size[v];
				for (let a = arcStart[v], e = arcStart[v + 1]; a < e; a++) {
					if (flow[a] >= sz) continue;
					const j = arcJuror[a];
					if (levelJ[j] >= 0) continue;
					levelJ[j] = L + 1;
					if (routed[j] < limit[j]) {
						if (sinkLevel === INF) sinkLevel = L + 1;
					} else if (sinkLevel === INF) {
						queue[tail++] = C + j;
					}
				}
			} else {
				const j = v - C;
				const L = levelJ[j];
				if (L >= sinkLevel) break;
				let w = jStart[j];
				for (let k = w, e = fEnd[j]; k < e; k++) {
					const a = fArcs[k];
					if (flow[a] <= 0) {
						inF[a] = 0;
						continue;
					}
					fArcs[w++] = a;
					const c = arcClass[a];
					if (levelC[c] >= 0) continue;
					levelC[c] = L + 1;
					queue[tail++] = c;
				}
				fEnd[j] = w;
			}
		}
		return sinkLevel !== INF;
	}

	function dfsClass(c: number, f: number): number {
		let pushed = 0;
		const want = levelC[c] + 1;
		const sz = size[c];
		const end = arcStart[c + 1];
		for (; ptrC[c] < end; ptrC[c]++) {
			const a = ptrC[c];
			const j = arcJuror[a];
			if (levelJ[j] !== want) continue;
			const r = sz - flow[a];
			if (r <= 0) continue;
			const rest = f - pushed;
			const got = dfsJuror(j, r < rest ? r : rest);
			if (got > 0) {
				flow[a] += got;
				touch(a);
				pushed += got;
				if (pushed === f) return pushed;
			}
		}
		levelC[c] = -1;
		return pushed;
	}

	function dfsJuror(j: number, f: number): number {
		if (levelJ[j] === sinkLevel) {
			const r = limit[j] - routed[j];
			if (r <= 0) return 0;
			const got = r < f ? r : f;
			routed[j] += got;
			return got;
		}
		let pushed = 0;
		const want = levelJ[j] + 1;
		for (; ptrJ[j] < fEnd[j]; ptrJ[j]++) {
			const a = fArcs[ptrJ[j]];
			const c = arcClass[a];
			if (levelC[c] !== want) continue;
			const r = flow[a];
			if (r <= 0) continue;
			const rest = f - pushed;
			const got = dfsClass(c, r < rest ? r : rest);
			if (got > 0) {
				flow[a] -= got;
				pushed += got;
				if (pushed === f) return pushed;
			}
		}
		levelJ[j] = -1;
		return pushed;
	}

	// Jurors outside the reachable set of a failed search can never be reached again (that set has
	// no residual arc leaving it, and later augmentations stay inside it): mark them dead.
	const dead = new Uint8Array(J);
	// Per juror, the arcs the greedy pass may still use.  A class whose deficit reached zero never
	// gets one again, so its arcs are compacted away for good (order preserved).
	const gArcs = Int32Array.from(jArcs);
	const gEnd = jStart.slice(1);

	/** Direct augmentations s → c → j → t for every juror with spare phase cap. */
	function greedy(): void {
		for (let j = 0; j < J && totalDeficit > 0; j++) {
			if (dead[j] || routed[j] >= limit[j]) continue;
			const end = gEnd[j];
			let w = jStart[j];
			let k = w;
			for (; k < end; k++) {
				const a = gArcs[k];
				const c = arcClass[a];
				if (deficit[c] <= 0) continue; // dropped from the list
				gArcs[w++] = a;
				const r = size[c] - flow[a];
				if (r <= 0) continue;
				let got = limit[j] - routed[j];
				if (r < got) got = r;
				if (deficit[c] < got) got = deficit[c];
				flow[a] += got;
				touch(a);
				routed[j] += got;
				deficit[c] -= got;
				totalDeficit -= got;
				if (routed[j] >= limit[j]) {
					k++;
					break;
				}
			}
			if (w < k) gArcs.copyWithin(w, k, end);
			gEnd[j] = w + (end - k);
		}
	}

	/** Is some live juror still able to take a unit in this phase? */
	function anySpare(): boolean {
		for (let j = 0; j < J; j++) if (!dead[j] && routed[j] < limit[j]) return true;
		return false;
	}

	// first useful level: the lowest total load at which some juror can take a unit
	let t = INF;
	for (let j = 0; j < J; j++) if (base[j] < cap[j] && base[j] + 1 < t) t = base[j] + 1;

	let phases = 0;
	while (totalDeficit > 0 && t < INF) {
		phases++;
		for (let j = 0; j < J; j++) {
			const m = (cap[j] < t ? cap[j] : t) - base[j];
			limit[j] = m > 0 ? m : 0;
		}
		greedy();
		let exhausted = false; // a search failed: levelJ marks the reachable set
		while (totalDeficit > 0 && anySpare()) {
			if (!bfs()) {
				exhausted = true;
				break;
			}
			for (let c = 0; c < C; c++) ptrC[c] = arcStart[c];
			ptrJ.set(jStart.subarray(0, J));
			for (let c = 0; c < C; c++) {
				if (levelC[c] !== 0 || deficit[c] <= 0) continue;
				const got = dfsClass(c, deficit[c]);
				deficit[c] -= got;
				totalDeficit -= got;
			}
		}
		if (totalDeficit === 0) break;
		if (exhausted) for (let j = 0; j < J; j++) if (levelJ[j] < 0) dead[j] = 1;
		// nothing changes before the cap of some live juror grows: jump to that level
		let next = INF;
		for (let j = 0; j < J; j++) {
			if (dead[j]) continue;
			const L = base[j] + routed[j];
			if (L < cap[j] && L + 1 < next) next = L + 1;
		}
		t = next;
	}

	return { flow, deficit, routed, phases, searches };
}

/**
 * Split a class's aggregated flow into concrete applications.
 * `flows[i]` units go to juror `jurors[i]`; every flow ≤ n (the class size) and Σ flows ≤ need·n.
 * Round-robin filling: list the jurors with multiplicity and give position p to application p mod n.
 * A juror's units occupy ≤ n consecutive positions, hence land on distinct applications; every
 * application gets ⌊S/n⌋ or ⌈S/n⌉ ≤ need units (S = Σ flows).
 * Returns, per application index 0..n-1, the list of jurors (in the order of `jurors`).
 */
export function splitClassFlow(n: number, need: number, jurors: ArrayLike<number>, flows: ArrayLike<number>): number[][] {
	const out: number[][] = Array.from({ length: n }, () => []);
	let total = 0;
	for (let i = 0; i < flows.length; i++) {
		if (flows[i] < 0 || flows[i] > n) throw new Error(`splitClassFlow: flow ${flows[i]} outside [0, ${n}]`);
		total += flows[i];
	}
	if (total > need * n) throw new Error(`splitClassFlow: total ${total} exceeds ${need}·${n}`);
	let p = 0;
	for (let i = 0; i < jurors.length; i++) {
		for (let r = 0; r < flows[i]; r++) {
			out[p % n].push(jurors[i]);
			p++;
		}
	}
	return out;
}

// =============================================================================================
// General costs: expertise affinity, stated preferences and district diversity
// =============================================================================================

/**
 * The same transportation problem with costs on the class→juror side, solved exactly.
 *
 * Network (all capacities and costs are integers):
 *
 *   source → class c (demand[c])
 *          → group g of c  (convex: the first free[g] units cost 0, every further unit costs
 *                           `penalty`; used for "at most one juror per federal district")
 *          → juror j       (arc a: cap size[c] — a juror at most once per application —,
 *                           cost arcCost[a] ≥ 0: minus the affinity, shifted to be non-negative)
 *          → sink          (convex: the L-th unit of a juror's TOTAL load costs L, i.e. the load
 *                           cost L·(L+1)/2 of the balanced solver, kept pairs in `base`).
 *
 * Goal: maximum flow, then minimum total cost among maximum flows.
 *
 * Method: primal–dual successive shortest paths with node potentials (reduced costs stay ≥ 0;
 * the initial potentials are 0 because every cost is ≥ 0).  One search does two things:
 *   1. a breadth-first search over the admissible arcs (reduced cost 0) from every class with a
 *      deficit (those always have potential 0 = the source's: they never received flow back);
 *      if it reaches the sink, its levels drive a Dinic blocking flow;
 *   2. otherwise it goes on as Dijkstra from the tentative distances of step 1 and stops when the
 *      sink is settled at distance d; every potential is raised by min(dist, d), which keeps all
 *      reduced costs ≥ 0 and makes the shortest paths admissible.
 * The augmenting paths are shortest paths, so the classic invariant holds: after every
 * augmentation the flow has minimum cost for its value; at the end (no path to the sink) it is
 * a maximum flow of minimum cost.  Convex arcs are parallel unit arcs whose residual piece is
 * the cheapest one, so a juror takes at most one unit per distance level (its next unit costs
 * one more) and a group's penalty piece only opens when its free piece is used up.
 *
 * Only admissible paths are ever augmented, and any potentials with all reduced costs ≥ 0 make
 * an admissible path a shortest one — so the work between searches is free to use cheaper ways
 * of finding paths and raising potentials:
 *   - a greedy pass places units on direct admissible paths source → class → group → juror →
 *     sink (it does most of the work at every level);
 *   - after a search that raised the potentials, one unit along the search-tree path of every
 *     juror at the sink frontier, then one depth-first pass over the admissible arcs with
 *     dead-end marks exhausts the level (`augmentLevel`);
 *   - while the greedy pass makes progress, jurors it left at the frontier are relabelled (their
 *     potential raised by their smallest incoming slack) and then the sink's potential is raised
 *     by the smallest slack of its arcs — both keep every reduced cost ≥ 0 — instead of a search.
 * `solveMinCostTransportPruned` runs all this on the cheapest arcs of every class and certifies
 * the result on the full network (`certifyMinCost`).  Measured on 24 000 applications × 3 over
 * 600 jurors with expertise, districts and connectivity: ≈ 17 000 classes, 2 million arcs (400 000
 * kept), ~125 distance levels, one certification round (bench/routing.ts).
 */
export interface CostTransportProblem {
	classes: number;
	jurors: number;
	/** per class: units to route */
	demand: Int32Array;
	/** per class: cap of each of its arcs (number of applications in the class) */
	size: Int32Array;
	/** CSR: groups of class c are groupStart[c] .. groupStart[c+1]-1 */
	groupStart: Int32Array;
	/** per group: units without the penalty (≥ 2^29 = unlimited) */
	groupFree: Int32Array;
	/** cost of every unit of a group beyond its free units (≥ 0) */
	penalty: number;
	/** CSR: arcs of group g are arcStart[g] .. arcStart[g+1]-1 */
	arcStart: Int32Array;
	arcJuror: Int32Array;
	/** per arc, ≥ 0 */
	arcCost: Int32Array;
	/** per juror: load fixed outside the flow */
	base: Int32Array;
	/** per juror: total capacity (base included) */
	cap: Int32Array;
}

export interface CostTransportSolution {
	/** per arc: units routed group→juror */
	flow: Int32Array;
	/** per class: units that could not be routed */
	deficit: Int32Array;
	/** per juror: routed units */
	routed: Int32Array;
	/** per group: units through it */
	groupFlow: Int32Array;
	/** Dijkstra extensions run (= distance levels) */
	phases: number;
	/** searches run */
	searches: number;
	/** node potentials at the end: classes, then groups, then jurors, then the sink (source: 0) */
	potentials: Float64Array;
}

export const UNLIMITED = 1 << 29;

export function solveMinCostTransport(p: CostTransportProblem): CostTransportSolution {
	const C = p.classes;
	const J = p.jurors;
	const G = p.groupStart[C] ?? 0;
	const E = p.arcJuror.length;
	const { demand, size, groupStart, groupFree, arcStart, arcJuror, arcCost, base, cap } = p;
	const P = Math.max(0, Math.floor(p.penalty));

	const flow = new Int32Array(E);
	const deficit = Int32Array.from(demand);
	const routed = new Int32Array(J);
	const gflow = new Int32Array(G);

	const groupClass = new Int32Array(G);
	for (let c = 0; c < C; c++) for (let g = groupStart[c]; g < groupStart[c + 1]; g++) groupClass[g] = c;
	const arcGroup = new Int32Array(E);
	for (let g = 0; g < G; g++) for (let a = arcStart[g]; a < arcStart[g + 1]; a++) arcGroup[a] = g;

	// juror-side CSR of arcs; per juror the arcs that may carry flow (superset, compacted lazily)
	const jStart = new Int32Array(J + 1);
	for (let a = 0; a < E; a++) jStart[arcJuror[a] + 1]++;
	for (let j = 0; j < J; j++) jStart[j + 1] += jStart[j];
	const jArcs = new Int32Array(E);
	{
		const fill = jStart.slice(0, J);
		for (let a = 0; a < E; a++) jArcs[fill[arcJuror[a]]++] = a;
	}
	const fArcs = new Int32Array(E);
	const fEnd = jStart.slice(0, J);
	const inF = new Uint8Array(E);
	const touch = (a: number) => {
		if (inF[a] === 0) {
			inF[a] = 1;
			fArcs[fEnd[arcJuror[a]]++] = a;
		}
	};

	// node numbering: classes [0, C), groups [C, C+G), jurors [C+G, C+G+J), sink N-1
	const OG = C;
	const OJ = C + G;
	const T = C + G + J;
	const N = T + 1;
	const pi = new Float64Array(N); // potentials (source: 0)
	const dist = new Float64Array(N);
	const level = new Int32Array(N);
	const queue = new Int32Array(N);
	const INF = Infinity;

	let totalDeficit = 0;
	for (let c = 0; c < C; c++) totalDeficit += deficit[c];

	const load = (j: number) => base[j] + routed[j];

	// reduced costs of the residual pieces (the cheapest residual piece of every arc)
	/** class → group, forward piece */
	const rcCG = (c: number, g: number) => (gflow[g] < groupFree[g] ? 0 : P) + pi[c] - pi[OG + g];
	/** group → class, backward piece (only when gflow > 0) */
	const rcGC = (g: number, c: number) => (gflow[g] > groupFree[g] ? -P : 0) + pi[OG + g] - pi[c];
	/** units of the admissible piece class → group */
	const capCG = (g: number) => (gflow[g] < groupFree[g] ? groupFree[g] - gflow[g] : UNLIMITED);
	const capGC = (g: number) => (gflow[g] > groupFree[g] ? gflow[g] - groupFree[g] : gflow[g]);

	// ---- priority queue of the Dijkstra part: buckets for small distances (Dial), a binary heap
	// (lazy deletion) for the rest; distances are integers ≥ 1 there
	const NB = 2048;
	const buckets: number[][] = Array.from({ length: NB }, () => []);
	let bucketAt = 1; // lowest possibly non-empty bucket
	let bucketMax = 0; // highest bucket used since the last reset
	const qPush = (v: number, d: number) => {
		if (d < NB) {
			buckets[d].push(v);
			if (d > bucketMax) bucketMax = d;
			if (d < bucketAt) bucketAt = d;
		} else heapPush(v, d);
	};
	const qReset = () => {
		for (let b = 0; b <= bucketMax; b++) buckets[b].length = 0;
		bucketAt = 1;
		bucketMax = 0;
		heapN = 0;
	};
	let heapN = 0;
	let heapNode = new Int32Array(1024);
	let heapKey = new Float64Array(1024);
	const heapPush = (v: number, k: number) => {
		if (heapN === heapNode.length) {
			const n2 = new Int32Array(heapN * 2);
			n2.set(heapNode);
			heapNode = n2;
			const k2 = new Float64Array(heapN * 2);
			k2.set(heapKey);
			heapKey = k2;
		}
		let i = heapN++;
		while (i > 0) {
			const par = (i - 1) >> 1;
			if (heapKey[par] < k || (heapKey[par] === k && heapNode[par] <= v)) break;
			heapNode[i] = heapNode[par];
			heapKey[i] = heapKey[par];
			i = par;
		}
		heapNode[i] = v;
		heapKey[i] = k;
	};
	const heapPop = (): number => {
		const top = heapNode[0];
		const lastN = heapNode[--heapN];
		const lastK = heapKey[heapN];
		let i = 0;
		for (;;) {
			let ch = 2 * i + 1;
			if (ch >= heapN) break;
			if (ch + 1 < heapN && (heapKey[ch + 1] < heapKey[ch] || (heapKey[ch + 1] === heapKey[ch] && heapNode[ch + 1] < heapNode[ch]))) ch++;
			if (heapKey[ch] > lastK || (heapKey[ch] === lastK && heapNode[ch] >= lastN)) break;
			heapNode[i] = heapNode[ch];
			heapKey[i] = heapKey[ch];
			i = ch;
		}
		heapNode[i] = lastN;
		heapKey[i] = lastK;
		return top;
	};

	let sinkLevel = 0;
	let searches = 0;
	let phases = 0;
	const done = new Uint8Array(N);
	let tail = 0;
	// During the breadth-first part, non-zero tentative distances are only recorded (a node
	// may improve many times); the heap is filled once afterwards.
	let zeroMode = true;

	// search tree: the node and arc (−1 = the class–group arc) each node was last reached through
	const parent = new Int32Array(N);
	const parentArc = new Int32Array(N);
	function relax(v: number, d: number, from: number, arc: number): void {
		if (d < dist[v]) {
			dist[v] = d;
			parent[v] = from;
			parentArc[v] = arc;
			if (!zeroMode) qPush(v, d);
		}
	}
	function reach0(v: number, from: number, arc: number): void {
		if (dist[v] !== 0) {
			dist[v] = 0;
			level[v] = level[from] + 1;
			parent[v] = from;
			parentArc[v] = arc;
			queue[tail++] = v;
		}
	}

	/** Relax the residual arcs out of u (at distance du); zeroMode = the breadth-first part. */
	function expand(u: number, du: number): void {
		const zero = zeroMode;
		if (u < OG) {
			const c = u;
			const pc = pi[c];
			for (let g = groupStart[c], ge = groupStart[c + 1]; g < ge; g++) {
				const r = (gflow[g] < groupFree[g] ? 0 : P) + pc - pi[OG + g];
				if (zero && r === 0) reach0(OG + g, u, -1);
				else relax(OG + g, du + r, u, -1);
			}
		} else if (u < OJ) {
			const g = u - OG;
			const c = groupClass[g];
			const pg = pi[u];
			if (gflow[g] > 0) {
				const r = (gflow[g] > groupFree[g] ? -P : 0) + pg - pi[c];
				if (zero && r === 0) reach0(c, u, -1);
				else relax(c, du + r, u, -1);
			}
			const sz = size[c];
			for (let a = arcStart[g], e = arcStart[g + 1]; a < e; a++) {
				if (flow[a] >= sz) continue;
				const v = OJ + arcJuror[a];
				const r = arcCost[a] + pg - pi[v];
				if (r === 0 && zero) {
					if (dist[v] !== 0) {
						dist[v] = 0;
						level[v] = level[u] + 1;
						parent[v] = u;
						parentArc[v] = a;
						queue[tail++] = v;
					}
				} else {
					const d = du + r;
					if (d < dist[v]) {
						dist[v] = d;
						parent[v] = u;
						parentArc[v] = a;
						if (!zero) qPush(v, d);
					}
				}
			}
		} else {
			const j = u - OJ;
			const L = base[j] + routed[j];
			const pj = pi[u];
			if (L < cap[j]) {
				const r = L + 1 + pj - pi[T];
				if (zero && r === 0) {
					if (sinkLevel < 0) sinkLevel = level[u] + 1;
				} else relax(T, du + r, u, -1);
			}
			let w = jStart[j];
			for (let k = w, e = fEnd[j]; k < e; k++) {
				const a = fArcs[k];
				if (flow[a] <= 0) {
					inF[a] = 0;
					continue;
				}
				fArcs[w++] = a;
				const v = OG + arcGroup[a];
				const r = -arcCost[a] + pj - pi[v];
				if (zero && r === 0) reach0(v, u, a);
				else relax(v, du + r, u, a);
			}
			fEnd[j] = w;
		}
	}

	/**
	 * 0 = the sink is reachable over admissible arcs (levels set for Dinic);
	 * 1 = potentials were raised (call again); 2 = the sink is unreachable (flow is maximum).
	 */
	function search(): 0 | 1 | 2 {
		searches++;
		dist.fill(INF);
		level.fill(-1);
		let head = 0;
		tail = 0;
		for (let c = 0; c < C; c++) {
			if (deficit[c] > 0) {
				dist[c] = 0;
				level[c] = 0;
				parent[c] = -1;
				queue[tail++] = c;
			}
		}
		qReset();
		sinkLevel = -1;
		zeroMode = true;
		// ---- 1. breadth-first search over admissible arcs
		while (head < tail) {
			const u = queue[head++];
			if (sinkLevel >= 0 && level[u] >= sinkLevel) break;
			expand(u, 0);
		}
		if (sinkLevel >= 0) return 0;
		// ---- 2. Dijkstra from the tentative distances
		zeroMode = false;
		done.fill(0);
		for (let i = 0; i < tail; i++) done[queue[i]] = 1;
		for (let v = 0; v < N; v++) if (!done[v] && dist[v] < INF) qPush(v, dist[v]);
		let dT = INF;
		for (;;) {
			let u = -1;
			let k = 0;
			while (bucketAt <= bucketMax && buckets[bucketAt].length === 0) bucketAt++;
			if (bucketAt <= bucketMax) {
				u = buckets[bucketAt].pop()!;
				k = bucketAt;
			} else if (heapN > 0) {
				k = heapKey[0];
				u = heapPop();
			} else break;
			if (done[u] || k > dist[u]) continue;
			done[u] = 1;
			if (u === T) {
				dT = k;
				break;
			}
			expand(u, k);
		}
		if (dT === INF) return 2;
		phases++;
		for (let v = 0; v < N; v++) {
			const d = dist[v];
			pi[v] += d < dT ? d : dT;
		}
		return 1;
	}

	// ---- Dinic blocking flow on the levels of a successful search
	const ptr = new Int32Array(N);
	function dfs(u: number, f: number): number {
		if (u < OG) {
			const c = u;
			let pushed = 0;
			const want = level[u] + 1;
			for (; ptr[u] < groupStart[c + 1]; ptr[u]++) {
				const g = ptr[u];
				if (level[OG + g] !== want || rcCG(c, g) !== 0) continue;
				const r = capCG(g);
				const rest = f - pushed;
				const got = dfs(OG + g, r < rest ? r : rest);
				if (got > 0) {
					gflow[g] += got;
					pushed += got;
					if (pushed === f) return pushed;
				}
			}
			level[u] = -1;
			return pushed;
		}
		if (u < OJ) {
			const g = u - OG;
			const c = groupClass[g];
			const want = level[u] + 1;
			let pushed = 0;
			// pointer: -1 = the backward arc to the class, then the arcs
			if (ptr[u] === arcStart[g] - 1) {
				if (gflow[g] > 0 && level[c] === want && rcGC(g, c) === 0) {
					const r = capGC(g);
					const got = dfs(c, r < f ? r : f);
					if (got > 0) {
						gflow[g] -= got;
						pushed += got;
						if (pushed === f) return pushed;
					}
				}
				ptr[u]++;
			}
			const sz = size[c];
			for (; ptr[u] < arcStart[g + 1]; ptr[u]++) {
				const a = ptr[u];
				const v = OJ + arcJuror[a];
				if (level[v] !== want) continue;
				const r = sz - flow[a];
				if (r <= 0 || arcCost[a] + pi[u] - pi[v] !== 0) continue;
				const rest = f - pushed;
				const got = dfs(v, r < rest ? r : rest);
				if (got > 0) {
					flow[a] += got;
					touch(a);
					pushed += got;
					if (pushed === f) return pushed;
				}
			}
			level[u] = -1;
			return pushed;
		}
		const j = u - OJ;
		let pushed = 0;
		// pointer: fStart-1 = the sink arc, then the flow-carrying arcs (backward)
		if (ptr[u] === jStart[j] - 1) {
			const L = load(j);
			if (level[u] + 1 === sinkLevel && L < cap[j] && L + 1 + pi[u] - pi[T] === 0) {
				routed[j]++;
				pushed = 1; // the next unit costs one more: never admissible in the same level
				if (pushed === f) return pushed;
			}
			ptr[u]++;
		}
		const want = level[u] + 1;
		if (want < sinkLevel) {
			for (; ptr[u] < fEnd[j]; ptr[u]++) {
				const a = fArcs[ptr[u]];
				const r = flow[a];
				if (r <= 0) continue;
				const v = OG + arcGroup[a];
				if (level[v] !== want || -arcCost[a] + pi[u] - pi[v] !== 0) continue;
				const rest = f - pushed;
				const got = dfs(v, r < rest ? r : rest);
				if (got > 0) {
					flow[a] -= got;
					pushed += got;
					if (pushed === f) return pushed;
				}
			}
		}
		level[u] = -1;
		return pushed;
	}

	/**
	 * Augment one unit along the search-tree path of every juror whose sink arc is admissible and
	 * whose tree path is admissible with residual capacity (checked arc by arc with the current
	 * flow: earlier paths of the same round may have used it up).  After a search the tree paths
	 * are shortest paths, so with the raised potentials they consist of admissible arcs.
	 */
	const path = new Int32Array(N);
	function treeAugment(): number {
		let placed = 0;
		for (let j = 0; j < J && totalDeficit > 0; j++) {
			const vj = OJ + j;
			if (dist[vj] === INF) continue;
			const L = base[j] + routed[j];
			if (L >= cap[j] || L + 1 + pi[vj] - pi[T] !== 0) continue;
			// walk up to a class with a deficit, checking every arc
			let len = 0;
			let v = vj;
			let ok = true;
			for (let steps = 0; steps <= N; steps++) {
				if (v < OG && parent[v] < 0) break; // a source class
				if (dist[v] === INF) {
					ok = false;
					break;
				}
				const u = parent[v];
				const a = parentArc[v];
				path[len++] = v;
				if (v >= OJ) {
					// reached from its group g = u through arc a (forward)
					const g = u - OG;
					if (flow[a] >= size[groupClass[g]] || arcCost[a] + pi[u] - pi[v] !== 0) ok = false;
				} else if (v >= OG) {
					const g = v - OG;
					if (u >= OJ) {
						// from a juror through arc a (backward)
						if (flow[a] <= 0 || -arcCost[a] + pi[u] - pi[v] !== 0) ok = false;
					} else if (rcCG(u, g) !== 0) ok = false; // from its class
				} else {
					// a class reached from one of its groups (backward)
					const g = u - OG;
					if (gflow[g] <= 0 || rcGC(g, v) !== 0) ok = false;
				}
				if (!ok) break;
				v = u;
			}
			if (!ok || v >= OG || deficit[v] <= 0) continue;
			// push one unit: path[len-1] … path[0] = juror, from class v
			let prev = v;
			for (let x = len - 1; x >= 0; x--) {
				const w = path[x];
				const a = parentArc[w];
				if (w >= OJ) {
					flow[a]++;
					touch(a);
				} else if (w >= OG) {
					if (prev >= OJ) flow[a]--;
					else gflow[w - OG]++;
				} else gflow[prev - OG]--;
				prev = w;
			}
			routed[j]++;
			deficit[v]--;
			totalDeficit--;
			placed++;
		}
		return placed;
	}

	// ---- greedy pass: direct admissible paths class → group → juror → sink
	// Per juror, the arcs the greedy pass may still use: arcs of classes without deficit are
	// dropped for good (a class never gets a deficit back).
	const gArcs = Int32Array.from(jArcs);
	const gEnd = jStart.slice(1);
	function greedy(): void {
		for (let j = 0; j < J && totalDeficit > 0; j++) {
			const L = load(j);
			if (L >= cap[j] || L + 1 + pi[OJ + j] - pi[T] !== 0) continue;
			const end = gEnd[j];
			let w = jStart[j];
			let k = w;
			for (; k < end; k++) {
				const a = gArcs[k];
				const g = arcGroup[a];
				const c = groupClass[g];
				if (deficit[c] <= 0) continue; // dropped from the list
				gArcs[w++] = a;
				if (flow[a] >= size[c]) continue;
				if (arcCost[a] + pi[OG + g] - pi[OJ + j] !== 0 || rcCG(c, g) !== 0) continue;
				flow[a]++;
				touch(a);
				gflow[g]++;
				routed[j]++;
				deficit[c]--;
				totalDeficit--;
				k++;
				break; // the juror's next unit costs one more: not admissible at this level
			}
			if (w < k) gArcs.copyWithin(w, k, end);
			gEnd[j] = w + (end - k);
		}
	}

	// ---- one pass that exhausts the admissible paths of a distance level: depth-first from every
	// class with a deficit over arcs with reduced cost 0, with current-arc pointers and dead-end
	// marks.  A node without a path to the sink stays without one for the rest of the level
	// (augmenting only adds reverse arcs between nodes that have one), so every arc is looked at
	// about once per pass.  Whatever it misses, the next search finds (and Dinic takes).
	const dead = new Uint8Array(N);
	const onStack = new Uint8Array(N);
	function adfs(u: number, f: number): number {
		onStack[u] = 1;
		let pushed = 0;
		if (u < OG) {
			const c = u;
			for (; ptr[u] < groupStart[c + 1]; ptr[u]++) {
				const g = ptr[u];
				const v = OG + g;
				if (dead[v] || onStack[v] || rcCG(c, g) !== 0) continue;
				const r = capCG(g);
				const rest = f - pushed;
				const got = adfs(v, r < rest ? r : rest);
				if (got > 0) {
					gflow[g] += got;
					pushed += got;
					if (pushed === f) break;
				}
			}
		} else if (u < OJ) {
			const g = u - OG;
			const c = groupClass[g];
			if (ptr[u] === arcStart[g] - 1) {
				if (gflow[g] > 0 && !dead[c] && !onStack[c] && rcGC(g, c) === 0) {
					const r = capGC(g);
					const got = adfs(c, r < f ? r : f);
					if (got > 0) {
						gflow[g] -= got;
						pushed += got;
					}
				}
				if (pushed < f) ptr[u]++;
			}
			const sz = size[c];
			const pg = pi[u];
			for (; pushed < f && ptr[u] < arcStart[g + 1]; ptr[u]++) {
				const a = ptr[u];
				const v = OJ + arcJuror[a];
				const r = sz - flow[a];
				if (r <= 0 || dead[v] || onStack[v] || arcCost[a] + pg - pi[v] !== 0) continue;
				const rest = f - pushed;
				const got = adfs(v, r < rest ? r : rest);
				if (got > 0) {
					flow[a] += got;
					touch(a);
					pushed += got;
					if (pushed === f) break;
				}
			}
		} else {
			const j = u - OJ;
			if (ptr[u] === jStart[j] - 1) {
				const L = load(j);
				if (L < cap[j] && L + 1 + pi[u] - pi[T] === 0) {
					routed[j]++;
					pushed = 1; // the next unit costs one more
				}
				if (pushed < f) ptr[u]++;
			}
			const pj = pi[u];
			for (; pushed < f && ptr[u] < fEnd[j]; ptr[u]++) {
				const a = fArcs[ptr[u]];
				const r = flow[a];
				if (r <= 0) continue;
				const v = OG + arcGroup[a];
				if (dead[v] || onStack[v] || -arcCost[a] + pj - pi[v] !== 0) continue;
				const rest = f - pushed;
				const got = adfs(v, r < rest ? r : rest);
				if (got > 0) {
					flow[a] -= got;
					pushed += got;
					if (pushed === f) break;
				}
			}
		}
		onStack[u] = 0;
		if (pushed < f) dead[u] = 1;
		return pushed;
	}
	function augmentLevel(): void {
		dead.fill(0);
		for (let v = 0; v < N; v++) ptr[v] = v < OG ? groupStart[v] : v < OJ ? arcStart[v - OG] - 1 : v < T ? jStart[v - OJ] - 1 : 0;
		for (let c = 0; c < C && totalDeficit > 0; c++) {
			if (deficit[c] <= 0 || dead[c]) continue;
			const got = adfs(c, deficit[c]);
			deficit[c] -= got;
			totalDeficit -= got;
		}
	}

	/**
	 * The cheap potential update: when no juror can take a unit at this level (no admissible arc
	 * into the sink), raising only the sink's potential by the smallest slack of those arcs keeps
	 * every reduced cost ≥ 0 (only arcs into the sink get cheaper, by at most their slack) and makes
	 * the cheapest next units admissible.  The greedy pass then takes the direct ones — shortest
	 * paths, since their reduced cost is 0.  Only when it finds none does a full search run.
	 */
	function raiseSink(): boolean {
		let slack = Infinity;
		for (let j = 0; j < J; j++) {
			const L = load(j);
			if (L >= cap[j]) continue;
			const r = L + 1 + pi[OJ + j] - pi[T];
			if (r <= 0) return false; // a juror can take a unit at this level
			if (r < slack) slack = r;
		}
		if (slack === Infinity) return false;
		pi[T] += slack;
		return true;
	}

	/**
	 * Relabel the jurors the greedy pass left at the frontier (their next unit is admissible at the
	 * sink, but no direct admissible arc brings one): raising such a juror's potential by the
	 * smallest reduced cost of its incoming residual arcs — and by at most 1 when it carries flow,
	 * the slack of its reverse sink arc — keeps every reduced cost ≥ 0.  A juror with an admissible
	 * incoming arc that the greedy pass could not use (a longer path) is left to the search.
	 * Returns false when such a juror remains.
	 */
	const jIn = new Int32Array(E);
	{
		const fill = jStart.slice(0, J);
		for (let a = 0; a < E; a++) jIn[fill[arcJuror[a]]++] = a;
	}
	function relabelFrontier(): boolean {
		let clean = true;
		for (let j = 0; j < J; j++) {
			const L = load(j);
			const pj = pi[OJ + j];
			if (L >= cap[j] || L + 1 + pj - pi[T] !== 0) continue;
			let m = routed[j] > 0 ? 1 : Infinity;
			for (let k = jStart[j], e = jStart[j + 1]; k < e && m > 0; k++) {
				const a = jIn[k];
				const g = arcGroup[a];
				if (flow[a] >= size[groupClass[g]]) continue;
				const r = arcCost[a] + pi[OG + g] - pj;
				if (r < m) m = r;
			}
			if (m === 0) clean = false;
			else if (m !== Infinity) pi[OJ + j] += m;
		}
		return clean;
	}

	while (totalDeficit > 0) {
		const before = totalDeficit;
		greedy();
		if (totalDeficit === 0) break;
		// cheap potential updates while the greedy pass makes progress; a full search otherwise
		if (totalDeficit < before && relabelFrontier() && raiseSink()) continue;
		const s = search();
		if (s === 2) break;
		if (s === 1) {
			// potentials raised: the search tree's shortest paths are admissible now
			treeAugment();
			greedy();
			// an admissible path ends at a juror whose next unit is admissible: any left?
			let frontier = false;
			for (let j = 0; j < J && !frontier; j++) {
				const L = load(j);
				frontier = L < cap[j] && L + 1 + pi[OJ + j] - pi[T] === 0;
			}
			if (frontier && totalDeficit > 0) augmentLevel();
			continue;
		}
		for (let v = 0; v < N; v++) ptr[v] = v < OG ? groupStart[v] : v < OJ ? arcStart[v - OG] - 1 : v < T ? jStart[v - OJ] - 1 : 0;
		for (let c = 0; c < C; c++) {
			if (level[c] !== 0 || deficit[c] <= 0) continue;
			const got = dfs(c, deficit[c]);
			deficit[c] -= got;
			totalDeficit -= got;
		}
	}

	return { flow, deficit, routed, groupFlow: gflow, phases, searches, potentials: pi };
}

/**
 * Optimality certificate of a flow for the FULL problem: (1) no augmenting path from a class with
 * a deficit to the sink in the residual network (the flow is maximum) and (2) node potentials
 * with non-negative reduced costs on every residual arc (no negative cycle: minimum cost among
 * maximum flows).  The potentials are searched by Bellman–Ford passes starting from `start`
 * (the solver's potentials of a pruned problem, valid on its arcs), so a handful of passes
 * suffice when the pruned arcs were not needed.  Returns null when certified, else the arcs to
 * add: the pruned arcs of an augmenting path, or those with a negative reduced cost at `start`.
 */
export function certifyMinCost(
	p: CostTransportProblem,
	sol: Pick<CostTransportSolution, 'flow' | 'deficit' | 'routed' | 'groupFlow'>,
	start: Float64Array,
	kept: Uint8Array,
	maxPasses = 40
): number[] | null {
	const C = p.classes;
	const J = p.jurors;
	const G = p.groupStart[C] ?? 0;
	const E = p.arcJuror.length;
	const { size, groupStart, groupFree, arcStart, arcJuror, arcCost, base, cap } = p;
	const P = Math.max(0, Math.floor(p.penalty));
	const { flow, deficit, routed, groupFlow: gflow } = sol;
	const OG = C;
	const OJ = C + G;
	const T = C + G + J;
	const groupClass = new Int32Array(G);
	for (let c = 0; c < C; c++) for (let g = groupStart[c]; g < groupStart[c + 1]; g++) groupClass[g] = c;

	// (1) breadth-first search for an augmenting path over the full residual network
	{
		const seen = new Uint8Array(T + 1);
		const from = new Int32Array(T + 1).fill(-1);
		const fromArc = new Int32Array(T + 1).fill(-1);
		const queue: number[] = [];
		for (let c = 0; c < C; c++)
			if (deficit[c] > 0) {
				seen[c] = 1;
				queue.push(c);
			}
		// juror → arcs with flow (backward), built once
		const jArcs: number[][] = Array.from({ length: J }, () => []);
		for (let a = 0; a < E; a++) if (flow[a] > 0) jArcs[arcJuror[a]].push(a);
		const arcGroup = new Int32Array(E);
		for (let g = 0; g < G; g++) for (let a = arcStart[g]; a < arcStart[g + 1]; a++) arcGroup[a] = g;
		let hitJuror = -1;
		for (let h = 0; h < queue.length && hitJuror < 0; h++) {
			const u = queue[h];
			const visit = (v: number, arc: number) => {
				if (!seen[v]) {
					seen[v] = 1;
					from[v] = u;
					fromArc[v] = arc;
					queue.push(v);
				}
			};
			if (u < OG) for (let g = groupStart[u]; g < groupStart[u + 1]; g++) visit(OG + g, -1);
			else if (u < OJ) {
				const g = u - OG;
				if (gflow[g] > 0) visit(groupClass[g], -1);
				const sz = size[groupClass[g]];
				for (let a = arcStart[g]; a < arcStart[g + 1]; a++) if (flow[a] < sz) visit(OJ + arcJuror[a], a);
			} else {
				const j = u - OJ;
				if (base[j] + routed[j] < cap[j]) {
					hitJuror = j;
					break;
				}
				for (const a of jArcs[j]) visit(OG + arcGroup[a], a);
			}
		}
		if (hitJuror >= 0) {
			const add: number[] = [];
			for (let v = OJ + hitJuror; v >= 0 && from[v] >= 0; v = from[v]) if (fromArc[v] >= 0 && !kept[fromArc[v]]) add.push(fromArc[v]);
			return add;
		}
	}

	// (2) feasible potentials: Bellman–Ford passes from `start` (source = node T+1, potential 0)
	const S = T + 1;
	const d = new Float64Array(T + 2);
	d.set(start.subarray(0, T + 1));
	d[S] = 0;
	const relax = (u: number, v: number, w: number): boolean => {
		if (d[u] + w < d[v]) {
			d[v] = d[u] + w;
			return true;
		}
		return false;
	};
	let converged = false;
	for (let pass = 0; pass < maxPasses && !converged; pass++) {
		let changed = false;
		for (let c = 0; c < C; c++) {
			if (deficit[c] > 0 && relax(S, c, 0)) changed = true;
			if (p.demand[c] - deficit[c] > 0 && relax(c, S, 0)) changed = true;
			for (let g = groupStart[c]; g < groupStart[c + 1]; g++) {
				const v = OG + g;
				if (relax(c, v, gflow[g] < groupFree[g] ? 0 : P)) changed = true;
				if (gflow[g] > 0 && relax(v, c, gflow[g] > groupFree[g] ? -P : 0)) changed = true;
				const sz = size[c];
				for (let a = arcStart[g]; a < arcStart[g + 1]; a++) {
					const w = OJ + arcJuror[a];
					if (flow[a] < sz && relax(v, w, arcCost[a])) changed = true;
					if (flow[a] > 0 && relax(w, v, -arcCost[a])) changed = true;
				}
			}
		}
		for (let j = 0; j < J; j++) {
			const L = base[j] + routed[j];
			if (L < cap[j] && relax(OJ + j, T, L + 1)) changed = true;
			if (routed[j] > 0 && relax(T, OJ + j, -L)) changed = true;
		}
		converged = !changed;
	}
	if (converged) return null;
	// not certified: the pruned arcs with a negative reduced cost at `start`
	const add: number[] = [];
	for (let g = 0; g < G; g++) {
		const sz = size[groupClass[g]];
		for (let a = arcStart[g]; a < arcStart[g + 1]; a++)
			if (!kept[a] && flow[a] < sz && arcCost[a] + start[OG + g] - start[OJ + arcJuror[a]] < 0) add.push(a);
	}
	return add;
}

/**
 * solveMinCostTransport on a pruned copy of the problem — per class the `keep` arcs of lowest
 * `priority` (the cheapest, ties spread by a hash so that every juror stays in reach) — then
 * certified on the full problem (`certifyMinCost`).  When the certificate fails, the arcs it names
 * are added and the pruned problem is solved again; after a few rounds the full problem is
 * solved.  The result is therefore always exactly optimal for the full problem.
 */
export function solveMinCostTransportPruned(
	p: CostTransportProblem,
	priority: Float64Array,
	keep: number
): CostTransportSolution & { rounds: number; keptArcs: number; certified: boolean } {
	const C = p.classes;
	const G = p.groupStart[C] ?? 0;
	const E = p.arcJuror.length;
	const kept = new Uint8Array(E);
	// choose per class: the arcs whose priority is at most the keep-th smallest of the class
	let scratch = new Float64Array(64);
	for (let c = 0; c < C; c++) {
		const from = p.arcStart[p.groupStart[c]];
		const to = p.arcStart[p.groupStart[c + 1]];
		if (to - from <= keep) {
			kept.fill(1, from, to);
			continue;
		}
		if (scratch.length < to - from) scratch = new Float64Array(to - from);
		const part = scratch.subarray(0, to - from);
		part.set(priority.subarray(from, to));
		part.sort();
		const limit = part[keep - 1];
		for (let a = from; a < to; a++) if (priority[a] <= limit) kept[a] = 1;
	}
	const MAX_ROUNDS = 4;
	for (let round = 1; ; round++) {
		let nKept = 0;
		for (let a = 0; a < E; a++) nKept += kept[a];
		if (nKept === E || round > MAX_ROUNDS) {
			const sol = solveMinCostTransport(p);
			return { ...sol, rounds: round, keptArcs: E, certified: true };
		}
		// the pruned problem: same classes and groups, kept arcs only
		const map = new Int32Array(nKept);
		const arcStart = new Int32Array(G + 1);
		let k = 0;
		for (let g = 0; g < G; g++) {
			for (let a = p.arcStart[g]; a < p.arcStart[g + 1]; a++) if (kept[a]) map[k++] = a;
			arcStart[g + 1] = k;
		}
		const subJuror = new Int32Array(nKept);
		const subCost = new Int32Array(nKept);
		for (let i = 0; i < nKept; i++) {
			subJuror[i] = p.arcJuror[map[i]];
			subCost[i] = p.arcCost[map[i]];
		}
		const sub: CostTransportProblem = { ...p, arcStart, arcJuror: subJuror, arcCost: subCost };
		const s = solveMinCostTransport(sub);
		const flow = new Int32Array(E);
		for (let i = 0; i < nKept; i++) flow[map[i]] = s.flow[i];
		const full = { flow, deficit: s.deficit, routed: s.routed, groupFlow: s.groupFlow };
		const add = certifyMinCost(p, full, s.potentials, kept);
		if (add === null) return { ...s, flow, rounds: round, keptArcs: nKept, certified: true };
		if (add.length === 0) kept.fill(1); // cannot name the arcs: solve the full problem
		for (const a of add) kept[a] = 1;
	}
}
