/**
 * What an organizer enters for a library practice — by the form and by a CSV/XLSX import row,
 * which use the same flat keys (`title`, `region`, `result1_value`, …) — and the public search
 * parameters of /library, /api/practices and the open data. Server-side (it imports the sphere
 * list of the demo content); the browser gets option lists from the page data.
 */
import { z } from 'zod';
import '../zod-ru';
import { REGIONS, regionByCode } from '../data/regions';
import { SPHERES } from '../data/spheres';

export const MAX_RESULTS = 6;
export const MAX_TAGS = 12;
export const RESULT_FIELDS = ['indicator', 'baseline', 'value', 'unit', 'period', 'source'] as const;
export const SPHERE_CODES = SPHERES.map((s) => s.code) as [string, ...string[]];
export const SPHERE_TITLE: Record<string, string> = Object.fromEntries(SPHERES.map((s) => [s.code, s.title]));

/** The flat keys of a practice, in the order of the import template and the CSV export. */
export const PRACTICE_KEYS = [
	'title',
	'slug',
	'summary',
	'problem',
	'actions',
	'team',
	'region',
	'municipality',
	'organization',
	'sphere',
	'nomination',
	'year',
	'since',
	'source',
	'tags',
	'contacts',
	'contacts_consent',
	...Array.from({ length: MAX_RESULTS }, (_, i) => RESULT_FIELDS.map((f) => `result${i + 1}_${f}`)).flat()
] as const;

/** Russian column names accepted by the import besides the keys themselves. */
export const KEY_LABELS: Record<string, string> = {
	title: 'Название',
	slug: 'Адрес страницы',
	summary: 'Кратко',
	problem: 'Проблема',
	actions: 'Что сделано',
	team: 'Команда',
	region: 'Регион',
	municipality: 'Муниципальное образование',
	organization: 'Организация',
	sphere: 'Сфера',
	nomination: 'Номинация',
	year: 'Год',
	since: 'Год начала',
	source: 'Источник',
	tags: 'Теги',
	contacts: 'Контакты',
	contacts_consent: 'Согласие на публикацию контактов'
};
const RESULT_LABELS: Record<(typeof RESULT_FIELDS)[number], string> = {
	indicator: 'показатель',
	baseline: 'было',
	value: 'стало',
	unit: 'единица',
	period: 'период',
	source: 'источник данных'
};
export function keyLabel(key: string): string {
	const m = /^result(\d+)_(\w+)$/.exec(key);
	if (m) return `Результат ${m[1]}: ${RESULT_LABELS[m[2] as keyof typeof RESULT_LABELS] ?? m[2]}`;
	return KEY_LABELS[key] ?? key;
}

const currentYear = () => new Date().getFullYear();

const req = (label: string, min: number, max: number) =>
	z
		.string({ error: `Заполните поле «${label}»` })
		.trim()
		.min(min, min <= 1 ? `Заполните поле «${label}»` : `Поле «${label}»: не короче ${min} символов`)
		.max(max, `Поле «${label}»: не длиннее ${max} символов`);
const opt = (label: string, max: number) => z.string().trim().max(max, `Поле «${label}»: не длиннее ${max} символов`).default('');
/**
 * A required choice from a list, given by its code or its name (`find`): the code it stands for,
 * or the `unknown` message with what was given (cut to 60 characters).
 */
const oneOf = (missing: string, find: (v: string) => { code: string } | undefined, unknown: (given: string) => string) =>
	z
		.string({ error: missing })
		.trim()
		.min(1, missing)
		.transform((v, ctx) => {
			const found = find(v);
			if (!found) {
				ctx.addIssue({ code: 'custom', message: unknown(v.slice(0, 60)) });
				return z.NEVER;
			}
			return found.code;
		});

/** «3,4», «1 200», «−5» → a number; '' → null. */
export function parseNumber(v: string | undefined | null): number | null | typeof NaN {
	const s = String(v ?? '')
		.trim()
		.replace(/[\s\u00a0\u202f]/g, '')
		.replace(/[−–]/g, '-')
		.replace(',', '.');
	if (!s) return null;
	if (!/^-?\d+(\.\d+)?$/.test(s)) return NaN;
	return Number(s);
}

const year = (label: string, min: number) =>
	z
		.string()
		.trim()
		.regex(/^\d{4}$/, `${label}: четыре цифры, например 2024`)
		.transform(Number)
		.refine((y) => y >= min && y <= currentYear() + 1, `${label}: от ${min} до ${currentYear() + 1}`);

