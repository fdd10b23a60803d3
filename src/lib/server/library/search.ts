/**
 * The public search of the library: Russian morphology (stems, synonyms) through FTS5 with
 * bm25 (the title weighs most), the last word as a prefix while typing, a typo-tolerant
 * fallback over the trigram table when nothing is found, facets with counts (each facet counted
 * with every other filter applied), sorting, pagination and highlighted snippets.
 *
 * The facet attributes of all published practices are cached per database connection and
 * reloaded when `library_state.generation` changes, so a search reads the FTS5 table once and
 * counts facets in memory.
 */
import { inArray } from 'drizzle-orm';
import type { DB } from '../db/client';
import { practices, type Practice, type PracticeResult } from '../db/schema';
import { FEDERAL_DISTRICTS, regionByCode, districtOf } from '../../data/regions';
import { SPHERE_TITLE } from '../../schemas/library';
import { DISTRICT_CODES, FACET_KEYS, type FacetKey, type SearchParams, type Sort } from '../../schemas/library-search';
import { indexGeneration } from './search-index';
import {
	editDistance,
	ftsExpression,
	highlight,
	matcherOf,
	NO_MATCH,
	normalize,
	parseQuery,
	rankExpression,
	snippet,
	stem,
	synonymsOf,
	trigrams,
	typoBudget,
	words,
	type ParsedQuery,
	type Segment
} from './text';
import { logFor } from '../ops/log';

/** bm25 weights of the FTS5 columns: title, summary, body, tags, place. */
export const BM25_WEIGHTS = [10, 4, 1, 3, 2] as const;

export interface DocMeta {
	docid: number;
	id: string;
	slug: string;
	title: string;
	region: string | null;
	district: string | null;
	sphere: string | null;
	nomination: string;
	year: number | null;
	tags: string[];
	/** The tags normalized (for related practices). */
	tagsNorm: string[];
	source: string;
	publishedAt: number;
	impact: number | null;
}

/**
 * The published practices in columns, for fast filtering and counting: every facet value has a
 * small integer id; each practice has the id of its value in each single-valued facet (-1: none)
 * and the ids of its tags. The orders of the non-relevance sorts are precomputed.
 */
interface Cache {
	generation: number;
	docs: DocMeta[];
	/** docid → position in `docs` (-1: not published). */
	pos: Int32Array;
	byId: Map<string, number>;
	values: Record<FacetKey, string[]>;
	ids: Record<FacetKey, Map<string, number>>;
	/** Per facet, per practice: the value id (single-valued facets) — tags use `tagIds`. */
	col: Record<FacetKey, Int32Array>;
	tagIds: Int32Array[];
	order: Record<'newest' | 'year' | 'impact', Int32Array>;
	/** Every position, 0…n-1. */
	all: Int32Array;
}

const SINGLE: FacetKey[] = ['district', 'region', 'sphere', 'nomination', 'year', 'source'];
const caches = new WeakMap<object, Cache>();

function singleValue(d: DocMeta, k: FacetKey): string | null {
	switch (k) {
		case 'district':
			return d.district;
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
		default:
			return null;
	}
}

