import type { RequestHandler } from './$types';
import { db } from '$lib/server/db/client';
import { libraryAtom } from '$lib/server/library/opendata';

export const GET: RequestHandler = ({ url }) =>
	new Response(libraryAtom(db(), url.origin), {
		headers: { 'content-type': 'application/atom+xml; charset=utf-8', 'cache-control': 'public, max-age=600' }
	});
