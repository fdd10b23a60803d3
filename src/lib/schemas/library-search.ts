/**
 * The public search state of the library — /library, /api/practices and the open data share it —
 * read from and written to a URL. Browser-safe (no server imports): the list page builds its
 * links with it.
 */
import { FEDERAL_DISTRICTS } from '../data/regions';

export const SORTS = ['relevance', 'newest', 'year', 'impact'] as const;
export type Sort = (typeof SORTS)[number];
export const SORT_TITLE: Record<Sort, string> = {
	relevance: 'по релевантности',
	newest: 'сначала новые',
	year: 'по году практики',
	impact: 'по силе результата'
};
export const FACET_KEYS = ['district', 'region', 'sphere', 'nomination', 'year', 'tag', 'source'] as const;
export type FacetKey = (typeof FACET_KEYS)[number];
export const DISTRICT_CODES = FEDERAL_DISTRICTS.map((d) => d.code);

export interface SearchParams {
	q: string;
	district: string[];
	region: string[];
	sphere: string[];
	nomination: string[];
	year: string[];
	tag: string[];
	source: string[];
	sort: Sort;
	page: number;
	perPage: number;
}

/**
 * Reads the search state from a URL. Never fails: what cannot be understood falls back to the
 * default and is named in `warnings` (a sort nobody knows, a page that is not a number).
 */
export function readSearchParams(sp: URLSearchParams, opts: { maxPerPage?: number; defaultPerPage?: number } = {}): { params: SearchParams; warnings: string[] } {
	const warnings: string[] = [];
	const list = (k: string) =>
		[...new Set(sp.getAll(k).map((v) => v.trim().slice(0, 200)).filter(Boolean))].slice(0, 20);
	const sortRaw = sp.get('sort') ?? '';
	let sort: Sort = 'relevance';
	if ((SORTS as readonly string[]).includes(sortRaw)) sort = sortRaw as Sort;
	else if (sortRaw) warnings.push(`Неизвестный порядок сортировки «${sortRaw.slice(0, 40)}»: показано по умолчанию`);
	const pageRaw = sp.get('page') ?? '';
	let page = 1;
	if (pageRaw) {
		if (/^\d{1,9}$/.test(pageRaw) && Number(pageRaw) >= 1) page = Number(pageRaw);
		else warnings.push(`Неверный номер страницы «${pageRaw.slice(0, 20)}»: показана первая`);
	}
	const max = opts.maxPerPage ?? 20;
	const def = opts.defaultPerPage ?? 20;
	const ppRaw = sp.get('per_page') ?? '';
	let perPage = def;
	if (ppRaw) {
		if (/^\d{1,4}$/.test(ppRaw) && Number(ppRaw) >= 1 && Number(ppRaw) <= max) perPage = Number(ppRaw);
		else warnings.push(`per_page: число от 1 до ${max}; показано по ${def}`);
	}
	return {
		params: {
			q: (sp.get('q') ?? '').slice(0, 10_000),
			district: list('district'),
			region: list('region'),
			sphere: list('sphere'),
			nomination: list('nomination'),
			year: list('year'),
			tag: list('tag'),
			source: list('source'),
			sort,
			page,
			perPage
		},
		warnings
	};
}

/** The URL query of a search state (defaults left out), for links that change one thing. */
export function searchQuery(p: Partial<SearchParams>): string {
	const sp = new URLSearchParams();
	if (p.q) sp.set('q', p.q);
	for (const k of FACET_KEYS) for (const v of p[k] ?? []) sp.append(k, v);
	if (p.sort && p.sort !== 'relevance') sp.set('sort', p.sort);
	if (p.page && p.page > 1) sp.set('page', String(p.page));
	const s = sp.toString();
	return s ? `?${s}` : '';
}
