/**
 * The in-memory index of the published practices, one per database connection, built from the
 * stored term lists (search-index.ts) and kept in step with `library_state.generation`:
 *
 * - every practice has a position (slots 0, 1, 2… in docid order); `live` is the bitset of the
 *   published ones;
 * - every (stem, field) and every facet value has a Posting (bits.ts): a sorted position list
 *   while small, a bitset once that is smaller — so a text match, a filter and a facet count are
 *   word-wise operations on bitsets, never a pass over the matching practices;
 * - per position: facet value ids, tags, publication time, impact and the number of words of
 *   each field (BM25F length normalization); the sort orders are position lists.
 *
 * When the generation changes, the index compares the docids in the database with its own: the
 * vanished ones leave `live`, the new ones (always larger: a changed practice gets a new docid)
 * are appended. Removed positions are garbage in the postings until more than a quarter of the
 * positions are garbage; then the index is built again from scratch. Document frequencies count
 * the garbage too (as Lucene's do until a merge); the ranking uses live counts only (the live
 * practices with a query word, field lengths summed over the live practices).
 */
import type { DB } from '../db/client';
import { districtOf } from '../../data/regions';
import { SPHERE_TITLE } from '../../schemas/library';
import { DISTRICT_CODES, FACET_KEYS, type FacetKey } from '../../schemas/library-search';
import { FIELDS, indexGeneration, indexMissing } from './search-index';
import { Posting, clearBit, setBit, wordsFor } from './bits';

export const SINGLE = ['district', 'region', 'sphere', 'nomination', 'year', 'source'] as const;
export type SingleFacet = (typeof SINGLE)[number];
const NF = FIELDS.length;

export interface LibraryIndex {
	generation: number;
	/** Positions are below `capacity`; bitsets have `words` words. */
	capacity: number;
	words: number;
	/** Positions in use (live and removed). */
	slots: number;
	live: Uint32Array;
	liveCount: number;
	/** Position → docid (increasing). */
	docids: Int32Array;
	practiceIds: string[];
	publishedAt: Float64Array;
	impact: Float64Array;
	col: Record<SingleFacet, Int32Array>;
	tagOff: Int32Array;
	tagLen: Uint8Array;
	tagList: Int32Array;
	tagCount: number;
	/** Words per field, `NF` per position. */
	lengths: Uint16Array;
	lengthSum: Float64Array;
	values: Record<FacetKey, string[]>;
	valueIds: Record<FacetKey, Map<string, number>>;
	facetPostings: Record<FacetKey, Posting[]>;
	stems: string[];
	termIds: Map<string, number>;
	/** Term id → one posting per field (null: the stem never occurs in that field). */
	postings: (Posting | null)[][];
	/** Term id → positions (live and removed) having the stem in any field (see liveFrequency). */
	df: number[];
	/** The stems sorted (prefix search), rebuilt lazily when new stems came. */
	sorted: string[] | null;
	order: Record<'newest' | 'year' | 'impact', Int32Array>;
}

const indexes = new WeakMap<object, LibraryIndex>();

/** Tuning of the compaction (tests make it eager). */
export const indexTuning = { garbageShare: 0.25, minGarbage: 64, fullBuilds: 0, increments: 0 };

function facetValueOf(d: Row, k: SingleFacet): string | null {
	switch (k) {
		case 'district':
			return d.region ? (districtOf(d.region)?.code ?? null) : null;
		case 'region':
			return d.region;
		case 'sphere':
			return d.sphere;
		case 'nomination':
			return d.nomination || null;
		case 'year':
			return d.year == null ? null : String(d.year);
		case 'source':
			return d.source || null;
	}
}

interface Row {
	docid: number;
	id: string;
	publishedAt: number | null;
	impact: number | null;
	region: string | null;
	sphere: string | null;
	nomination: string;
	year: number | null;
	source: string;
	tags: string;
	stems: string;
	fields: string;
	lengths: string;
}

