import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { requireRole } from '$lib/server/auth/guards';
import { db } from '$lib/server/db/client';
import { formObject } from '$lib/server/http/form';
import { DomainError } from '$lib/server/errors';
import { createFromApplication, listWinners } from '$lib/server/library/practices';

export const load: PageServerLoad = ({ locals, url }) => {
	requireRole(locals, url, 'organizer');
	return { winners: listWinners(db()) };
};

export const actions: Actions = {
	create: async ({ locals, url, request }) => {
		const user = requireRole(locals, url, 'organizer');
		const raw = await formObject(request);
		let id: string;
		try {
			id = createFromApplication(db(), user, String(raw.application ?? '')).id;
		} catch (e) {
			if (e instanceof DomainError) return fail(e.status, { message: e.message });
			throw e;
		}
		redirect(303, `/admin/library/${id}?created=1`);
	}
};
