/**
 * Contest set-up forms of the organizer's console: one schema per form, shared by the page (it
 * checks before sending) and the server (it decides). Inputs are the strings of the form; the
 * output is typed: dates as UTC instants (entered in Moscow time), limits in bytes and seconds.
 * Every message names its field, in Russian.
 */
import { z } from 'zod';
import '../zod-ru';
import { fromMoscowInput, toMoscowInput } from '$lib/format';

export const PHASE_ORDER = ['draft', 'open', 'review', 'results', 'published'] as const;
export type ContestPhase = (typeof PHASE_ORDER)[number];

export const VIDEO_FORMATS = ['mp4', 'mov', 'webm', 'm4v'] as const;

const MB = 1024 ** 2;
const GB = 1024 ** 3;

/** Bounds of the limits, shown in hints and checked on both sides. */
export const LIMITS = {
	videoBytes: { min: MB, max: 10 * GB },
	videoSeconds: { min: 10, max: 60 * 60 },
	letterBytes: { min: MB / 2, max: 50 * MB },
	letterChars: { min: 500, max: 50_000 },
	graceMinutes: { min: 0, max: 24 * 60 },
	jurors: { min: 1, max: 10 },
	year: { min: 2000, max: 2100 }
} as const;

/** Russian labels of the fields, for messages and for the history of changes. */
export const CONTEST_FIELD_LABEL = {
	title: 'Название',
	slug: 'Адрес (slug)',
	year: 'Год',
	rules: 'Положение о конкурсе',
	openAt: 'Начало приёма заявок',
	closeAt: 'Окончание приёма заявок',
	reviewEndAt: 'Окончание экспертизы',
	resultsAt: 'Объявление итогов',
	numberPrefix: 'Префикс номера заявки',
	videoMaxSize: 'Максимальный размер видео',
	videoMaxDuration: 'Максимальная длительность видео',
	videoFormats: 'Форматы видео',
	letterMaxMb: 'Максимальный размер файла письма',
	letterMaxChars: 'Максимальная длина письма',
	uploadGraceMinutes: 'Льготный период загрузки',
	jurorsPerEntry: 'Экспертов на заявку',
	sameRegionConflict: 'Конфликт интересов по региону'
} as const;
const L = CONTEST_FIELD_LABEL;

const fill = (label: string) => `Заполните поле «${label}»`;

const text = (label: string, min: number, max: number) =>
	z
		.string({ error: fill(label) })
		.trim()
		.min(min, min <= 1 ? fill(label) : `«${label}»: не короче ${min} символов`)
		.max(max, `«${label}»: не длиннее ${max} символов`);

/** Latin slug for addresses: lower-case letters, digits, single hyphens inside. */
const slug = (label: string, min: number, max: number, example: string) =>
	z
		.string({ error: fill(label) })
		.trim()
		.toLowerCase()
		.min(1, fill(label))
		.max(max, `«${label}»: не длиннее ${max} символов`)
		.regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, `«${label}»: только латинские строчные буквы, цифры и дефисы между ними, например ${example}`)
		.min(min, `«${label}»: не короче ${min} символов`);

const fmtLimit = (n: number) => new Intl.NumberFormat('ru-RU', { maximumFractionDigits: 2, useGrouping: Math.abs(n) >= 10_000 }).format(n);

/** A number typed by a person: «1,5», «50 000» and «2.5» are all fine. */
const number = (label: string, min: number, max: number, int = false) =>
	z
		.string({ error: fill(label) })
		.trim()
		.min(1, fill(label))
		.max(20, `«${label}»: введите число`)
		.transform((v, ctx) => {
			const clean = v.replace(/[\s\u00a0\u202f]/g, '').replace(',', '.');
			if (!/^-?\d+(\.\d+)?$/.test(clean)) {
				ctx.addIssue({ code: 'custom', message: `«${label}»: введите число` });
				return z.NEVER;
			}
			const n = Number(clean);
			if (int && !Number.isInteger(n)) ctx.addIssue({ code: 'custom', message: `«${label}»: введите целое число` });
			else if (n < min) ctx.addIssue({ code: 'custom', message: `«${label}»: не меньше ${fmtLimit(min)}` });
			else if (n > max) ctx.addIssue({ code: 'custom', message: `«${label}»: не больше ${fmtLimit(max)}` });
			else return n;
			return z.NEVER;
		});

/** A moment entered as Moscow wall-clock time in `<input type="datetime-local">`. */
const moment = (label: string) =>
	z
		.string({ error: `Укажите «${label}»` })
		.trim()
		.min(1, `Укажите «${label}»`)
		.transform((v, ctx) => {
			const d = fromMoscowInput(v);
			if (!d) {
				ctx.addIssue({ code: 'custom', message: `«${label}»: неверная дата или время` });
				return z.NEVER;
			}
			if (d.getUTCFullYear() < LIMITS.year.min || d.getUTCFullYear() > LIMITS.year.max) {
				ctx.addIssue({ code: 'custom', message: `«${label}»: год должен быть между ${LIMITS.year.min} и ${LIMITS.year.max}` });
				return z.NEVER;
			}
			return d;
		});

