import type { RequestHandler } from './$types';
import { db } from '$lib/server/db/client';
import { apiBody, apiCall, apiUser } from '$lib/server/http/api';
import { uploadRequestSchema } from '$lib/schemas/application';
import { createUpload } from '$lib/server/applications/uploads';

/** Starts an upload of a video or a letter for one of the user's applications. */
export const POST: RequestHandler = async (event) => {
	const user = apiUser(event);
	const body = await apiBody(event, uploadRequestSchema);
	return apiCall(() => {
		const a = createUpload(db(), user, body);
		return { assetId: a.id, key: a.key };
	});
};
