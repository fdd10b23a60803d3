/**
 * Import of a jury list from CSV or XLSX. Columns (header row, any order, case-insensitive):
 * ФИО · email · регион · организация · номинации · ёмкость. Every bad row is reported with its
 * line number (the line of the file for CSV, the row of the sheet for XLSX); the import is
 * all-or-nothing, so nothing is written unless every row is good.
 */
import Papa from 'papaparse';
import ExcelJS from 'exceljs';
import { REGIONS, regionByCode } from '../../data/regions';
import { emailField, fioField } from '../../schemas/jury';
import type { NewJuror } from './jurors';
import type { DbOrTx } from '../db/client';
import { users } from '../db/schema';
import { listNominations } from '../contests/queries';

export const IMPORT_MAX_BYTES = 2 * 1024 * 1024;
export const IMPORT_MAX_ROWS = 5000;

export type Column = 'fio' | 'email' | 'region' | 'organization' | 'nominations' | 'capacity';
const HEADERS: Record<Column, string[]> = {
	fio: ['фио', 'ф.и.о.', 'ф. и. о.', 'фамилия имя отчество', 'фамилия, имя, отчество', 'эксперт'],
	email: ['email', 'e-mail', 'эл. почта', 'эл.почта', 'почта', 'электронная почта', 'адрес электронной почты'],
	region: ['регион', 'субъект', 'субъект рф', 'код региона'],
	organization: ['организация', 'место работы'],
	nominations: ['номинации', 'номинация', 'номинации экспертизы'],
	capacity: ['ёмкость', 'емкость', 'нагрузка', 'максимум заявок', 'ёмкость (заявок за тур)']
};
const REQUIRED: Column[] = ['fio', 'email', 'nominations'];
export const COLUMN_TITLE: Record<Column, string> = { fio: 'ФИО', email: 'email', region: 'регион', organization: 'организация', nominations: 'номинации', capacity: 'ёмкость' };

export interface RawRow {
	line: number;
	cells: string[];
}

export interface RowError {
	line: number;
	messages: string[];
}

export interface ParsedImport {
	rows: (NewJuror & { line: number })[];
	errors: RowError[];
	/** a problem with the file as a whole (unreadable, no header, missing columns) */
	fileError?: string;
}

