import { error, fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { db } from '$lib/server/db/client';
import { requireUser } from '$lib/server/auth/guards';
import { formObject, parseForm } from '$lib/server/http/form';
import { DomainError } from '$lib/server/errors';
import { getPracticeBySlug, listAdoptions, recordAdoption, withdrawAdoption } from '$lib/server/library/practices';
import { PRACTICE_STATUS_TITLE } from '$lib/glossary';
import { relatedPractices } from '$lib/server/library/search';
import { practiceMedia } from '$lib/server/library/media';
import { adoptionSchema, SPHERE_TITLE } from '$lib/schemas/library';
import { districtOf, regionByCode } from '$lib/data/regions';

/** Published practices for everybody; drafts and unpublished ones for organizers only (a preview). */
function visible(slug: string, role: string | undefined) {
	const p = getPracticeBySlug(db(), slug);
	if (!p || (p.status !== 'published' && role !== 'organizer')) error(404, 'Практика не найдена');
	return p;
}

export const load: PageServerLoad = async ({ params, locals, url }) => {
	const d = db();
	const p = visible(params.slug, locals.user?.role);
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
		const p = visible(params.slug, locals.user?.role);
		const raw = await formObject(request);
		const parsed = parseForm(adoptionSchema, raw);
		if (!parsed.ok) return parsed.failure;
		try {
			recordAdoption(db(), user, p.id, parsed.data);
		} catch (e) {
			if (e instanceof DomainError) return fail(e.status, { values: raw, errors: {}, message: e.message });
			throw e;
		}
		return { adopted: true };
	},
	withdraw: async ({ params, locals, url }) => {
		const user = requireUser(locals, url);
		const p = visible(params.slug, locals.user?.role);
		try {
			withdrawAdoption(db(), user, p.id);
		} catch (e) {
			if (e instanceof DomainError) return fail(e.status, { values: {}, errors: {}, message: e.message });
			throw e;
		}
		return { withdrawn: true };
	}
};
