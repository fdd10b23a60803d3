import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { db } from '$lib/server/db/client';
import { act, validate } from '$lib/server/http/form';
import { contestByIdScope } from '$lib/server/http/scope';
import { contestFormSchema, contestFormValues } from '$lib/schemas/contest';
import { contestSettings } from '$lib/server/contests/settings';
import { updateContest } from '$lib/server/contests/admin';
import { CONTEST_FORM } from '../../form';

export const load: PageServerLoad = (event) => {
	const { contest: c } = contestByIdScope(event);
	return {
		contest: { id: c.id, title: c.title, phase: c.phase },
		values: contestFormValues(c, contestSettings(c.settings))
	};
};

export const actions: Actions = {
	default: async (event) => {
		const { actor, contest } = contestByIdScope(event);
		const { raw, ...parsed } = await validate(event.request, contestFormSchema, CONTEST_FORM);
		if (!parsed.ok) return parsed.failure;
		return act(() => {
			const r = updateContest(db(), actor, contest.id, parsed.data);
			redirect(303, `/admin/contests/${contest.id}?saved=${r.deadlineMoved ? 'deadline' : r.changed.length ? 'saved' : 'unchanged'}`);
		}, raw, CONTEST_FORM);
	}
};