const checkbox = z
	.string()
	.optional()
	.transform((v) => v === 'on' || v === 'true' || v === '1');

/** The order of the contest's dates: each must come after the previous one. */
export const DATE_ORDER = ['openAt', 'closeAt', 'reviewEndAt', 'resultsAt'] as const;

export const contestFormSchema = z
	.object({
		title: text(L.title, 3, 200),
		slug: slug(L.slug, 3, 60, 'nastavnichestvo-2026'),
		year: number(L.year, LIMITS.year.min, LIMITS.year.max, true),
		rules: z
			.string()
			.max(50_000, `«${L.rules}»: не длиннее 50 000 символов`)
			.default('')
			.transform((v) => v.replace(/\r\n/g, '\n').trim()),
		openAt: moment(L.openAt),
		closeAt: moment(L.closeAt),
		reviewEndAt: moment(L.reviewEndAt),
		resultsAt: moment(L.resultsAt),
		numberPrefix: z
			.string({ error: fill(L.numberPrefix) })
			.trim()
			.toUpperCase()
			.min(1, fill(L.numberPrefix))
			.max(10, `«${L.numberPrefix}»: не длиннее 10 символов`)
			.regex(/^[А-ЯЁA-Z0-9]+$/, `«${L.numberPrefix}»: только буквы и цифры, например НС`),
		videoMaxSize: number(L.videoMaxSize, 0.001, 10 * 1024),
		videoMaxSizeUnit: z.enum(['MB', 'GB'], { error: `«${L.videoMaxSize}»: выберите МБ или ГБ` }),
		videoMaxDuration: number(L.videoMaxDuration, 0.01, 3600),
		videoMaxDurationUnit: z.enum(['min', 'sec'], { error: `«${L.videoMaxDuration}»: выберите минуты или секунды` }),
		format_mp4: checkbox,
		format_mov: checkbox,
		format_webm: checkbox,
		format_m4v: checkbox,
		letterMaxMb: number(L.letterMaxMb, 0.001, 1024),
		letterMaxChars: number(L.letterMaxChars, LIMITS.letterChars.min, LIMITS.letterChars.max, true),
		uploadGraceMinutes: number(L.uploadGraceMinutes, LIMITS.graceMinutes.min, LIMITS.graceMinutes.max, true),
		jurorsPerEntry: number(L.jurorsPerEntry, LIMITS.jurors.min, LIMITS.jurors.max, true),
		sameRegionConflict: checkbox,
		/** The contest's updatedAt the form was loaded with: a stale form must not overwrite newer work. */
		version: z.string().max(20).optional()
	})
	.superRefine((v, ctx) => {
		// Runs even when other fields have errors, so that all problems are shown at once.
		for (let i = 1; i < DATE_ORDER.length; i++) {
			const prev = DATE_ORDER[i - 1];
			const cur = DATE_ORDER[i];
			const a = v[prev] as unknown;
			const b = v[cur] as unknown;
			if (a instanceof Date && b instanceof Date && b.getTime() <= a.getTime())
				ctx.addIssue({ code: 'custom', path: [cur], message: `«${L[cur]}» должно быть позже, чем «${L[prev]}»` });
		}
		if (typeof v.videoMaxSize === 'number') {
			const bytes = v.videoMaxSize * (v.videoMaxSizeUnit === 'GB' ? GB : MB);
			if (bytes < LIMITS.videoBytes.min || bytes > LIMITS.videoBytes.max)
				ctx.addIssue({ code: 'custom', path: ['videoMaxSize'], message: `«${L.videoMaxSize}»: от 1 МБ до 10 ГБ` });
		}
		if (typeof v.videoMaxDuration === 'number') {
			const sec = Math.round(v.videoMaxDuration * (v.videoMaxDurationUnit === 'min' ? 60 : 1));
			if (sec < LIMITS.videoSeconds.min || sec > LIMITS.videoSeconds.max)
				ctx.addIssue({ code: 'custom', path: ['videoMaxDuration'], message: `«${L.videoMaxDuration}»: от 10 секунд до 60 минут` });
		}
		if (typeof v.letterMaxMb === 'number') {
			const bytes = v.letterMaxMb * MB;
			if (bytes < LIMITS.letterBytes.min || bytes > LIMITS.letterBytes.max)
				ctx.addIssue({ code: 'custom', path: ['letterMaxMb'], message: `«${L.letterMaxMb}»: от 0,5 до 50 МБ` });
		}
		if (!VIDEO_FORMATS.some((f) => v[`format_${f}`])) ctx.addIssue({ code: 'custom', path: ['videoFormats'], message: `«${L.videoFormats}»: отметьте хотя бы один формат` });
	}, { when: (p) => typeof p.value === 'object' && p.value !== null })
	.transform((v) => ({
		title: v.title,
		slug: v.slug,
		year: v.year,
		rules: v.rules,
		openAt: v.openAt,
		closeAt: v.closeAt,
		reviewEndAt: v.reviewEndAt,
		resultsAt: v.resultsAt,
		numberPrefix: v.numberPrefix,
		version: v.version && /^\d+$/.test(v.version) ? Number(v.version) : undefined,
		limits: {
			videoMaxBytes: Math.round(v.videoMaxSize * (v.videoMaxSizeUnit === 'GB' ? GB : MB)),
			videoMaxSeconds: Math.round(v.videoMaxDuration * (v.videoMaxDurationUnit === 'min' ? 60 : 1)),
			videoFormats: VIDEO_FORMATS.filter((f) => v[`format_${f}`]) as string[],
			letterMaxBytes: Math.round(v.letterMaxMb * MB),
			letterMaxChars: v.letterMaxChars,
			uploadGraceMinutes: v.uploadGraceMinutes,
			jurorsPerEntry: v.jurorsPerEntry,
			sameRegionConflict: v.sameRegionConflict
		}
	}));

