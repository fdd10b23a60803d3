import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { db } from '$lib/server/db/client';
import { act, formFail, readForm } from '$lib/server/http/form';
import { actorOf } from '$lib/server/http/scope';
import { createPractice, formOptions } from '$lib/server/library/practices';
import { parsePracticeInput } from '$lib/schemas/library';
import { PRACTICE_FORM } from '../form';

export const load: PageServerLoad = async ({ parent }) => {
	await parent();
	return { options: formOptions(db()), defaults: { year: String(new Date().getFullYear()) } };
};

export const actions: Actions = {
	default: async (event) => {
		const actor = actorOf(event);
		const { raw } = await readForm(event.request);
		const parsed = parsePracticeInput(raw);
		if (!parsed.ok) return formFail(400, raw, parsed.errors, 'Проверьте выделенные поля', PRACTICE_FORM);
		return act(() => redirect(303, `/admin/library/${createPractice(db(), actor, parsed.data, { publish: raw.intent === 'publish' }).id}?created=1`), raw, PRACTICE_FORM);
	}
};
