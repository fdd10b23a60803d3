import type { RequestHandler } from './$types';
import { visiblePractice } from '$lib/server/http/scope';
import { posterSvg } from '$lib/server/library/poster';
import { SPHERE_TITLE } from '$lib/schemas/library';
import { regionByCode } from '$lib/data/regions';

/** The generated poster of a practice (public for published practices, organizers see drafts). */
export const GET: RequestHandler = ({ params, locals }) => {
	const p = visiblePractice(params.slug, locals.user);
	const region = p.regionCode ? (regionByCode(p.regionCode)?.name ?? '') : '';
	const svg = posterSvg({ title: p.title, sphere: p.sphere, sphereTitle: p.sphere ? (SPHERE_TITLE[p.sphere] ?? '') : '', place: region, year: p.year });
	return new Response(svg, {
		headers: {
			'content-type': 'image/svg+xml; charset=utf-8',
			'cache-control': p.status === 'published' ? 'public, max-age=3600' : 'private, no-store',
			// An SVG opened on its own must not run anything.
			'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; sandbox",
			etag: `"${p.updatedAt.getTime().toString(36)}"`
		}
	});
};