/** The published practices' facet attributes, fresh for the current index generation. */
export function libraryCache(db: DB): Cache {
	const generation = indexGeneration(db);
	const c = caches.get(db.$client);
	if (c && c.generation === generation) return c;
	const rows = db.$client
		.prepare(
			`SELECT d.docid, d.impact, p.id, p.slug, p.title, p.region_code AS region, p.sphere, p.nomination_title AS nomination,
			        p.year, p.tags, p.source, p.published_at AS publishedAt
			   FROM library_docs d JOIN practices p ON p.id = d.practice_id
			  WHERE p.status = 'published'`
		)
		.all() as (Omit<DocMeta, 'tags' | 'tagsNorm' | 'district'> & { tags: string })[];
	const docs: DocMeta[] = rows.map((r) => {
		let tags: string[] = [];
		try {
			const t = JSON.parse(r.tags);
			if (Array.isArray(t)) tags = [...new Set(t.map(String))];
		} catch {
			/* a broken tags value is no tags */
		}
		return { ...r, tags, tagsNorm: tags.map(normalize), district: r.region ? (districtOf(r.region)?.code ?? null) : null, publishedAt: Number(r.publishedAt ?? 0) };
	});
	const maxDocid = docs.reduce((m, d) => Math.max(m, d.docid), 0);
	const pos = new Int32Array(maxDocid + 1).fill(-1);
	docs.forEach((d, i) => (pos[d.docid] = i));
	const values = {} as Cache['values'];
	const ids = {} as Cache['ids'];
	const col = {} as Cache['col'];
	const idOf = (k: FacetKey, v: string) => {
		let id = ids[k].get(v);
		if (id === undefined) {
			id = values[k].length;
			values[k].push(v);
			ids[k].set(v, id);
		}
		return id;
	};
	for (const k of FACET_KEYS) {
		values[k] = [];
		ids[k] = new Map();
		col[k] = new Int32Array(docs.length).fill(-1);
	}
	// Known codes first, so that an unused district or sphere is still a valid filter value.
	for (const d of DISTRICT_CODES) idOf('district', d);
	for (const s of Object.keys(SPHERE_TITLE)) idOf('sphere', s);
	const tagIds = docs.map((d, i) => {
		for (const k of SINGLE) {
			const v = singleValue(d, k);
			if (v !== null) col[k][i] = idOf(k, v);
		}
		return Int32Array.from(d.tags, (t) => idOf('tag', t));
	});
	const idx = () => Int32Array.from(docs.keys());
	const newest = (a: number, b: number) => docs[b].publishedAt - docs[a].publishedAt || docs[a].docid - docs[b].docid;
	const order = {
		newest: idx().sort(newest),
		year: idx().sort((a, b) => (docs[b].year ?? 0) - (docs[a].year ?? 0) || newest(a, b)),
		impact: idx().sort((a, b) => (docs[b].impact ?? -1) - (docs[a].impact ?? -1) || newest(a, b))
	};
	const fresh: Cache = { generation, docs, pos, byId: new Map(docs.map((d, i) => [d.id, i])), values, ids, col, tagIds, order, all: idx() };
	caches.set(db.$client, fresh);
	return fresh;
}

export interface FacetValue {
	value: string;
	label: string;
	count: number;
	selected: boolean;
	/** Regions: the federal district they belong to. */
	district?: string;
}

export interface SearchItem {
	slug: string;
	title: string;
	titleSegments: Segment[];
	summary: string;
	snippet: Segment[];
	regionCode: string | null;
	regionName: string;
	district: string;
	municipality: string;
	organization: string;
	sphere: string | null;
	sphereTitle: string;
	nominationTitle: string;
	year: number | null;
	source: string;
	tags: string[];
	mainResult: PracticeResult | null;
	hasVideo: boolean;
	publishedAt: number;
}

export interface SearchOutcome {
	q: string;
	/** The query was cut to the limits. */
	truncated: boolean;
	/** Nothing was found for the words as typed; these corrected words were searched instead. */
	corrected: { from: string; to: string } | null;
	total: number;
	page: number;
	pages: number;
	perPage: number;
	/** The requested page did not exist; the last one is shown. */
	pageClamped: boolean;
	sort: Sort;
	items: SearchItem[];
	facets: Record<FacetKey, FacetValue[]>;
	/** Facet values that do not exist and were ignored. */
	ignored: { facet: FacetKey; value: string }[];
	/** Milliseconds spent (for logs and the benchmark). */
	ms: number;
}

const FACET_LABEL_OF: Record<FacetKey, (v: string) => string> = {
	district: (v) => FEDERAL_DISTRICTS.find((d) => d.code === v)?.name.replace(/ федеральный округ$/, '') ?? v,
	region: (v) => regionByCode(v)?.name ?? v,
	sphere: (v) => SPHERE_TITLE[v] ?? v,
	nomination: (v) => v,
	year: (v) => v,
	tag: (v) => v,
	source: (v) => v
};

/** Valid filter values of the request; the rest are reported as ignored. */
function cleanFilters(cache: Cache, p: SearchParams) {
	const ignored: { facet: FacetKey; value: string }[] = [];
	const valid: Record<FacetKey, (v: string) => boolean> = {
		district: (v) => DISTRICT_CODES.includes(v),
		region: (v) => regionByCode(v)?.code === v,
		sphere: (v) => v in SPHERE_TITLE,
		nomination: (v) => cache.ids.nomination.has(v),
		year: (v) => cache.ids.year.has(v),
		tag: (v) => cache.ids.tag.has(v),
		source: (v) => cache.ids.source.has(v)
	};
	const selected = {} as Record<FacetKey, string[]>;
	for (const k of FACET_KEYS) {
		selected[k] = [];
		for (const v of p[k]) {
			if (valid[k](v)) selected[k].push(v);
			else ignored.push({ facet: k, value: v });
		}
	}
	return { selected, ignored };
}