const TRUE = new Set(['on', 'true', '1', 'да', 'yes', 'y', 'д', '+']);
const FALSE = new Set(['', 'off', 'false', '0', 'нет', 'no', 'n', 'н', '-']);

/** The checked fields of a practice, as stored (results and tags as arrays). */
export const practiceInputSchema = z
	.object({
		title: req('Название', 5, 200),
		slug: z
			.string()
			.trim()
			.toLowerCase()
			.max(80, 'Адрес страницы: не длиннее 80 символов')
			.regex(/^([a-z0-9]+(-[a-z0-9]+)*)?$/, 'Адрес страницы: латинские буквы, цифры и дефисы, например kazan-adaptatsiya')
			.default(''),
		summary: req('Кратко', 20, 1000),
		problem: opt('Проблема', 5000),
		actions: opt('Что сделано', 10000),
		team: opt('Команда', 2000),
		region: oneOf(
			'Выберите регион',
			(v) => {
				const low = v.toLowerCase().replace(/ё/g, 'е');
				const name = (x: { name: string }) => x.name.toLowerCase().replace(/ё/g, 'е');
				const partial = REGIONS.filter((x) => name(x).includes(low));
				return regionByCode(v) ?? REGIONS.find((x) => name(x) === low) ?? (low.length >= 4 && partial.length === 1 ? partial[0] : undefined);
			},
			(v) => `Неизвестный регион «${v}»: укажите код (16) или название (Республика Татарстан)`
		),
		municipality: opt('Муниципальное образование', 200),
		organization: opt('Организация', 300),
		sphere: oneOf(
			'Выберите сферу',
			(v) => SPHERES.find((x) => x.code === v || x.title.toLowerCase() === v.toLowerCase()),
			(v) => `Неизвестная сфера «${v}»: одна из ${SPHERES.map((x) => x.title).join(', ')}`
		),
		nomination: opt('Номинация', 300),
		year: year('Год', 1990),
		since: z.union([z.literal('').transform(() => null), year('Год начала', 1950)]).default(null),
		source: opt('Источник', 200),
		tags: z
			.string()
			.max(1000, 'Теги: не длиннее 1000 символов')
			.default('')
			.transform((v) => [...new Set(v.split(/[,;\n]/).map((t) => t.trim().replace(/\s+/g, ' ')).filter(Boolean))])
			.refine((t) => t.length <= MAX_TAGS, `Не больше ${MAX_TAGS} тегов`)
			.refine((t) => t.every((x) => x.length <= 50), 'Каждый тег — не длиннее 50 символов'),
		contacts: opt('Контакты', 500),
		contacts_consent: z
			.string()
			.default('')
			.transform((v, ctx) => {
				const s = v.trim().toLowerCase();
				if (TRUE.has(s)) return true;
				if (FALSE.has(s)) return false;
				ctx.addIssue({ code: 'custom', message: 'Согласие: «да» или «нет»' });
				return z.NEVER;
			})
	})
	.superRefine((d, ctx) => {
		if (d.contacts && !d.contacts_consent)
			ctx.addIssue({
				code: 'custom',
				path: ['contacts_consent'],
				message: 'Контакты публикуются только с согласия автора: отметьте согласие или очистите поле «Контакты»'
			});
		if (d.since && d.since > d.year) ctx.addIssue({ code: 'custom', path: ['since'], message: 'Год начала не может быть позже года практики' });
	});

export interface ResultInput {
	indicator: string;
	baseline: number | null;
	value: number;
	unit: string;
	period: string;
	source: string;
}

export type PracticeInput = Omit<z.output<typeof practiceInputSchema>, 'contacts_consent'> & {
	contactsConsent: boolean;
	results: ResultInput[];
};

/**
 * Parses the flat keys of a form or an import row. Errors are keyed by the flat key
 * (`result2_value`), so the form shows them beside the field and the import names the column.
 */
