import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { tempDb } from '../../../../tests/helpers/db';
import type { DB } from '../db/client';
import { practices, type Practice } from '../db/schema';
import { districtOf } from '../../data/regions';
import { searchLibrary, relatedPractices, searchTuning } from './search';
import { dropLibraryIndex, indexTuning, libraryIndex } from './library-index';
import { createPractice, deletePractice, publishPractice, unpublishPractice, updatePractice } from './practices';
import { seedLibraryPractices } from './demo';
import { ORG, addUsers, input, params } from './test-helpers';
import { FACET_KEYS } from '../../schemas/library-search';
import { normalize } from './text';
import { eq } from 'drizzle-orm';

let t: ReturnType<typeof tempDb>;
let db: DB;
beforeEach(() => {
	t = tempDb();
	db = t.db;
	addUsers(db);
	indexTuning.garbageShare = 0.25;
	indexTuning.minGarbage = 64;
	searchTuning.facetCounting = 'auto';
});
afterEach(() => {
	searchTuning.facetCounting = 'auto';
	indexTuning.garbageShare = 0.25;
	indexTuning.minGarbage = 64;
	t.cleanup();
});

/** Everything a search shows, without the timing. */
function view(qs: string | Record<string, string>) {
	const r = searchLibrary(db, params(qs));
	return { total: r.total, corrected: r.corrected, items: r.items.map((i) => i.slug), facets: r.facets };
}

/** The same searches on the kept (incrementally updated) index and on one built from scratch. */
function sameAsFresh(queries: (string | Record<string, string>)[]) {
	const kept = queries.map(view);
	dropLibraryIndex(db);
	const fresh = queries.map(view);
	expect(kept).toEqual(fresh);
}

const QUERIES: (string | Record<string, string>)[] = [{}, { q: 'наставник' }, { q: 'адаптация молодых' }, { q: 'школа', sort: 'newest' }, 'district=pfd&sphere=education', { q: 'врачи', tag: 'адаптация' }, { q: 'завод', sort: 'impact' }];

describe('the in-memory index follows the library by increments', () => {
	it('publishing, editing, unpublishing and deleting change it without a rebuild, and it answers as a fresh one', () => {
		seedLibraryPractices(db, ORG);
		libraryIndex(db);
		const builds = indexTuning.fullBuilds;
		const increments = indexTuning.increments;
		const a = createPractice(db, ORG, input({ title: 'Трамвайное депо учит новичков', summary: 'Наставники депо ведут молодых водителей трамвая.', tags: 'транспорт, адаптация' }), { publish: true });
		expect(view({ q: 'депо ' }).total).toBe(1);
		updatePractice(db, ORG, a.id, input({ title: 'Электробусный парк учит новичков', summary: 'Наставники парка ведут молодых водителей электробуса.', tags: 'транспорт' }));
		expect(view({ q: 'депо ' }).total).toBe(0);
		expect(view({ q: 'электробусный ' }).total).toBe(1);
		unpublishPractice(db, ORG, a.id);
		expect(view({ q: 'электробусный ' }).total).toBe(0);
		publishPractice(db, ORG, a.id);
		expect(view({ q: 'электробусный ' }).total).toBe(1);
		const demo = searchLibrary(db, params({ q: 'Казань' })).items[0];
		deletePractice(db, ORG, getPracticeIdBySlug(demo.slug));
		expect(view({ q: 'исполкома Казани ' }).total).toBe(0);
		expect(indexTuning.fullBuilds).toBe(builds);
		expect(indexTuning.increments).toBeGreaterThan(increments + 4);
		sameAsFresh(QUERIES);
	});

	it('rebuilds from scratch once removed practices are more than the garbage share', () => {
		seedLibraryPractices(db, ORG);
		libraryIndex(db);
		indexTuning.garbageShare = 0.05;
		indexTuning.minGarbage = 0;
		const builds = indexTuning.fullBuilds;
		const ids = db.select({ id: practices.id }).from(practices).all().slice(0, 4);
		for (const { id } of ids) unpublishPractice(db, ORG, id);
		expect(view({}).total).toBe(36);
		expect(indexTuning.fullBuilds).toBeGreaterThan(builds);
		sameAsFresh(QUERIES);
	});

	it('random changes (property): the kept index always answers as one built from scratch', () => {
		seedLibraryPractices(db, ORG);
		const all = () => db.select({ id: practices.id, status: practices.status }).from(practices).all();
		fc.assert(
			fc.property(fc.array(fc.tuple(fc.constantFrom('edit', 'unpublish', 'publish', 'create'), fc.nat()), { minLength: 1, maxLength: 6 }), (ops) => {
				libraryIndex(db);
				for (const [op, n] of ops) {
					const list = all();
					const p = list[n % list.length];
					if (op === 'edit' && p.status === 'published') updatePractice(db, ORG, p.id, input({ title: `Изменённая практика ${n}`, summary: `Наставники и адаптация, вариант ${n % 7}.`, tags: n % 2 ? 'адаптация' : 'школа', region: n % 3 ? '16' : '54' }));
					if (op === 'unpublish' && p.status === 'published') unpublishPractice(db, ORG, p.id);
					if (op === 'publish' && p.status !== 'published') publishPractice(db, ORG, p.id);
					if (op === 'create') createPractice(db, ORG, input({ title: `Новая практика ${n}`, summary: 'Наставник ведёт молодых специалистов.', tags: 'адаптация' }), { publish: true });
				}
				sameAsFresh(QUERIES);
			}),
			{ numRuns: 15 }
		);
	});

	it('a library published before migration 0007 (no stored term lists) is indexed on the first search', () => {
		seedLibraryPractices(db, ORG);
		db.$client.exec('DELETE FROM library_doc_index');
		dropLibraryIndex(db);
		expect(view({}).total).toBe(40);
		expect(view({ q: 'текучесть кадров' }).items[0]).toBe(searchLibrary(db, params({ q: 'Первый год без потерь' })).items[0].slug);
		expect(db.$client.prepare('SELECT count(*) FROM library_doc_index').pluck().get()).toBe(40);
	});
});

