import { redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { db } from '$lib/server/db/client';
import { contests } from '$lib/server/db/schema';
import { desc } from 'drizzle-orm';

export const load: PageServerLoad = async ({ parent }) => {
	await parent();
	const list = db().select({ slug: contests.slug, title: contests.title, phase: contests.phase }).from(contests).orderBy(desc(contests.year), desc(contests.openAt)).all();
	if (list.length === 1) redirect(303, `/admin/jury/${list[0].slug}`);
	return { contests: list };
};
