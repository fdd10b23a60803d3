import type { PageServerLoad } from './$types';
import { db } from '$lib/server/db/client';
import { resultsIndex } from '$lib/server/results/dashboard';

export const load: PageServerLoad = async ({ parent }) => {
	await parent();
	return { contests: resultsIndex(db()) };
};
