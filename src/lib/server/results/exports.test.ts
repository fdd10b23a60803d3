import { describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import Papa from 'papaparse';
import { PassThrough } from 'node:stream';
import { dbPerTest } from '../../../../tests/helpers/db';
import { seedResultsContest, type SeededResults } from '../../../../tests/helpers/results-data';
import type { DB } from '../db/client';
import { roundEntries } from '../db/schema';
import { DomainError } from '../errors';
import { roundResults } from './load';
import { disposition, entriesCsv, entriesXlsx, jurorCsv, jurorsXlsx, protocolXlsx, shortName, TRANSIENT_SHEETS } from './exports';

let db: DB;
let s: SeededResults;
dbPerTest((d) => (s = seedResultsContest((db = d))));

async function buffer(p: PassThrough): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const c of p) chunks.push(c as Buffer);
	return Buffer.concat(chunks);
}
async function text(r: ReadableStream<Uint8Array>): Promise<string> {
	return new TextDecoder('utf-8', { ignoreBOM: true }).decode(await new Response(r).arrayBuffer());
}
async function workbook(p: PassThrough) {
	const wb = new ExcelJS.Workbook();
	await wb.xlsx.load((await buffer(p)) as unknown as ArrayBuffer);
	return wb;
}
const values = (row: ExcelJS.Row) => (row.values as unknown[]).slice(1);

describe('jurors.xlsx over hundreds of sheets', () => {
	it('frees its buffers with a full collection every TRANSIENT_SHEETS sheets, and every sheet is there', async () => {
		const { loaded, results } = roundResults(db, s.roundId);
		const many = 2 * TRANSIENT_SHEETS + 20;
		const jurors = new Map(loaded.jurors);
		for (let i = 0; i < many - loaded.jurors.size; i++) jurors.set(`extra-${i}`, { id: `extra-${i}`, fio: `Эксперт${i} Запасной`, email: `extra${i}@example.test` });
		const calls: unknown[] = [];
		const slot = globalThis as Record<symbol, unknown>;
		slot[Symbol.for('nastavnik.gc')] = (o: unknown) => calls.push(o);
		try {
			const wb = await workbook(jurorsXlsx({ ...loaded, jurors }, results));
			expect(wb.worksheets.length).toBe(1 + jurors.size);
		} finally {
			delete slot[Symbol.for('nastavnik.gc')];
		}
		expect(calls).toEqual([
			{ type: 'major', execution: 'sync', flavor: 'regular' },
			{ type: 'major', execution: 'sync', flavor: 'regular' }
		]);
	});
});

