import { error } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { requireRole } from '$lib/server/auth/guards';
import { db } from '$lib/server/db/client';
import { actorOf } from '$lib/server/actor';
import { DomainError } from '$lib/server/errors';
import { formFail, formObject } from '$lib/server/http/form';
import { parseResultsQuery, resultsPage } from '$lib/server/results/console';
import { addJurorToEntry } from '$lib/server/review/assignments';

export const load: PageServerLoad = ({ locals, url, params }) => {
	requireRole(locals, url, 'organizer');
	try {
		return { view: resultsPage(db(), params.roundId, parseResultsQuery(url)) };
	} catch (e) {
		if (e instanceof DomainError) error(e.status, e.message);
		throw e;
	}
};

export const actions: Actions = {
	addJuror: async ({ locals, url, params, request, getClientAddress }) => {
		const user = requireRole(locals, url, 'organizer');
		const raw = await formObject(request);
		if (!raw.applicationId) return formFail(400, raw, {}, 'Не указана заявка');
		try {
			const r = addJurorToEntry(db(), actorOf(user, getClientAddress()), params.roundId, raw.applicationId);
			return { ok: `Заявка ${raw.number ?? ''}: назначен ещё один эксперт — ${r.fio}.`, applicationId: raw.applicationId };
		} catch (e) {
			if (e instanceof DomainError) return formFail(e.status, raw, {}, `Заявка ${raw.number ?? ''}: ${e.message}`);
			throw e;
		}
	}
};
