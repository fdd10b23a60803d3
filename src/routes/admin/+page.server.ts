import type { PageServerLoad } from './$types';
import { requireRole } from '$lib/server/auth/guards';
import { db } from '$lib/server/db/client';
import { overview } from '$lib/server/admin/overview';
import { jobCounts } from '$lib/server/jobs/queue';

export const load: PageServerLoad = ({ locals, url }) => {
	requireRole(locals, url, 'organizer');
	return { ...overview(db()), jobs: jobCounts(db()).byStatus };
};
