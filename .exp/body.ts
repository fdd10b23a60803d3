
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
const matchCaches = new WeakMap<object, Map<string, TextMatch>>();

/** Turns the match and correction caches off (the benchmark measures the uncached path with it). */
export const searchTuning = { matchCache: true };

function lru<T>(store: WeakMap<object, Map<string, T>>, db: DB, key: string, make: () => T): T {
	let m = store.get(db.$client);
	if (!m) store.set(db.$client, (m = new Map()));
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
		const more = stemsWithPrefix(ix, t.stem)
			.map((s) => ix.termIds.get(s)!)
			.filter((id) => !seen.has(id))
			.sort((a, b) => ix.df[b] - ix.df[a]);
		more.forEach((id, i) => (i < SCORED_COMPLETIONS ? alts.push({ id, factor: COMPLETION_FACTOR }) : unscored.push(id)));
	}
	const bits = new Uint32Array(ix.words);
	for (const id of [...alts.map((a) => a.id), ...unscored]) for (const p of ix.postings[id]) p?.orInto(bits);
	const live = ix.live;
	for (let i = 0; i < bits.length; i++) bits[i] &= live[i];
	return { alts, unscored, bits, df: countAnd(ix.words, bits) };
}

function textMatch(db: DB, ix: LibraryIndex, q: ParsedQuery): TextMatch {
	const key = `${ix.generation}\u0000${q.terms.map((t) => `${t.stem}${t.prefix ? '*' : ''}`).join(' ')}`;
	return lru(matchCaches, db, key, () => {
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

/** Scratch arrays of the scoring, by position (one search at a time: Node is single-threaded). */
const scratch = { cap: 0, score: new Float64Array(0), acc: new Float64Array(0), best: new Float64Array(0), stamp: new Int32Array(0), mark: new Int32Array(0), tick: 0 };
function scratchFor(cap: number) {
	if (scratch.cap < cap || scratch.tick > 2e9) {
		const n = Math.max(cap, scratch.cap);
		Object.assign(scratch, { cap: n, score: new Float64Array(n), acc: new Float64Array(n), best: new Float64Array(n), stamp: new Int32Array(n), mark: new Int32Array(n), tick: 0 });
	}
	return scratch;
}

/**
 * BM25F scores of the hits (the positions set in `hits`), into `scratch.score`. For each query
 * word: each scored alternative's fields add up (weight / length normalization) and saturate;
 * the best alternative of the practice counts, times the word's idf.
 */
function score(ix: LibraryIndex, m: TextMatch, hits: Uint32Array): Float64Array {
	const s = scratchFor(ix.capacity);
	const { score: total, acc, best, stamp, mark } = s;
	forEachBit(ix.words, hits, (p) => (total[p] = 0));
	const n = Math.max(1, ix.liveCount);
	const avg = Array.from(ix.lengthSum, (x) => Math.max(1, x / Math.max(1, ix.slots)));
	const lengths = ix.lengths;
	for (const t of m.terms) {
		const idf = Math.log(1 + (n - t.df + 0.5) / (t.df + 0.5));
		const termTick = ++s.tick;
		const touched: number[] = [];
		for (const a of t.alts) {
			const altTick = ++s.tick;
			const mine: number[] = [];
			const ps = ix.postings[a.id];
			for (let f = 0; f < NF; f++) {
				const posting = ps[f];
				if (!posting) continue;
				const w = W[f];
				const b = B[f];
				const av = avg[f];
				posting.forEachIn(hits, (p) => {
					if (stamp[p] !== altTick) {
						stamp[p] = altTick;
						acc[p] = 0;
						mine.push(p);
					}
					acc[p] += w / (1 - b + (b * lengths[p * NF + f]) / av);
				});
			}
			for (const p of mine) {
				const x = acc[p];
				const v = (a.factor * (x * (K1 + 1))) / (K1 + x);
				if (mark[p] !== termTick) {
					mark[p] = termTick;
					best[p] = v;
					touched.push(p);
				} else if (v > best[p]) best[p] = v;
			}
		}
		for (const p of touched) total[p] += idf * best[p];
		if (t.unscored.length) {
			// Matched only through a rare completion: it counts as one in the body.
			const floor = (idf * COMPLETION_FACTOR * (K1 + 1)) / (K1 + 1);
			forEachBit(ix.words, hits, (p) => {
				if (mark[p] !== termTick) total[p] += floor;
			});
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
const correctionCaches = new WeakMap<object, Map<string, ParsedQuery | null>>();

function correctQuery(db: DB, ix: LibraryIndex, p: ParsedQuery): ParsedQuery | null {
	const key = `${ix.generation}\u0000${p.terms.map((t) => `${t.word}${t.prefix ? '*' : ''}`).join(' ')}`;
	return lru(correctionCaches, db, key, () => correct(db, ix, p));
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
		if (t.alts.some((a) => stemDf(ix, a) > 0)) continue;
		if (t.prefix && stemsWithPrefix(ix, t.stem).length) continue;
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
			const f = stemDf(ix, stem(w));
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
	if (size * 8 < facetCost(ix) / FACET_KEYS.length) {
		if (k === 'tag') {
			const { tagOff, tagLen, tagList } = ix;
			forEachBit(ix.words, mask, (p) => {
				for (let j = tagOff[p], e = j + tagLen[p]; j < e; j++) counts[tagList[j]]++;
			});
		} else {
			const col = ix.col[k];
			forEachBit(ix.words, mask, (p) => {
				if (col[p] >= 0) counts[col[p]]++;
			});
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
	const ix = libraryIndex(db);
	const words = ix.words;
	let q = parseQuery(params.q);
	let corrected: SearchOutcome['corrected'] = null;
	let sort: Sort = params.sort;
	if (sort === 'relevance' && !q.terms.length) sort = 'newest';

	// 1. The text match: a bitset of the live practices with every word.
	let m: TextMatch | null = null;
	if (q.terms.length) {
		m = textMatch(db, ix, q);
		if (m.count === 0) {
			const c = correctQuery(db, ix, q);
			if (c && c.terms.length) {
				const m2 = textMatch(db, ix, c);
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
		const sc = score(ix, m, hits);
		const list = new Int32Array(total);
		let h = 0;
		forEachBit(words, hits, (p) => (list[h++] = p));
		const { publishedAt, docids } = ix;
		slice = topK(list.subarray(0, h), from + perPage, (a, b) => sc[b] - sc[a] || publishedAt[b] - publishedAt[a] || docids[a] - docids[b]).slice(from);
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
	const rows = ids.length ? db.select().from(practices).where(inArray(practices.id, ids)).all() : [];
	const byId = new Map(rows.map((r) => [r.id, r]));
	const items = ids.map((id) => byId.get(id)).filter((p): p is Practice => !!p).map((p) => itemOf(p, q));

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
 * only score by sphere, district and nomination, so each combination of those (4 points down to
 * 1) is a bitset expression whose newest practices are taken, best combinations first, until no
 * lower one can enter the top.
 */
export function relatedPractices(db: DB, practice: Practice, limit = 3): RelatedPractice[] {
	const ix = libraryIndex(db);
	const words = ix.words;
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
		best.push({ p, score });
		best.sort(better);
		if (best.length > limit) best.pop();
	};

	// Practices sharing a tag.
	const shared = new Map<number, number>();
	for (const id of tagIdsOf(ix, practice.tags)) ix.facetPostings.tag[id].forEachIn(live, (p) => shared.set(p, (shared.get(p) ?? 0) + 1));
	for (const [p, n] of shared) offer(p, 3 * n + (same('sphere', sphere, p) ? 2 : 0) + (same('district', district, p) ? 1 : 0) + (same('nomination', nomination, p) ? 1 : 0));

	// The rest, by combination of sphere (S), district (D) and nomination (N).
	const bitsOf = (k: 'sphere' | 'district' | 'nomination', id: number | undefined) => {
		const b = new Uint32Array(words);
		if (id !== undefined) ix.facetPostings[k][id].orInto(b);
		return b;
	};
	const S = bitsOf('sphere', sphere);
	const D = bitsOf('district', district);
	const N = bitsOf('nomination', nomination);
	const levels: [number, (i: number) => number][] = [
		[4, (i) => S[i] & D[i] & N[i]],
		[3, (i) => S[i] & D[i] & ~N[i]],
		[3, (i) => S[i] & ~D[i] & N[i]],
		[2, (i) => S[i] & ~D[i] & ~N[i]],
		[2, (i) => ~S[i] & D[i] & N[i]],
		[1, (i) => ~S[i] & D[i] & ~N[i]],
		[1, (i) => ~S[i] & ~D[i] & N[i]]
	];
	for (const [points, word] of levels) {
		if (best.length >= limit && best[best.length - 1].score > points) break;
		// The newest `limit` of this combination outside the tag candidates.
		const top: number[] = [];
		for (let i = 0; i < words; i++) {
			let w = word(i) & live[i];
			while (w !== 0) {
				const t = w & -w;
				const p = (i << 5) + 31 - Math.clz32(t);
				w ^= t;
				if (shared.has(p) || practiceIds[p] === practice.id) continue;
				if (top.length < limit) top.push(p);
				else {
					let worst = 0;
					for (let j = 1; j < top.length; j++) if (publishedAt[top[j]] < publishedAt[top[worst]]) worst = j;
					if (publishedAt[p] > publishedAt[top[worst]]) top[worst] = p;
				}
			}
		}
		for (const p of top) offer(p, points);
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