/** What the index reads: `library_doc_index` alone (the facet values are stored with the terms). */
const ROWS = `SELECT docid, practice_id AS id, published_at AS publishedAt, impact, region, sphere, nomination, year, source, tags, stems, fields, lengths
                FROM library_doc_index WHERE docid > ? ORDER BY docid`;
const DOCIDS = 'SELECT docid FROM library_doc_index ORDER BY docid';

function empty(generation: number, capacity: number): LibraryIndex {
	const values = {} as LibraryIndex['values'];
	const valueIds = {} as LibraryIndex['valueIds'];
	const facetPostings = {} as LibraryIndex['facetPostings'];
	for (const k of FACET_KEYS) {
		values[k] = [];
		valueIds[k] = new Map();
		facetPostings[k] = [];
	}
	const col = {} as LibraryIndex['col'];
	for (const k of SINGLE) col[k] = new Int32Array(capacity).fill(-1);
	const ix: LibraryIndex = {
		generation,
		capacity,
		words: wordsFor(capacity),
		slots: 0,
		live: new Uint32Array(wordsFor(capacity)),
		liveCount: 0,
		docids: new Int32Array(capacity),
		practiceIds: [],
		publishedAt: new Float64Array(capacity),
		impact: new Float64Array(capacity),
		col,
		tagOff: new Int32Array(capacity),
		tagLen: new Uint8Array(capacity),
		tagList: new Int32Array(Math.max(16, capacity * 3)),
		tagCount: 0,
		lengths: new Uint16Array(capacity * NF),
		lengthSum: new Float64Array(NF),
		values,
		valueIds,
		facetPostings,
		stems: [],
		termIds: new Map(),
		postings: [],
		df: [],
		sorted: null,
		order: { newest: new Int32Array(0), year: new Int32Array(0), impact: new Int32Array(0) }
	};
	// Known codes first, so that an unused district or sphere is still a valid filter value.
	for (const d of DISTRICT_CODES) valueId(ix, 'district', d);
	for (const s of Object.keys(SPHERE_TITLE)) valueId(ix, 'sphere', s);
	return ix;
}

function valueId(ix: LibraryIndex, k: FacetKey, v: string): number {
	let id = ix.valueIds[k].get(v);
	if (id === undefined) {
		id = ix.values[k].length;
		ix.values[k].push(v);
		ix.valueIds[k].set(v, id);
		ix.facetPostings[k].push(new Posting());
	}
	return id;
}

function grow<T extends Int32Array | Float64Array | Uint8Array | Uint16Array | Uint32Array>(a: T, n: number, fill?: number): T {
	const b = new (a.constructor as new (n: number) => T)(n);
	if (fill !== undefined) b.fill(fill);
	b.set(a);
	return b;
}

function ensureCapacity(ix: LibraryIndex, slots: number) {
	if (slots <= ix.capacity) return;
	const cap = Math.max(slots, ix.capacity * 2, 1024);
	ix.live = grow(ix.live, wordsFor(cap));
	ix.docids = grow(ix.docids, cap);
	ix.publishedAt = grow(ix.publishedAt, cap);
	ix.impact = grow(ix.impact, cap);
	for (const k of SINGLE) ix.col[k] = grow(ix.col[k], cap, -1);
	ix.tagOff = grow(ix.tagOff, cap);
	ix.tagLen = grow(ix.tagLen, cap);
	ix.lengths = grow(ix.lengths, cap * NF);
	ix.capacity = cap;
	ix.words = wordsFor(cap);
}

function termId(ix: LibraryIndex, s: string): number {
	let id = ix.termIds.get(s);
	if (id === undefined) {
		id = ix.stems.length;
		ix.stems.push(s);
		ix.termIds.set(s, id);
		ix.postings.push([null, null, null, null, null]);
		ix.df.push(0);
		ix.sorted = null;
	}
	return id;
}

