import type { RequestHandler } from './$types';
import { db } from '$lib/server/db/client';
import { sitemapXml } from '$lib/server/library/opendata';

export const GET: RequestHandler = ({ url }) =>
	new Response(sitemapXml(db(), url.origin, ['/', '/contests', '/library', '/library/overview']), {
		headers: { 'content-type': 'application/xml; charset=utf-8', 'cache-control': 'public, max-age=3600' }
	});