export type ContestInput = z.output<typeof contestFormSchema>;
export type ContestLimits = ContestInput['limits'];

/** The values of the form for an existing contest (or for a new one, from defaults). */
export function contestFormValues(
	c: { title: string; slug: string; year: number; rules: string; openAt: Date | number; closeAt: Date | number; reviewEndAt: Date | number; resultsAt: Date | number; numberPrefix: string; updatedAt?: Date | number },
	s: ContestLimits
): Record<string, string> {
	const v: Record<string, string> = {
		title: c.title,
		slug: c.slug,
		year: String(c.year),
		rules: c.rules,
		openAt: toMoscowInput(c.openAt),
		closeAt: toMoscowInput(c.closeAt),
		reviewEndAt: toMoscowInput(c.reviewEndAt),
		resultsAt: toMoscowInput(c.resultsAt),
		numberPrefix: c.numberPrefix,
		letterMaxMb: String(Math.round((s.letterMaxBytes / MB) * 100) / 100).replace('.', ','),
		letterMaxChars: String(s.letterMaxChars),
		uploadGraceMinutes: String(s.uploadGraceMinutes),
		jurorsPerEntry: String(s.jurorsPerEntry),
		sameRegionConflict: s.sameRegionConflict ? 'on' : ''
	};
	if (s.videoMaxBytes % GB === 0) Object.assign(v, { videoMaxSize: String(s.videoMaxBytes / GB), videoMaxSizeUnit: 'GB' });
	else Object.assign(v, { videoMaxSize: String(Math.round((s.videoMaxBytes / MB) * 10) / 10).replace('.', ','), videoMaxSizeUnit: 'MB' });
	if (s.videoMaxSeconds % 60 === 0) Object.assign(v, { videoMaxDuration: String(s.videoMaxSeconds / 60), videoMaxDurationUnit: 'min' });
	else Object.assign(v, { videoMaxDuration: String(s.videoMaxSeconds), videoMaxDurationUnit: 'sec' });
	for (const f of VIDEO_FORMATS) v[`format_${f}`] = s.videoFormats.includes(f) ? 'on' : '';
	if (c.updatedAt != null) v.version = String(new Date(c.updatedAt).getTime());
	return v;
}

export const NOMINATION_FIELD_LABEL = { title: 'Название номинации', slug: 'Адрес номинации (slug)', description: 'Описание номинации', track: 'Трек' } as const;
const N = NOMINATION_FIELD_LABEL;

export const nominationFormSchema = z.object({
	title: text(N.title, 3, 200),
	slug: slug(N.slug, 2, 60, 'mentor-education'),
	description: z
		.string()
		.max(2000, `«${N.description}»: не длиннее 2000 символов`)
		.default('')
		.transform((v) => v.replace(/\r\n/g, '\n').trim()),
	track: z.enum(['mentor', 'practice'], { error: `«${N.track}»: выберите «Наставник» или «Командная практика»` })
});
export type NominationInput = z.output<typeof nominationFormSchema>;

/** Hidden id fields of row actions (nomination edit, move, remove). */
export const idField = z.string({ error: 'Не указан идентификатор' }).trim().min(1, 'Не указан идентификатор').max(40, 'Неверный идентификатор');

export const nominationMoveSchema = z.object({
	nominationId: idField,
	direction: z.enum(['up', 'down'], { error: 'Неверное направление перемещения' })
});

export const phaseChangeSchema = z.object({
	to: z.enum(PHASE_ORDER, { error: 'Выберите этап из списка' }),
	confirm: z.string().optional()
});