const collator = new Intl.Collator('ru');

/**
 * What a text query matches: every practice (for the filters and facets); for the relevance
 * order, lazily, the practices with every query word in the title (they come first) and bm25
 * (computed for the filtered practices only when a filter leaves few of them — bm25 over
 * thousands of rows is the costly part of a search).
 */
interface Matches {
	docids: Int32Array;
	title: Set<number> | null;
	/** bm25 of every match by docid (NaN: not a match), once computed. */
	ranks: Float64Array | null;
}

/**
 * Recent FTS5 results per connection, keyed by the index generation and the expression: a
 * visitor who narrows by a facet, sorts or pages repeats the same text query, and popular
 * queries repeat across visitors. Any index change makes the generation (and so the key) new.
 */
const MATCH_CACHE_SIZE = 64;
const matchCaches = new WeakMap<object, Map<string, Matches>>();

/** Turns the match cache off (the benchmark measures the uncached path with it). */
export const searchTuning = { matchCache: true };

function ftsMatches(db: DB, generation: number, expr: string): Matches {
	let lru = matchCaches.get(db.$client);
	if (!lru) matchCaches.set(db.$client, (lru = new Map()));
	const key = `${generation}\u0000${expr}`;
	const hit = searchTuning.matchCache ? lru.get(key) : undefined;
	if (hit) {
		lru.delete(key);
		lru.set(key, hit);
		return hit;
	}
	let m: Matches;
	try {
		m = { docids: Int32Array.from(rowids(db, expr)), title: null, ranks: null };
	} catch (e) {
		// A malformed expression (it should never be) finds nothing instead of throwing.
		logFor('library').error({ expr: expr.slice(0, 200), err: e }, 'запрос FTS5 не выполнен');
		m = { docids: new Int32Array(0), title: new Set(), ranks: new Float64Array(0) };
	}
	if (searchTuning.matchCache) {
		lru.set(key, m);
		if (lru.size > MATCH_CACHE_SIZE) lru.delete(lru.keys().next().value!);
	}
	return m;
}

function rowids(db: DB, match: string): number[] {
	return db.$client.prepare('SELECT rowid FROM library_fts WHERE library_fts MATCH ?').pluck().all(match) as number[];
}

const BM25 = `bm25(library_fts, ${BM25_WEIGHTS.join(', ')})`;

/**
 * The relevance of the given matches (lower is better): bm25, minus a large bonus when the title
 * has every query word — title matches come first, whatever bm25 says (a word found in all
 * practices weighs almost nothing in bm25, a rare synonym in the body a lot).
 */
/** The matches with every query word in the title (they come first). */
function titleMatches(db: DB, m: Matches, expr: string): Set<number> {
	try {
		m.title ??= new Set(rowids(db, `{title} : (${expr})`));
	} catch {
		m.title = new Set();
	}
	return m.title;
}

function relevance(db: DB, m: Matches, expr: string, rankExpr: string, hitCount: number, docids: () => number[], maxDocid: number): (docid: number) => number {
	try {
		titleMatches(db, m, expr);
		let ranks = m.ranks;
		if (!ranks) {
			const full = hitCount > m.docids.length * 0.4;
			const rows = (
				full
					? db.$client.prepare(`SELECT rowid, ${BM25} FROM library_fts WHERE library_fts MATCH ?`).raw().all(rankExpr)
					: // `+rowid` keeps the list out of FTS5's own rowid lookups: FTS5 runs the query once and
						// bm25 is computed only for the listed rows.
						db.$client.prepare(`SELECT rowid, ${BM25} FROM library_fts WHERE library_fts MATCH ? AND +rowid IN (SELECT value FROM json_each(?))`).raw().all(rankExpr, JSON.stringify(docids()))
			) as [number, number][];
			ranks = new Float64Array(maxDocid + 1).fill(NaN);
			for (const [id, r] of rows) if (id <= maxDocid) ranks[id] = r;
			if (full) m.ranks = ranks;
		}
		const r = ranks;
		const title = m.title!;
		return (id) => (Number.isNaN(r[id]) ? 0 : r[id]) - (title.has(id) ? TITLE_BONUS : 0);
	} catch (e) {
		logFor('library').error({ err: e }, 'bm25 не посчитан');
		return () => 0;
	}
}
const TITLE_BONUS = 1e6;

