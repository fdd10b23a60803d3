import { error } from '@sveltejs/kit';
import type { LayoutServerLoad } from './$types';
import { requireRole } from '$lib/server/auth/guards';
import { db } from '$lib/server/db/client';
import { DomainError } from '$lib/server/errors';
import { roundHeader } from '$lib/server/results/console';

export const load: LayoutServerLoad = ({ locals, url, params }) => {
	requireRole(locals, url, 'organizer');
	try {
		return { header: roundHeader(db(), params.roundId) };
	} catch (e) {
		if (e instanceof DomainError) error(e.status, e.message);
		throw e;
	}
};
