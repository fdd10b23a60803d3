import { describe, expect, it } from 'vitest';
import { FEDERAL_DISTRICTS, REGIONS, regionByCode } from '../../data/regions';
import {
	DEMO_APPLICANTS,
	DEMO_NOMINATIONS,
	DEMO_PRACTICES,
	DEMO_RUBRIC,
	DEMO_RULES,
	demoLetterText
} from './demo-content';
import { SPHERES } from '../../data/spheres';

const regionCodes = new Set(REGIONS.map((r) => r.code));

describe('DEMO_NOMINATIONS', () => {
	it('содержит 8 номинаций с уникальными латинскими slug', () => {
		expect(DEMO_NOMINATIONS).toHaveLength(8);
		const slugs = DEMO_NOMINATIONS.map((n) => n.slug);
		expect(new Set(slugs).size).toBe(8);
		for (const n of DEMO_NOMINATIONS) {
			expect(n.slug).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
			expect(n.title.length).toBeGreaterThan(10);
			expect(n.description.length).toBeGreaterThan(50);
			expect(['mentor', 'practice']).toContain(n.track);
		}
		expect(DEMO_NOMINATIONS.filter((n) => n.track === 'mentor')).toHaveLength(4);
		expect(DEMO_NOMINATIONS.filter((n) => n.track === 'practice')).toHaveLength(4);
	});
});

