import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { requireRole } from '$lib/server/auth/guards';
import { db } from '$lib/server/db/client';
import { actorOf } from '$lib/server/actor';
import { formObject } from '$lib/server/http/form';
import { contestFormSchema, contestFormValues } from '$lib/schemas/contest';
import { contestSettings } from '$lib/server/contests/settings';
import { createContest } from '$lib/server/contests/admin';
import { parseContestForm, refuse } from '$lib/server/contests/forms';

export const load: PageServerLoad = ({ locals, url }) => {
	requireRole(locals, url, 'organizer');
	const year = new Date().getFullYear() + 1;
	// Limits start from the defaults of contests/settings.ts; dates are for the organizer to pick.
	const values = contestFormValues({ title: '', slug: '', year, rules: '', openAt: 0, closeAt: 0, reviewEndAt: 0, resultsAt: 0, numberPrefix: 'НС' }, contestSettings({}));
	for (const k of ['openAt', 'closeAt', 'reviewEndAt', 'resultsAt']) values[k] = '';
	return { values };
};

export const actions: Actions = {
	default: async ({ locals, url, request, getClientAddress }) => {
		const user = requireRole(locals, url, 'organizer');
		const raw = await formObject(request);
		const parsed = parseContestForm(contestFormSchema, raw);
		if (!parsed.ok) return parsed.failure;
		let id: string;
		try {
			id = createContest(db(), actorOf(user, getClientAddress()), parsed.data).id;
		} catch (e) {
			return refuse(e, raw);
		}
		redirect(303, `/admin/contests/${id}?saved=created`);
	}
};
