/**
 * The public search of the library over the in-memory index (library-index.ts): Russian
 * morphology (Snowball stems, synonyms), the last word as a prefix while typing, a typo-tolerant
 * fallback over the trigram index of the vocabulary when nothing is found, BM25F ranking,
 * facets with counts (each facet counted with every other filter applied), sorting, pagination
 * and highlighted snippets.
 *
 * Ranking (sort «по релевантности») is BM25F over the fields title, summary, tags, place and
 * body: a query word's weight is its idf among the published practices; in a practice, each field
 * it occurs in adds the field's weight (title 5 > summary 3 > tags 2.5 > place 2 > body 1),
 * normalized by the field's length against the average, and the sum saturates (k1). The stored
 * term lists keep which fields a stem occurs in, not how often, so a field counts once. A query
 * word's forms are alternatives: the stem as typed counts fully, a synonym at 0.6, another word
 * completing the last word being typed at 0.8 (the best alternative of each practice counts). Every
 * query word must occur (AND); the scores of the words add up.
 *
 * Filters and facet counts are bitset operations on the postings of the facet values; when the
 * matching set is so small that counting it practice by practice is cheaper, it is counted so.
 */
import { inArray } from 'drizzle-orm';
import type { DB } from '../db/client';
import { practices, type Practice, type PracticeResult } from '../db/schema';
import { FEDERAL_DISTRICTS, regionByCode, districtOf } from '../../data/regions';
import { SPHERE_TITLE } from '../../schemas/library';
import { DISTRICT_CODES, FACET_KEYS, type FacetKey, type SearchParams, type Sort } from '../../schemas/library-search';
import { FIELDS } from './search-index';
import { libraryIndex, liveFrequency, stemFrequency, stemsWithPrefix, type LibraryIndex } from './library-index';
import { countAnd, forEachBit, hasBit, popcount32, type Posting } from './bits';
import {
	editDistance,
	highlight,
	matcherOf,
	type Matcher,
	NO_MATCH,
	normalize,
	parseQuery,
	snippet,
	stem,
	synonymsOf,
	trigramExpression,
	typoBudget,
	type ParsedQuery,
	type Segment
} from './text';
import { logFor } from '../ops/log';

/** BM25F: field weights and length normalization (in the order of FIELDS), saturation. */
export const FIELD_WEIGHTS: Record<(typeof FIELDS)[number], number> = { title: 5, summary: 3, body: 1, tags: 2.5, place: 2 };
export const FIELD_B: Record<(typeof FIELDS)[number], number> = { title: 0.5, summary: 0.75, body: 0.75, tags: 0.3, place: 0.3 };
export const K1 = 1.2;
/** How much an alternative of a query word counts against the word itself. */
export const SYNONYM_FACTOR = 0.6;
export const COMPLETION_FACTOR = 0.8;
/** Completions of the last word that are scored (the most frequent ones); the rest only match. */
const SCORED_COMPLETIONS = 24;
const W = FIELDS.map((f) => FIELD_WEIGHTS[f]);
const B = FIELDS.map((f) => FIELD_B[f]);
const NF = FIELDS.length;

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

/** Each facet value's place in the alphabetical order of the labels (per index, as values come). */
const ranks = new WeakMap<LibraryIndex, Partial<Record<FacetKey, Int32Array>>>();
function labelRanks(ix: LibraryIndex, k: FacetKey): Int32Array {
	let r = ranks.get(ix);
	if (!r) ranks.set(ix, (r = {}));
	const n = ix.values[k].length;
	let a = r[k];
	if (!a || a.length !== n) {
		const labels = ix.values[k].map((v) => FACET_LABEL_OF[k](v));
		const order = Array.from(labels.keys()).sort((x, y) => collator.compare(labels[x], labels[y]));
		a = new Int32Array(n);
		order.forEach((id, i) => (a![id] = i));
		r[k] = a;
	}
	return a;
}

