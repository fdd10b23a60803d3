import type { RequestHandler } from './$types';
import { db } from '$lib/server/db/client';
import { apiCall, apiUser } from '$lib/server/http/api';
import { videoForViewer } from '$lib/server/media/queries';
import { toStatusDTO, videoState } from '$lib/server/media/playback';

/**
 * Processing state of a video for VideoStatus (polled while it is processed): the owner and
 * organizers only. `?player=1` adds short-lived playback URLs.
 */
export const GET: RequestHandler = async (event) => {
	const user = apiUser(event);
	const withPlayback = event.url.searchParams.get('player') === '1';
	const res = await apiCall(async () => {
		videoForViewer(db(), user, event.params.id);
		return toStatusDTO(await videoState(db(), event.params.id, { withPlayback }));
	});
	res.headers.set('Cache-Control', 'no-store');
	return res;
};
