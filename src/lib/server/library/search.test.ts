import { beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { dbPerTest } from '../../../../tests/helpers/db';
import type { DB } from '../db/client';
import { searchLibrary, libraryOverview, relatedPractices, topK } from './search';
import { createPractice, deletePractice, getPractice, publishPractice, unpublishPractice, updatePractice } from './practices';
import { seedLibraryPractices } from './demo';
import { ORG, addUsers, input, params } from './test-helpers';
import { readSearchParams } from '../../schemas/library-search';
import type { Segment } from './text';

let db: DB;
dbPerTest((d) => addUsers((db = d)));

const titles = (qs: string | Record<string, string>) => searchLibrary(db, params(qs)).items.map((i) => i.title);
const marks = (segs: Segment[]) => segs.filter((s) => s.hit).map((s) => s.t);
const ftsRows = () => db.$client.prepare("SELECT count(*) FROM library_docs").pluck().get() as number;

function publish(over: Record<string, string>) {
	return createPractice(db, ORG, input(over), { publish: true });
}

describe('word forms find each other', () => {
	beforeEach(() => {
		publish({ title: 'Школа для будущих мастеров', summary: 'Опытные наставники передают знания молодым рабочим завода.' });
		publish({ title: 'Сопровождение молодых врачей', summary: 'У каждого ординатора есть опытный наставник в отделении больницы.' });
		publish({ title: 'Программа для новых учителей', summary: 'Молодой учитель получает наставника из своей школы на первый год.' });
		publish({ title: 'Первый год на службе', summary: 'Адаптация новых муниципальных служащих занимает полгода и идёт по плану.' });
		publish({ title: 'Стажировка в диспетчерской', summary: 'План адаптации каждого диспетчера утверждает муниципальный центр.' });
		publish({ title: 'Благоустройство дворов', summary: 'Жители сами выбирают проекты благоустройства своих дворов.', sphere: 'public_spaces' });
	});

	it.each(['наставник', 'наставника', 'наставники', 'Наставникам', 'НАСТАВНИКОВ'])('«%s» finds all three forms', (q) => {
		expect(titles({ q: `${q} ` }).sort()).toEqual(['Программа для новых учителей', 'Школа для будущих мастеров', 'Сопровождение молодых врачей'].sort());
	});

	it.each(['адаптация', 'адаптации', 'адаптацию'])('«%s» finds «адаптация» and «адаптации»', (q) => {
		expect(titles({ q: `${q} ` }).sort()).toEqual(['Первый год на службе', 'Стажировка в диспетчерской'].sort());
	});

	it.each(['муниципальный', 'муниципальных', 'муниципальной'])('«%s» finds «муниципальных» and «муниципальный»', (q) => {
		expect(titles({ q: `${q} ` }).sort()).toEqual(['Первый год на службе', 'Стажировка в диспетчерской'].sort());
	});

	it('several words must all be there', () => {
		expect(titles({ q: 'адаптация диспетчера ' })).toEqual(['Стажировка в диспетчерской']);
	});

	it('synonyms: «ментор» finds the practices of «наставник»', () => {
		expect(titles({ q: 'ментор ' })).toHaveLength(3);
	});

	it('the last word is a prefix while typing', () => {
		expect(titles({ q: 'адапт' })).toHaveLength(2);
		expect(titles({ q: 'благоустр' })).toEqual(['Благоустройство дворов']);
	});

	it('a typo falls back to the trigram index of the vocabulary and says what it searched for', () => {
		const r = searchLibrary(db, params({ q: 'адоптация' }));
		expect(r.corrected).toEqual({ from: 'адоптация', to: 'адаптация' });
		expect(r.total).toBe(2);
		const r2 = searchLibrary(db, params({ q: 'благоустройствоо' }));
		expect(r2.corrected?.to).toBe('благоустройство');
		expect(searchLibrary(db, params({ q: 'ъъъъъъъъ' })).total).toBe(0);
	});

	it('snippets and titles mark the matched forms', () => {
		const r = searchLibrary(db, params({ q: 'наставники ' }));
		const byTitle = Object.fromEntries(r.items.map((i) => [i.title, marks(i.snippet)]));
		expect(byTitle['Школа для будущих мастеров']).toEqual(['наставники']);
		expect(byTitle['Сопровождение молодых врачей']).toEqual(['наставник']);
		expect(byTitle['Программа для новых учителей']).toEqual(['наставника']);
		const a = searchLibrary(db, params({ q: 'адаптации ' }));
		expect(a.items.flatMap((i) => marks(i.snippet)).sort()).toEqual(['Адаптация', 'адаптации']);
		const ti = searchLibrary(db, params({ q: 'дворы' })).items[0];
		expect(marks(ti.titleSegments)).toEqual(['дворов']);
	});
});

describe('ranking', () => {
	it('puts title matches first', () => {
		publish({ title: 'Муниципальный проект по благоустройству', summary: 'Про кадровый резерв и адаптацию, адаптацию, адаптацию новичков: адаптация везде в описании.', actions: 'Адаптация. Адаптация. Адаптация новичков. Адаптация наставников.' });
		publish({ title: 'Адаптация новичков в аппарате', summary: 'Коротко о программе для новых сотрудников аппарата.' });
		publish({ title: 'Ещё одна практика', summary: 'Здесь адаптация упомянута один раз в описании практики.' });
		expect(titles({ q: 'адаптация' })[0]).toBe('Адаптация новичков в аппарате');
		expect(titles({ q: 'адаптации новичков' })[0]).toBe('Адаптация новичков в аппарате');
	});

	it('sorts by newest, year and the size of the result', () => {
		const now = Date.now();
		createPractice(db, ORG, input({ title: 'Старая практика', year: '2020', result1_indicator: 'Текучесть', result1_baseline: '40', result1_value: '20', result1_unit: '%' }), { publish: true }, new Date(now - 3 * 86400_000));
		createPractice(db, ORG, input({ title: 'Новая практика', year: '2022', result1_indicator: 'Текучесть', result1_baseline: '40', result1_value: '36', result1_unit: '%' }), { publish: true }, new Date(now - 86400_000));
		createPractice(db, ORG, input({ title: 'Средняя практика', year: '2025' }), { publish: true }, new Date(now - 2 * 86400_000));
		expect(titles({ sort: 'newest' })).toEqual(['Новая практика', 'Средняя практика', 'Старая практика']);
		expect(titles({ sort: 'year' })).toEqual(['Средняя практика', 'Новая практика', 'Старая практика']);
		expect(titles({ sort: 'impact' })).toEqual(['Старая практика', 'Новая практика', 'Средняя практика']);
		// Relevance without a query is the newest first.
		expect(searchLibrary(db, params({})).sort).toBe('newest');
	});
});

describe('the index stays in step with the practices', () => {
	it('after edit, unpublish, publish again and delete', () => {
		const p = publish({ title: 'Наставники для трамвайщиков', summary: 'Водители трамваев учат новичков на линии.' });
		publish({ title: 'Другая практика', summary: 'Совсем про другое: благоустройство дворов.' });
		expect(titles({ q: 'трамвай' })).toEqual(['Наставники для трамвайщиков']);

		updatePractice(db, ORG, p.id, input({ title: 'Наставники для водителей автобусов', summary: 'Водители автобусов учат новичков на маршруте.' }));
		expect(titles({ q: 'трамвай' })).toEqual([]);
		expect(titles({ q: 'автобусов' })).toEqual(['Наставники для водителей автобусов']);
		expect(searchLibrary(db, params({})).total).toBe(2);

		unpublishPractice(db, ORG, p.id);
		expect(titles({ q: 'автобус' })).toEqual([]);
		expect(searchLibrary(db, params({})).total).toBe(1);
		expect(ftsRows()).toBe(1);

		publishPractice(db, ORG, p.id);
		expect(titles({ q: 'автобус' })).toEqual(['Наставники для водителей автобусов']);

		deletePractice(db, ORG, p.id);
		expect(titles({ q: 'автобус' })).toEqual([]);
		expect(ftsRows()).toBe(1);
		// The stored term lists hold nothing of the deleted practice either.
		expect(db.$client.prepare('SELECT count(*) FROM library_doc_index').pluck().get()).toBe(1);
		expect(db.$client.prepare(`SELECT count(*) FROM library_doc_index WHERE ' ' || stems || ' ' LIKE '% автобус %'`).pluck().get()).toBe(0);
	});

	it('drafts are never found', () => {
		createPractice(db, ORG, input({ title: 'Черновик про наставников' }));
		expect(titles({ q: 'наставник' })).toEqual([]);
		expect(searchLibrary(db, params({})).total).toBe(0);
	});
});

describe('facets', () => {
	beforeEach(() => {
		publish({ title: 'Казань один', municipality: 'г. Казань', region: '16', sphere: 'municipal', year: '2024', tags: 'адаптация, кадры' });
		publish({ title: 'Казань два', municipality: 'г. Казань', region: '16', sphere: 'education', year: '2023', tags: 'адаптация' });
		publish({ title: 'Уфа три', region: '02', sphere: 'education', year: '2024', tags: 'школа' });
		publish({ title: 'Москва четыре', region: '77', sphere: 'health', year: '2024', tags: 'адаптация' });
		publish({ title: 'Тула пять', region: '71', sphere: 'municipal', year: '2022' });
	});
	const count = (r: ReturnType<typeof searchLibrary>, k: keyof typeof r.facets, v: string) => r.facets[k].find((x) => x.value === v)?.count;

	it('count every value with the other filters applied', () => {
		const all = searchLibrary(db, params({}));
		expect(all.total).toBe(5);
		expect(count(all, 'district', 'pfd')).toBe(3);
		expect(count(all, 'district', 'cfd')).toBe(2);
		expect(count(all, 'sphere', 'education')).toBe(2);
		expect(count(all, 'tag', 'адаптация')).toBe(3);
		expect(count(all, 'year', '2024')).toBe(3);

		const pfd = searchLibrary(db, params('district=pfd'));
		expect(pfd.total).toBe(3);
		// The district facet still offers the other districts (counted without its own filter)…
		expect(count(pfd, 'district', 'cfd')).toBe(2);
		expect(pfd.facets.district.find((x) => x.value === 'pfd')?.selected).toBe(true);
		// …and the other facets count inside the district.
		expect(count(pfd, 'region', '16')).toBe(2);
		expect(count(pfd, 'region', '02')).toBe(1);
		expect(count(pfd, 'region', '77')).toBeUndefined();
		expect(count(pfd, 'sphere', 'education')).toBe(2);
		expect(count(pfd, 'sphere', 'health')).toBeUndefined();

		const two = searchLibrary(db, params('district=pfd&sphere=education&year=2024'));
		expect(two.items.map((i) => i.title)).toEqual(['Уфа три']);
		expect(count(two, 'year', '2023')).toBe(1);
		expect(count(two, 'sphere', 'municipal')).toBe(1);

		const or = searchLibrary(db, params('sphere=health&sphere=municipal'));
		expect(or.total).toBe(3);
	});

	it('facets follow the text query', () => {
		const r = searchLibrary(db, params({ q: 'Казань' }));
		expect(r.total).toBe(2);
		expect(count(r, 'region', '16')).toBe(2);
		expect(count(r, 'district', 'cfd')).toBeUndefined();
	});

	it('unknown values are ignored and named; a valid region without practices finds nothing', () => {
		const r = searchLibrary(db, params('district=atlantis&sphere=<script>&year=1066&tag=нет-такого'));
		expect(r.total).toBe(5);
		expect(r.ignored.map((i) => i.facet).sort()).toEqual(['district', 'sphere', 'tag', 'year']);
		const empty = searchLibrary(db, params('region=25'));
		expect(empty.total).toBe(0);
		expect(empty.facets.region.find((x) => x.value === '25')).toMatchObject({ selected: true, count: 0 });
	});

	it('pages: out of range shows the last page', () => {
		const s = searchLibrary(db, params('per_page=2&page=99'));
		expect(s).toMatchObject({ page: 3, pages: 3, pageClamped: true, total: 5 });
		expect(s.items).toHaveLength(1);
		expect(searchLibrary(db, params('per_page=2&page=2')).items).toHaveLength(2);
		const bad = readSearchParams(new URLSearchParams('per_page=500&page=-1&sort=evil'));
		expect(bad.params).toMatchObject({ perPage: 20, page: 1, sort: 'relevance' });
		expect(bad.warnings).toHaveLength(3);
	});

	it('overview counts by district, region, sphere and year', () => {
		const o = libraryOverview(db);
		expect(o.total).toBe(5);
		expect(o.districts.find((d) => d.code === 'pfd')).toMatchObject({ count: 3, regions: [{ code: '16', count: 2 }, { code: '02', count: 1 }] });
		expect(o.years.map((y) => y.year)).toEqual([2024, 2023, 2022]);
	});
});

describe('topK', () => {
	it('is the head of the full sort, with and without the primary-score shortcut (property)', () => {
		fc.assert(
			fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 0, maxLength: 300 }), fc.integer({ min: 0, max: 40 }), (scores, k) => {
				const sc = Float64Array.from(scores);
				const items = Int32Array.from(scores.keys());
				const cmp = (a: number, b: number) => sc[b] - sc[a] || a - b;
				const want = Array.from(items).sort(cmp).slice(0, k);
				expect(topK(items, k, cmp)).toEqual(want);
				expect(topK(items, k, cmp, sc)).toEqual(want);
			})
		);
	});
});

