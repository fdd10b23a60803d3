/**
 * Exports of a round's results, streamed.
 *
 * - XLSX: exceljs' streaming `WorkbookWriter` (rows are committed one by one and zipped on the
 *   fly, no shared strings table) writing into a PassThrough that becomes the Response body.
 *   Between batches of rows the writer waits while the output buffer holds more than ~1 MiB, so a
 *   slow download does not pile the file up in memory (bench/results-db.ts reports peak RSS).
 * - CSV: a ReadableStream that produces batches of rows on demand (`pull`), UTF-8 with a BOM and
 *   `;` as the separator with decimal commas, which is what Excel expects in a Russian locale;
 *   formulae are escaped (papaparse `escapeFormulae`).
 *
 * The rows themselves come from the computed results of the round (computeResults holds the
 * round in memory anyway; what the streaming bounds is the FILE, which for 24 000 rows is several
 * times larger than the data).
 *
 * Files: `entries` (entries with scores and ranks, all nominations), `jurors` (one sheet per
 * juror: every assignment with the criterion scores, total, time spent, the comment for the organizers and the feedback for the applicant; CSV: one juror
 * via `juror=`), `protocol` (XLSX protocol: ranking and decisions per nomination, settings, the
 * tie-break rule, jury). An empty round (no entries) is refused with a clear message (409).
 */
import ExcelJS from 'exceljs';
import Papa from 'papaparse';
import { PassThrough, Readable } from 'node:stream';
import { APPLICATION_STATUS_TITLE, TRACK_TITLE } from '../../glossary';
import { districtOf, regionByCode } from '../../data/regions';
import { DomainError } from '../errors';
import { collectTransient, compactSoon } from '../ops/memory';
import { criteriaOf, type AssignmentMeta, type EntryMeta, type LoadedRound, type RoundResults } from './load';
import { MODEL_METHOD, type NormalizationMode, type ResultsOutput } from './compute';
import { NORMALIZATION_TITLE } from '../../results';

export type ExportKind = 'entries' | 'jurors' | 'protocol';


