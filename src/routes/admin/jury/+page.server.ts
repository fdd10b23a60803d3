import { redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { db } from '$lib/server/db/client';
import { listContestsNewestFirst } from '$lib/server/contests/queries';

export const load: PageServerLoad = async ({ parent }) => {
	await parent();
	const list = listContestsNewestFirst(db());
	if (list.length === 1) redirect(303, `/admin/jury/${list[0].slug}`);
	return { contests: list };
};
