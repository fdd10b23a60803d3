import type { RequestHandler } from './$types';
import { db } from '$lib/server/db/client';
import { apiBody, apiCall, apiUser } from '$lib/server/http/api';
import { requireRole } from '$lib/server/http/guards';
import { practiceUploadSchema } from '$lib/schemas/library';
import { startPracticeUpload } from '$lib/server/library/files';

/** Starts an upload of a document, a video or an import file: returns a presigned PUT. */
export const POST: RequestHandler = async (event) => {
	apiUser(event);
	const user = requireRole(event.locals, event.url, 'organizer');
	const body = await apiBody(event, practiceUploadSchema);
	return apiCall(() => startPracticeUpload(db(), user, body));
};
