import type { RequestHandler } from './$types';
import { db } from '$lib/server/db/client';
import { apiCall, apiUser } from '$lib/server/http/api';
import { abortUpload, deleteUploaded } from '$lib/server/applications/uploads';
import { error } from '@sveltejs/kit';

/** Cancels an upload in progress, or removes an uploaded file of an editable application. */
export const DELETE: RequestHandler = async (event) => {
	const user = apiUser(event);
	const origin = event.request.headers.get('origin');
	if (origin && origin !== event.url.origin) error(403, 'Запрос с чужого сайта отклонён');
	const mode = event.url.searchParams.get('mode');
	return apiCall(async () => {
		if (mode === 'file') await deleteUploaded(db(), user, event.params.id);
		else await abortUpload(db(), user, event.params.id);
		return { ok: true };
	});
};
