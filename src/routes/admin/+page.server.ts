import type { PageServerLoad } from './$types';
import { db } from '$lib/server/db/client';
import { overview } from '$lib/server/admin/overview';
import { jobCounts } from '$lib/server/jobs/queue';

export const load: PageServerLoad = async ({ parent }) => {
	await parent();
	return { ...overview(db()), jobs: jobCounts(db()).byStatus };
};
