import type { RequestHandler } from './$types';
import { error } from '@sveltejs/kit';
import { db } from '$lib/server/db/client';
import { apiCall, apiUser } from '$lib/server/http/api';
import { requireRole } from '$lib/server/http/guards';
import { completePracticeUpload } from '$lib/server/library/files';

/** Finishes a document or video upload after the browser's PUT: size and real type checked. */
export const POST: RequestHandler = async (event) => {
	apiUser(event);
	const user = requireRole(event.locals, event.url, 'organizer');
	const origin = event.request.headers.get('origin');
	if (origin && origin !== event.url.origin) error(403, 'Запрос с чужого сайта отклонён');
	return apiCall(async () => {
		const a = await completePracticeUpload(db(), user, event.params.id);
		return { id: a.id, name: a.originalName, size: a.size, kind: a.kind };
	});
};
