/**
 * Import of practices from CSV (papaparse) or XLSX (exceljs): practices from other programmes,
 * e.g. graduate projects of a school of mayors. The first row names the columns (the keys of
 * PRACTICE_KEYS or their Russian names); every other non-empty row is a practice. All rows are
 * checked first; any error — with its line number and column — stops the whole import, and a
 * clean file is written in one transaction: all or nothing.
 */
import Papa from 'papaparse';
import ExcelJS from 'exceljs';
import type { DB, DbOrTx } from '../db/client';
import { audit } from '../audit';
import { DomainError, forbidden } from '../errors';
import { KEY_LABELS, MAX_RESULTS, PRACTICE_KEYS, keyLabel, parsePracticeInput, type PracticeInput } from '../../schemas/library';
import { normalize } from './text';
import { insertPractice, RESERVED_SLUGS } from './practices';
import type { Actor } from '../actor';
import { practices } from '../db/schema';
import { eq } from 'drizzle-orm';

export const MAX_IMPORT_ROWS = 2000;

export interface ImportError {
	/** Line of the file (CSV) or row of the sheet (XLSX), 1 = the header. */
	line: number;
	/** The column key (`title`, `result2_value`), or '' for the whole row or file. */
	column: string;
	label: string;
	message: string;
}

export interface ParsedImport {
	rows: { line: number; raw: Record<string, string> }[];
	errors: ImportError[];
}

const RESULT_LABEL_WORDS: Record<string, string> = { показатель: 'indicator', было: 'baseline', стало: 'value', единица: 'unit', период: 'period', источник: 'source', 'источник данных': 'source' };

/** Column header → key: the key itself, its Russian name, or «Результат 2: стало». */
export function headerKey(header: string): string | null {
	const h = normalize(header).replace(/\s+/g, ' ').trim();
	if (!h) return null;
	if ((PRACTICE_KEYS as readonly string[]).includes(h)) return h;
	for (const [k, label] of Object.entries(KEY_LABELS)) if (normalize(label) === h) return k;
	const m = /^результат\s*(\d+)\s*[:.,-]?\s*(.+)$/.exec(h);
	if (m) {
		const f = RESULT_LABEL_WORDS[m[2].trim()];
		const n = Number(m[1]);
		if (f && n >= 1 && n <= MAX_RESULTS) return `result${n}_${f}`;
	}
	return null;
}

function decodeText(bytes: Uint8Array): string {
	try {
		return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
	} catch {
		// Excel on a Russian Windows saves «CSV» in windows-1251.
		return new TextDecoder('windows-1251').decode(bytes);
	}
}

function fromTable(table: { line: number; cells: string[] }[]): ParsedImport {
	const errors: ImportError[] = [];
	const rows: ParsedImport['rows'] = [];
	const header = table[0];
	if (!header) return { rows, errors: [{ line: 1, column: '', label: '', message: 'Файл пустой: в первой строке должны быть названия колонок' }] };
	const keys = header.cells.map((c) => headerKey(c));
	header.cells.forEach((c, i) => {
		if (c.trim() && !keys[i])
			errors.push({ line: header.line, column: '', label: c.slice(0, 60), message: `Неизвестная колонка «${c.slice(0, 60)}». Возьмите названия колонок из шаблона` });
		if (keys[i] && keys.indexOf(keys[i]) !== i) errors.push({ line: header.line, column: keys[i]!, label: keyLabel(keys[i]!), message: `Колонка «${c.slice(0, 60)}» повторяется` });
	});
	for (const required of ['title', 'summary', 'region', 'sphere', 'year'])
		if (!keys.includes(required)) errors.push({ line: header.line, column: required, label: keyLabel(required), message: `Нет обязательной колонки «${KEY_LABELS[required]}» (${required})` });
	if (errors.length) return { rows, errors };
	for (const r of table.slice(1)) {
		if (r.cells.every((c) => !c.trim())) continue;
		const raw: Record<string, string> = {};
		keys.forEach((k, i) => {
			if (k) raw[k] = r.cells[i] ?? '';
		});
		rows.push({ line: r.line, raw });
	}
	if (!rows.length) errors.push({ line: header.line + 1, column: '', label: '', message: 'В файле нет ни одной практики: после строки с названиями колонок строки пустые' });
	if (rows.length > MAX_IMPORT_ROWS) errors.push({ line: rows[MAX_IMPORT_ROWS].line, column: '', label: '', message: `Не больше ${MAX_IMPORT_ROWS} практик за один импорт; разделите файл` });
	return { rows, errors };
}

/** CSV: UTF-8 (with or without BOM) or windows-1251, delimiter guessed (`,` `;` or tab). */
export function parseCsv(bytes: Uint8Array): ParsedImport {
	const text = decodeText(bytes).replace(/^\uFEFF/, '');
	const table: { line: number; cells: string[] }[] = [];
	const parseErrors: ImportError[] = [];
	// Line numbers of rows: count the line breaks before each row's start (a quoted cell may
	// itself hold line breaks).
	let prevCursor = 0;
	let line = 1;
	let scanned = 0;
	const lineAt = (offset: number) => {
		for (; scanned < offset && scanned < text.length; scanned++) if (text.charCodeAt(scanned) === 10) line++;
		return line;
	};
	Papa.parse<string[]>(text, {
		delimiter: '',
		delimitersToGuess: [',', ';', '\t'],
		skipEmptyLines: false,
		step: (res) => {
			let start = prevCursor;
			// The cursor of the previous row stops at its line break.
			while (start < text.length && (text[start] === '\n' || text[start] === '\r')) start++;
			const rowLine = lineAt(start);
			prevCursor = res.meta.cursor;
			for (const e of res.errors) if (e.type !== 'Delimiter') parseErrors.push({ line: rowLine, column: '', label: '', message: `Ошибка разметки CSV: ${e.code === 'MissingQuotes' ? 'не закрыта кавычка' : e.message}` });
			table.push({ line: rowLine, cells: res.data.map((c) => String(c ?? '')) });
		}
	});
	const r = fromTable(table);
	return { rows: r.rows, errors: [...parseErrors, ...r.errors] };
}

