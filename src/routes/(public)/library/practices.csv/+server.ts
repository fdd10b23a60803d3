import type { RequestHandler } from './$types';
import { db } from '$lib/server/db/client';
import { libraryCsv } from '$lib/server/library/opendata';

/** The whole published library as CSV (the columns of the import template). */
export const GET: RequestHandler = ({ url }) =>
	new Response(libraryCsv(db(), url.origin), {
		headers: {
			'content-type': 'text/csv; charset=utf-8',
			'content-disposition': `attachment; filename="nastavnichestvo-praktiki.csv"`,
			'cache-control': 'public, max-age=600',
			'access-control-allow-origin': '*'
		}
	});