/** Appends one practice's attributes at the next position and returns its stems. */
function addAttributes(ix: LibraryIndex, r: Row): number {
	const pos = ix.slots;
	ensureCapacity(ix, pos + 1);
	ix.slots++;
	ix.docids[pos] = r.docid;
	const cap = ix.capacity;
	ix.practiceIds[pos] = r.id;
	ix.publishedAt[pos] = Number(r.publishedAt ?? 0);
	ix.impact[pos] = r.impact ?? -1;
	for (const k of SINGLE) {
		const v = facetValueOf(r, k);
		if (v === null) continue;
		const id = valueId(ix, k, v);
		ix.col[k][pos] = id;
		ix.facetPostings[k][id].add(pos, cap);
	}
	let tags: string[] = [];
	try {
		const t = JSON.parse(r.tags);
		if (Array.isArray(t)) tags = [...new Set(t.map(String))].slice(0, 255);
	} catch {
		/* a broken tags value is no tags */
	}
	if (ix.tagCount + tags.length > ix.tagList.length) ix.tagList = grow(ix.tagList, Math.max(ix.tagList.length * 2, ix.tagCount + tags.length));
	ix.tagOff[pos] = ix.tagCount;
	ix.tagLen[pos] = tags.length;
	for (const t of tags) {
		const id = valueId(ix, 'tag', t);
		ix.tagList[ix.tagCount++] = id;
		ix.facetPostings.tag[id].add(pos, cap);
	}
	const lens = (r.lengths ?? '').split(' ');
	for (let f = 0; f < NF; f++) {
		const n = Math.min(65535, Number(lens[f]) || 0);
		ix.lengths[pos * NF + f] = n;
		ix.lengthSum[f] += n;
	}
	setBit(ix.live, pos);
	ix.liveCount++;
	return pos;
}

/** Calls `f` with the term id and field mask of every stem of a row (new stems join the vocabulary). */
function eachTerm(ix: LibraryIndex, r: Row, f: (id: number, mask: number) => void) {
	const stems = r.stems.split(' ');
	const fields = r.fields;
	for (let i = 0; i < stems.length; i++) {
		if (!stems[i]) continue;
		const id = termId(ix, stems[i]);
		ix.df[id]++;
		f(id, fields.charCodeAt(i) - 97);
	}
}

/** Appends one practice (an increment). */
function addRow(ix: LibraryIndex, r: Row) {
	const pos = addAttributes(ix, r);
	const cap = ix.capacity;
	eachTerm(ix, r, (id, mask) => {
		const ps = ix.postings[id];
		for (let f = 0; f < NF; f++) if (mask & (1 << f)) (ps[f] ??= new Posting()).add(pos, cap);
	});
}

const byNewest = (ix: LibraryIndex) => (a: number, b: number) => ix.publishedAt[b] - ix.publishedAt[a] || ix.docids[a] - ix.docids[b];
function comparators(ix: LibraryIndex) {
	const newest = byNewest(ix);
	const year = ix.col.year;
	const yearOf = (p: number) => (year[p] < 0 ? 0 : Number(ix.values.year[year[p]]));
	return {
		newest,
		year: (a: number, b: number) => yearOf(b) - yearOf(a) || newest(a, b),
		impact: (a: number, b: number) => ix.impact[b] - ix.impact[a] || newest(a, b)
	};
}

/** Merges the sorted live part of `old` with the sorted `added` positions. */
function mergeOrder(ix: LibraryIndex, old: Int32Array, added: number[], cmp: (a: number, b: number) => number): Int32Array {
	const out = new Int32Array(ix.liveCount);
	const add = added.slice().sort(cmp);
	let i = 0;
	let j = 0;
	let n = 0;
	const live = ix.live;
	while (i < old.length || j < add.length) {
		if (i < old.length && !(live[old[i] >>> 5] & (1 << (old[i] & 31)))) {
			i++;
			continue;
		}
		if (j >= add.length || (i < old.length && cmp(old[i], add[j]) <= 0)) out[n++] = old[i++];
		else out[n++] = add[j++];
	}
	return n === out.length ? out : out.subarray(0, n);
}

