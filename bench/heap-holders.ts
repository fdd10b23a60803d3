// What holds the portal's V8 heap: reads a heap snapshot (bench/console.ts with
// BENCH_CONSOLE_SNAPSHOT=<dir>, or any `--heapsnapshot-signal` file), builds the dominator tree and
// prints retained sizes — the results cache (per round: the loaded round by part, the results per
// mode, every derived view by key), the biggest other subtrees with a path to them, and self sizes
// by kind (strings, code, arrays…). With a smaps file beside it, also what RSS is outside the heap.
//
//   node --max-old-space-size=8000 --import tsx bench/heap-holders.ts <file.heapsnapshot> [smaps.txt]
import fs from 'node:fs';

const file = process.argv[2];
if (!file) throw new Error('usage: heap-holders.ts <file.heapsnapshot> [smaps.txt]');
const snap = JSON.parse(fs.readFileSync(file, 'utf8'));
const meta = snap.snapshot.meta;
const NF = meta.node_fields.length;
const EF = meta.edge_fields.length;
const nTypes: string[] = meta.node_types[0];
const eTypes: string[] = meta.edge_types[0];
const [N_TYPE, N_NAME, , N_SELF, N_EDGES] = [0, 1, 2, 3, 4].map((i) => meta.node_fields.indexOf(['type', 'name', 'id', 'self_size', 'edge_count'][i]));
const [E_TYPE, E_NAME, E_TO] = ['type', 'name_or_index', 'to_node'].map((f) => meta.edge_fields.indexOf(f));
const nodes: number[] = snap.nodes;
const edges: number[] = snap.edges;
const strings: string[] = snap.strings;
const n = nodes.length / NF;
const WEAK = eTypes.indexOf('weak');
const SHORTCUT = eTypes.indexOf('shortcut');
const ELEMENT = eTypes.indexOf('element');
const HIDDEN = eTypes.indexOf('hidden');

const firstEdge = new Uint32Array(n + 1);
for (let i = 0, e = 0; i < n; i++) {
	firstEdge[i] = e;
	e += nodes[i * NF + N_EDGES] * EF;
}
firstEdge[n] = edges.length;
const self = (i: number) => nodes[i * NF + N_SELF];
const type = (i: number) => nTypes[nodes[i * NF + N_TYPE]];
const name = (i: number) => strings[nodes[i * NF + N_NAME]];
const edgeName = (e: number) => {
	const t = edges[e + E_TYPE];
	return t === ELEMENT || t === HIDDEN ? `[${edges[e + E_NAME]}]` : strings[edges[e + E_NAME]];
};
const strong = (e: number) => edges[e + E_TYPE] !== WEAK && edges[e + E_TYPE] !== SHORTCUT;

// Depth-first order from the root (node 0), then dominators (Cooper–Harvey–Kennedy).
const order = new Int32Array(n).fill(-1);
const post: number[] = [];
{
	const stack = [0];
	const it = new Uint32Array(n);
	order[0] = 0;
	it[0] = firstEdge[0];
	while (stack.length) {
		const v = stack[stack.length - 1];
		let pushed = false;
		while (it[v] < firstEdge[v + 1]) {
			const e = it[v];
			it[v] += EF;
			if (!strong(e)) continue;
			const w = edges[e + E_TO] / NF;
			if (order[w] !== -1) continue;
			order[w] = 0;
			it[w] = firstEdge[w];
			stack.push(w);
			pushed = true;
			break;
		}
		if (!pushed) post.push(stack.pop()!);
	}
}
const po = new Int32Array(n).fill(-1); // post-order number
post.forEach((v, k) => (po[v] = k));
// predecessors
const predCount = new Uint32Array(n + 1);
for (let v = 0; v < n; v++) if (po[v] >= 0) for (let e = firstEdge[v]; e < firstEdge[v + 1]; e += EF) if (strong(e)) predCount[edges[e + E_TO] / NF]++;
const predStart = new Uint32Array(n + 1);
for (let i = 0; i < n; i++) predStart[i + 1] = predStart[i] + predCount[i];
const preds = new Uint32Array(predStart[n]);
const fill = predStart.slice();
for (let v = 0; v < n; v++) if (po[v] >= 0) for (let e = firstEdge[v]; e < firstEdge[v + 1]; e += EF) if (strong(e)) preds[fill[edges[e + E_TO] / NF]++] = v;
const idom = new Int32Array(n).fill(-1);
idom[0] = 0;
for (let changed = true; changed; ) {
	changed = false;
	for (let k = post.length - 1; k >= 0; k--) {
		const v = post[k];
		if (v === 0) continue;
		let d = -1;
		for (let p = predStart[v]; p < predStart[v + 1]; p++) {
			let u = preds[p];
			if (idom[u] === -1) continue;
			if (d === -1) {
				d = u;
				continue;
			}
			let a = u;
			let b = d;
			while (a !== b) {
				while (po[a] < po[b]) a = idom[a];
				while (po[b] < po[a]) b = idom[b];
			}
			d = a;
			u = a;
		}
		if (d !== idom[v]) {
			idom[v] = d;
			changed = true;
		}
	}
}
const retained = new Float64Array(n);
for (const v of post) {
	retained[v] += self(v);
	if (v !== 0 && idom[v] >= 0) retained[idom[v]] += retained[v];
}
const MB = (x: number) => (x / 1048576).toFixed(1).padStart(7) + ' MB';
const total = retained[0];
console.log(`heap in the snapshot: ${MB(total)}, ${n} nodes`);

