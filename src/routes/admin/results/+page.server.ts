import type { PageServerLoad } from './$types';
import { requireRole } from '$lib/server/auth/guards';
import { db } from '$lib/server/db/client';
import { resultsIndex } from '$lib/server/results/dashboard';

export const load: PageServerLoad = ({ locals, url }) => {
	requireRole(locals, url, 'organizer');
	return { contests: resultsIndex(db()) };
};