function getPracticeIdBySlug(slug: string) {
	return db.select({ id: practices.id }).from(practices).where(eq(practices.slug, slug)).get()!.id;
}

describe('facets from postings', () => {
	it('counting by postings (bitsets) and practice by practice give the same numbers, and those of a plain count (property)', () => {
		seedLibraryPractices(db, ORG);
		const published = db.select().from(practices).where(eq(practices.status, 'published')).all();
		const valueOf = (p: Practice, k: (typeof FACET_KEYS)[number]): string[] => {
			switch (k) {
				case 'district':
					return p.regionCode ? [districtOf(p.regionCode)!.code] : [];
				case 'region':
					return p.regionCode ? [p.regionCode] : [];
				case 'sphere':
					return p.sphere ? [p.sphere] : [];
				case 'nomination':
					return p.nominationTitle ? [p.nominationTitle] : [];
				case 'year':
					return p.year == null ? [] : [String(p.year)];
				case 'tag':
					return p.tags;
				case 'source':
					return p.source ? [p.source] : [];
			}
		};
		const pickFrom = (k: (typeof FACET_KEYS)[number]) => [...new Set(published.flatMap((p) => valueOf(p, k)))];
		const filter = fc.record({
			district: fc.subarray(pickFrom('district'), { maxLength: 2 }),
			sphere: fc.subarray(pickFrom('sphere'), { maxLength: 2 }),
			year: fc.subarray(pickFrom('year'), { maxLength: 2 }),
			tag: fc.subarray(pickFrom('tag').slice(0, 12), { maxLength: 2 })
		});
		fc.assert(
			fc.property(filter, (f) => {
				const sp = new URLSearchParams();
				for (const [k, vs] of Object.entries(f)) for (const v of vs) sp.append(k, v);
				searchTuning.facetCounting = 'postings';
				const a = searchLibrary(db, params(sp.toString()));
				searchTuning.facetCounting = 'positions';
				const b = searchLibrary(db, params(sp.toString()));
				searchTuning.facetCounting = 'auto';
				expect(a.facets).toEqual(b.facets);
				expect(a.total).toBe(b.total);
				// A plain count: practices passing every other filter, by value.
				const passes = (p: Practice, except?: string) => Object.entries(f).every(([k, vs]) => k === except || !vs.length || valueOf(p, k as never).some((v) => vs.includes(v)));
				expect(a.total).toBe(published.filter((p) => passes(p)).length);
				for (const k of ['district', 'sphere', 'year', 'tag'] as const) {
					for (const v of a.facets[k]) expect(v.count, `${k}=${v.value}`).toBe(published.filter((p) => passes(p, k) && valueOf(p, k).includes(v.value)).length);
				}
			}),
			{ numRuns: 40 }
		);
	});
});

describe('related practices from the index', () => {
	it('are the top of a plain scan of the whole library (3 per shared tag, 2 sphere, 1 district, 1 nomination, newest first)', () => {
		seedLibraryPractices(db, ORG);
		const all = db.select().from(practices).where(eq(practices.status, 'published')).all();
		const scan = (p: Practice, limit: number) => {
			const tags = new Set(p.tags.map(normalize));
			const d = p.regionCode ? districtOf(p.regionCode)?.code : null;
			return all
				.filter((x) => x.id !== p.id)
				.map((x) => ({
					x,
					s:
						3 * x.tags.filter((t) => tags.has(normalize(t))).length +
						(x.sphere && x.sphere === p.sphere ? 2 : 0) +
						(x.regionCode && districtOf(x.regionCode)?.code === d ? 1 : 0) +
						(x.nominationTitle && x.nominationTitle === p.nominationTitle ? 1 : 0)
				}))
				.filter((y) => y.s > 0)
				.sort((a, b) => b.s - a.s || b.x.publishedAt!.getTime() - a.x.publishedAt!.getTime())
				.slice(0, limit)
				.map((y) => ({ slug: y.x.slug, s: y.s }));
		};
		for (const p of all) {
			for (const limit of [3, 8]) {
				const got = relatedPractices(db, p, limit).map((r) => r.slug);
				const want = scan(p, limit);
				// Equal scores and publication times may come in either order; the scores must match.
				const score = new Map(scan(p, 100).map((y) => [y.slug, y.s]));
				expect(got.map((s) => score.get(s))).toEqual(want.map((y) => y.s));
				expect(got).not.toContain(p.slug);
			}
		}
		// A practice of another shape (not published itself) gets related ones too.
		const other = { ...all[0], id: 'not-in-the-library', tags: ['АДАПТАЦИЯ'], sphere: 'municipal', regionCode: '16', nominationTitle: '' };
		expect(relatedPractices(db, other).length).toBe(3);
	});
});