export function parsePracticeInput(raw: Record<string, string | undefined>): { ok: true; data: PracticeInput } | { ok: false; errors: Record<string, string> } {
	const errors: Record<string, string> = {};
	const results: ResultInput[] = [];
	for (let n = 1; n <= MAX_RESULTS; n++) {
		const get = (f: string) => String(raw[`result${n}_${f}`] ?? '').trim();
		const row = Object.fromEntries(RESULT_FIELDS.map((f) => [f, get(f)])) as Record<(typeof RESULT_FIELDS)[number], string>;
		if (RESULT_FIELDS.every((f) => !row[f])) continue;
		const k = (f: string) => `result${n}_${f}`;
		if (row.indicator.length < 3) errors[k('indicator')] = 'Назовите показатель (не короче 3 символов)';
		else if (row.indicator.length > 200) errors[k('indicator')] = 'Показатель: не длиннее 200 символов';
		const value = parseNumber(row.value);
		if (value === null) errors[k('value')] = 'Укажите значение показателя числом';
		else if (Number.isNaN(value)) errors[k('value')] = 'Значение — число, например 23 или 4,6';
		const baseline = parseNumber(row.baseline);
		if (baseline !== null && Number.isNaN(baseline)) errors[k('baseline')] = 'Исходное значение — число или пусто';
		if (row.unit.length > 40) errors[k('unit')] = 'Единица: не длиннее 40 символов';
		if (row.period.length > 60) errors[k('period')] = 'Период: не длиннее 60 символов';
		if (row.source.length > 200) errors[k('source')] = 'Источник данных: не длиннее 200 символов';
		if (!Object.keys(errors).some((e) => e.startsWith(`result${n}_`)))
			results.push({ indicator: row.indicator, baseline: baseline as number | null, value: value as number, unit: row.unit, period: row.period, source: row.source });
	}
	const base: Record<string, string> = {};
	for (const key of PRACTICE_KEYS) if (!key.startsWith('result')) base[key] = String(raw[key] ?? '');
	const r = practiceInputSchema.safeParse(base);
	if (!r.success) {
		for (const issue of r.error.issues) {
			const key = issue.path.length ? String(issue.path[0]) : '_';
			errors[key] ??= issue.message;
		}
	}
	if (!r.success || Object.keys(errors).length) return { ok: false, errors };
	const { contacts_consent, ...rest } = r.data;
	return { ok: true, data: { ...rest, contactsConsent: contacts_consent, results } };
}

/** The flat keys of a stored practice (the form's values, the export's columns). */
export function practiceToRaw(p: {
	title: string;
	slug: string;
	summary: string;
	problem: string;
	actions: string;
	team: string;
	regionCode: string | null;
	municipality: string;
	organization: string;
	sphere: string | null;
	nominationTitle: string;
	year: number | null;
	since: number | null;
	source: string;
	tags: string[];
	contacts: string;
	contactsConsent: boolean;
	results: { indicator: string; baseline: number | null; value: number; unit: string; period: string; source: string }[];
}): Record<string, string> {
	const out: Record<string, string> = {
		title: p.title,
		slug: p.slug,
		summary: p.summary,
		problem: p.problem,
		actions: p.actions,
		team: p.team,
		region: p.regionCode ?? '',
		municipality: p.municipality,
		organization: p.organization,
		sphere: p.sphere ?? '',
		nomination: p.nominationTitle,
		year: p.year == null ? '' : String(p.year),
		since: p.since == null ? '' : String(p.since),
		source: p.source,
		tags: p.tags.join(', '),
		contacts: p.contacts,
		contacts_consent: p.contactsConsent ? 'да' : ''
	};
	p.results.slice(0, MAX_RESULTS).forEach((r, i) => {
		const n = i + 1;
		out[`result${n}_indicator`] = r.indicator;
		out[`result${n}_baseline`] = r.baseline == null ? '' : String(r.baseline).replace('.', ',');
		out[`result${n}_value`] = String(r.value).replace('.', ',');
		out[`result${n}_unit`] = r.unit;
		out[`result${n}_period`] = r.period;
		out[`result${n}_source`] = r.source;
	});
	return out;
}

/** «Внедрили у себя»: who adopted the practice and, later, with what result. */
export const adoptionSchema = z.object({
	organization: req('Организация или муниципалитет', 2, 300),
	result: opt('Ваш результат', 2000)
});

/** The browser's request to send a file of the library straight to S3. */
export const practiceUploadSchema = z.object({
	kind: z.enum(['document', 'video', 'import'], { error: 'Неизвестный вид файла' }),
	practiceId: z.string().min(10).max(40).optional(),
	filename: z.string().trim().min(1, 'Нет имени файла').max(255, 'Имя файла слишком длинное'),
	size: z.number({ error: 'Неизвестен размер файла' }).int().positive('Файл пустой')
});

/** The longest text a practice field takes (the form sends it back whole on an error). */
export const MAX_FIELD_CHARS = 10_000;