/** In how many published practices a stem occurs (0: the index does not know it). */
function stemDocs(db: DB, s: string): number {
	return (db.$client.prepare('SELECT doc FROM library_fts_vocab WHERE term = ?').pluck().get(s) as number | undefined) ?? 0;
}

/**
 * The typo-tolerant fallback: each query word the index does not know is replaced by the closest
 * word of the library's vocabulary within its typo budget. Candidates come from the FTS5 trigram
 * index of the vocabulary (the words sharing most trigrams with it); the edit distance decides,
 * then how many practices use the word. Null when nothing could be corrected.
 */
const correctionCaches = new WeakMap<object, Map<string, ParsedQuery | null>>();

export function correctQuery(db: DB, p: ParsedQuery): ParsedQuery | null {
	const generation = indexGeneration(db);
	let lru = correctionCaches.get(db.$client);
	if (!lru) correctionCaches.set(db.$client, (lru = new Map()));
	const key = `${generation}\u0000${p.terms.map((t) => `${t.word}${t.prefix ? '*' : ''}`).join(' ')}`;
	if (searchTuning.matchCache && lru.has(key)) return lru.get(key)!;
	const r = correct(db, p);
	if (searchTuning.matchCache) {
		lru.set(key, r);
		if (lru.size > MATCH_CACHE_SIZE) lru.delete(lru.keys().next().value!);
	}
	return r;
}

function correct(db: DB, p: ParsedQuery): ParsedQuery | null {
	let changed = false;
	const terms = p.terms.map((t) => ({ ...t }));
	const candidates = db.$client.prepare(
		'SELECT word FROM library_words WHERE id IN (SELECT rowid FROM library_trigram WHERE library_trigram MATCH ? ORDER BY rank LIMIT 60)'
	);
	for (const t of terms.slice(0, 4)) {
		const budget = typoBudget(t.word);
		if (!budget || /^\d+$/.test(t.word)) continue;
		if (t.alts.some((a) => stemDocs(db, a) > 0)) continue;
		if (t.prefix && db.$client.prepare('SELECT 1 FROM library_fts_vocab WHERE term >= ? AND term < ? LIMIT 1').get(t.stem, t.stem + '\uffff')) continue;
		const tris = trigrams(t.word);
		let words: string[] = [];
		try {
			words = candidates.pluck().all(tris.map((x) => `"${x.replace(/"/g, '""')}"`).join(' OR ')) as string[];
		} catch {
			words = [];
		}
		let best: { w: string; d: number; f: number } | null = null;
		for (const w of words) {
			if (Math.abs(w.length - t.word.length) > budget) continue;
			const d = editDistance(t.word, w, budget);
			if (d > budget || d === 0) continue;
			if (best && d > best.d) continue;
			const f = stemDocs(db, stem(w));
			if (!f) continue;
			if (!best || d < best.d || f > best.f || (f === best.f && w < best.w)) best = { w, d, f };
		}
		if (best) {
			const s = stem(best.w);
			Object.assign(t, { word: best.w, stem: s, alts: synonymsOf(s), prefix: false });
			changed = true;
		}
	}
	if (!changed) return null;
	return { text: terms.map((t) => t.word).join(' '), terms, truncated: p.truncated };
}

function mainResult(results: PracticeResult[]): PracticeResult | null {
	return results.find((r) => r.baseline != null) ?? results[0] ?? null;
}

