import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { db } from '$lib/server/db/client';
import { act, readForm } from '$lib/server/http/form';
import { actorOf } from '$lib/server/http/scope';
import { createFromApplication, listWinners } from '$lib/server/library/practices';

export const load: PageServerLoad = async ({ parent }) => {
	await parent();
	return { winners: listWinners(db()) };
};

export const actions: Actions = {
	create: async (event) => {
		const actor = actorOf(event);
		const { raw } = await readForm(event.request);
		return act(() => redirect(303, `/admin/library/${createFromApplication(db(), actor, String(raw.application ?? '')).id}?created=1`), raw, {
			as: (e) => fail(e.status, { message: e.message })
		});
	}
};
