import type { PageServerLoad } from './$types';
import { db } from '$lib/server/db/client';
import { listContestsForAdmin } from '$lib/server/contests/admin';

export const load: PageServerLoad = async ({ parent }) => {
	await parent();
	return { contests: listContestsForAdmin(db()) };
};