function itemOf(p: Practice, q: ParsedQuery): SearchItem {
	const match = matcherOf(q);
	const region = p.regionCode ? regionByCode(p.regionCode) : undefined;
	let snip: Segment[];
	if (q.terms.length) {
		// The field whose best window has the most distinct matched words; the summary on ties.
		let best = snippet(p.summary, match);
		if (best.distinct < q.terms.length) {
			for (const text of [p.problem, p.actions, p.results.map((r) => r.indicator).join('. '), p.team, p.tags.join(', ')]) {
				if (!text) continue;
				const s = snippet(text, match);
				if (s.distinct > best.distinct || (s.distinct === best.distinct && s.hits > best.hits)) best = s;
				if (best.distinct >= q.terms.length) break;
			}
		}
		snip = best.segments;
	} else {
		snip = snippet(p.summary, NO_MATCH).segments;
	}
	return {
		slug: p.slug,
		title: p.title,
		titleSegments: q.terms.length ? highlight(p.title, match) : [{ t: p.title }],
		summary: p.summary,
		snippet: snip,
		regionCode: p.regionCode,
		regionName: region?.name ?? '',
		district: p.regionCode ? (districtOf(p.regionCode)?.short ?? '') : '',
		municipality: p.municipality,
		organization: p.organization,
		sphere: p.sphere,
		sphereTitle: p.sphere ? (SPHERE_TITLE[p.sphere] ?? p.sphere) : '',
		nominationTitle: p.nominationTitle,
		year: p.year,
		source: p.source,
		tags: p.tags,
		mainResult: mainResult(p.results),
		hasVideo: !!p.videoAssetId && p.videoConsent,
		publishedAt: p.publishedAt?.getTime() ?? 0
	};
}

/** The first `k` of `items` in the order of `cmp` (a bounded heap when k is small). */
export function topK(items: Int32Array, k: number, cmp: (a: number, b: number) => number): number[] {
	if (k <= 0) return [];
	if (k * 8 >= items.length) return Array.from(items).sort(cmp).slice(0, k);
	// Max-heap of the best k seen so far (the worst of them on top).
	const heap: number[] = [];
	const up = (i: number) => {
		while (i > 0) {
			const p = (i - 1) >> 1;
			if (cmp(heap[i], heap[p]) <= 0) break;
			[heap[i], heap[p]] = [heap[p], heap[i]];
			i = p;
		}
	};
	const down = (i: number) => {
		for (;;) {
			const l = 2 * i + 1;
			const r = l + 1;
			let m = i;
			if (l < heap.length && cmp(heap[l], heap[m]) > 0) m = l;
			if (r < heap.length && cmp(heap[r], heap[m]) > 0) m = r;
			if (m === i) return;
			[heap[i], heap[m]] = [heap[m], heap[i]];
			i = m;
		}
	};
	for (const x of items) {
		if (heap.length < k) {
			heap.push(x);
			up(heap.length - 1);
		} else if (cmp(x, heap[0]) < 0) {
			heap[0] = x;
			down(0);
		}
	}
	return heap.sort(cmp);
}

