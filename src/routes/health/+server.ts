import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { db } from '$lib/server/db/client';
import { s3Reachable } from '$lib/server/storage/s3';

export const GET: RequestHandler = async () => {
	let database = false;
	try {
		database = db().$client.prepare('select 1 as ok').get() !== undefined;
	} catch {
		database = false;
	}
	const storage = await s3Reachable(2000);
	const ok = database && storage;
	return json(
		{ status: ok ? 'ok' : 'degraded', database: database ? 'ok' : 'down', s3: storage ? 'ok' : 'down', time: new Date().toISOString() },
		{ status: ok ? 200 : 503, headers: { 'Cache-Control': 'no-store' } }
	);
};
