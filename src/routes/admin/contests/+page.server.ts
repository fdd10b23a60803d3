import type { PageServerLoad } from './$types';
import { requireRole } from '$lib/server/auth/guards';
import { db } from '$lib/server/db/client';
import { listContestsForAdmin } from '$lib/server/contests/admin';

export const load: PageServerLoad = ({ locals, url }) => {
	requireRole(locals, url, 'organizer');
	return { contests: listContestsForAdmin(db()) };
};