/** «2026-03-01 13:05» in Moscow time (sortable text). */
export function mskStamp(ms: number | null): string {
	if (ms === null) return '';
	return new Date(ms + 3 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
}

const r2 = (x: number | null | undefined) => (x === null || x === undefined ? null : Math.round(x * 100) / 100);

export interface Column {
	header: string;
	width: number;
	/** number columns are written as numbers (2 decimals) */
	num?: boolean;
}
export type Cell = string | number | null;

export function assertExportable(l: LoadedRound): void {
	if (!l.entries.length) throw new DomainError(409, 'empty_round', `В туре «${l.round.title}» нет заявок — выгружать нечего.`);
}

// ---------------------------------------------------------------------------------------------
// rows

const METHOD_DETAIL: Record<NormalizationMode, string> = {
	none: 'балл заявки — среднее исходных итогов её экспертов',
	zscore: 'итог каждого эксперта приведён к z-оценке по его итогам в туре и перенесён на шкалу 0–100 по общему среднему и разбросу; балл заявки — среднее',
	model: MODEL_METHOD
};

/** The method's name as the exports and the protocol print it, with what ranked when the model fell back. */
export function methodTitle(res: Pick<ResultsOutput, 'settings' | 'model'>): string {
	const mode = res.settings.normalization ?? (res.settings.normalize ? 'zscore' : 'none');
	const applied = res.model?.applied ?? mode;
	return applied === mode ? NORMALIZATION_TITLE[mode] : `${NORMALIZATION_TITLE[mode]} (не применена: места по методу «${NORMALIZATION_TITLE[applied]}»)`;
}

/** «Метод нормализации: Модель строгости жюри — …» (the protocol's line). */
export function methodLine(res: Pick<ResultsOutput, 'settings' | 'model'>): string {
	const mode = res.settings.normalization ?? (res.settings.normalize ? 'zscore' : 'none');
	const applied = res.model?.applied ?? mode;
	return `Метод нормализации: ${methodTitle(res)} — ${METHOD_DETAIL[applied]}.`;
}

/** Columns and rows of the entries table (one row per entry, nominations in order, by position). */
export function entriesTable(l: LoadedRound, res: RoundResults): { columns: Column[]; rows: () => Generator<Cell[]> } {
	const noms = new Map(l.nominations.map((n, i) => [n.id, { ...n, i }]));
	const meta = new Map(l.entries.map((e) => [e.id, e]));
	const crit = l.criteria;
	const mode = res.settings.normalization ?? (res.settings.normalize ? 'zscore' : 'none');
	// 'model' mode: the model's score and its uncertainty (the posterior SD) beside it
	const withSd = withSdOf(res);
	const method = methodTitle(res);
	const columns: Column[] = [
		{ header: 'Номинация', width: 28 },
		{ header: 'Трек', width: 11 },
		{ header: 'Место', width: 7, num: true },
		{ header: 'Ранг', width: 7, num: true },
		{ header: 'Равный балл', width: 8 },
		{ header: 'Номер', width: 16 },
		{ header: 'Участник', width: 30 },
		{ header: 'Практика', width: 34 },
		{ header: 'Регион', width: 26 },
		{ header: 'Округ', width: 8 },
		{ header: 'Организация', width: 30 },
		{ header: 'Статус', width: 16 },
		{ header: mode === 'model' && withSd ? 'Балл (оценка модели)' : mode !== 'none' ? 'Балл (нормализованный)' : 'Балл', width: 10, num: true },
		...(withSd ? [{ header: 'Неопределённость балла (±, модель)', width: 12, num: true }] : []),
		{ header: 'Средний исходный балл', width: 10, num: true },
		{ header: 'Медиана', width: 10, num: true },
		{ header: 'Разброс', width: 10, num: true },
		{ header: 'Отзывов', width: 8, num: true },
		{ header: 'Не хватает отзывов', width: 9, num: true },
		{ header: 'Расхождение', width: 11 },
		...crit.map((c) => ({ header: `Ср. «${c.title}» (${c.scaleMin}–${c.scaleMax})`, width: 12, num: true })),
		{ header: 'Баллы экспертов', width: 40 },
		{ header: 'Метод нормализации', width: 24 }
	];
	const order = [...res.entries].sort((a, b) => (noms.get(a.nominationId)?.i ?? 1e9) - (noms.get(b.nominationId)?.i ?? 1e9) || a.position - b.position);
	function* rows(): Generator<Cell[]> {
		for (const r of order) {
			const m = meta.get(r.applicationId)!;
			const nom = noms.get(r.nominationId);
			const reg = m.regionCode ? regionByCode(m.regionCode) : undefined;
			yield [
				nom?.title ?? '',
				nom ? TRACK_TITLE[nom.track] : '',
				r.position,
				r.rank,
				r.tie ? 'да' : '',
				r.number,
				m.fio,
				m.title,
				reg?.name ?? m.regionCode ?? '',
				m.regionCode ? (districtOf(m.regionCode)?.short ?? '') : '',
				m.organization ?? '',
				APPLICATION_STATUS_TITLE[m.status],
				r2(r.score),
				...(withSd ? [r2(r.scoreSd ?? null)] : []),
				r2(r.rawMean),
				r2(r.median),
				r2(r.spread),
				r.reviews,
				r.missing,
				r.flagged ? 'да' : '',
				...crit.map((c) => r2(r.perCriterion[c.id] ?? null)),
				r.totals
					.map((t) => `${shortName(l.jurors.get(t.jurorId)?.fio ?? '')}: ${r2(t.raw)}`)
					.sort(ruCompare)
					.join('; '),
				method
			];
		}
	}
	return { columns, rows };
}

/** Russian alphabetical order: one shared collator (String#localeCompare with a locale builds one per call). */
export const ruCompare = new Intl.Collator('ru').compare;

/** «Антонов Б. И.» */
export function shortName(fio: string): string {
	const [last, ...rest] = fio.split(/\s+/).filter(Boolean);
	return [last, ...rest.map((p) => p[0] + '.')].join(' ');
}

/**
 * What the juror sheets share, built in one pass over the round: entries by id, every review's
 * total by assignment, the live assignments of each juror (entries of the round only). Built once
 * per export (and kept with the round's cached results for one juror's CSV), never per juror.
 */
export interface JurorIndex {
	meta: Map<string, EntryMeta>;
	totals: Map<string, { raw: number; normalized: number }>;
	byJuror: Map<string, AssignmentMeta[]>;
	/** Every live assignment of the juror in the round (withdrawn entries included): the summary sheet. */
	counts: Map<string, { assigned: number; submitted: number }>;
}

export function jurorIndex(l: LoadedRound, res: RoundResults): JurorIndex {
	const meta = new Map(l.entries.map((e) => [e.id, e]));
	const totals = new Map<string, { raw: number; normalized: number }>();
	for (const e of res.entries) for (const t of e.totals) totals.set(t.assignmentId, t);
	const byJuror = new Map<string, AssignmentMeta[]>();
	const counts = new Map<string, { assigned: number; submitted: number }>();
	for (const a of l.assignments) {
		let c = counts.get(a.jurorId);
		if (!c) counts.set(a.jurorId, (c = { assigned: 0, submitted: 0 }));
		c.assigned++;
		if (a.status === 'submitted') c.submitted++;
		if (!meta.has(a.applicationId)) continue;
		let list = byJuror.get(a.jurorId);
		if (!list) byJuror.set(a.jurorId, (list = []));
		list.push(a);
	}
	return { meta, totals, byJuror, counts };
}

/** One juror's sheet: every live assignment of the round. */
export function jurorTable(l: LoadedRound, res: RoundResults, jurorId: string, idx: JurorIndex = jurorIndex(l, res)): { columns: Column[]; rows: () => Generator<Cell[]> } {
	const { meta, totals } = idx;
	const noms = new Map(l.nominations.map((n) => [n.id, n]));
	const crit = l.criteria;
	const mode = res.settings.normalization ?? (res.settings.normalize ? 'zscore' : 'none');
	// 'model' mode: the model's score and its uncertainty (the posterior SD) beside it
	const withSd = withSdOf(res);
	const method = methodTitle(res);
	const columns: Column[] = [
		{ header: 'Номер', width: 16 },
		{ header: 'Номинация', width: 28 },
		{ header: 'Участник', width: 30 },
		...crit.map((c) => ({ header: `${c.title} (${c.scaleMin}–${c.scaleMax})`, width: 12, num: true })),
		{ header: 'Итог (0–100)', width: 10, num: true },
		{ header: 'Нормализованный', width: 12, num: true },
		{ header: 'Состояние', width: 14 },
		{ header: 'Начата (МСК)', width: 17 },
		{ header: 'Отправлена (МСК)', width: 17 },
		{ header: 'Минут на оценку', width: 9, num: true },
		{ header: 'Комментарий для организаторов', width: 50 },
		{ header: 'Отзыв для заявителя', width: 50 }
	];
	const STATE = { assigned: 'не начата', draft: 'черновик', submitted: 'отправлена' } as const;
	const list = [...(idx.byJuror.get(jurorId) ?? [])].sort((a, b) => (meta.get(a.applicationId)!.number < meta.get(b.applicationId)!.number ? -1 : 1));
	const applicableBy = new Map<string, Set<string>>();
	const applicableOf = (nominationId: string) => {
		let s = applicableBy.get(nominationId);
		if (!s) applicableBy.set(nominationId, (s = new Set(criteriaOf(l, nominationId).map((c) => c.id))));
		return s;
	};
	function* rows(): Generator<Cell[]> {
		for (const a of list) {
			const m = meta.get(a.applicationId)!;
			const sc = l.scores.get(a.id) ?? {};
			const applicable = applicableOf(m.nominationId);
			const t = totals.get(a.id);
			yield [
				m.number,
				noms.get(m.nominationId)?.title ?? '',
				m.fio,
				...crit.map((c) => (applicable.has(c.id) ? (sc[c.id] ?? null) : null)),
				r2(t?.raw ?? null),
				r2(t?.normalized ?? null),
				STATE[a.status],
				mskStamp(a.startedAt),
				mskStamp(a.submittedAt),
				a.startedAt !== null && a.submittedAt !== null ? r2((a.submittedAt - a.startedAt) / 60_000) : null,
				a.comment,
				a.feedback
			];
		}
	}
	return { columns, rows };
}

// ---------------------------------------------------------------------------------------------
// XLSX

type WB = ExcelJS.stream.xlsx.WorkbookWriter;
type WS = ReturnType<WB['addWorksheet']>;

const OUT_LIMIT = 1 << 20;
const PLAIN_STYLE: Partial<ExcelJS.Style> = {};
const NUM_STYLE: Partial<ExcelJS.Style> = { numFmt: '0.00' };
const BATCH = 500;

/** Waits while more than OUT_LIMIT bytes sit unread in the output (a slow download). */
async function backpressure(out: PassThrough): Promise<void> {
	await new Promise((r) => setImmediate(r));
	while (!out.destroyed && out.readableLength + out.writableLength > OUT_LIMIT) await new Promise((r) => setTimeout(r, 10));
}

async function writeSheet(wb: WB, out: PassThrough, name: string, table: { columns: Column[]; rows: () => Generator<Cell[]> }, preface: Cell[][] = []): Promise<number> {
	const ws: WS = wb.addWorksheet(sheetName(name), { views: [{ state: 'frozen', ySplit: preface.length + 1 }] });
	ws.columns = table.columns.map((c) => ({ width: c.width }));
	for (const p of preface) ws.addRow(p).commit();
	const head = ws.addRow(table.columns.map((c) => c.header));
	head.font = { bold: true };
	head.alignment = { wrapText: true, vertical: 'top' };
	head.commit();
	const numCol = table.columns.map((c) => !!c.num);
	let n = 0;
	for (const cells of table.rows()) {
		const row = ws.addRow(cells);
		// Every cell gets one of two shared style objects: exceljs registers a cell's style through
		// a WeakMap keyed by the object, so a shared one costs a lookup, while the fresh {} each
		// new cell carries is rendered to XML to be deduplicated (most of the time of a big export).
		for (let i = 0; i < cells.length; i++) {
			const v = cells[i];
			row.getCell(i + 1).style = numCol[i] && typeof v === 'number' && !Number.isInteger(v) ? NUM_STYLE : PLAIN_STYLE;
		}
		row.commit();
		if (++n % BATCH === 0) {
			await backpressure(out);
			if (out.destroyed) throw new Error('download aborted');
		}
	}
	ws.commit();
	return n;
}

/** Excel sheet names: ≤ 31 characters, none of []:*?/\ . */
function sheetName(s: string): string {
	return s.replace(/[[\]:*?/\\]/g, ' ').slice(0, 31).trim() || 'Лист';
}

/**
 * Streams an XLSX into a PassThrough: `fill` adds the sheets. Returns the stream at once; errors
 * destroy it (the download then fails visibly instead of delivering a truncated file).
 */
export function xlsxStream(fill: (wb: WB, out: PassThrough) => Promise<void>): PassThrough {
	const out = new PassThrough({ highWaterMark: 256 * 1024 });
	const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
	wb.creator = 'Портал конкурса «Наставничество»';
	(async () => {
		try {
			await fill(wb, out);
			await wb.commit();
			// exceljs' rows, XML and zip buffers are garbage now (≈ 100 MB for jurors.xlsx)
			compactSoon();
		} catch (e) {
			out.destroy(e as Error);
		}
	})();
	return out;
}

export function entriesXlsx(l: LoadedRound, res: RoundResults): PassThrough {
	assertExportable(l);
	return xlsxStream(async (wb, out) => {
		await writeSheet(wb, out, 'Заявки', entriesTable(l, res));
	});
}

/** Sheets of jurors.xlsx between two collections of their buffers (collectTransient). */
export const TRANSIENT_SHEETS = 150;

export function jurorsXlsx(l: LoadedRound, res: RoundResults, idx: JurorIndex = jurorIndex(l, res)): PassThrough {
	assertExportable(l);
	const jurors = [...l.jurors.values()].sort((a, b) => ruCompare(a.fio, b.fio));
	return xlsxStream(async (wb, out) => {
		const names = new Set<string>(['Сводка']);
		// Summary sheet first, then one sheet per juror.
		const stats = new Map(res.jurors.map((j) => [j.jurorId, j]));
		await writeSheet(wb, out, 'Сводка', {
			columns: [
				{ header: 'Эксперт', width: 30 },
				{ header: 'Почта', width: 28 },
				{ header: 'Назначено', width: 10, num: true },
				{ header: 'Отправлено', width: 10, num: true },
				{ header: 'Средний итог', width: 10, num: true },
				{ header: 'Ст. отклонение', width: 10, num: true }
			],
			*rows() {
				for (const j of jurors) {
					const c = idx.counts.get(j.id) ?? { assigned: 0, submitted: 0 };
					const st = stats.get(j.id);
					yield [j.fio, j.email, c.assigned, c.submitted, r2(st?.mean ?? null), r2(st?.sd ?? null)];
				}
			}
		});
		let sheets = 0;
		for (const j of jurors) {
			// see collectTransient: bounded native memory over hundreds of sheets
			if (++sheets % TRANSIENT_SHEETS === 0) collectTransient();
			let name = sheetName(shortName(j.fio));
			for (let i = 2; names.has(name); i++) name = sheetName(`${shortName(j.fio).slice(0, 27)} (${i})`);
			names.add(name);
			await writeSheet(wb, out, name, jurorTable(l, res, j.id, idx), [[`Эксперт: ${j.fio}`], [`Тур: ${l.round.title} · ${l.contest.title}`]]);
		}
	});
}

const withSdOf = (res: Pick<ResultsOutput, 'model'>) => res.model?.applied === 'model';

/** The rule text from compute.ts (quoted in the protocol and the README). */
export const TIE_BREAK_RULE = [
	'Внутри номинации заявки упорядочены по баллу по убыванию: без нормализации — среднее итоговых оценок экспертов по шкале 0–100; с z-оценкой по жюри — среднее нормализованных итогов; с моделью строгости жюри — оценка качества заявки моделью (на той же шкале).',
	'Баллы, отличающиеся не более чем на 1e-9, равны: такие заявки делят ранг («1, 2, 2, 4»). Порядок внутри равных: 1) выше медиана; 2) больше учтённых отзывов; 3) выше средняя исходная оценка по критерию с наибольшим весом (при равных весах — с наименьшим id); 4) раньше подана; 5) меньше номер заявки (естественный порядок); 6) меньше id.',
	'Заявки без учтённых отзывов не имеют балла и ранга, идут последними и не попадают в финал и в победители.'
];

export function protocolXlsx(l: LoadedRound, res: RoundResults, extra: { printedBy: string; now?: Date }): PassThrough {
	assertExportable(l);
	const now = extra.now ?? new Date();
	return xlsxStream(async (wb, out) => {
		const s = res.settings;
		const preface: Cell[][] = [
			[`Протокол подведения итогов: ${l.contest.title}`],
			[`Тур: ${l.round.title} (№ ${l.round.number}); сформирован ${mskStamp(now.getTime())} МСК; ${extra.printedBy}`],
			[methodLine(res)],
			[`Порог расхождения: ${s.disagreementThreshold}; отзывов на заявку: ${s.expectedReviews}; победителей в номинации: ${l.contest.settings.winnersPerNomination}`],
			...(res.notes ?? []).filter((n) => n.level === 'warning').map((n) => [`Примечание к расчёту: ${n.text}`]),
			[`Заявок: ${res.summary.entries}; с недостающими отзывами: ${res.summary.withMissing}; с расхождением: ${res.summary.flagged}; без оценок: ${res.summary.unscored}`],
			...TIE_BREAK_RULE.map((t) => [t]),
			[]
		];
		const table = entriesTable(l, res);
		// The protocol: fewer columns than the full export.
		const keep = ['Номинация', 'Место', 'Ранг', 'Равный балл', 'Номер', 'Участник', 'Регион', 'Статус', table.columns[12].header, ...(withSdOf(res) ? ['Неопределённость балла (±, модель)'] : []), 'Медиана', 'Разброс', 'Отзывов', 'Не хватает отзывов', 'Расхождение'];
		const idx = keep.map((h) => table.columns.findIndex((c) => c.header === h));
		await writeSheet(wb, out, 'Протокол', {
			columns: idx.map((i) => table.columns[i]),
			*rows() {
				for (const r of table.rows()) yield idx.map((i) => r[i]);
			}
		}, preface);
		const stats = new Map(res.jurors.map((j) => [j.jurorId, j]));
		await writeSheet(wb, out, 'Жюри', {
			columns: [
				{ header: 'Эксперт', width: 34 },
				{ header: 'Учтённых отзывов', width: 10, num: true },
				{ header: 'Средний итог', width: 10, num: true }
			],
			*rows() {
				for (const j of [...l.jurors.values()].sort((a, b) => ruCompare(a.fio, b.fio))) yield [j.fio, stats.get(j.id)?.count ?? 0, r2(stats.get(j.id)?.mean ?? null)];
			}
		});
	});
}

// ---------------------------------------------------------------------------------------------
// CSV

const BOM = '\uFEFF';

function csvCell(v: Cell): string | number {
	if (v === null) return '';
	if (typeof v === 'number') return Number.isInteger(v) ? v : String(v).replace('.', ',');
	return v;
}

/** A pull-based CSV stream: BOM, header, then batches of rows as the client reads. */
export function csvStream(table: { columns: Column[]; rows: () => Generator<Cell[]> }): ReadableStream<Uint8Array> {
	const enc = new TextEncoder();
	const it = table.rows();
	let started = false;
	let rows = 0;
	const opts = { delimiter: ';', newline: '\r\n', escapeFormulae: true, header: false } as const;
	return new ReadableStream<Uint8Array>(
		{
			pull(controller) {
				if (!started) {
					started = true;
					controller.enqueue(enc.encode(BOM + Papa.unparse([table.columns.map((c) => c.header)], opts) + '\r\n'));
					return;
				}
				const batch: (string | number)[][] = [];
				for (let i = 0; i < BATCH; i++) {
					const n = it.next();
					if (n.done) break;
					batch.push(n.value.map(csvCell));
				}
				if (batch.length) controller.enqueue(enc.encode(Papa.unparse(batch, opts) + '\r\n'));
				rows += batch.length;
				if (batch.length < BATCH) {
					controller.close();
					// a national table's strings are garbage now; one juror's CSV is too small to bother
					if (rows >= 5000) compactSoon();
				}
			}
		},
		{ highWaterMark: 2 }
	);
}

export function entriesCsv(l: LoadedRound, res: RoundResults): ReadableStream<Uint8Array> {
	assertExportable(l);
	return csvStream(entriesTable(l, res));
}

export function jurorCsv(l: LoadedRound, res: RoundResults, jurorId: string, idx?: JurorIndex): ReadableStream<Uint8Array> {
	assertExportable(l);
	if (!l.jurors.has(jurorId)) throw new DomainError(404, 'no_juror', 'У этого эксперта нет назначений в туре');
	return csvStream(jurorTable(l, res, jurorId, idx));
}

// ---------------------------------------------------------------------------------------------
// HTTP

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const CSV_TYPE = 'text/csv; charset=utf-8';

/** Content-Disposition with an ASCII fallback and the UTF-8 name (RFC 6266 / 5987). */
export function disposition(filename: string): string {
	const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
	return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

export function fileResponse(body: PassThrough | ReadableStream<Uint8Array>, type: string, filename: string): Response {
	const stream = body instanceof PassThrough ? (Readable.toWeb(body) as ReadableStream<Uint8Array>) : body;
	return new Response(stream, {
		headers: { 'content-type': type, 'content-disposition': disposition(filename), 'cache-control': 'private, no-store', 'x-content-type-options': 'nosniff' }
	});
}
