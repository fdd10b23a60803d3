import type { RequestHandler } from './$types';
import { db } from '$lib/server/db/client';
import { apiBody, apiCall, apiUser } from '$lib/server/http/api';
import { signRequestSchema } from '$lib/schemas/application';
import { signUploadRequest } from '$lib/server/applications/uploads';

/** Uppy's signRequest: one S3 request of the asset's multipart upload, signed. */
export const POST: RequestHandler = async (event) => {
	const user = apiUser(event);
	const body = await apiBody(event, signRequestSchema);
	return apiCall(() => signUploadRequest(db(), user, body));
};
