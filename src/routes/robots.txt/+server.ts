import type { RequestHandler } from './$types';
import { robotsTxt } from '$lib/server/library/opendata';

export const GET: RequestHandler = ({ url }) =>
	new Response(robotsTxt(url.origin), { headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'public, max-age=86400' } });
