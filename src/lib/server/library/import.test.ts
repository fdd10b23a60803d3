import { describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import Papa from 'papaparse';
import { dbPerTest } from '../../../../tests/helpers/db';
import type { DB } from '../db/client';
import { practices } from '../db/schema';
import { checkImport, headerKey, importPractices, parseCsv, parseImportFile, parseXlsx, MAX_IMPORT_ROWS } from './import';
import { libraryCsv } from './opendata';
import { demoPracticeRaws } from './demo';
import { searchLibrary } from './search';
import { APPLICANT, ORG, addUsers, params } from './test-helpers';
import { PRACTICE_KEYS } from '../../schemas/library';

let db: DB;
dbPerTest((d) => addUsers((db = d)));

const enc = (s: string) => new TextEncoder().encode(s);
const count = () => db.select().from(practices).all().length;

const GOOD = [
	'title;summary;region;sphere;year;tags;result1_indicator;result1_baseline;result1_value;result1_unit',
	'Двор, который придумали жители;Выпускники школы мэров вместе с жителями перепланировали дворы города.;Тульская область;Общественные пространства;2024;благоустройство, жители;Дворы по проектам жителей;0;18;дворов',
	'"Мусор — в ресурс: раздельный сбор";"Школа мэров помогла запустить раздельный сбор отходов во всех дворах.";71;waste;2023;отходы;Доля отходов на переработку;12,5;31;%'
].join('\r\n');

describe('CSV', () => {
	it('imports every row in one go, as drafts or published', () => {
		const parsed = parseCsv(enc(GOOD));
		const r = importPractices(db, ORG, parsed, { publish: true, fileName: 'school.csv' });
		expect(r).toMatchObject({ created: 2, errors: [] });
		expect(r.slugs).toEqual(['dvor-kotoryy-pridumali-zhiteli', 'musor-v-resurs-razdelnyy-sbor']);
		const rows = db.select().from(practices).all();
		expect(rows.find((p) => p.slug === 'musor-v-resurs-razdelnyy-sbor')).toMatchObject({ regionCode: '71', sphere: 'waste', status: 'published', results: [{ baseline: 12.5, value: 31, unit: '%' }] });
		// Published imports are searchable at once, in every word form.
		expect(searchLibrary(db, params({ q: 'отходов ' })).total).toBe(1);
		expect(searchLibrary(db, params({ q: 'двор ' })).total).toBe(2);
	});

	it('names the line and the column of every error and imports nothing', () => {
		const bad = [
			GOOD,
			// line 4: a title spread over two lines (a quoted cell), then an unknown region
			'"Слишком\nкоротко";Кратко;Атлантида;ЖКХ;2024;;;;;',
			// line 6: a result without its value, a bad year
			'Практика без значения результата;Описание практики достаточной длины для проверки.;16;ЖКХ;20x4;;Показатель;5;;'
		].join('\r\n');
		const r = importPractices(db, ORG, parseCsv(enc(bad)), { publish: true, fileName: 'bad.csv' });
		expect(r.created).toBe(0);
		expect(count()).toBe(0);
		expect(r.errors.map((e) => [e.line, e.column])).toEqual([
			[4, 'summary'],
			[4, 'region'],
			[6, 'year'],
			[6, 'result1_value']
		]);
		expect(r.errors[1].message).toMatch(/Атлантида/);
		expect(r.errors[0].label).toBe('Кратко');
	});

	it('accepts Russian column names, windows-1251, commas and tabs', () => {
		const ru = GOOD.replace('title;summary;region;sphere;year;tags;result1_indicator;result1_baseline;result1_value;result1_unit', 'Название;Кратко;Регион;Сфера;Год;Теги;Результат 1: показатель;Результат 1: было;Результат 1: стало;Результат 1: единица');
		expect(checkImport(db, parseCsv(enc(ru))).errors).toEqual([]);
		// Encode to windows-1251 by hand (Node has no encoder for it): Cyrillic А–я → 0xC0–0xFF, ё → 0xB8.
		const win = Uint8Array.from([...ru].map((ch) => {
			const c = ch.codePointAt(0)!;
			if (c >= 0x410 && c <= 0x44f) return c - 0x410 + 0xc0;
			if (c === 0x451) return 0xb8;
			if (c === 0x401) return 0xa8;
			if (c === 0x2014) return 0x97;
			return c < 128 ? c : 0x3f;
		}));
		const parsed = parseCsv(win);
		expect(parsed.errors).toEqual([]);
		expect(parsed.rows[0].raw.title).toBe('Двор, который придумали жители');
		const tabs = Papa.unparse({ fields: ['title', 'summary', 'region', 'sphere', 'year'], data: [['Практика с табуляцией', 'Описание практики достаточной длины.', '16', 'ЖКХ', '2024']] }, { delimiter: '\t' });
		expect(checkImport(db, parseCsv(enc(tabs))).errors).toEqual([]);
		expect(headerKey('  Результат 2 — стало ')).toBeNull();
		expect(headerKey('Результат 2: стало')).toBe('result2_value');
	});

	it('refuses unknown and repeated columns, missing required ones, empty files', () => {
		const r = parseCsv(enc('title;заголовок;title;summary\nА;Б;В;Г'));
		expect(r.errors.map((e) => e.message).join(' | ')).toMatch(/Неизвестная колонка «заголовок».*повторяется.*Регион.*Сфера.*Год/);
		expect(parseCsv(enc('')).errors[0].message).toMatch(/пустой/);
		expect(parseCsv(enc('title;summary;region;sphere;year\n;;;;\n')).errors[0].message).toMatch(/нет ни одной практики/);
		expect(parseCsv(enc('title;summary;region;sphere;year\n"не закрыта;б;в;г;д\n')).errors[0].message).toMatch(/кавычка/);
	});

	it('refuses addresses that repeat or are taken', () => {
		importPractices(db, ORG, parseCsv(enc(GOOD)), { publish: false, fileName: 'a.csv' });
		const file = ['title;summary;region;sphere;year;slug', 'Первая практика файла;Описание практики достаточной длины.;16;ЖКХ;2024;moya', 'Вторая практика файла;Описание практики достаточной длины.;16;ЖКХ;2024;moya', 'Третья практика файла;Описание практики достаточной длины.;16;ЖКХ;2024;dvor-kotoryy-pridumali-zhiteli'].join('\n');
		const r = importPractices(db, ORG, parseCsv(enc(file)), { publish: false, fileName: 'b.csv' });
		expect(r.errors.map((e) => [e.line, e.column])).toEqual([
			[3, 'slug'],
			[4, 'slug']
		]);
		expect(count()).toBe(2);
	});

	it('limits the size of one import', () => {
		const rows = Array.from({ length: MAX_IMPORT_ROWS + 1 }, (_, i) => `Практика номер ${i};Описание практики достаточной длины.;16;ЖКХ;2024`);
		const r = parseCsv(enc(['title;summary;region;sphere;year', ...rows].join('\n')));
		expect(r.errors.at(-1)?.message).toMatch(/Не больше 2000/);
	});

	it('only organizers import', () => {
		expect(() => importPractices(db, APPLICANT, parseCsv(enc(GOOD)), { publish: true, fileName: 'x.csv' })).toThrow(/организаторы/);
	});

	it('the CSV of the library imports back (round trip of the whole demo library)', () => {
		const header = [...PRACTICE_KEYS];
		const csv = Papa.unparse({ fields: header, data: demoPracticeRaws().map((r) => header.map((k) => r[k] ?? '')) });
		expect(importPractices(db, ORG, parseCsv(enc(csv)), { publish: true, fileName: 'demo.csv' }).created).toBe(40);
		const exported = libraryCsv(db, 'https://example.ru');
		db.$client.exec('DELETE FROM library_docs; DELETE FROM audit_events; DELETE FROM practices;');
		const again = importPractices(db, ORG, parseCsv(enc(exported.replace(/^\uFEFF/, '').replace(/,url,region_name,district,published_at/, ''))), { publish: true, fileName: 'export.csv' });
		expect(again.errors.slice(0, 3)).toEqual([]);
		expect(again.created).toBe(40);
	});
});

describe('XLSX', () => {
	async function xlsx(rows: (string | number | null)[][]): Promise<Uint8Array> {
		const wb = new ExcelJS.Workbook();
		const ws = wb.addWorksheet('Практики');
		for (const r of rows) ws.addRow(r);
		return new Uint8Array(await wb.xlsx.writeBuffer());
	}

	it('imports the first sheet; numbers stay numbers; errors name sheet rows', async () => {
		const bytes = await xlsx([
			['Название', 'Кратко', 'Регион', 'Сфера', 'Год', 'Результат 1: показатель', 'Результат 1: было', 'Результат 1: стало'],
			['Школа управдомов для советов МКД', 'Председатели советов домов учатся у опытных управдомов.', 'Тульская область', 'ЖКХ', 2024, 'Подготовлено председателей', null, 312],
			[],
			['Вторая практика', 'Слишком коротко', '99', 'ЖКХ', 2024, null, null, null]
		]);
		const parsed = await parseXlsx(bytes);
		expect(parsed.rows.map((r) => r.line)).toEqual([2, 4]);
		const r = importPractices(db, ORG, parsed, { publish: true, fileName: 'x.xlsx' });
		expect(r.created).toBe(0);
		expect(r.errors.map((e) => [e.line, e.column])).toEqual([
			[4, 'summary'],
			[4, 'region']
		]);
		const fixed = await xlsx([
			['Название', 'Кратко', 'Регион', 'Сфера', 'Год', 'Результат 1: показатель', 'Результат 1: было', 'Результат 1: стало'],
			['Школа управдомов для советов МКД', 'Председатели советов домов учатся у опытных управдомов.', 'Тульская область', 'ЖКХ', 2024, 'Подготовлено председателей', null, 312]
		]);
		const ok = importPractices(db, ORG, await parseImportFile('школа.xlsx', fixed), { publish: true, fileName: 'x.xlsx' });
		expect(ok.created).toBe(1);
		expect(db.select().from(practices).get()?.results).toEqual([{ indicator: 'Подготовлено председателей', baseline: null, value: 312, unit: '', period: '', source: '' }]);
	});

	it('a file that is not a workbook is a clear error', async () => {
		const r = await parseXlsx(enc('это не xlsx'));
		expect(r.errors[0].message).toMatch(/Не удалось прочитать файл XLSX/);
		await expect(parseImportFile('x.txt', enc('a'))).rejects.toThrow(/CSV или XLSX/);
	});
});