/** A property of an object by name (first strong edge). */
function prop(v: number, p: string): number {
	for (let e = firstEdge[v]; e < firstEdge[v + 1]; e += EF) if (edgeName(e) === p && strong(e)) return edges[e + E_TO] / NF;
	return -1;
}
function props(v: number): [string, number][] {
	const out: [string, number][] = [];
	for (let e = firstEdge[v]; e < firstEdge[v + 1]; e += EF) if (strong(e)) out.push([edgeName(e), edges[e + E_TO] / NF]);
	return out;
}
/** Entries of a JS Map as [key node, value node] (V8 keeps them in its backing `table`). */
function mapEntries(m: number): [number, number][] {
	const table = prop(m, 'table');
	if (table < 0) return [];
	const out: [number, number][] = [];
	// a Map's table edges: "key" / "value" pairs show up as internal element edges — look for
	// property-less pairs: take elements in order and pair string/number keys with the next value
	const el = props(table).map(([, t]) => t);
	for (let i = 0; i + 1 < el.length; i++) if (type(el[i]) === 'string' || type(el[i]) === 'concatenated string' || type(el[i]) === 'sliced string') out.push([el[i], el[i + 1]]);
	return out;
}
/** Retained size of the union of several subtrees (objects dominated by none of them are not counted). */
const sizeOf = (v: number) => (v >= 0 ? retained[v] : 0);

// 1. The results cache: Slot objects {version, loaded, results, derived}.
let cacheTotal = 0;
for (let v = 0; v < n; v++) {
	if (type(v) !== 'object') continue;
	const loaded = prop(v, 'loaded');
	if (loaded < 0 || prop(v, 'derived') < 0 || prop(v, 'results') < 0) continue;
	cacheTotal += retained[v];
	console.log(`\nresults cache slot (${name(v)}): ${MB(retained[v])}`);
	console.log(`  loaded round ${MB(retained[loaded])}`);
	for (const [k, t] of props(loaded)) if (retained[t] > 65536) console.log(`    ${k.padEnd(14)} ${MB(retained[t])}`);
	const results = prop(v, 'results');
	console.log(`  results       ${MB(retained[results])}`);
	for (const [k, t] of mapEntries(results)) console.log(`    ${name(k).padEnd(14)} ${MB(retained[t])}`);
	const derived = prop(v, 'derived');
	console.log(`  derived views ${MB(retained[derived])}`);
	for (const [k, t] of mapEntries(derived)) console.log(`    ${name(k).slice(0, 40).padEnd(40)} ${MB(retained[t])}`);
}
console.log(`\nresults cache in all: ${MB(cacheTotal)}`);

// 2. The biggest subtrees: nodes retaining ≥ 1 MB whose dominator retains much more than they do
// (the «leaves» of big holders), with the path of dominators to them.
const label = (v: number) => `${type(v)}:${name(v).slice(0, 40)}`;
const edgeTo = (from: number, to: number) => {
	for (let e = firstEdge[from]; e < firstEdge[from + 1]; e += EF) if (edges[e + E_TO] / NF === to) return edgeName(e);
	return '?';
};
const pathOf = (v: number) => {
	const parts: string[] = [];
	for (let u = v, k = 0; u !== 0 && k < 8; u = idom[u], k++) parts.unshift(`${edgeTo(idom[u], u)}→${label(u)}`);
	return parts.join(' / ');
};
const big: number[] = [];
for (let v = 1; v < n; v++) if (retained[v] >= 1048576 && retained[v] >= 0.5 * retained[idom[v]] === false) big.push(v);
big.sort((a, b) => retained[b] - retained[a]);
console.log('\nbiggest holders (≥ 1 MB, less than half of what their dominator holds):');
for (const v of big.slice(0, 40)) console.log(`${MB(retained[v])}  ${pathOf(v)}`);

// 3. Self size by kind.
const byKind = new Map<string, number>();
for (let v = 0; v < n; v++) {
	const t = type(v);
	const k = t === 'object' || t === 'native' || t === 'closure' ? `${t}:${name(v)}` : t === 'array' || t === 'hidden' ? `${t}:${name(v)}` : t;
	byKind.set(k, (byKind.get(k) ?? 0) + self(v));
}
console.log('\nself size by kind (top 30):');
for (const [k, s] of [...byKind].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`${MB(s)}  ${k.slice(0, 80)}`);

// 4. RSS outside the heap (smaps).
const smaps = process.argv[3];
if (smaps && fs.existsSync(smaps)) {
	const by = new Map<string, number>();
	let cur = '';
	for (const line of fs.readFileSync(smaps, 'utf8').split('\n')) {
		const m = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
		if (m) {
			cur = m[1] || '[anon]';
			continue;
		}
		const r = /^Rss:\s+(\d+) kB/.exec(line);
		if (r) by.set(cur, (by.get(cur) ?? 0) + Number(r[1]) * 1024);
	}
	console.log('\nRSS by mapping (smaps, ≥ 1 MB):');
	for (const [k, s] of [...by].sort((a, b) => b[1] - a[1])) if (s >= 1048576) console.log(`${MB(s)}  ${k}`);
}
