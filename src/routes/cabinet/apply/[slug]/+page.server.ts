import { error, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { db } from '$lib/server/db/client';
import { guard } from '$lib/server/http/guards';
import { act, formFail, readForm } from '$lib/server/http/form';
import { canSeeContest, type Viewer } from '$lib/server/auth/access';
import { getContestBySlug, listNominations } from '$lib/server/contests/queries';
import { acceptsEdits, startApplication } from '$lib/server/applications/service';
import { listMyApplications } from '$lib/server/applications/queries';

function contestFor(slug: string, viewer: Viewer) {
	const contest = getContestBySlug(db(), slug);
	if (!contest || !canSeeContest(viewer, contest)) error(404, 'Конкурс не найден');
	return contest;
}

export const load: PageServerLoad = (event) => {
	const { url } = event;
	const user = guard(event);
	const contest = contestFor(event.params.slug, user);
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
	default: async (event) => {
		const user = guard(event);
		const contest = contestFor(event.params.slug, user);
		const { raw } = await readForm(event.request);
		if (!raw.nomination) return formFail(400, raw, { nomination: 'Выберите номинацию' });
		return act(() => redirect(303, `/cabinet/applications/${startApplication(db(), user, contest, raw.nomination).id}/about`), raw);
	}
};