describe('DEMO_RULES', () => {
	it('имеет разумную длину и разметку', () => {
		expect(DEMO_RULES.length).toBeGreaterThan(2000);
		expect(DEMO_RULES.length).toBeLessThan(3500);
		expect(DEMO_RULES).toMatch(/^## /m);
		expect(DEMO_RULES).toMatch(/^- /m);
		expect(DEMO_RULES).toContain('\n\n');
	});

	it('упоминает ключевые требования', () => {
		for (const s of ['5000', '10 МБ', '3 минут', '1 ГиБ', 'MP4', 'MOV', 'WEBM', 'M4V', 'PDF', 'DOCX', '152-ФЗ']) {
			expect(DEMO_RULES).toContain(s);
		}
	});
});

describe('DEMO_RUBRIC', () => {
	it('содержит 5 критериев с весами 3, 3, 2, 1, 1 и шкалой 0..10', () => {
		expect(DEMO_RUBRIC).toHaveLength(5);
		expect(DEMO_RUBRIC.map((c) => c.weight)).toEqual([3, 3, 2, 1, 1]);
		for (const c of DEMO_RUBRIC) {
			expect(c.scaleMin).toBe(0);
			expect(c.scaleMax).toBe(10);
			expect(c.levels.map((l) => l.value)).toEqual([0, 3, 6, 8, 10]);
			for (const l of c.levels) expect(l.label.length).toBeGreaterThan(5);
		}
	});
});

describe('DEMO_APPLICANTS', () => {
	it('содержит 40 участников из существующих регионов', () => {
		expect(DEMO_APPLICANTS).toHaveLength(40);
		for (const p of DEMO_APPLICANTS) expect(regionCodes.has(p.region), p.region).toBe(true);
		expect(new Set(DEMO_APPLICANTS.map((p) => p.region)).size).toBeGreaterThanOrEqual(25);
	});

	it('имеет уникальные корректные e-mail, ФИО и телефоны в формате', () => {
		const emails = DEMO_APPLICANTS.map((p) => p.email.toLowerCase());
		expect(new Set(emails).size).toBe(emails.length);
		expect(new Set(DEMO_APPLICANTS.map((p) => p.fio)).size).toBe(40);
		for (const p of DEMO_APPLICANTS) {
			expect(p.email).toMatch(/^[a-z0-9._-]+@(example\.ru|example\.com|mail\.example)$/);
			expect(p.phone).toMatch(/^\+7 \(9\d\d\) \d{3}-\d{2}-\d{2}$/);
			expect(p.fio.split(' ')).toHaveLength(3);
			expect(p.mentoringYears).toBeGreaterThan(0);
			expect(p.organization.length).toBeGreaterThan(5);
			expect(p.position.length).toBeGreaterThan(3);
			expect(p.municipality.length).toBeGreaterThan(3);
		}
	});
});

describe('SPHERES', () => {
	it('содержит 13 сфер с уникальными кодами', () => {
		expect(SPHERES.map((s) => s.code)).toEqual([
			'production',
			'education',
			'health',
			'social',
			'municipal',
			'housing',
			'transport',
			'public_spaces',
			'waste',
			'youth',
			'investment',
			'culture',
			'sport'
		]);
	});
});

describe('DEMO_PRACTICES', () => {
	const sphereCodes = new Set(SPHERES.map((s) => s.code));
	const slugs = new Set(DEMO_NOMINATIONS.map((n) => n.slug));

	it('содержит 40 практик с уникальными названиями', () => {
		expect(DEMO_PRACTICES).toHaveLength(40);
		expect(new Set(DEMO_PRACTICES.map((p) => p.title)).size).toBe(40);
	});

	it('ссылается на существующие регионы, сферы и номинации', () => {
		for (const p of DEMO_PRACTICES) {
			expect(regionCodes.has(p.region), `${p.title}: ${p.region}`).toBe(true);
			expect(sphereCodes.has(p.sphere), `${p.title}: ${p.sphere}`).toBe(true);
			expect(slugs.has(p.nominationSlug), `${p.title}: ${p.nominationSlug}`).toBe(true);
		}
		const practiceTrack = DEMO_PRACTICES.filter(
			(p) => DEMO_NOMINATIONS.find((n) => n.slug === p.nominationSlug)?.track === 'practice'
		);
		expect(practiceTrack.length).toBeGreaterThan(DEMO_PRACTICES.length / 2);
	});

	it('использует каждую сферу хотя бы один раз', () => {
		const used = new Set(DEMO_PRACTICES.map((p) => p.sphere));
		for (const s of SPHERES) expect(used.has(s.code), s.code).toBe(true);
	});

	it('охватывает не менее 25 регионов и все 8 федеральных округов', () => {
		const regions = new Set(DEMO_PRACTICES.map((p) => p.region));
		expect(regions.size).toBeGreaterThanOrEqual(25);
		const districts = new Set(DEMO_PRACTICES.map((p) => regionByCode(p.region)?.district));
		for (const d of FEDERAL_DISTRICTS) expect(districts.has(d.code), d.code).toBe(true);
	});

	it('имеет тексты нужной длины и корректные годы', () => {
		for (const p of DEMO_PRACTICES) {
			const len = p.summary.length + p.problem.length + p.actions.length;
			expect(len, p.title).toBeGreaterThanOrEqual(600);
			expect(len, p.title).toBeLessThanOrEqual(1200);
			expect(p.year).toBeGreaterThanOrEqual(2022);
			expect(p.year).toBeLessThanOrEqual(2025);
			expect(p.since).toBeLessThanOrEqual(p.year);
			expect(p.team.length).toBeGreaterThan(10);
			expect(p.municipality.length).toBeGreaterThan(3);
			expect(p.organization.length).toBeGreaterThan(5);
			expect(p.tags.length).toBeGreaterThan(0);
		}
		const years = new Set(DEMO_PRACTICES.map((p) => p.year));
		for (const y of [2022, 2023, 2024, 2025]) expect(years.has(y), String(y)).toBe(true);
	});

	it('содержит по 2–4 результата с числами', () => {
		for (const p of DEMO_PRACTICES) {
			expect(p.results.length, p.title).toBeGreaterThanOrEqual(2);
			expect(p.results.length, p.title).toBeLessThanOrEqual(4);
			for (const r of p.results) {
				expect(Number.isFinite(r.value)).toBe(true);
				expect(r.baseline === null || Number.isFinite(r.baseline)).toBe(true);
				expect(r.indicator.length).toBeGreaterThan(5);
				expect(r.unit.length).toBeGreaterThan(0);
				expect(r.period).toMatch(/^\d{4}(–\d{4})?$/);
				expect(r.source.length).toBeGreaterThan(3);
			}
		}
	});

	it('использует разные словоформы, на которые опирается поиск', () => {
		const corpus = DEMO_PRACTICES.map((p) => `${p.title} ${p.summary} ${p.problem} ${p.actions}`)
			.join(' ')
			.toLowerCase();
		for (const w of [
			'наставник',
			'наставника',
			'наставники',
			'наставничество',
			'наставничества',
			'адаптация',
			'адаптации',
			'муниципальный',
			'муниципальных',
			'молодых специалистов'
		]) {
			expect(corpus, w).toMatch(new RegExp(`(^|[^а-яё])${w}([^а-яё]|$)`));
		}
	});
});

describe('demoLetterText', () => {
	it('возвращает письмо длиной 1200–2500 знаков с данными участника', () => {
		for (const p of DEMO_APPLICANTS) {
			const text = demoLetterText(p);
			expect(text.length, p.fio).toBeGreaterThanOrEqual(1200);
			expect(text.length, p.fio).toBeLessThanOrEqual(2500);
			expect(text).toContain(p.fio);
			expect(text).toContain(p.organization);
			expect(text).toContain(p.email);
			expect(text).not.toMatch(/undefined|NaN|\$\{/);
		}
	});

	it('детерминировано и даёт разные формулировки', () => {
		const p = DEMO_APPLICANTS[0];
		expect(demoLetterText(p)).toBe(demoLetterText(p));
		const openings = new Set(DEMO_APPLICANTS.map((a) => demoLetterText(a).split('\n\n')[2]?.slice(0, 20)));
		expect(openings.size).toBeGreaterThan(1);
	});
});
