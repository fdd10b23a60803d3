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


//----
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

