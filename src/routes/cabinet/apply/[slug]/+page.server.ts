import { error, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { db } from '$lib/server/db/client';
import { requireRole } from '$lib/server/auth/guards';
import { getContestBySlug, listNominations } from '$lib/server/contests/queries';
import { startApplication } from '$lib/server/applications/service';
import { acceptsEdits } from '$lib/server/contests/deadline';
import { DomainError } from '$lib/server/errors';
import { formFail, formObject } from '$lib/server/http/form';
import { listMyApplications } from '$lib/server/applications/queries';

export const load: PageServerLoad = ({ params, locals, url }) => {
	const user = requireRole(locals, url, 'applicant');
	const contest = getContestBySlug(db(), params.slug);
	if (!contest || contest.phase === 'draft') error(404, 'Конкурс не найден');
	const mine = listMyApplications(db(), user.id).filter((a) => a.contestSlug === contest.slug && a.status !== 'withdrawn');
	return {
		contest: { slug: contest.slug, title: contest.title, closeAt: contest.closeAt.getTime(), open: acceptsEdits(contest, new Date()) },
		nominations: listNominations(db(), contest.id).map((n) => ({ slug: n.slug, title: n.title, description: n.description, track: n.track })),
		mine: mine.map((a) => ({ id: a.id, nominationTitle: a.nominationTitle, status: a.status })),
		// The nomination chosen on the contest page (carried through registration): pre-selected.
		chosen: url.searchParams.get('nomination') ?? '',
		verified: url.searchParams.get('verified') === '1'
	};
};

export const actions: Actions = {
	default: async ({ params, locals, url, request }) => {
		const user = requireRole(locals, url, 'applicant');
		const contest = getContestBySlug(db(), params.slug);
		if (!contest) error(404, 'Конкурс не найден');
		const raw = await formObject(request);
		if (!raw.nomination) return formFail(400, raw, { nomination: 'Выберите номинацию' });
		let id: string;
		try {
			id = startApplication(db(), user, contest, raw.nomination).id;
		} catch (e) {
			if (e instanceof DomainError) return formFail(e.status, raw, {}, e.message);
			throw e;
		}
		redirect(303, `/cabinet/applications/${id}/about`);
	}
};
