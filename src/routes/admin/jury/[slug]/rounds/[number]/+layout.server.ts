import type { LayoutServerLoad } from './$types';
import { roundOf } from '$lib/server/http/scope';

/** The round of the round's pages, resolved once (the pages: `await parent()`). */
export const load: LayoutServerLoad = async ({ parent, params }) => {
	const { contest } = await parent();
	return { round: roundOf(contest.id, params.number) };
};
