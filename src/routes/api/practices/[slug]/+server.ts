import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { db } from '$lib/server/db/client';
import { getPracticeBySlug } from '$lib/server/library/practices';
import { practiceJson } from '$lib/server/library/opendata';
import { inOpenData } from '$lib/server/auth/access';

/** One published practice as JSON (404 for anything else, organizers included: this is open data). */
export const GET: RequestHandler = ({ params, url }) => {
	const p = getPracticeBySlug(db(), params.slug);
	if (!p || !inOpenData(p)) return json({ message: 'Практика не найдена' }, { status: 404, headers: { 'access-control-allow-origin': '*' } });
	return json(practiceJson(p, url.origin), { headers: { 'access-control-allow-origin': '*', 'cache-control': 'public, max-age=60' } });
};
