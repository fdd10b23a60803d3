import { error, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { requireRole } from '$lib/server/auth/guards';
import { db } from '$lib/server/db/client';
import { actorOf } from '$lib/server/actor';
import { formObject } from '$lib/server/http/form';
import { contestFormSchema, contestFormValues } from '$lib/schemas/contest';
import { contestSettings } from '$lib/server/contests/settings';
import { getContest, updateContest } from '$lib/server/contests/admin';
import { parseContestForm, refuse } from '$lib/server/contests/forms';
import { DomainError } from '$lib/server/errors';

function load404(id: string) {
	try {
		return getContest(db(), id);
	} catch (e) {
		if (e instanceof DomainError) error(e.status, e.message);
		throw e;
	}
}

export const load: PageServerLoad = ({ locals, url, params }) => {
	requireRole(locals, url, 'organizer');
	const c = load404(params.id);
	return {
		contest: { id: c.id, title: c.title, phase: c.phase },
		values: contestFormValues(c, contestSettings(c.settings))
	};
};

export const actions: Actions = {
	default: async ({ locals, url, request, params, getClientAddress }) => {
		const user = requireRole(locals, url, 'organizer');
		load404(params.id);
		const raw = await formObject(request);
		const parsed = parseContestForm(contestFormSchema, raw);
		if (!parsed.ok) return parsed.failure;
		let saved = 'saved';
		try {
			const r = updateContest(db(), actorOf(user, getClientAddress()), params.id, parsed.data);
			if (r.deadlineMoved) saved = 'deadline';
			else if (!r.changed.length) saved = 'unchanged';
		} catch (e) {
			return refuse(e, raw);
		}
		redirect(303, `/admin/contests/${params.id}?saved=${saved}`);
	}
};