/** Searches the published practices. Never throws on any text of `q` or any filter value. */
export function searchLibrary(db: DB, params: SearchParams): SearchOutcome {
	const started = performance.now();
	const cache = libraryCache(db);
	const n = cache.docs.length;
	let q = parseQuery(params.q);
	let corrected: SearchOutcome['corrected'] = null;
	let sort: Sort = params.sort;
	const expr = ftsExpression(q);
	if (sort === 'relevance' && !expr) sort = 'newest';
	const ranked = sort === 'relevance';

	// 1. The text match: positions of the matching practices.
	let pool: Int32Array;
	let m: Matches | null = null;
	let matchExpr = expr;
	if (expr) {
		m = ftsMatches(db, cache.generation, expr);
		if (m.docids.length === 0) {
			const c = correctQuery(db, q);
			const cexpr = c && ftsExpression(c);
			if (c && cexpr) {
				const m2 = ftsMatches(db, cache.generation, cexpr);
				if (m2.docids.length) {
					corrected = { from: q.text, to: c.text };
					q = c;
					m = m2;
					matchExpr = cexpr;
				}
			}
		}
		pool = new Int32Array(m.docids.length);
		let len = 0;
		for (let i = 0; i < m.docids.length; i++) {
			const id = m.docids[i];
			const p = id < cache.pos.length ? cache.pos[id] : -1;
			if (p >= 0) pool[len++] = p;
		}
		pool = pool.subarray(0, len);
	} else {
		pool = cache.all;
	}

	// 2. Filters and facet counts in one pass. A practice passing every filter is a hit and is
	// counted in every facet; failing exactly one filter, it is counted in that facet only (it
	// would appear if that filter changed) — so each facet is counted with the others applied.
	const { selected, ignored } = cleanFilters(cache, params);
	const active = FACET_KEYS.filter((k) => selected[k].length > 0);
	const sel = {} as Record<FacetKey, Uint8Array>;
	for (const k of FACET_KEYS) {
		sel[k] = new Uint8Array(cache.values[k].length);
		for (const v of selected[k]) {
			const id = cache.ids[k].get(v);
			if (id !== undefined) sel[k][id] = 1;
		}
	}
	const counts = {} as Record<FacetKey, Int32Array>;
	for (const k of FACET_KEYS) counts[k] = new Int32Array(cache.values[k].length);
	const isHit = new Uint8Array(n);
	let total = 0;
	// Facets as arrays indexed by number, for the hot loop: 0…5 the single-valued ones, 6 tags.
	const TAG = SINGLE.length;
	const cols = SINGLE.map((k) => cache.col[k]);
	const cnts = [...SINGLE.map((k) => counts[k]), counts.tag];
	const sels = [...SINGLE.map((k) => sel[k]), sel.tag];
	const act = active.map((k) => (k === 'tag' ? TAG : SINGLE.indexOf(k)));
	const tagIds = cache.tagIds;
	for (let i = 0; i < pool.length; i++) {
		const p = pool[i];
		let failures = 0;
		let failed = -1;
		for (let a = 0; a < act.length; a++) {
			const f = act[a];
			let pass = false;
			if (f === TAG) {
				const t = tagIds[p];
				const st = sels[TAG];
				for (let j = 0; j < t.length; j++) if (st[t[j]]) pass = true;
			} else {
				const v = cols[f][p];
				pass = v >= 0 && sels[f][v] === 1;
			}
			if (!pass) {
				failures++;
				failed = f;
				if (failures > 1) break;
			}
		}
		if (failures > 1) continue;
		if (failures === 0) {
			isHit[p] = 1;
			total++;
			for (let f = 0; f < TAG; f++) {
				const v = cols[f][p];
				if (v >= 0) cnts[f][v]++;
			}
			const t = tagIds[p];
			for (let j = 0; j < t.length; j++) cnts[TAG][t[j]]++;
		} else if (failed === TAG) {
			const t = tagIds[p];
			for (let j = 0; j < t.length; j++) cnts[TAG][t[j]]++;
		} else {
			const v = cols[failed][p];
			if (v >= 0) cnts[failed][v]++;
		}
	}

	// 3. The page.
	const perPage = Math.max(1, Math.min(100, params.perPage));
	const pages = Math.max(1, Math.ceil(total / perPage));
	const page = Math.min(Math.max(1, params.page), pages);
	const from = (page - 1) * perPage;
	let slice: number[];
	if (ranked && m && matchExpr) {
		const docs = cache.docs;
		const hits = new Int32Array(total);
		let h = 0;
		for (let i = 0; i < pool.length; i++) if (isHit[pool[i]]) hits[h++] = pool[i];
		// When the practices with every word in the title fill the page, only they need bm25.
		let candidates = hits;
		if (!m.ranks) {
			const title = titleMatches(db, m, matchExpr);
			const inTitle = hits.filter((p) => title.has(docs[p].docid));
			if (inTitle.length >= from + perPage) candidates = inTitle;
		}
		const cand = candidates;
		const rel = relevance(db, m, matchExpr, rankExpression(q)!, cand.length, () => Array.from(cand, (p) => docs[p].docid), cache.pos.length - 1);
		const key = new Float64Array(docs.length);
		for (const p of cand) key[p] = rel(docs[p].docid);
		slice = topK(cand, from + perPage, (a, b) => key[a] - key[b] || docs[b].publishedAt - docs[a].publishedAt || docs[a].docid - docs[b].docid).slice(from);
	} else {
		slice = [];
		const order = cache.order[sort as 'newest' | 'year' | 'impact'];
		let seen = 0;
		for (let i = 0; i < order.length && slice.length < perPage; i++) {
			if (!isHit[order[i]]) continue;
			if (seen++ >= from) slice.push(order[i]);
		}
	}
	const ids = slice.map((p) => cache.docs[p].id);
	const rows = ids.length ? db.select().from(practices).where(inArray(practices.id, ids)).all() : [];
	const byId = new Map(rows.map((r) => [r.id, r]));
	const items = ids.map((id) => byId.get(id)).filter((p): p is Practice => !!p).map((p) => itemOf(p, q));

	// 4. Facet lists: counted values and the selected ones (even at zero).
	const facets = {} as Record<FacetKey, FacetValue[]>;
	for (const k of FACET_KEYS) {
		const vals: FacetValue[] = [];
		const c = counts[k];
		for (let id = 0; id < c.length; id++) {
			if (c[id] > 0 || sel[k][id]) vals.push({ value: cache.values[k][id], label: FACET_LABEL_OF[k](cache.values[k][id]), count: c[id], selected: sel[k][id] === 1 });
		}
		for (const v of selected[k]) if (!cache.ids[k].has(v)) vals.push({ value: v, label: FACET_LABEL_OF[k](v), count: 0, selected: true });
		if (k === 'district') vals.sort((a, b) => DISTRICT_CODES.indexOf(a.value) - DISTRICT_CODES.indexOf(b.value));
		else if (k === 'year') vals.sort((a, b) => Number(b.value) - Number(a.value));
		else vals.sort((a, b) => b.count - a.count || collator.compare(a.label, b.label));
		if (k === 'region') for (const v of vals) v.district = regionByCode(v.value)?.district;
		facets[k] = k === 'tag' ? vals.filter((v, i) => i < 25 || v.selected) : vals;
	}
	return {
		q: q.text,
		truncated: q.truncated,
		corrected,
		total,
		page,
		pages,
		perPage,
		pageClamped: params.page > pages,
		sort,
		items,
		facets,
		ignored,
		ms: performance.now() - started
	};
}

