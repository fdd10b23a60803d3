import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { requireRole } from '$lib/server/auth/guards';
import { db } from '$lib/server/db/client';
import { formObject } from '$lib/server/http/form';
import { practiceFail as formFail } from '$lib/server/library/http';
import { DomainError } from '$lib/server/errors';
import { createPractice, formOptions } from '$lib/server/library/practices';
import { parsePracticeInput } from '$lib/schemas/library';

export const load: PageServerLoad = ({ locals, url }) => {
	requireRole(locals, url, 'organizer');
	return { options: formOptions(db()), defaults: { year: String(new Date().getFullYear()) } };
};

export const actions: Actions = {
	default: async ({ locals, url, request }) => {
		const user = requireRole(locals, url, 'organizer');
		const raw = await formObject(request);
		const parsed = parsePracticeInput(raw);
		if (!parsed.ok) return formFail(400, raw, parsed.errors, 'Проверьте выделенные поля');
		let id: string;
		try {
			id = createPractice(db(), user, parsed.data, { publish: raw.intent === 'publish' }).id;
		} catch (e) {
			if (e instanceof DomainError) return formFail(e.status, raw, e.details?.field ? { [String(e.details.field)]: e.message } : {}, e.message);
			throw e;
		}
		redirect(303, `/admin/library/${id}?created=1`);
	}
};