function fullBuild(db: DB): LibraryIndex {
	if (db.$client.prepare('SELECT (SELECT count(*) FROM library_docs) > (SELECT count(*) FROM library_doc_index)').pluck().get()) indexMissing(db);
	return db.$client.transaction(() => {
		const generation = indexGeneration(db);
		const count = db.$client.prepare('SELECT count(*) FROM library_doc_index').pluck().get() as number;
		const ix = empty(generation, Math.max(1024, count + (count >> 3)));
		// Two passes, so that every posting is allocated once at its final size: first the
		// attributes, the (term, mask) pairs of every position and the size of every posting…
		let pairs = new Int32Array(Math.max(1024, count * 200));
		let n = 0;
		const start = new Int32Array(ix.capacity + 1);
		let sizes = new Int32Array(4096 * NF);
		let df = new Int32Array(4096);
		const termIds = ix.termIds;
		const stemList = ix.stems;
		for (const r of db.$client.prepare(ROWS).iterate(0) as IterableIterator<Row>) {
			const pos = addAttributes(ix, r);
			start[pos] = n;
			const text = r.stems;
			const fields = r.fields;
			let from = 0;
			let k = 0;
			for (let i = 0; i <= text.length; i++) {
				if (i < text.length && text.charCodeAt(i) !== 32) continue;
				if (i > from) {
					const s = text.slice(from, i);
					let id = termIds.get(s);
					if (id === undefined) {
						id = stemList.length;
						stemList.push(s);
						termIds.set(s, id);
						if (id >= df.length) {
							df = grow(df, df.length * 2);
							sizes = grow(sizes, df.length * NF);
						}
					}
					const mask = fields.charCodeAt(k) - 97;
					if (n === pairs.length) pairs = grow(pairs, pairs.length * 2);
					pairs[n++] = id * 32 + mask;
					df[id]++;
					for (let f = 0; f < NF; f++) if (mask & (1 << f)) sizes[id * NF + f]++;
				}
				k++;
				from = i + 1;
			}
		}
		ix.df = Array.from(df.subarray(0, stemList.length));
		for (let id = 0; id < stemList.length; id++) ix.postings.push([null, null, null, null, null]);
		ix.sorted = null;
		start[ix.slots] = n;
		// …then the postings, filled in position order.
		for (let id = 0; id < ix.stems.length; id++) for (let f = 0; f < NF; f++) if (sizes[id * NF + f]) ix.postings[id][f] = Posting.sized(sizes[id * NF + f], ix.capacity);
		for (let pos = 0; pos < ix.slots; pos++) {
			for (let j = start[pos]; j < start[pos + 1]; j++) {
				const id = pairs[j] >> 5;
				const mask = pairs[j] & 31;
				const ps = ix.postings[id];
				for (let f = 0; f < NF; f++) if (mask & (1 << f)) ps[f]!.push(pos);
			}
		}
		const cmp = comparators(ix);
		const all = Int32Array.from({ length: ix.slots }, (_, p) => p);
		ix.order = { newest: all.slice().sort(cmp.newest), year: all.slice().sort(cmp.year), impact: all.slice().sort(cmp.impact) };
		indexTuning.fullBuilds++;
		return ix;
	})();
}

/**
 * Brings the index to the database's generation by difference; null when a full build is
 * needed (too much garbage, or the database does not look like a continuation of the index).
 */
