import { beforeEach, describe, expect, it } from 'vitest';
import Papa from 'papaparse';
import { dbPerTest } from '../../../../tests/helpers/db';
import type { DB } from '../db/client';
import { createPractice } from './practices';
import { csvSafe, libraryAtom, libraryCsv, practiceJson, robotsTxt, sitemapXml } from './opendata';
import { posterSvg } from './poster';
import { ORG, addUsers, input } from './test-helpers';

let db: DB;
dbPerTest((d) => addUsers((db = d)));

describe('open data', () => {
	beforeEach(() => {
		createPractice(db, ORG, input({ title: 'Опубликованная с контактами', contacts: 'Иванова, ivanova@example.ru', contacts_consent: 'on' }), { publish: true });
		createPractice(db, ORG, input({ title: '=HYPERLINK("http://evil") & <b>', summary: '@SUM(1) — опасная ячейка для Excel и <script>alert(1)</script>' }), { publish: true });
		createPractice(db, ORG, input({ title: 'Черновик не попадает никуда' }));
	});

	it('CSV: only published practices, formulas defused, contacts only with consent', () => {
		const csv = libraryCsv(db, 'https://konkurs.example.ru');
		expect(csv.startsWith('\uFEFF')).toBe(true);
		const rows = Papa.parse<Record<string, string>>(csv.slice(1), { header: true }).data.filter((r) => r.title);
		expect(rows).toHaveLength(2);
		expect(csv).not.toContain('Черновик');
		const evil = rows.find((r) => r.title.includes('HYPERLINK'))!;
		expect(evil.title.startsWith("'=")).toBe(true);
		expect(evil.summary.startsWith("'@")).toBe(true);
		expect(evil.url).toMatch(/^https:\/\/konkurs\.example\.ru\/library\//);
		expect(rows.find((r) => r.title.startsWith('Опубликованная'))!.contacts).toBe('Иванова, ivanova@example.ru');
		expect(csvSafe('-5')).toBe("'-5");
		expect(csvSafe('обычный текст')).toBe('обычный текст');
	});

	it('Atom feed and sitemap list published practices, escaped', () => {
		const atom = libraryAtom(db, 'https://k.ru');
		expect(atom).toContain('<feed xmlns="http://www.w3.org/2005/Atom"');
		expect(atom.match(/<entry>/g)).toHaveLength(2);
		expect(atom).toContain('&lt;script&gt;');
		expect(atom).not.toContain('<script>');
		const sm = sitemapXml(db, 'https://k.ru', ['/', '/library']);
		expect(sm.match(/<url>/g)).toHaveLength(4);
		expect(sm).not.toMatch(/chernovik/);
		expect(robotsTxt('https://k.ru')).toMatch(/Disallow: \/admin[\s\S]*Sitemap: https:\/\/k\.ru\/sitemap\.xml/);
	});

	it('JSON hides contacts without consent', () => {
		const p = createPractice(db, ORG, input({ title: 'Без согласия', contacts: '' }), { publish: true });
		expect(practiceJson({ ...p, contacts: 'тайна', contactsConsent: false }, 'https://k.ru').contacts).toBeNull();
	});

	it('the generated poster escapes the title', () => {
		const svg = posterSvg({ title: '<script>alert("x")</script> & очень длинное название практики наставничества для проверки переноса строк', sphere: 'youth', sphereTitle: 'Молодёжная политика', place: 'Пермский край', year: 2024 });
		expect(svg).not.toContain('<script>');
		expect(svg).toContain('&lt;script&gt;');
		expect(svg.match(/<text /g)!.length).toBeGreaterThanOrEqual(4);
	});
});
