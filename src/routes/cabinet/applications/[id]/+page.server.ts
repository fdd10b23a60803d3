import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { db } from '$lib/server/db/client';
import { requireRole } from '$lib/server/auth/guards';
import { DomainError } from '$lib/server/errors';
import { applicationView } from '$lib/server/applications/view';
import { currentVideo } from '$lib/server/media/queries';
import { toStatusDTO, videoState } from '$lib/server/media/playback';

// A summary of one application with its video status (the application wizard will take this over).
export const load: PageServerLoad = async ({ params, locals, url }) => {
	const user = requireRole(locals, url, 'applicant');
	let view;
	try {
		view = await applicationView(db(), user, params.id);
	} catch (e) {
		if (e instanceof DomainError) error(e.status, e.message);
		throw e;
	}
	const video = currentVideo(db(), params.id);
	return {
		application: view.application,
		contest: view.contest,
		nomination: view.nomination,
		practiceTitle: String(view.application.practice?.title ?? ''),
		video: video ? { name: video.originalName, status: toStatusDTO(await videoState(db(), video.id, { withPlayback: true })) } : null
	};
};
