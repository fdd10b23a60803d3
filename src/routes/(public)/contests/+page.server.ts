import type { PageServerLoad } from './$types';
import { db } from '$lib/server/db/client';
import { listPublicContests } from '$lib/server/contests/queries';

export const load: PageServerLoad = () => ({
	contests: listPublicContests(db()).map((c) => ({ slug: c.slug, title: c.title, phase: c.phase, year: c.year, openAt: c.openAt.getTime(), closeAt: c.closeAt.getTime() }))
});
