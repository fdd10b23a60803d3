import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { db } from '$lib/server/db/client';
import { requireRole } from '$lib/server/auth/guards';
import { formFail } from '$lib/server/http/form';
import { withdrawApplication } from '$lib/server/applications/service';
import { DomainError } from '$lib/server/errors';
import { applicantFeedback } from '$lib/server/results/feedback';
import { applicationTimeline } from '$lib/server/applications/timeline';

export const load: PageServerLoad = async ({ parent, params, url }) => {
	const data = await parent();
	if (data.application.status === 'draft' && data.editable) redirect(303, `/cabinet/applications/${params.id}/about`);
	// Ownership was checked by the layout (applicationView); feedback is null unless released.
	return { justSubmitted: url.searchParams.get('submitted') === '1', timeline: applicationTimeline(db(), params.id), feedback: data.application.status === 'draft' ? null : applicantFeedback(db(), params.id) };
};

export const actions: Actions = {
	withdraw: ({ locals, url, params }) => {
		const user = requireRole(locals, url, 'applicant');
		try {
			withdrawApplication(db(), user, params.id);
		} catch (e) {
			if (e instanceof DomainError) return formFail(e.status, {}, {}, e.message);
			throw e;
		}
		redirect(303, '/cabinet');
	}
};
