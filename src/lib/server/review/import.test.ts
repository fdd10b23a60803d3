import { describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { eq } from 'drizzle-orm';
import { dbPerTest } from '../../../../tests/helpers/db';
import { juryFixture, type Fixture } from '../../../../tests/helpers/jury';
import type { DB } from '../db/client';
import { emailTokens, jurorProfiles, users } from '../db/schema';
import { DomainError } from '../errors';
import { decodeText, parseJuryFile, readCsv, type NominationRef } from './import';
import { inviteJurors } from './jurors';

const NOMS: NominationRef[] = [
	{ id: 'n-prod', slug: 'mentor-production', title: 'Наставник на производстве' },
	{ id: 'n-edu', slug: 'mentor-education', title: 'Наставник в образовании' }
];
const enc = (s: string) => new TextEncoder().encode(s);
const HEADER = 'ФИО;email;регион;организация;номинации;ёмкость';

describe('reading CSV', () => {
	it('reports file lines, also when a quoted cell spans lines', () => {
		const rows = readCsv('a,b\n"x\ny",z\nq,w\n');
		expect(rows.slice(0, 3).map((r) => r.line)).toEqual([1, 2, 4]);
		expect(rows[1].cells).toEqual(['x\ny', 'z']);
	});

	it('decodes UTF-8 with BOM and Windows-1251', () => {
		expect(decodeText(enc('\uFEFFФИО'))).toBe('ФИО');
		const cp1251 = new Uint8Array([0xd4, 0xc8, 0xce]); // «ФИО»
		expect(decodeText(cp1251)).toBe('ФИО');
	});
});

describe('validating a jury list', () => {
	it('accepts good rows: semicolons, region by code or name, nominations by title, slug or «все»', async () => {
		const csv = [
			HEADER,
			'Петров Пётр Петрович;Petrov@Example.ru;16;Университет;Наставник на производстве;30',
			'Сидорова Анна Ивановна;sidorova@example.ru;Республика Татарстан;;"mentor-education; mentor-production";',
			'Козлов Иван Сергеевич;kozlov@example.ru;г. Москва;;все;5'
		].join('\r\n');
		const r = await parseJuryFile(enc(csv), 'jury.csv', NOMS, new Set());
		expect(r.fileError).toBeUndefined();
		expect(r.errors).toEqual([]);
		expect(r.rows).toEqual([
			{ line: 2, fio: 'Петров Пётр Петрович', email: 'petrov@example.ru', regionCode: '16', organization: 'Университет', nominationIds: ['n-prod'], capacity: 30 },
			{ line: 3, fio: 'Сидорова Анна Ивановна', email: 'sidorova@example.ru', regionCode: '16', organization: '', nominationIds: ['n-edu', 'n-prod'], capacity: 50 },
			{ line: 4, fio: 'Козлов Иван Сергеевич', email: 'kozlov@example.ru', regionCode: '77', organization: '', nominationIds: ['n-prod', 'n-edu'], capacity: 5 }
		]);
	});

	it('reports every bad row with its line number and keeps none', async () => {
		const csv = [
			HEADER,
			'Петров Пётр Петрович;petrov@example.ru;16;;все;10',
			'',
			'Х;not-an-email;99;;все;10',
			'Сидорова Анна Ивановна;PETROV@example.ru;Атлантида;;Космонавтика;много',
			'Уже Есть Человек;taken@example.ru;;;все;-3'
		].join('\n');
		const r = await parseJuryFile(enc(csv), 'jury.csv', NOMS, new Set(['taken@example.ru']));
		expect(r.errors.map((e) => e.line)).toEqual([4, 5, 6]);
		expect(r.errors[0].messages.join(' | ')).toMatch(/ФИО.*\| email: Неверный адрес.*\| регион «99» не найден/);
		expect(r.errors[1].messages.join(' | ')).toMatch(/уже встречается в строке 2.*регион «Атлантида».*номинации не найдены: «Космонавтика».*ёмкость «много»/);
		expect(r.errors[2].messages.join(' | ')).toMatch(/уже зарегистрирован.*ёмкость «-3»/);
	});

	it('names missing columns and unreadable files', async () => {
		expect((await parseJuryFile(enc('ФИО,почта\nА Б В,a@b.ru'), 'x.csv', NOMS, new Set())).fileError).toMatch(/нет столбца «номинации»/);
		expect((await parseJuryFile(enc(''), 'x.csv', NOMS, new Set())).fileError).toMatch(/пуст/);
		expect((await parseJuryFile(enc(HEADER), 'x.csv', NOMS, new Set())).fileError).toMatch(/только заголовок/);
		expect((await parseJuryFile(enc('PK\u0003\u0004garbage-not-a-zip'), 'x.xlsx', NOMS, new Set())).fileError).toMatch(/Не удалось прочитать файл XLSX/);
		expect((await parseJuryFile(enc('ФИО;email'), 'x.xlsx', NOMS, new Set())).fileError).toMatch(/не похож на XLSX/);
		expect((await parseJuryFile(enc('x'), 'x.xls', NOMS, new Set())).fileError).toMatch(/XLS не поддерживается/);
		expect((await parseJuryFile(enc('x'), 'x.pdf', NOMS, new Set())).fileError).toMatch(/\.pdf не поддерживается/);
		expect((await parseJuryFile(new Uint8Array([0x46, 0x00, 0x01]), 'x.csv', NOMS, new Set())).fileError).toMatch(/не похож на текстовый CSV/);
	});

	it('reads XLSX with sheet row numbers', async () => {
		const wb = new ExcelJS.Workbook();
		const ws = wb.addWorksheet('Жюри');
		ws.addRow(['ФИО', 'E-mail', 'Регион', 'Организация', 'Номинации', 'Ёмкость']);
		ws.addRow(['Петров Пётр Петрович', { text: 'petrov@example.ru', hyperlink: 'mailto:petrov@example.ru' }, 16, 'Завод', 'Наставник в образовании', 12]);
		ws.addRow([]);
		ws.getRow(4).values = ['Иванов Иван', 'bad', '16', '', 'все', 12];
		const buf = new Uint8Array(await wb.xlsx.writeBuffer());
		const r = await parseJuryFile(buf, 'jury.xlsx', NOMS, new Set());
		expect(r.rows).toEqual([{ line: 2, fio: 'Петров Пётр Петрович', email: 'petrov@example.ru', regionCode: '16', organization: 'Завод', nominationIds: ['n-edu'], capacity: 12 }]);
		expect(r.errors.map((e) => e.line)).toEqual([4]);
	});
});

describe('importing', () => {
	let db: DB;
	let f: Fixture;
	dbPerTest((d) => (f = juryFixture((db = d))));

	it('is all-or-nothing: a clash in the middle leaves nothing written', () => {
		f.juror({ email: 'taken@example.ru' });
		const before = db.select().from(users).all().length;
		const list = [
			{ fio: 'Первый Эксперт Тест', email: 'first@example.ru', regionCode: null, organization: '', capacity: 5, nominationIds: [f.nominations[0]] },
			{ fio: 'Второй Эксперт Тест', email: 'taken@example.ru', regionCode: null, organization: '', capacity: 5, nominationIds: [f.nominations[0]] }
		];
		expect(() => inviteJurors(db, null, f.contestId, list)).toThrow(DomainError);
		expect(db.select().from(users).all()).toHaveLength(before);
		expect(db.select().from(emailTokens).all()).toHaveLength(0);
		const ok = inviteJurors(db, null, f.contestId, [list[0]]);
		expect(ok).toHaveLength(1);
		expect(ok[0].user).toMatchObject({ role: 'jury', passwordHash: null });
		expect(db.select().from(jurorProfiles).where(eq(jurorProfiles.userId, ok[0].user.id)).get()).toMatchObject({ capacity: 5, nominationIds: [f.nominations[0]] });
		expect(db.select().from(emailTokens).where(eq(emailTokens.userId, ok[0].user.id)).get()).toMatchObject({ kind: 'invite' });
	});

	it('refuses nominations of another contest', () => {
		const g = juryFixture(db, 'other');
		expect(() => inviteJurors(db, null, f.contestId, [{ fio: 'Эксперт Другой Тест', email: 'x@example.ru', regionCode: null, organization: '', capacity: 5, nominationIds: [g.nominations[0]] }])).toThrow(/номинации из списка/);
	});
});
