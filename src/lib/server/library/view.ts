/**
 * A practice as readers see it — built once, here: the practice page renders it and the open-data
 * JSON (`opendata.practiceJson`) is made from it, so the two can never disagree about what is
 * public (contacts only with the author's consent) or how a region, district or sphere is named.
 */
import type { Practice } from '../db/schema';
import { districtOf, regionByCode } from '../../data/regions';
import { SPHERE_TITLE } from '../../schemas/library';
import { PRACTICE_STATUS_TITLE } from '../../glossary';

export function practiceView(p: Practice) {
	const region = p.regionCode ? regionByCode(p.regionCode) : undefined;
	const district = p.regionCode ? districtOf(p.regionCode) : undefined;
	return {
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
		/** Published only with the author's consent; `null` without it. */
		contacts: p.contactsConsent ? p.contacts : null,
		videoConsent: p.videoConsent,
		publishedAt: p.publishedAt?.getTime() ?? null,
		updatedAt: p.updatedAt.getTime()
	};
}

export type PracticeView = ReturnType<typeof practiceView>;