function cellText(v: ExcelJS.CellValue): string {
	if (v == null) return '';
	if (typeof v === 'string') return v;
	if (typeof v === 'number') return String(v);
	if (typeof v === 'boolean') return v ? 'да' : 'нет';
	if (v instanceof Date) return v.toISOString().slice(0, 10);
	if (typeof v === 'object') {
		if ('richText' in v) return v.richText.map((t) => t.text).join('');
		if ('text' in v && typeof v.text === 'string') return v.text;
		if ('result' in v) return cellText(v.result as ExcelJS.CellValue);
		if ('error' in v) return '';
	}
	return String(v);
}

/** XLSX: the first worksheet; line numbers are the sheet's row numbers. */
export async function parseXlsx(bytes: Uint8Array): Promise<ParsedImport> {
	const wb = new ExcelJS.Workbook();
	try {
		await wb.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
	} catch {
		return { rows: [], errors: [{ line: 0, column: '', label: '', message: 'Не удалось прочитать файл XLSX: сохраните его в Excel или LibreOffice заново' }] };
	}
	const ws = wb.worksheets[0];
	if (!ws) return { rows: [], errors: [{ line: 0, column: '', label: '', message: 'В книге нет листов' }] };
	const table: { line: number; cells: string[] }[] = [];
	let width = 0;
	ws.eachRow({ includeEmpty: false }, (row, rowNumber) => {
		const cells: string[] = [];
		const values = row.values as ExcelJS.CellValue[];
		for (let i = 1; i < values.length; i++) cells.push(cellText(values[i]));
		if (!table.length) width = cells.length;
		table.push({ line: rowNumber, cells: cells.slice(0, Math.max(width, cells.length)) });
	});
	return fromTable(table);
}

export async function parseImportFile(filename: string, bytes: Uint8Array): Promise<ParsedImport> {
	if (/\.xlsx$/i.test(filename)) return parseXlsx(bytes);
	if (/\.csv$/i.test(filename)) return parseCsv(bytes);
	throw new DomainError(400, 'bad_type', 'Импорт принимает файлы CSV или XLSX');
}

export interface ImportCheck {
	inputs: { line: number; input: PracticeInput }[];
	errors: ImportError[];
}

/** Checks every row (fields, explicit addresses free and not repeated). Writes nothing. */
export function checkImport(db: DbOrTx, parsed: ParsedImport): ImportCheck {
	const errors = [...parsed.errors];
	const inputs: ImportCheck['inputs'] = [];
	const slugs = new Map<string, number>();
	for (const { line, raw } of parsed.rows) {
		const r = parsePracticeInput(raw);
		if (!r.ok) {
			for (const [column, message] of Object.entries(r.errors)) errors.push({ line, column, label: keyLabel(column), message });
			continue;
		}
		const slug = r.data.slug;
		if (slug) {
			if (RESERVED_SLUGS.has(slug)) errors.push({ line, column: 'slug', label: keyLabel('slug'), message: `Адрес «${slug}» занят разделом библиотеки` });
			else if (slugs.has(slug)) errors.push({ line, column: 'slug', label: keyLabel('slug'), message: `Адрес «${slug}» уже встречается в строке ${slugs.get(slug)}` });
			else if (db.select({ id: practices.id }).from(practices).where(eq(practices.slug, slug)).get())
				errors.push({ line, column: 'slug', label: keyLabel('slug'), message: `Адрес «${slug}» уже занят практикой в библиотеке` });
			slugs.set(slug, line);
		}
		inputs.push({ line, input: r.data });
	}
	errors.sort((a, b) => a.line - b.line || PRACTICE_KEYS.indexOf(a.column as never) - PRACTICE_KEYS.indexOf(b.column as never));
	return { inputs, errors };
}

/**
 * Imports the checked rows: nothing at all when any row has an error; otherwise every practice in
 * one transaction (as drafts, or published when asked), each with its audit event.
 */
export function importPractices(db: DB, actor: Actor, parsed: ParsedImport, opts: { publish: boolean; fileName: string }, now = new Date()): { created: number; slugs: string[]; errors: ImportError[] } {
	if (actor.role !== 'organizer') throw forbidden('Импортировать практики могут только организаторы');
	const check = checkImport(db, parsed);
	if (check.errors.length) return { created: 0, slugs: [], errors: check.errors };
	const slugs = db.transaction(() => {
		const out: string[] = [];
		for (const { input } of check.inputs) out.push(insertPractice(db, actor, input, { publish: opts.publish, action: 'practice.import' }, now).slug);
		audit(db, { actorId: actor.id, action: 'library.import', entity: 'library', entityId: null, after: { file: opts.fileName.slice(0, 200), created: out.length, published: opts.publish } }, now);
		return out;
	});
	return { created: slugs.length, slugs, errors: [] };
}

/** The header of the import template and of the CSV export, in Russian, then the keys. */
export function templateHeader(): string[] {
	return [...PRACTICE_KEYS];
}

