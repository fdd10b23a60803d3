import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { db } from '$lib/server/db/client';
import { act, validate } from '$lib/server/http/form';
import { actorOf } from '$lib/server/http/scope';
import { contestFormSchema, contestFormValues } from '$lib/schemas/contest';
import { contestSettings } from '$lib/server/contests/settings';
import { createContest } from '$lib/server/contests/admin';
import { CONTEST_FORM } from '../form';

export const load: PageServerLoad = async ({ parent }) => {
	await parent();
	const year = new Date().getFullYear() + 1;
	// Limits start from the defaults of contests/settings.ts; dates are for the organizer to pick.
	const values = contestFormValues({ title: '', slug: '', year, rules: '', openAt: 0, closeAt: 0, reviewEndAt: 0, resultsAt: 0, numberPrefix: 'НС' }, contestSettings({}));
	for (const k of ['openAt', 'closeAt', 'reviewEndAt', 'resultsAt']) values[k] = '';
	return { values };
};

export const actions: Actions = {
	default: async (event) => {
		const actor = actorOf(event);
		const { raw, ...parsed } = await validate(event.request, contestFormSchema, CONTEST_FORM);
		if (!parsed.ok) return parsed.failure;
		return act(() => redirect(303, `/admin/contests/${createContest(db(), actor, parsed.data).id}?saved=created`), raw, CONTEST_FORM);
	}
};
