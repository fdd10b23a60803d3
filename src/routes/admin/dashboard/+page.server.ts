import type { PageServerLoad } from './$types';
import { db } from '$lib/server/db/client';
import { dashboard, resultsIndex } from '$lib/server/results/dashboard';

export const load: PageServerLoad = async ({ parent, url }) => {
	await parent();
	const contests = resultsIndex(db());
	const contestId = url.searchParams.get('contest') ?? contests.find((c) => c.rounds.length)?.id ?? contests[0]?.id;
	const roundId = url.searchParams.get('round') ?? undefined;
	return { contests: contests.map((c) => ({ id: c.id, title: c.title, rounds: c.rounds.map((r) => ({ id: r.id, title: r.title })) })), d: contestId ? dashboard(db(), contestId, roundId) : null };
};
