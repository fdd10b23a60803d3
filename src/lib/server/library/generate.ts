/**
 * Realistic generated practices for the benchmark and load tests: sentences of DEMO_PRACTICES
 * recombined, places across all regions, years, spheres, tags and result numbers varied by a
 * seeded PRNG. Not used by the portal itself.
 */
import type { DB } from '../db/client';
import { practices } from '../db/schema';
import { DEMO_NOMINATIONS, DEMO_PRACTICES } from '../db/demo-content';
import { REGIONS } from '../../data/regions';
import { newId } from '../ids';
import type { PracticeInput } from '../../schemas/library';
import { indexPractice } from './search-index';
import { slugify } from './text';
import { mulberry32 } from '../random';

const sentences = (s: string) => s.match(/[^.!?]+[.!?]+(\s|$)/g)?.map((x) => x.trim()) ?? [s];

export function generatePractices(n: number, seed = 2026): PracticeInput[] {
	const rnd = mulberry32(seed);
	const pick = <T>(a: T[]): T => a[Math.floor(rnd() * a.length)];
	const pool = {
		summary: DEMO_PRACTICES.flatMap((p) => sentences(p.summary)),
		problem: DEMO_PRACTICES.flatMap((p) => sentences(p.problem)),
		actions: DEMO_PRACTICES.flatMap((p) => sentences(p.actions))
	};
	const allTags = [...new Set(DEMO_PRACTICES.flatMap((p) => p.tags))];
	const out: PracticeInput[] = [];
	for (let i = 0; i < n; i++) {
		const base = pick(DEMO_PRACTICES);
		const region = pick(REGIONS);
		const year = 2018 + Math.floor(rnd() * 8);
		const take = (arr: string[], k: number) => Array.from({ length: k }, () => pick(arr)).join(' ');
		const titleBase = pick(DEMO_PRACTICES).title.split(':')[0];
		out.push({
			title: `${titleBase}: опыт ${region.name.replace(/^г\. /, '')} (${i + 1})`.slice(0, 200),
			slug: '',
			summary: take(pool.summary, 2).slice(0, 1000),
			problem: take(pool.problem, 3),
			actions: take(pool.actions, 5),
			team: base.team,
			region: region.code,
			municipality: base.municipality,
			organization: base.organization,
			sphere: base.sphere,
			nomination: DEMO_NOMINATIONS.find((x) => x.slug === base.nominationSlug)?.title ?? '',
			year,
			since: year - Math.floor(rnd() * 5),
			source: rnd() < 0.7 ? `Наставничество-${year}` : 'Школа мэров',
			tags: [...new Set([...base.tags.slice(0, 2), pick(allTags)])],
			contacts: '',
			contactsConsent: false,
			results: base.results.map((r) => ({
				...r,
				baseline: r.baseline == null ? null : Math.round(r.baseline * (0.6 + rnd() * 0.8) * 10) / 10,
				value: Math.round(r.value * (0.6 + rnd() * 0.8) * 10) / 10
			}))
		});
	}
	return out;
}

/** Inserts published practices and their search documents fast: one transaction, no audit. */
export function bulkInsertPublished(db: DB, inputs: PracticeInput[], now = new Date(), slugOffset = 0) {
	const known = new Set<string>();
	db.transaction(() => {
		inputs.forEach((input, i) => {
			const at = new Date(now.getTime() - i * 3600_000);
			const p = db
				.insert(practices)
				.values({
					id: newId(),
					slug: `${slugify(input.title, 60)}-${slugOffset + i + 1}`,
					status: 'published',
					title: input.title,
					summary: input.summary,
					problem: input.problem,
					actions: input.actions,
					team: input.team,
					results: input.results,
					regionCode: input.region,
					municipality: input.municipality,
					organization: input.organization,
					sphere: input.sphere,
					nominationTitle: input.nomination,
					year: input.year,
					since: input.since,
					source: input.source,
					tags: input.tags,
					publishedAt: at,
					createdAt: at,
					updatedAt: at
				})
				.returning()
				.get();
			indexPractice(db, p, now, known);
		});
	});
}
