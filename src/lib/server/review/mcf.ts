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
