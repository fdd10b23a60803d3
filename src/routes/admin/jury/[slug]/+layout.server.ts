import type { LayoutServerLoad } from './$types';
import { requireRole } from '$lib/server/auth/guards';
import { contestOr404 } from '$lib/server/review/http';

export const load: LayoutServerLoad = ({ locals, url, params }) => {
	requireRole(locals, url, 'organizer');
	const c = contestOr404(params.slug);
	return { contest: { id: c.id, slug: c.slug, title: c.title, phase: c.phase } };
};
