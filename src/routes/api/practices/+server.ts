import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { db } from '$lib/server/db/client';
import { searchLibrary } from '$lib/server/library/search';
import { itemJson } from '$lib/server/library/opendata';
import { readSearchParams, FACET_KEYS } from '$lib/schemas/library-search';

const HEADERS = { 'access-control-allow-origin': '*', 'cache-control': 'public, max-age=60' };

/**
 * Read-only JSON of the library: the filters of /library (q, district, region, sphere,
 * nomination, year, tag, source, sort, page) and per_page up to 100. Never an error for a bad
 * value: what could not be used is named in `warnings` and `ignored`.
 */
export const GET: RequestHandler = ({ url }) => {
	const { params, warnings } = readSearchParams(url.searchParams, { maxPerPage: 100, defaultPerPage: 20 });
	const r = searchLibrary(db(), params);
	return json(
		{
			query: { q: r.q, ...Object.fromEntries(FACET_KEYS.map((k) => [k, params[k]])), sort: r.sort, page: r.page, perPage: r.perPage },
			total: r.total,
			page: r.page,
			pages: r.pages,
			perPage: r.perPage,
			corrected: r.corrected,
			truncated: r.truncated,
			warnings: [...warnings, ...(r.pageClamped ? [`Страницы ${params.page} нет: показана последняя, ${r.page}-я`] : [])],
			ignored: r.ignored,
			items: r.items.map((i) => itemJson(i, url.origin)),
			facets: Object.fromEntries(FACET_KEYS.map((k) => [k, r.facets[k].map(({ value, label, count, selected }) => ({ value, label, count, selected }))]))
		},
		{ headers: HEADERS }
	);
};