const norm = (s: string) => s.normalize('NFC').toLowerCase().replace(/ё/g, 'е').replace(/[«»"“”]/g, '').replace(/\s+/g, ' ').trim();

/** UTF-8 (with or without BOM), or Windows-1251 as Excel saves «CSV» on Russian Windows. */
export function decodeText(buf: Uint8Array): string {
	try {
		return new TextDecoder('utf-8', { fatal: true }).decode(buf).replace(/^\uFEFF/, '');
	} catch {
		return new TextDecoder('windows-1251').decode(buf);
	}
}

export function readCsv(text: string): RawRow[] {
	const out: RawRow[] = [];
	let line = 1;
	let consumed = 0;
	Papa.parse<string[]>(text, {
		header: false,
		skipEmptyLines: false,
		step: (r) => {
			const cursor = r.meta.cursor;
			out.push({ line, cells: (r.data as string[]).map((c) => String(c ?? '')) });
			// the next record starts after this one: count the line breaks it spanned
			for (let i = consumed; i < cursor && i < text.length; i++) if (text[i] === '\n') line++;
			consumed = cursor;
		}
	});
	return out;
}

function cellText(v: ExcelJS.CellValue): string {
	if (v == null) return '';
	if (typeof v === 'string') return v;
	if (typeof v === 'number' || typeof v === 'boolean') return String(v);
	if (v instanceof Date) return v.toISOString().slice(0, 10);
	if (typeof v === 'object') {
		if ('richText' in v) return v.richText.map((t) => t.text).join('');
		if ('text' in v && typeof v.text === 'string') return v.text;
		if ('hyperlink' in v) return String((v as { hyperlink: string }).hyperlink).replace(/^mailto:/, '');
		if ('result' in v) return v.result == null ? '' : cellText(v.result as ExcelJS.CellValue);
		if ('error' in v) return '';
	}
	return String(v);
}

export async function readXlsx(buf: Uint8Array): Promise<RawRow[]> {
	const wb = new ExcelJS.Workbook();
	await wb.xlsx.load(Buffer.from(buf) as unknown as Parameters<typeof wb.xlsx.load>[0]);
	const ws = wb.worksheets[0];
	if (!ws) return [];
	const out: RawRow[] = [];
	ws.eachRow({ includeEmpty: false }, (row, rowNumber) => {
		const values = row.values as ExcelJS.CellValue[];
		const cells: string[] = [];
		for (let c = 1; c < values.length; c++) cells.push(cellText(values[c]));
		out.push({ line: rowNumber, cells });
	});
	return out;
}

/** Reads the file by its name and its first bytes; throws a Russian message for unreadable files. */
export async function readRows(buf: Uint8Array, filename: string): Promise<RawRow[]> {
	const isZip = buf.length >= 4 && buf[0] === 0x50 && buf[1] === 0x4b && buf[2] === 0x03 && buf[3] === 0x04;
	const ext = /\.([a-z0-9]+)$/i.exec(filename)?.[1]?.toLowerCase() ?? '';
	if (ext === 'xlsx' || isZip) {
		if (!isZip) throw new ImportFileError('Файл не похож на XLSX: сохраните таблицу в Excel как «Книга Excel (*.xlsx)» или как CSV');
		try {
			return await readXlsx(buf);
		} catch {
			throw new ImportFileError('Не удалось прочитать файл XLSX: он повреждён или это не таблица Excel');
		}
	}
	if (ext === 'xls') throw new ImportFileError('Старый формат XLS не поддерживается: сохраните таблицу как XLSX или CSV');
	if (ext !== 'csv' && ext !== 'txt' && ext !== '') throw new ImportFileError(`Формат .${ext} не поддерживается: загрузите CSV или XLSX`);
	if (buf.includes(0)) throw new ImportFileError('Файл не похож на текстовый CSV');
	return readCsv(decodeText(buf));
}

export class ImportFileError extends Error {}

function matchHeader(cells: string[]): { map: Partial<Record<Column, number>>; unknown: string[] } {
	const map: Partial<Record<Column, number>> = {};
	const unknown: string[] = [];
	cells.forEach((raw, i) => {
		const h = norm(raw);
		if (!h) return;
		const col = (Object.keys(HEADERS) as Column[]).find((c) => HEADERS[c].some((x) => norm(x) === h));
		if (col && map[col] === undefined) map[col] = i;
		else unknown.push(raw.trim());
	});
	return { map, unknown };
}

export interface NominationRef {
	id: string;
	slug: string;
	title: string;
}

function matchRegion(raw: string): string | null | undefined {
	const v = raw.trim();
	if (!v) return null;
	const byCode = regionByCode(v);
	if (byCode) return byCode.code;
	const n = norm(v).replace(/^г\.?\s*/, '');
	const exact = REGIONS.find((r) => norm(r.name).replace(/^г\.?\s*/, '') === n);
	if (exact) return exact.code;
	const partial = REGIONS.filter((r) => norm(r.name).split(/[\s—-]+/).includes(n));
	return partial.length === 1 ? partial[0].code : undefined;
}

function matchNominations(raw: string, noms: NominationRef[]): { ids: string[]; unknown: string[] } {
	const v = raw.trim();
	if (/^(все|всё|\*)$/i.test(v)) return { ids: noms.map((n) => n.id), unknown: [] };
	const find = (s: string) => {
		const x = norm(s);
		return noms.find((n) => norm(n.slug) === x || norm(n.title) === x);
	};
	const ids: string[] = [];
	const unknown: string[] = [];
	for (const piece of v.split(/[;\n|]+/).map((s) => s.trim()).filter(Boolean)) {
		const hit = find(piece);
		if (hit) {
			ids.push(hit.id);
			continue;
		}
		// a comma-separated list (titles rarely contain commas)
		const parts = piece.split(',').map((s) => s.trim()).filter(Boolean);
		const hits = parts.map(find);
		if (parts.length > 1 && hits.every(Boolean)) ids.push(...hits.map((h) => h!.id));
		else unknown.push(piece);
	}
	return { ids: [...new Set(ids)], unknown };
}

/** Validates the rows of a jury list; `existingEmails` are addresses already registered. */
export function validateRows(raw: RawRow[], noms: NominationRef[], existingEmails: Set<string>, defaultCapacity = 50): ParsedImport {
	const rows = raw.filter((r) => r.cells.some((c) => c.trim() !== ''));
	if (!rows.length) return { rows: [], errors: [], fileError: 'Файл пуст: нет ни заголовка, ни строк с экспертами' };
	const header = rows[0];
	const { map } = matchHeader(header.cells);
	const missing = REQUIRED.filter((c) => map[c] === undefined);
	if (missing.length)
		return {
			rows: [],
			errors: [],
			fileError: `В первой строке (строка ${header.line}) нет ${missing.length === 1 ? 'столбца' : 'столбцов'} ${missing.map((c) => `«${COLUMN_TITLE[c]}»`).join(', ')}. Ожидаемые столбцы: ФИО, email, регион, организация, номинации, ёмкость.`
		};
	const data = rows.slice(1);
	if (!data.length) return { rows: [], errors: [], fileError: 'В файле только заголовок: добавьте строки с экспертами' };
	if (data.length > IMPORT_MAX_ROWS) return { rows: [], errors: [], fileError: `Слишком много строк: ${data.length}, не больше ${IMPORT_MAX_ROWS} за один импорт` };
	const get = (r: RawRow, c: Column) => (map[c] === undefined ? '' : (r.cells[map[c]!] ?? '').trim());
	const out: ParsedImport = { rows: [], errors: [] };
	const seen = new Map<string, number>();
	for (const r of data) {
		const messages: string[] = [];
		const fio = fioField.safeParse(get(r, 'fio'));
		if (!fio.success) messages.push(`ФИО: ${fio.error.issues[0].message}`);
		const email = emailField.safeParse(get(r, 'email'));
		let emailValue = '';
		if (!email.success) messages.push(`email: ${email.error.issues[0].message}`);
		else {
			emailValue = email.data;
			if (seen.has(emailValue)) messages.push(`email ${emailValue} уже встречается в строке ${seen.get(emailValue)}`);
			else if (existingEmails.has(emailValue)) messages.push(`пользователь с почтой ${emailValue} уже зарегистрирован`);
			seen.set(emailValue, seen.get(emailValue) ?? r.line);
		}
		const region = matchRegion(get(r, 'region'));
		if (region === undefined) messages.push(`регион «${get(r, 'region')}» не найден: укажите код (например, 16) или название субъекта`);
		const organization = get(r, 'organization');
		if (organization.length > 300) messages.push('организация: не длиннее 300 символов');
		const nomRaw = get(r, 'nominations');
		const nm = matchNominations(nomRaw, noms);
		if (!nomRaw) messages.push('номинации: укажите хотя бы одну номинацию (или «все»)');
		else if (nm.unknown.length) messages.push(`номинации не найдены: ${nm.unknown.map((u) => `«${u}»`).join(', ')}`);
		const capRaw = get(r, 'capacity');
		let capacity = defaultCapacity;
		if (capRaw) {
			const n = Number(capRaw.replace(',', '.'));
			if (!Number.isInteger(n) || n < 0 || n > 10_000) messages.push(`ёмкость «${capRaw}»: целое число от 0 до 10 000`);
			else capacity = n;
		}
		if (messages.length) out.errors.push({ line: r.line, messages });
		else out.rows.push({ line: r.line, fio: fio.data!, email: emailValue, regionCode: region ?? null, organization, nominationIds: nm.ids, capacity });
	}
	return out;
}

/** File → validated rows (nothing is written here). */
export async function parseJuryFile(buf: Uint8Array, filename: string, noms: NominationRef[], existingEmails: Set<string>): Promise<ParsedImport> {
	if (buf.length === 0) return { rows: [], errors: [], fileError: 'Файл пуст' };
	if (buf.length > IMPORT_MAX_BYTES) return { rows: [], errors: [], fileError: 'Файл больше 2 МБ: разделите список на части' };
	let raw: RawRow[];
	try {
		raw = await readRows(buf, filename);
	} catch (e) {
		if (e instanceof ImportFileError) return { rows: [], errors: [], fileError: e.message };
		throw e;
	}
	return validateRows(raw, noms, existingEmails);
}

/**
 * The jury console's import: the file checked against the contest's nominations and the
 * addresses already registered (nothing is written here; `inviteJurors` writes all or nothing).
 */
export async function readJuryFile(db: DbOrTx, contestId: string, buf: Uint8Array, filename: string): Promise<ParsedImport> {
	const noms = listNominations(db, contestId).map((n) => ({ id: n.id, slug: n.slug, title: n.title }));
	const existing = new Set(db.select({ email: users.email }).from(users).all().map((u) => u.email));
	return parseJuryFile(buf, filename, noms, existing);
}