function increment(db: DB, ix: LibraryIndex): boolean {
	return db.$client.transaction(() => {
		const generation = indexGeneration(db);
		const ids = db.$client.prepare(DOCIDS).pluck().all() as number[];
		const last = ix.slots ? ix.docids[ix.slots - 1] : 0;
		// Walk both docid lists: a live position whose docid is gone is removed; a docid not
		// above `last` must be a known live position.
		let p = 0;
		const removed: number[] = [];
		let k = 0;
		for (; k < ids.length && ids[k] <= last; k++) {
			while (p < ix.slots && ix.docids[p] < ids[k]) {
				if (ix.live[p >>> 5] & (1 << (p & 31))) removed.push(p);
				p++;
			}
			if (p >= ix.slots || ix.docids[p] !== ids[k] || !(ix.live[p >>> 5] & (1 << (p & 31)))) return false;
			p++;
		}
		for (; p < ix.slots; p++) if (ix.live[p >>> 5] & (1 << (p & 31))) removed.push(p);
		const fresh = ids.length - k;
		const garbage = ix.slots - ix.liveCount + removed.length;
		if (garbage > (ix.slots + fresh) * indexTuning.garbageShare && garbage > indexTuning.minGarbage) return false;
		for (const r of removed) {
			clearBit(ix.live, r);
			ix.liveCount--;
			for (let f = 0; f < NF; f++) ix.lengthSum[f] -= ix.lengths[r * NF + f];
		}
		const added: number[] = [];
		if (fresh) {
			for (const r of db.$client.prepare(ROWS).all(last) as Row[]) {
				addRow(ix, r);
				added.push(ix.slots - 1);
			}
		}
		const cmp = comparators(ix);
		ix.order = {
			newest: mergeOrder(ix, ix.order.newest, added, cmp.newest),
			year: mergeOrder(ix, ix.order.year, added, cmp.year),
			impact: mergeOrder(ix, ix.order.impact, added, cmp.impact)
		};
		ix.generation = generation;
		indexTuning.increments++;
		return true;
	})();
}

/** The index of the published practices, fresh for the current generation. */
export function libraryIndex(db: DB): LibraryIndex {
	const ix = indexes.get(db.$client);
	if (ix && ix.generation === indexGeneration(db)) return ix;
	if (ix && increment(db, ix)) return ix;
	const fresh = fullBuild(db);
	indexes.set(db.$client, fresh);
	return fresh;
}

/** Forgets the index of a connection (tests). */
export function dropLibraryIndex(db: DB) {
	indexes.delete(db.$client);
}

/** The stems starting with `prefix` (the sorted vocabulary is rebuilt when new stems came). */
export function stemsWithPrefix(ix: LibraryIndex, prefix: string): string[] {
	const s = (ix.sorted ??= [...ix.stems].sort());
	let lo = 0;
	let hi = s.length;
	while (lo < hi) {
		const mid = (lo + hi) >>> 1;
		if (s[mid] < prefix) lo = mid + 1;
		else hi = mid;
	}
	const out: string[] = [];
	for (let i = lo; i < s.length && s[i].startsWith(prefix); i++) out.push(s[i]);
	return out;
}

/**
 * How often a stem occurs in the published practices: the sum over fields of the practices having
 * it there (0: no published practice has it). Exact for the live practices, unlike `df`, which
 * counts removed positions until the next full build.
 */
export function liveFrequency(ix: LibraryIndex, id: number): number {
	let n = 0;
	for (const p of ix.postings[id]) if (p) n += p.countIn(ix.live, ix.words);
	return n;
}

export function stemFrequency(ix: LibraryIndex, s: string): number {
	const id = ix.termIds.get(s);
	return id === undefined ? 0 : liveFrequency(ix, id);
}

/** Bytes held by the index's arrays and postings (approximate; for the benchmark). */
export function indexBytes(ix: LibraryIndex): number {
	let b = ix.live.byteLength + ix.docids.byteLength + ix.publishedAt.byteLength + ix.impact.byteLength + ix.tagOff.byteLength + ix.tagLen.byteLength + ix.tagList.byteLength + ix.lengths.byteLength;
	for (const k of SINGLE) b += ix.col[k].byteLength;
	for (const k of FACET_KEYS) for (const p of ix.facetPostings[k]) b += p.bytes();
	for (const ps of ix.postings) for (const p of ps) if (p) b += p.bytes();
	return b;
}
