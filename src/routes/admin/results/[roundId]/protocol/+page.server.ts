import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { requireRole } from '$lib/server/auth/guards';
import { db } from '$lib/server/db/client';
import { DomainError } from '$lib/server/errors';
import { protocolPage } from '$lib/server/results/console';
import { winnersSpread } from '$lib/server/results/decisions';

export const load: PageServerLoad = ({ locals, url, params }) => {
	const user = requireRole(locals, url, 'organizer');
	try {
		const page = Number(url.searchParams.get('page') ?? '1');
		const p = protocolPage(db(), params.roundId, { nomination: url.searchParams.get('nom') ?? undefined, page: Number.isInteger(page) && page >= 1 ? page : 1 });
		return { p, spread: winnersSpread(db(), p.contest.id), printedBy: user.fio, now: Date.now() };
	} catch (e) {
		if (e instanceof DomainError) error(e.status, e.message);
		throw e;
	}
};
