import type { PageServerLoad } from './$types';
import { db } from '$lib/server/db/client';
import { searchLibrary, type FacetValue } from '$lib/server/library/search';
import { readSearchParams, type FacetKey } from '$lib/schemas/library-search';
import { ServerRendered } from '$lib/server-rendered';

/**
 * How many values of a facet the page lists (the selected ones always). All regions are listed
 * once a district is chosen; before that, the regions with most practices.
 */
/**
 * The list is server-rendered HTML only: no SvelteKit client, so no hydration data repeating every
 * result (it was 29 % of the page). Search as you type and in-place filtering come from one small
 * script (src/lib/client/library-list.js); without it the GET form and the links do the same.
 */
export const csr = false;

const SHOWN: Partial<Record<FacetKey, number>> = { region: 12, tag: 15, source: 10, nomination: 12 };

export const load: PageServerLoad = ({ url, locals }) => {
	const { params, warnings } = readSearchParams(url.searchParams);
	const r = searchLibrary(db(), params);
	const facets = { ...r.facets };
	for (const [k, max] of Object.entries(SHOWN) as [FacetKey, number][]) {
		if (k === 'region' && params.district.length) continue;
		const all = facets[k];
		facets[k] = all.filter((v: FacetValue, i: number) => i < max || v.selected);
	}
	// Rendered here only: nothing of it is serialized for a client (src/lib/server-rendered.ts).
	return {
		view: new ServerRendered({
		params,
		warnings,
		moreRegions: !params.district.length && r.facets.region.length > facets.region.length,
		result: {
			q: r.q,
			truncated: r.truncated,
			corrected: r.corrected,
			total: r.total,
			page: r.page,
			pages: r.pages,
			perPage: r.perPage,
			pageClamped: r.pageClamped,
			sort: r.sort,
			ignored: r.ignored,
			facets,
			items: r.items.map((i) => ({
				slug: i.slug,
				titleSegments: i.titleSegments,
				snippet: i.snippet,
				regionName: i.regionName,
				municipality: i.municipality,
				year: i.year,
				sphereTitle: i.sphereTitle,
				hasVideo: i.hasVideo,
				mainResult: i.mainResult
			}))
		},
		isOrganizer: locals.user?.role === 'organizer'
		})
	};
};
