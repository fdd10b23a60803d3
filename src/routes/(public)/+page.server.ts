import type { PageServerLoad } from './$types';
import { db } from '$lib/server/db/client';
import { countSubmitted, listNominations, listPublicContests } from '$lib/server/contests/queries';

export const load: PageServerLoad = () => {
	const d = db();
	const contests = listPublicContests(d).map((c) => ({
		slug: c.slug,
		title: c.title,
		phase: c.phase,
		closeAt: c.closeAt.getTime(),
		openAt: c.openAt.getTime(),
		nominations: listNominations(d, c.id).length,
		submitted: countSubmitted(d, c.id)
	}));
	return { contests };
};
