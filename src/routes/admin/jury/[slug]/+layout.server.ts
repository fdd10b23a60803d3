import type { LayoutServerLoad } from './$types';
import { contestBySlug } from '$lib/server/http/scope';

/** The contest of every page of the jury console, resolved once (the pages: `await parent()`). */
export const load: LayoutServerLoad = async ({ parent, params }) => {
	await parent();
	const c = contestBySlug(params.slug);
	return { contest: { id: c.id, slug: c.slug, title: c.title, phase: c.phase, settings: c.settings } };
};