describe('exports (read back)', () => {
	it('entries XLSX: header, one row per entry in nomination order by position, scores and ranks', async () => {
		const { loaded, results } = roundResults(db, s.roundId);
		const wb = await workbook(entriesXlsx(loaded, results));
		const ws = wb.getWorksheet('Заявки')!;
		expect(ws.rowCount).toBe(9);
		const head = values(ws.getRow(1)) as string[];
		expect(head.slice(0, 6)).toEqual(['Номинация', 'Трек', 'Место', 'Ранг', 'Равный балл', 'Номер']);
		const col = (name: string) => head.indexOf(name);
		const rows = [2, 3, 4, 5, 6, 7, 8, 9].map((i) => values(ws.getRow(i)));
		expect(rows.map((r) => r[col('Номер')])).toEqual([s.numbers.M1, s.numbers.M3, s.numbers.M4, s.numbers.M2, s.numbers.P1, s.numbers.P2, s.numbers.P3, s.numbers.P4]);
		expect(rows[0][col('Балл')]).toBe(83.33);
		expect(rows[0][col('Ранг')]).toBe(1);
		expect(rows[3][col('Расхождение')]).toBe('да');
		expect(rows[3][col('Разброс')]).toBe(80);
		expect(rows[2][col('Не хватает отзывов')]).toBe(1);
		expect(rows[4][col('Ранг')]).toBe(1);
		expect(rows[5][col('Ранг')]).toBe(1);
		expect(rows[5][col('Равный балл')]).toBe('да');
		expect(rows[7][col('Балл')] ?? null).toBeNull(); // P4: no score, shown not hidden
		expect(rows[7][col('Отзывов')]).toBe(0);
		expect(rows[0][col('Регион')]).toBe('Республика Татарстан');
		expect(rows[0][col('Округ')]).toBe('ПФО');
		expect(rows[0][col('Баллы экспертов')]).toBe('Антонов Б. И.: 90; Белова В. П.: 80; Григорьев Д. О.: 80');
		// the formats survive the shared cell styles (issue 18): bold header, 2 decimals on fractions
		expect(ws.getRow(1).getCell(1).font?.bold).toBe(true);
		expect(ws.getRow(2).getCell(col('Балл') + 1).numFmt).toBe('0.00');
		expect(ws.getRow(2).getCell(col('Ранг') + 1).numFmt ?? 'General').not.toBe('0.00');
	});

	it('entries CSV: BOM, «;», decimal comma, same rows', async () => {
		const { loaded, results } = roundResults(db, s.roundId);
		const csv = await text(entriesCsv(loaded, results));
		expect(csv.charCodeAt(0)).toBe(0xfeff);
		const parsed = Papa.parse<string[]>(csv.slice(1), { delimiter: ';', skipEmptyLines: true });
		expect(parsed.data).toHaveLength(9);
		const head = parsed.data[0];
		expect(parsed.data[1][head.indexOf('Номер')]).toBe(s.numbers.M1);
		expect(parsed.data[1][head.indexOf('Балл')]).toBe('83,33');
		expect(parsed.data[8][head.indexOf('Балл')]).toBe('');
	});

	it("jurors XLSX: a summary and one sheet per juror with every assignment; one juror's CSV", async () => {
		const { loaded, results } = roundResults(db, s.roundId);
		const wb = await workbook(jurorsXlsx(loaded, results));
		expect(wb.worksheets.map((w) => w.name)).toEqual(['Сводка', 'Антонов Б. И.', 'Белова В. П.', 'Григорьев Д. О.', 'Дёмина Е. Ю.']);
		const j4 = wb.getWorksheet('Дёмина Е. Ю.')!;
		// 2 preface rows + header + 6 assignments
		expect(j4.rowCount).toBe(9);
		const head = values(j4.getRow(3)) as string[];
		const rows = [4, 5, 6, 7, 8, 9].map((i) => values(j4.getRow(i)));
		const m4 = rows.find((r) => r[0] === s.numbers.M4)!;
		expect(m4[head.indexOf('Состояние')]).toBe('не начата');
		const m2 = rows.find((r) => r[0] === s.numbers.M2)!;
		expect(m2[head.indexOf('Итог (0–100)')]).toBe(20);
		expect(m2[head.indexOf('Минут на оценку')]).toBe(1);
		expect(m2[head.indexOf('Комментарий для организаторов')]).toBe('Комментарий J4 к M2');
		expect(m2[head.indexOf('Отзыв для заявителя')]).toBe('Отзыв J4 к M2');
		const csv = await text(jurorCsv(loaded, results, s.jurors.J4));
		expect(csv.split('\r\n').filter(Boolean)).toHaveLength(7);
	});

	it('protocol XLSX: settings, the tie-break rule and the ranking', async () => {
		const { loaded, results } = roundResults(db, s.roundId);
		const wb = await workbook(protocolXlsx(loaded, results, { printedBy: 'выгрузила Орлова', now: new Date(Date.UTC(2026, 4, 1, 9, 0)) }));
		const ws = wb.getWorksheet('Протокол')!;
		expect(String(ws.getRow(1).getCell(1).value)).toContain('Протокол подведения итогов');
		expect(String(ws.getRow(2).getCell(1).value)).toContain('2026-05-01 12:00');
		const all = ws.getSheetValues().flat().map(String).join('\n');
		expect(all).toContain('Метод нормализации: Без нормализации');
		expect(all).toContain('раньше подана');
		expect(all).toContain(s.numbers.P4);
		expect(wb.getWorksheet('Жюри')!.rowCount).toBe(5);
	});

	it('an empty round is refused with a clear message', () => {
		db.delete(roundEntries).run();
		const { loaded, results } = roundResults(db, s.roundId);
		for (const f of [() => entriesXlsx(loaded, results), () => entriesCsv(loaded, results), () => jurorsXlsx(loaded, results)]) {
			try {
				f();
				throw new Error('not refused');
			} catch (e) {
				expect(e).toBeInstanceOf(DomainError);
				expect((e as DomainError).status).toBe(409);
				expect((e as DomainError).message).toContain('нет заявок');
			}
		}
	});

	it('helpers', () => {
		expect(shortName('Иванова Светлана Петровна')).toBe('Иванова С. П.');
		expect(disposition('итоги.xlsx')).toBe(`attachment; filename="_____.xlsx"; filename*=UTF-8''${encodeURIComponent('итоги.xlsx')}`);
	});
});