/** Valid filter values of the request; the rest are reported as ignored. */
function cleanFilters(ix: LibraryIndex, p: SearchParams) {
	const ignored: { facet: FacetKey; value: string }[] = [];
	const valid: Record<FacetKey, (v: string) => boolean> = {
		district: (v) => DISTRICT_CODES.includes(v),
		region: (v) => regionByCode(v)?.code === v,
		sphere: (v) => v in SPHERE_TITLE,
		nomination: (v) => ix.valueIds.nomination.has(v),
		year: (v) => ix.valueIds.year.has(v),
		tag: (v) => ix.valueIds.tag.has(v),
		source: (v) => ix.valueIds.source.has(v)
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

// ---------------------------------------------------------------------------
// Text match
// ---------------------------------------------------------------------------

/** One alternative of a query word: a stem of the index and how much it counts. */
interface Alt {
	id: number;
	factor: number;
}

/** A query word against the index: its scored alternatives, and its practices (a bitset). */
interface TermMatch {
	alts: Alt[];
	/** Completions of a word being typed that match but are not scored (rare ones). */
	unscored: number[];
	bits: Uint32Array;
	/** Live practices with the word (its idf). */
	df: number;
}

interface TextMatch {
	terms: TermMatch[];
	/** Live practices with every word. */
	bits: Uint32Array;
	count: number;
}

/**
 * Recent text matches per connection, keyed by the index generation and the parsed words: a
 * visitor who narrows by a facet, sorts or pages repeats the same text query, and popular queries
 * repeat across visitors. Any index change makes the generation (and so the key) new.
 */
const MATCH_CACHE_SIZE = 64;
const matchCaches = new WeakMap<LibraryIndex, Map<string, TextMatch>>();

/**
 * `matchCache: false` turns the match and correction caches off (the benchmark measures the
 * uncached path so); `facetCounting` forces one way of counting facets (tests compare them).
 */
export const searchTuning: { matchCache: boolean; facetCounting: 'auto' | 'postings' | 'positions' } = { matchCache: true, facetCounting: 'auto' };

/** A small LRU per index (positions are the index's own): entries of a dropped index go with it. */
function lru<T>(store: WeakMap<LibraryIndex, Map<string, T>>, ix: LibraryIndex, key: string, make: () => T): T {
	let m = store.get(ix);
	if (!m) store.set(ix, (m = new Map()));
	if (searchTuning.matchCache && m.has(key)) {
		const hit = m.get(key)!;
		m.delete(key);
		m.set(key, hit);
		return hit;
	}
	const v = make();
	if (searchTuning.matchCache) {
		m.set(key, v);
		if (m.size > MATCH_CACHE_SIZE) m.delete(m.keys().next().value!);
	}
	return v;
}

function termMatch(ix: LibraryIndex, t: ParsedQuery['terms'][number]): TermMatch {
	const alts: Alt[] = [];
	const seen = new Set<number>();
	for (const a of t.alts) {
		const id = ix.termIds.get(a);
		if (id === undefined || seen.has(id)) continue;
		seen.add(id);
		alts.push({ id, factor: a === t.stem ? 1 : SYNONYM_FACTOR });
	}
	const unscored: number[] = [];
	if (t.prefix) {
		let more = stemsWithPrefix(ix, t.stem)
			.map((s) => ix.termIds.get(s)!)
			.filter((id) => !seen.has(id));
		// Only the most frequent completions are scored: order them when there are more.
		if (more.length > SCORED_COMPLETIONS) {
			const freq = new Map(more.map((id) => [id, liveFrequency(ix, id)]));
			more = more.filter((id) => freq.get(id)! > 0).sort((a, b) => freq.get(b)! - freq.get(a)! || a - b);
		}
		more.forEach((id, i) => (i < SCORED_COMPLETIONS ? alts.push({ id, factor: COMPLETION_FACTOR }) : unscored.push(id)));
	}
	const bits = new Uint32Array(ix.words);
	for (const id of [...alts.map((a) => a.id), ...unscored]) for (const p of ix.postings[id]) p?.orInto(bits);
	const live = ix.live;
	for (let i = 0; i < bits.length; i++) bits[i] &= live[i];
	return { alts, unscored, bits, df: countAnd(ix.words, bits) };
}

function textMatch(ix: LibraryIndex, q: ParsedQuery): TextMatch {
	const key = `${ix.generation}\u0000${q.terms.map((t) => `${t.stem}${t.prefix ? '*' : ''}`).join(' ')}`;
	return lru(matchCaches, ix, key, () => {
		const terms = q.terms.map((t) => termMatch(ix, t));
		const bits = new Uint32Array(ix.words);
		bits.set(terms[0].bits);
		for (const t of terms.slice(1)) for (let i = 0; i < bits.length; i++) bits[i] &= t.bits[i];
		return { terms, bits, count: countAnd(ix.words, bits) };
	});
}

// ---------------------------------------------------------------------------
// Ranking
// ---------------------------------------------------------------------------

/**
 * Scratch arrays of the scoring, by position (one search at a time: Node is single-threaded);
 * `mine` and `touched` are position lists, so that scoring a word of 100,000 practices allocates
 * nothing.
 */
const scratch = {
	cap: 0,
	score: new Float64Array(0),
	acc: new Float64Array(0),
	best: new Float64Array(0),
	stamp: new Int32Array(0),
	mark: new Int32Array(0),
	mine: new Int32Array(0),
	touched: new Int32Array(0),
	tick: 0
};
function scratchFor(cap: number) {
	if (scratch.cap < cap || scratch.tick > 2e9) {
		const n = Math.max(cap, scratch.cap);
		Object.assign(scratch, {
			cap: n,
			score: new Float64Array(n),
			acc: new Float64Array(n),
			best: new Float64Array(n),
			stamp: new Int32Array(n),
			mark: new Int32Array(n),
			mine: new Int32Array(n),
			touched: new Int32Array(n),
			tick: 0
		});
	}
	return scratch;
}

/**
 * For each position of `posting` ∧ `hits`: a position not yet stamped with `tick` is stamped, its
 * `acc` reset and appended to `mine` (from `n`); then field `f`'s BM25F term (weight `w`, length
 * normalization `b` against the average `av`) is added to its `acc`. Returns the new length of
 * `mine`. Loops written out (no callback per position: this is the hot path of a common word).
 */
function accumulate(posting: Posting, hits: Uint32Array, words: number, f: number, w: number, b: number, av: number, lengths: Uint16Array, tick: number, n: number): number {
	const { acc, stamp, mine } = scratch;
	if (posting.bits) {
		const bits = posting.bits;
		const m = Math.min(words, bits.length, hits.length);
		for (let i = 0; i < m; i++) {
			let x = bits[i] & hits[i];
			while (x !== 0) {
				const t = x & -x;
				const p = (i << 5) + 31 - Math.clz32(t);
				x ^= t;
				if (stamp[p] !== tick) {
					stamp[p] = tick;
					acc[p] = 0;
					mine[n++] = p;
				}
				acc[p] += w / (1 - b + (b * lengths[p * NF + f]) / av);
			}
		}
	} else {
		const ids = posting.ids!;
		for (let i = 0, c = posting.count; i < c; i++) {
			const p = ids[i];
			if ((hits[p >>> 5] & (1 << (p & 31))) === 0) continue;
			if (stamp[p] !== tick) {
				stamp[p] = tick;
				acc[p] = 0;
				mine[n++] = p;
			}
			acc[p] += w / (1 - b + (b * lengths[p * NF + f]) / av);
		}
	}
	return n;
}

/** The positions set in the first `words` words of `bits`, into `out` (in increasing order); their number. */
function positionsOf(words: number, bits: Uint32Array, out: Int32Array): number {
	let n = 0;
	for (let i = 0; i < words; i++) {
		let x = bits[i];
		while (x !== 0) {
			const t = x & -x;
			out[n++] = (i << 5) + 31 - Math.clz32(t);
			x ^= t;
		}
	}
	return n;
}

/**
 * BM25F scores of the hits (the positions set in `hits`, listed in `list[0..n)`), into
 * `scratch.score`. For each query word: each scored alternative's fields add up (weight / length
 * normalization) and saturate; the best alternative of the practice counts, times the word's idf.
 */
function score(ix: LibraryIndex, m: TextMatch, hits: Uint32Array, list: Int32Array, n: number): Float64Array {
	const s = scratchFor(ix.capacity);
	const { score: total, acc, best, mark, mine, touched } = s;
	for (let i = 0; i < n; i++) total[list[i]] = 0;
	const live = Math.max(1, ix.liveCount);
	const avg = Array.from(ix.lengthSum, (x) => Math.max(1, x / live));
	const lengths = ix.lengths;
	const words = ix.words;
	for (const t of m.terms) {
		const idf = Math.log(1 + (live - t.df + 0.5) / (t.df + 0.5));
		const termTick = ++s.tick;
		let nt = 0;
		for (const a of t.alts) {
			const altTick = ++s.tick;
			let nm = 0;
			const ps = ix.postings[a.id];
			for (let f = 0; f < NF; f++) {
				const posting = ps[f];
				if (posting) nm = accumulate(posting, hits, words, f, W[f], B[f], avg[f], lengths, altTick, nm);
			}
			for (let i = 0; i < nm; i++) {
				const p = mine[i];
				const x = acc[p];
				const v = (a.factor * (x * (K1 + 1))) / (K1 + x);
				if (mark[p] !== termTick) {
					mark[p] = termTick;
					best[p] = v;
					touched[nt++] = p;
				} else if (v > best[p]) best[p] = v;
			}
		}
		for (let i = 0; i < nt; i++) total[touched[i]] += idf * best[touched[i]];
		if (t.unscored.length) {
			// Matched only through a rare completion: it counts as one in the body.
			const floor = (idf * COMPLETION_FACTOR * (K1 + 1)) / (K1 + 1);
			for (let i = 0; i < n; i++) if (mark[list[i]] !== termTick) total[list[i]] += floor;
		}
	}
	return total;
}

// ---------------------------------------------------------------------------
// Typos
// ---------------------------------------------------------------------------

/**
 * The typo-tolerant fallback: each query word the index does not know is replaced by the closest
 * word of the library's vocabulary within its typo budget. Candidates come from the FTS5 trigram
 * index of the vocabulary (the words sharing most trigrams with it); the edit distance decides,
 * then how many practices use the word. Null when nothing could be corrected.
 */
const correctionCaches = new WeakMap<LibraryIndex, Map<string, ParsedQuery | null>>();

function correctQuery(db: DB, ix: LibraryIndex, p: ParsedQuery): ParsedQuery | null {
	const key = `${ix.generation}\u0000${p.terms.map((t) => `${t.word}${t.prefix ? '*' : ''}`).join(' ')}`;
	return lru(correctionCaches, ix, key, () => correct(db, ix, p));
}

function correct(db: DB, ix: LibraryIndex, p: ParsedQuery): ParsedQuery | null {
	let changed = false;
	const terms = p.terms.map((t) => ({ ...t }));
	const candidates = db.$client.prepare(
		'SELECT word FROM library_words WHERE id IN (SELECT rowid FROM library_trigram WHERE library_trigram MATCH ? ORDER BY rank LIMIT 60)'
	);
	for (const t of terms.slice(0, 4)) {
		const budget = typoBudget(t.word);
		if (!budget || /^\d+$/.test(t.word)) continue;
		if (t.alts.some((a) => stemFrequency(ix, a) > 0)) continue;
		if (t.prefix && stemsWithPrefix(ix, t.stem).some((x) => stemFrequency(ix, x) > 0)) continue;
		const expr = trigramExpression(t.word);
		let words: string[] = [];
		try {
			if (expr) words = candidates.pluck().all(expr) as string[];
		} catch (e) {
			logFor('library').error({ err: e }, 'поиск исправлений не выполнен');
		}
		let best: { w: string; d: number; f: number } | null = null;
		for (const w of words) {
			if (Math.abs(w.length - t.word.length) > budget) continue;
			const d = editDistance(t.word, w, budget);
			if (d > budget || d === 0) continue;
			if (best && d > best.d) continue;
			const f = stemFrequency(ix, stem(w));
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

// ---------------------------------------------------------------------------
// Facets
// ---------------------------------------------------------------------------

/** The bitset of one facet's selected values (OR). */
function filterBits(ix: LibraryIndex, k: FacetKey, values: string[]): Uint32Array {
	const bits = new Uint32Array(ix.words);
	for (const v of values) {
		const id = ix.valueIds[k].get(v);
		if (id !== undefined) ix.facetPostings[k][id].orInto(bits);
	}
	return bits;
}

/** What counting every value's posting against a mask costs (per generation). */
const postingCost = new WeakMap<LibraryIndex, { generation: number; cost: number }>();
function facetCost(ix: LibraryIndex): number {
	const c = postingCost.get(ix);
	if (c && c.generation === ix.generation) return c.cost;
	let cost = 0;
	for (const k of FACET_KEYS) for (const p of ix.facetPostings[k]) cost += p.bits ? ix.words : p.count;
	postingCost.set(ix, { generation: ix.generation, cost });
	return cost;
}

/** Counts of every value of facet `k` among the positions of `mask` (`size` of them). */
function countFacet(ix: LibraryIndex, k: FacetKey, mask: Uint32Array, size: number): Int32Array {
	const counts = new Int32Array(ix.values[k].length);
	if (size === 0) return counts;
	// A small set is cheaper to count practice by practice than every value's posting.
	const byPositions = searchTuning.facetCounting === 'auto' ? size * 8 < facetCost(ix) / FACET_KEYS.length : searchTuning.facetCounting === 'positions';
	if (byPositions) {
		// Loops written out (no callback per position).
		const words = ix.words;
		if (k === 'tag') {
			const { tagOff, tagLen, tagList } = ix;
			for (let i = 0; i < words; i++) {
				let x = mask[i];
				while (x !== 0) {
					const t = x & -x;
					const p = (i << 5) + 31 - Math.clz32(t);
					x ^= t;
					for (let j = tagOff[p], e = j + tagLen[p]; j < e; j++) counts[tagList[j]]++;
				}
			}
		} else {
			const col = ix.col[k];
			for (let i = 0; i < words; i++) {
				let x = mask[i];
				while (x !== 0) {
					const t = x & -x;
					const c = col[(i << 5) + 31 - Math.clz32(t)];
					x ^= t;
					if (c >= 0) counts[c]++;
				}
			}
		}
		return counts;
	}
	const ps = ix.facetPostings[k];
	for (let v = 0; v < ps.length; v++) counts[v] = ps[v].countIn(mask, ix.words);
	return counts;
}

function and(words: number, a: Uint32Array, bs: Uint32Array[]): Uint32Array {
	const out = new Uint32Array(words);
	out.set(a.subarray(0, words));
	for (const b of bs) for (let i = 0; i < words; i++) out[i] &= b[i];
	return out;
}

function mainResult(results: PracticeResult[]): PracticeResult | null {
	return results.find((r) => r.baseline != null) ?? results[0] ?? null;
}

/** What a result card needs of a practice. */
type ItemRow = Pick<
	Practice,
	'id' | 'slug' | 'title' | 'summary' | 'problem' | 'actions' | 'team' | 'results' | 'regionCode' | 'municipality' | 'organization' | 'sphere' | 'nominationTitle' | 'year' | 'source' | 'tags' | 'videoAssetId' | 'videoConsent' | 'publishedAt'
>;

const itemStatements = new WeakMap<object, import('better-sqlite3').Statement>();

/** The result cards' practices by id, in one prepared statement (no ORM mapping on the hot path). */
function itemRows(db: DB, ids: string[]): Map<string, ItemRow> {
	let st = itemStatements.get(db.$client);
	if (!st) {
		st = db.$client.prepare(
			`SELECT id, slug, title, summary, problem, actions, team, results, region_code AS regionCode, municipality, organization, sphere,
			        nomination_title AS nominationTitle, year, source, tags, video_asset_id AS videoAssetId, video_consent AS videoConsent, published_at AS publishedAt
			   FROM practices WHERE id IN (SELECT value FROM json_each(?))`
		);
		itemStatements.set(db.$client, st);
	}
	const out = new Map<string, ItemRow>();
	const json = <T>(s: string, fallback: T): T => {
		try {
			const v = JSON.parse(s);
			return Array.isArray(v) ? (v as T) : fallback;
		} catch {
			return fallback;
		}
	};
	for (const r of st.all(JSON.stringify(ids)) as (Omit<ItemRow, 'results' | 'tags' | 'videoConsent' | 'publishedAt'> & { results: string; tags: string; videoConsent: number; publishedAt: number | null })[]) {
		out.set(r.id, { ...r, results: json(r.results, []), tags: json(r.tags, []), videoConsent: !!r.videoConsent, publishedAt: r.publishedAt == null ? null : new Date(r.publishedAt) });
	}
	return out;
}

function itemOf(p: ItemRow, q: ParsedQuery, match: Matcher): SearchItem {
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

/**
 * The first `k` of `items` in the order of `cmp` (a bounded heap when k is small). When `cmp`
 * orders by `primary` descending first, passing it lets an item scoring below the worst of the
 * heap be skipped without calling `cmp`.
 */
export function topK(items: Int32Array, k: number, cmp: (a: number, b: number) => number, primary?: Float64Array): number[] {
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
	for (let i = 0; i < items.length; i++) {
		const x = items[i];
		if (primary && heap.length === k && primary[x] < primary[heap[0]]) continue;
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
	const ix = libraryIndex(db);
	const words = ix.words;
	let q = parseQuery(params.q);
	let corrected: SearchOutcome['corrected'] = null;
	let sort: Sort = params.sort;
	if (sort === 'relevance' && !q.terms.length) sort = 'newest';

	// 1. The text match: a bitset of the live practices with every word.
	let m: TextMatch | null = null;
	if (q.terms.length) {
		m = textMatch(ix, q);
		if (m.count === 0) {
			const c = correctQuery(db, ix, q);
			if (c && c.terms.length) {
				const m2 = textMatch(ix, c);
				if (m2.count) {
					corrected = { from: q.text, to: c.text };
					q = c;
					m = m2;
				}
			}
		}
	}
	const base = m ? m.bits : ix.live;
	const baseCount = m ? m.count : ix.liveCount;

	// 2. Filters (OR inside a facet, AND across) and facet counts, each facet counted with every
	// other filter applied — bitset operations on the postings of the values.
	const { selected, ignored } = cleanFilters(ix, params);
	const active = FACET_KEYS.filter((k) => selected[k].length > 0);
	const filters = new Map(active.map((k) => [k, filterBits(ix, k, selected[k])]));
	const hits = active.length ? and(words, base, [...filters.values()]) : base;
	const total = active.length ? countAnd(words, hits) : baseCount;
	const counts = {} as Record<FacetKey, Int32Array>;
	for (const k of FACET_KEYS) {
		if (filters.has(k)) {
			const others = active.filter((j) => j !== k).map((j) => filters.get(j)!);
			const mask = others.length ? and(words, base, others) : base;
			counts[k] = countFacet(ix, k, mask, others.length ? countAnd(words, mask) : baseCount);
		} else counts[k] = countFacet(ix, k, hits, total);
	}

	// 3. The page.
	const perPage = Math.max(1, Math.min(100, params.perPage));
	const pages = Math.max(1, Math.ceil(total / perPage));
	const page = Math.min(Math.max(1, params.page), pages);
	const from = (page - 1) * perPage;
	let slice: number[];
	if (sort === 'relevance' && m) {
		const list = new Int32Array(total);
		const h = positionsOf(words, hits, list);
		const sc = score(ix, m, hits, list, h);
		const { publishedAt, docids } = ix;
		slice = topK(list.subarray(0, h), from + perPage, (a, b) => sc[b] - sc[a] || publishedAt[b] - publishedAt[a] || docids[a] - docids[b], sc).slice(from);
	} else {
		slice = [];
		const order = ix.order[sort as 'newest' | 'year' | 'impact'];
		let seen = 0;
		for (let i = 0; i < order.length && slice.length < perPage; i++) {
			if (!hasBit(hits, order[i])) continue;
			if (seen++ >= from) slice.push(order[i]);
		}
	}
	const ids = slice.map((p) => ix.practiceIds[p]);
	const byId = ids.length ? itemRows(db, ids) : new Map<string, ItemRow>();
	const rows = ids.map((id) => byId.get(id)).filter((p): p is ItemRow => !!p);
	const match = q.terms.length ? matcherOf(q) : NO_MATCH;
	const items = rows.map((p) => itemOf(p, q, match));

	// 4. Facet lists: counted values and the selected ones (even at zero).
	const facets = {} as Record<FacetKey, FacetValue[]>;
	for (const k of FACET_KEYS) {
		const sel = new Set(selected[k]);
		const vals: FacetValue[] = [];
		const c = counts[k];
		for (let id = 0; id < c.length; id++) {
			const value = ix.values[k][id];
			if (c[id] > 0 || sel.has(value)) vals.push({ value, label: FACET_LABEL_OF[k](value), count: c[id], selected: sel.has(value) });
		}
		for (const v of selected[k]) if (!ix.valueIds[k].has(v)) vals.push({ value: v, label: FACET_LABEL_OF[k](v), count: 0, selected: true });
		if (k === 'district') vals.sort((a, b) => DISTRICT_CODES.indexOf(a.value) - DISTRICT_CODES.indexOf(b.value));
		else if (k === 'year') vals.sort((a, b) => Number(b.value) - Number(a.value));
		else {
			const rank = labelRanks(ix, k);
			const idOf = ix.valueIds[k];
			const r = (v: FacetValue) => rank[idOf.get(v.value) ?? -1] ?? Number.MAX_SAFE_INTEGER;
			vals.sort((a, b) => b.count - a.count || r(a) - r(b) || collator.compare(a.label, b.label));
		}
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

// ---------------------------------------------------------------------------
// Related practices
// ---------------------------------------------------------------------------

export interface RelatedPractice {
	id: string;
	slug: string;
	title: string;
	region: string | null;
	year: number | null;
}

/** Normalized tag → ids of the tag values (per index, rebuilt when new tags came). */
const tagLookup = new WeakMap<LibraryIndex, { n: number; map: Map<string, number[]> }>();
function tagIdsOf(ix: LibraryIndex, tags: string[]): number[] {
	let t = tagLookup.get(ix);
	if (!t || t.n !== ix.values.tag.length) {
		const map = new Map<string, number[]>();
		ix.values.tag.forEach((v, id) => {
			const k = normalize(v);
			map.set(k, [...(map.get(k) ?? []), id]);
		});
		tagLookup.set(ix, (t = { n: ix.values.tag.length, map }));
	}
	return [...new Set(tags.flatMap((x) => t.map.get(normalize(x)) ?? []))];
}

/**
 * Practices like this one: 3 points per shared tag, 2 for the same sphere, 1 for the same federal
 * district, 1 for the same nomination; the newest first among equal scores. From the index: the
 * practices sharing a tag are read from the tags' postings and scored one by one; the others can
 * only score by sphere, district and nomination (4 points at most), so they are walked newest
 * first until the top is full of scores none of them can beat — usually after a few dozen, never
 * more than one pass.
 */
export function relatedPractices(db: DB, practice: Practice, limit = 3): RelatedPractice[] {
	const ix = libraryIndex(db);
	const { publishedAt, practiceIds, live } = ix;
	const sphere = practice.sphere ? ix.valueIds.sphere.get(practice.sphere) : undefined;
	const districtCode = practice.regionCode ? (districtOf(practice.regionCode)?.code ?? null) : null;
	const district = districtCode ? ix.valueIds.district.get(districtCode) : undefined;
	const nomination = practice.nominationTitle ? ix.valueIds.nomination.get(practice.nominationTitle) : undefined;
	const same = (k: 'sphere' | 'district' | 'nomination', id: number | undefined, p: number) => id !== undefined && ix.col[k][p] === id;
	const best: { p: number; score: number }[] = [];
	const better = (a: { p: number; score: number }, b: { p: number; score: number }) => b.score - a.score || publishedAt[b.p] - publishedAt[a.p];
	const offer = (p: number, score: number) => {
		if (practiceIds[p] === practice.id || score <= 0) return;
		if (best.length >= limit) {
			// Could not enter: below the worst kept, or tied with it and not newer (the sort is stable).
			const worst = best[best.length - 1];
			if (score < worst.score || (score === worst.score && publishedAt[p] <= publishedAt[worst.p])) return;
		}
		best.push({ p, score });
		best.sort(better);
		if (best.length > limit) best.pop();
	};

	// Practices sharing a tag, by how many they share — counted word by word on the tags' bitsets
	// (`atLeast[k]`: the live practices sharing at least k + 1 of the tags), so a common tag of a
	// large library costs no step per practice. Those sharing the most come first; a level is
	// skipped with everything below it once the top is full of scores none of them can reach.
	const most = (sphere !== undefined ? 2 : 0) + (district !== undefined ? 1 : 0) + (nomination !== undefined ? 1 : 0);
	const words = ix.words;
	const tagIds = tagIdsOf(ix, practice.tags);
	const atLeast = tagIds.map(() => new Uint32Array(words));
	if (tagIds.length) {
		const t = new Uint32Array(words);
		for (const id of tagIds) {
			t.fill(0);
			ix.facetPostings.tag[id].orInto(t);
			for (let i = 0; i < words; i++) t[i] &= live[i];
			for (let k = atLeast.length - 1; k >= 1; k--) {
				const a = atLeast[k];
				const b = atLeast[k - 1];
				for (let i = 0; i < words; i++) a[i] |= b[i] & t[i];
			}
			const a0 = atLeast[0];
			for (let i = 0; i < words; i++) a0[i] |= t[i];
		}
		for (let k = atLeast.length; k >= 1; k--) {
			if (best.length >= limit && best[best.length - 1].score > 3 * k + most) break;
			const a = atLeast[k - 1];
			const above = k < atLeast.length ? atLeast[k] : null;
			for (let i = 0; i < words; i++) {
				let x = above ? a[i] & ~above[i] : a[i];
				while (x !== 0) {
					const bit = x & -x;
					const p = (i << 5) + 31 - Math.clz32(bit);
					x ^= bit;
					offer(p, 3 * k + (same('sphere', sphere, p) ? 2 : 0) + (same('district', district, p) ? 1 : 0) + (same('nomination', nomination, p) ? 1 : 0));
				}
			}
		}
	}
	const shared = atLeast.length ? atLeast[0] : null;

	// The rest can only score by sphere (2), district (1) and nomination (1): walked newest first,
	// so once the top is full of scores no other practice can reach, nothing older can enter.
	if (most > 0) {
		const newest = ix.order.newest;
		const colS = ix.col.sphere;
		const colD = ix.col.district;
		const colN = ix.col.nomination;
		for (let i = 0; i < newest.length; i++) {
			if (best.length >= limit && best[best.length - 1].score >= most) break;
			const p = newest[i];
			if ((shared && (shared[p >>> 5] & (1 << (p & 31))) !== 0) || (live[p >>> 5] & (1 << (p & 31))) === 0) continue;
			const points = (sphere !== undefined && colS[p] === sphere ? 2 : 0) + (district !== undefined && colD[p] === district ? 1 : 0) + (nomination !== undefined && colN[p] === nomination ? 1 : 0);
			if (points > 0) offer(p, points);
		}
	}
	const ids = best.map((b) => practiceIds[b.p]);
	if (!ids.length) return [];
	const rows = db.select({ id: practices.id, slug: practices.slug, title: practices.title, region: practices.regionCode, year: practices.year }).from(practices).where(inArray(practices.id, ids)).all();
	const byId = new Map(rows.map((r) => [r.id, r]));
	return ids.map((id) => byId.get(id)).filter((r): r is RelatedPractice => !!r);
}

/** Counts of the published practices by district, region, sphere and year (the overview page). */
export function libraryOverview(db: DB) {
	const ix = libraryIndex(db);
	const count = (k: FacetKey) => {
		const m = new Map<string, number>();
		ix.facetPostings[k].forEach((p, id) => {
			const n = p.countIn(ix.live, ix.words);
			if (n) m.set(ix.values[k][id], n);
		});
		return m;
	};
	const byDistrict = count('district');
	const byRegion = count('region');
	const bySphere = count('sphere');
	const byYear = count('year');
	return {
		total: ix.liveCount,
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
	const ix = libraryIndex(db);
	return Array.from(ix.order.newest, (p) => ix.practiceIds[p]);
}
