import type { RequestHandler } from './$types';
import { db } from '$lib/server/db/client';
import { apiCall, apiUser } from '$lib/server/http/api';
import { completeUpload } from '$lib/server/applications/uploads';
import { error } from '@sveltejs/kit';

/** After S3 assembled the object: verify size, real type and (video) duration. */
export const POST: RequestHandler = async (event) => {
	const user = apiUser(event);
	const origin = event.request.headers.get('origin');
	if (origin && origin !== event.url.origin) error(403, 'Запрос с чужого сайта отклонён');
	return apiCall(async () => {
		const r = await completeUpload(db(), user, event.params.id);
		return {
			assetId: r.asset.id,
			status: r.asset.status,
			rejected: r.rejected ?? null,
			size: r.asset.size,
			mime: r.asset.mime,
			durationSec: (r.asset.facts as { durationSec?: number } | null)?.durationSec ?? null
		};
	});
};
