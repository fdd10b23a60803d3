import type { PageServerLoad } from './$types';
import { db } from '$lib/server/db/client';
import { searchLibrary } from '$lib/server/library/search';
import { readSearchParams } from '$lib/schemas/library-search';
import { FEDERAL_DISTRICTS } from '$lib/data/regions';

export const load: PageServerLoad = ({ url, locals }) => {
	const { params, warnings } = readSearchParams(url.searchParams);
	const r = searchLibrary(db(), params);
	return {
		params,
		warnings,
		result: { ...r, ms: undefined },
		districts: FEDERAL_DISTRICTS,
		isOrganizer: locals.user?.role === 'organizer'
	};
};
