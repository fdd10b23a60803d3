import type { Actions, PageServerLoad } from './$types';
import { db } from '$lib/server/db/client';
import { act, formFail, readForm } from '$lib/server/http/form';
import { orPage } from '$lib/server/http/page';
import { actorOf } from '$lib/server/http/scope';
import { parseResultsQuery, resultsPage } from '$lib/server/results/console';
import { addJurorToEntry } from '$lib/server/review/assignments';

export const load: PageServerLoad = async ({ parent, url, params }) => {
	await parent();
	return { view: orPage(() => resultsPage(db(), params.roundId, parseResultsQuery(url))) };
};

export const actions: Actions = {
	addJuror: async (event) => {
		const actor = actorOf(event);
		const { raw } = await readForm(event.request);
		if (!raw.applicationId) return formFail(400, raw, {}, 'Не указана заявка');
		const entry = `Заявка ${raw.number ?? ''}`;
		return act(() => ({ ok: `${entry}: назначен ещё один эксперт — ${addJurorToEntry(db(), actor, event.params.roundId, raw.applicationId).fio}.`, applicationId: raw.applicationId }), raw, {
			message: (e) => `${entry}: ${e.message}`
		});
	}
};
