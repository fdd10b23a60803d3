import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { db } from '$lib/server/db/client';
import { guard } from '$lib/server/http/guards';
import { act } from '$lib/server/http/form';
import { canSeeFeedback } from '$lib/server/auth/access';
import { withdrawApplication } from '$lib/server/applications/service';
import { applicantFeedback } from '$lib/server/results/feedback';
import { applicationTimeline } from '$lib/server/applications/timeline';

export const load: PageServerLoad = async (event) => {
	const { params, url } = event;
	const data = await event.parent();
	if (data.application.status === 'draft' && data.editable) redirect(303, `/cabinet/applications/${params.id}/about`);
	// The layout's applicationView let only the applicant through; feedback is null unless released.
	const user = guard(event);
	const feedback = canSeeFeedback(user, { applicantId: user.id, status: data.application.status }) ? applicantFeedback(db(), params.id) : null;
	return { justSubmitted: url.searchParams.get('submitted') === '1', timeline: applicationTimeline(db(), params.id), feedback };
};

export const actions: Actions = {
	withdraw: (event) => {
		const user = guard(event);
		return act(() => {
			withdrawApplication(db(), user, event.params.id);
			redirect(303, '/cabinet');
		});
	}
};