describe('hostile queries never throw', () => {
	beforeEach(() => {
		publish({ title: 'Наставники и адаптация', summary: 'Текст практики про наставников и «кавычки» (скобки) — тире.' });
	});

	it.each([
		'"',
		'""',
		'"наставник',
		'наставник"',
		'*',
		'наст*',
		'-наставник',
		'NOT наставник',
		'наставник NEAR адаптация',
		'NEAR(наставник адаптация, 2)',
		'(((',
		')))',
		'{title}: наставник',
		'title:наставник',
		'^наставник',
		'AND OR NOT',
		"'; DROP TABLE practices; --",
		'<script>alert(1)</script>',
		'\u0000\u0001',
		'🙂🙃',
		'',
		'   ',
		'наставник '.repeat(1200),
		'а'.repeat(10_240)
	])('query #%#', (q) => {
		const r = searchLibrary(db, params({ q }));
		expect(r.total).toBeGreaterThanOrEqual(0);
	});

	it('any text (property)', () => {
		fc.assert(
			fc.property(fc.string({ maxLength: 300 }), (q) => {
				searchLibrary(db, params({ q }));
			}),
			{ numRuns: 300 }
		);
	});
});

describe('the demo library', () => {
	it('is realistic: every demo practice published and searchable, related practices found', () => {
		const first = seedLibraryPractices(db, ORG);
		const r = searchLibrary(db, params({}));
		expect(r.total).toBe(40);
		expect(r.facets.district).toHaveLength(8);
		expect(searchLibrary(db, params({ q: 'молодых специалистов' })).total).toBeGreaterThan(0);
		const p = getPractice(db, first!)!;
		const related = relatedPractices(db, { ...p, tags: ['адаптация'], sphere: 'municipal', regionCode: '16', nominationTitle: '' });
		expect(related.length).toBe(3);
		expect(related.every((x) => x.id !== first)).toBe(true);
	});
});