/** Practices like this one: shared tags, the same sphere, district and nomination. */
export function relatedPractices(db: DB, practice: Practice, limit = 3): DocMeta[] {
	const cache = libraryCache(db);
	const tags = new Set(practice.tags.map((t) => normalize(t)));
	const district = practice.regionCode ? (districtOf(practice.regionCode)?.code ?? null) : null;
	return cache.docs
		.filter((d) => d.id !== practice.id)
		.map((d) => ({
			d,
			score:
				3 * d.tagsNorm.filter((t) => tags.has(t)).length +
				(d.sphere && d.sphere === practice.sphere ? 2 : 0) +
				(d.district && d.district === district ? 1 : 0) +
				(d.nomination && d.nomination === practice.nominationTitle ? 1 : 0)
		}))
		.filter((x) => x.score > 0)
		.sort((a, b) => b.score - a.score || b.d.publishedAt - a.d.publishedAt)
		.slice(0, limit)
		.map((x) => x.d);
}

/** Counts of the published practices by district, region, sphere and year (the overview page). */
export function libraryOverview(db: DB) {
	const cache = libraryCache(db);
	const count = (key: (d: DocMeta) => string | number | null) => {
		const m = new Map<string, number>();
		for (const d of cache.docs) {
			const k = key(d);
			if (k != null) m.set(String(k), (m.get(String(k)) ?? 0) + 1);
		}
		return m;
	};
	const byDistrict = count((d) => d.district);
	const byRegion = count((d) => d.region);
	const bySphere = count((d) => d.sphere);
	const byYear = count((d) => d.year);
	return {
		total: cache.docs.length,
		districts: FEDERAL_DISTRICTS.map((d) => ({
			code: d.code,
			name: d.name,
			short: d.short,
			count: byDistrict.get(d.code) ?? 0,
			regions: [...byRegion]
				.filter(([code]) => regionByCode(code)?.district === d.code)
				.map(([code, count]) => ({ code, name: regionByCode(code)?.name ?? code, count }))
				.sort((a, b) => b.count - a.count || collator.compare(a.name, b.name))
		})),
		spheres: [...bySphere].map(([code, count]) => ({ code, title: SPHERE_TITLE[code] ?? code, count })).sort((a, b) => b.count - a.count),
		years: [...byYear].map(([year, count]) => ({ year: Number(year), count })).sort((a, b) => b.year - a.year)
	};
}

/** The published practices newest first (feed, sitemap, CSV): ids in order. */
export function publishedIds(db: DB): string[] {
	const cache = libraryCache(db);
	return Array.from(cache.order.newest, (p) => cache.docs[p].id);
}
