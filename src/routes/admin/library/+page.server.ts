import type { PageServerLoad } from './$types';
import { db } from '$lib/server/db/client';
import { listForOrganizer } from '$lib/server/library/practices';
import { PRACTICE_STATUS_TITLE } from '$lib/glossary';
import { regionByCode } from '$lib/data/regions';

export const load: PageServerLoad = async ({ parent, url }) => {
	await parent();
	const status = url.searchParams.get('status') ?? '';
	const q = (url.searchParams.get('q') ?? '').slice(0, 100);
	const { rows, counts } = listForOrganizer(db(), { q, status });
	return {
		q,
		status: status in PRACTICE_STATUS_TITLE ? status : '',
		counts,
		deleted: url.searchParams.get('deleted') === '1',
		rows: rows.map((r) => ({
			id: r.id,
			slug: r.slug,
			title: r.title,
			status: r.status,
			region: r.regionCode ? (regionByCode(r.regionCode)?.name ?? '') : '',
			year: r.year,
			source: r.source,
			fromApplication: !!r.applicationId,
			updatedAt: r.updatedAt.getTime()
		}))
	};
};
