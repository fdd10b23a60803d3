import type { PageServerLoad } from './$types';
import { db } from '$lib/server/db/client';
import { guard } from '$lib/server/http/guards';
import { orPage } from '$lib/server/http/page';
import { protocolPage } from '$lib/server/results/console';
import { winnersSpread } from '$lib/server/results/decisions';

export const load: PageServerLoad = async (event) => {
	await event.parent();
	const p = orPage(() => protocolPage(db(), event.params.roundId));
	return { p, spread: winnersSpread(db(), p.contest.id), printedBy: guard(event).fio, now: Date.now() };
};
