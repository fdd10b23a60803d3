import type { Actions, PageServerLoad } from './$types';
import { db } from '$lib/server/db/client';
import { requireUser } from '$lib/server/http/guards';
import { act, validate } from '$lib/server/http/form';
import { visiblePractice } from '$lib/server/http/scope';
import { listAdoptions, recordAdoption, withdrawAdoption } from '$lib/server/library/practices';
import { PRACTICE_STATUS_TITLE } from '$lib/glossary';
import { relatedPractices } from '$lib/server/library/search';
import { practiceMedia } from '$lib/server/library/media';
import { adoptionSchema, SPHERE_TITLE } from '$lib/schemas/library';
import { districtOf, regionByCode } from '$lib/data/regions';

export const load: PageServerLoad = async ({ params, locals, url }) => {
	const d = db();
	// Published practices for everybody; drafts and unpublished ones are an organizer's preview.
	const p = visiblePractice(params.slug, locals.user);
	const preview = p.status !== 'published';
	const region = p.regionCode ? regionByCode(p.regionCode) : undefined;
	const district = p.regionCode ? districtOf(p.regionCode) : undefined;
	const adoptions = listAdoptions(d, p.id);
	const mine = locals.user ? adoptions.find((a) => a.userId === locals.user!.id) : undefined;
	const media = await practiceMedia(d, p, { showUnconsentedVideo: preview });
	return {
		practice: {
			id: p.id,
			slug: p.slug,
			status: p.status,
			statusTitle: PRACTICE_STATUS_TITLE[p.status],
			title: p.title,
			summary: p.summary,
			problem: p.problem,
			actions: p.actions,
			team: p.team,
			results: p.results,
			regionCode: p.regionCode,
			regionName: region?.name ?? '',
			district: district ? { code: district.code, name: district.name, short: district.short } : null,
			municipality: p.municipality,
			organization: p.organization,
			sphere: p.sphere,
			sphereTitle: p.sphere ? (SPHERE_TITLE[p.sphere] ?? p.sphere) : '',
			nominationTitle: p.nominationTitle,
			year: p.year,
			since: p.since,
			source: p.source,
			tags: p.tags,
			contacts: p.contactsConsent ? p.contacts : '',
			videoConsent: p.videoConsent,
			publishedAt: p.publishedAt?.getTime() ?? null,
			updatedAt: p.updatedAt.getTime()
		},
		preview,
		media,
		related: relatedPractices(d, p).map((r) => ({ slug: r.slug, title: r.title, region: r.region ? (regionByCode(r.region)?.name ?? '') : '', year: r.year })),
		adoptions: adoptions.map((a) => ({ id: a.id, organization: a.organization, result: a.result, at: a.createdAt.getTime(), mine: a.userId === locals.user?.id })),
		mine: mine ? { organization: mine.organization, result: mine.result } : null,
		loggedIn: !!locals.user,
		isOrganizer: locals.user?.role === 'organizer',
		origin: url.origin
	};
};

export const actions: Actions = {
	adopt: async ({ params, locals, url, request }) => {
		const user = requireUser(locals, url);
		const p = visiblePractice(params.slug, user);
		const { raw, ...parsed } = await validate(request, adoptionSchema);
		if (!parsed.ok) return parsed.failure;
		return act(() => {
			recordAdoption(db(), user, p.id, parsed.data);
			return { adopted: true };
		}, raw);
	},
	withdraw: ({ params, locals, url }) => {
		const user = requireUser(locals, url);
		const p = visiblePractice(params.slug, user);
		return act(() => {
			withdrawAdoption(db(), user, p.id);
			return { withdrawn: true };
		});
	}
};
