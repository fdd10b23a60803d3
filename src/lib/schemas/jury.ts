/**
 * Forms of the jury domain (organizer's console and the juror's screens), shared by the server
 * actions and the pages. Field names are those of the HTML forms.
 */
import { z } from 'zod';
import '../zod-ru';
import { REGION_CODES } from '$lib/data/regions';
import { emailField, fioField } from './auth';
import { SPHERE_CODES } from '$lib/data/spheres';
import { EXPERTISE_LEVELS } from '$lib/data/routing-prefs';

/** The same e-mail and ФИО rules as registration. */
export { emailField, fioField };

export const regionField = z
	.string()
	.trim()
	.transform((v) => (v === '' ? null : v))
	.refine((v) => v === null || (REGION_CODES as readonly string[]).includes(v), 'Выберите регион из списка');

export const organizationField = z.string().trim().max(300, 'Название организации: не длиннее 300 символов').default('');

export const capacityField = z.coerce
	.number({ error: 'Ёмкость — целое число' })
	.int('Ёмкость — целое число')
	.min(0, 'Ёмкость не может быть отрицательной')
	.max(10_000, 'Ёмкость: не больше 10 000 заявок за тур');

/** Nomination ids arrive as one comma-separated hidden value or repeated checkboxes joined by the route. */
export const nominationIdsField = z
	.string()
	.default('')
	.transform((v) => [...new Set(v.split(',').map((s) => s.trim()).filter(Boolean))]);

export const inviteSchema = z.object({
	fio: fioField,
	email: emailField,
	regionCode: regionField,
	organization: organizationField,
	capacity: capacityField.default(50),
	nominationIds: nominationIdsField
});
export type InviteInput = z.output<typeof inviteSchema>;

export const profileSchema = z.object({
	fio: fioField,
	regionCode: regionField,
	organization: organizationField,
	capacity: capacityField,
	nominationIds: nominationIdsField,
	active: z
		.string()
		.optional()
		.transform((v) => v === 'on' || v === 'true')
});
export type ProfileInput = z.output<typeof profileSchema>;

/** Areas of expertise: at most this many tags, each at most TAG_MAX characters. */
export const TAGS_MAX = 20;
export const TAG_MAX = 60;

/**
 * A juror's areas of expertise (the juror card): spheres of the practice list (checkboxes, joined
 * by the route into one comma-separated value) and free tags separated by commas or new lines.
 */
export const expertiseSchema = z.object({
	spheres: z
		.string()
		.max(2000, 'Слишком много сфер')
		.default('')
		.transform((v) => [...new Set(v.split(',').map((s) => s.trim()).filter(Boolean))])
		.refine((l) => l.every((c) => SPHERE_CODES.includes(c)), 'Выберите сферы из списка'),
	tags: z
		.string()
		.max(5000, 'Слишком длинный список тем')
		.default('')
		.transform((v) => {
			const seen = new Set<string>();
			const out: string[] = [];
			for (const t of v.split(/[,;\n]/).map((x) => x.replace(/\s+/g, ' ').trim()).filter(Boolean)) {
				const key = t.toLowerCase().replace(/ё/g, 'е');
				if (!seen.has(key)) {
					seen.add(key);
					out.push(t);
				}
			}
			return out;
		})
		.refine((l) => l.length <= TAGS_MAX, `Не больше ${TAGS_MAX} тем экспертизы`)
		.refine((l) => l.every((t) => t.length <= TAG_MAX), `Каждая тема — не длиннее ${TAG_MAX} символов`)
		.refine((l) => l.every((t) => !/[\u0000-\u001f\u007f<>]/.test(t)), 'Темы: без угловых скобок и служебных символов')
});
export type ExpertiseInput = z.output<typeof expertiseSchema>;

/** The round's routing preferences (round page, «Как учитывать экспертизу»). */
export const routingPrefsSchema = z.object({
	expertise: z.enum(EXPERTISE_LEVELS, { error: 'Выберите, насколько учитывать экспертизу' }),
	districts: z
		.string()
		.optional()
		.transform((v) => v === 'on' || v === 'true'),
	connectivity: z
		.string()
		.optional()
		.transform((v) => v === 'on' || v === 'true')
});

export const extraReviewsSchema = z.object({
	perEntry: z.coerce
		.number({ error: 'Сколько экспертов добавить: целое число' })
		.int('Сколько экспертов добавить: целое число')
		.min(1, 'Добавьте хотя бы одного эксперта')
		.max(5, 'Не больше 5 дополнительных экспертов на работу'),
	digest: z.string({ error: 'Обновите страницу и повторите' }).trim().regex(/^[0-9a-f]{32}$/, 'Обновите страницу и повторите')
});

export const conflictSchema = z.object({
	number: z.string({ error: 'Укажите номер заявки' }).trim().min(1, 'Укажите номер заявки').max(40, 'Слишком длинный номер'),
	comment: z.string().trim().max(1000, 'Комментарий: не длиннее 1000 символов').default('')
});

export const recuseSchema = z.object({
	reason: z
		.string({ error: 'Укажите причину самоотвода' })
		.trim()
		.min(5, 'Опишите причину самоотвода (не короче 5 символов)')
		.max(1000, 'Причина: не длиннее 1000 символов')
});

/** «0 — описание» per line: the level descriptors of a criterion. */
export function parseLevels(text: string): { ok: true; levels: { value: number; label: string }[] } | { ok: false; error: string } {
	const levels: { value: number; label: string }[] = [];
	const lines = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
	for (const [i, line] of lines.entries()) {
		const m = /^(-?\d{1,3})\s*(?:[—–:.)-]\s*)?(.*)$/.exec(line);
		if (!m || !m[2].trim()) return { ok: false, error: `Уровни, строка ${i + 1}: ожидается «балл — описание», например «6 — Есть отдельные показатели»` };
		levels.push({ value: Number(m[1]), label: m[2].trim().slice(0, 500) });
	}
	levels.sort((a, b) => a.value - b.value);
	for (let i = 1; i < levels.length; i++)
		if (levels[i].value === levels[i - 1].value) return { ok: false, error: `Уровни: балл ${levels[i].value} описан дважды` };
	return { ok: true, levels };
}

export function formatLevels(levels: { value: number; label: string }[]): string {
	return levels.map((l) => `${l.value} — ${l.label}`).join('\n');
}

const intField = (label: string, min: number, max: number) =>
	z.coerce
		.number({ error: `${label}: укажите целое число` })
		.int(`${label}: укажите целое число`)
		.min(min, `${label}: не меньше ${min}`)
		.max(max, `${label}: не больше ${max}`);

export const criterionSchema = z
	.object({
		title: z.string({ error: 'Укажите название критерия' }).trim().min(3, 'Название критерия: не короче 3 символов').max(200, 'Название критерия: не длиннее 200 символов'),
		description: z.string().trim().max(2000, 'Описание: не длиннее 2000 символов').default(''),
		weight: intField('Вес', 1, 100),
		scaleMin: intField('Минимальный балл', 0, 100),
		scaleMax: intField('Максимальный балл', 1, 100),
		nominationId: z
			.string()
			.trim()
			.default('')
			.transform((v) => (v === '' ? null : v)),
		levels: z.string().max(20_000, 'Слишком длинное описание уровней').default('')
	})
	.refine((d) => d.scaleMax > d.scaleMin, { message: 'Максимальный балл должен быть больше минимального', path: ['scaleMax'] });
export type CriterionForm = z.output<typeof criterionSchema>;

/** A date-time-local value (Moscow time) → a Date; empty → null. */
export const moscowDateTime = z
	.string()
	.trim()
	.default('')
	.transform((v, ctx) => {
		if (v === '') return null;
		const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(v);
		if (!m) {
			ctx.addIssue({ code: 'custom', message: 'Дата и время в формате ДД.ММ.ГГГГ ЧЧ:ММ' });
			return z.NEVER;
		}
		// Moscow is UTC+3 all year round.
		return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4] - 3, +m[5]));
	});

/** Date → the value of a datetime-local input in Moscow time. */
export function toMoscowInput(d: Date | number | null | undefined): string {
	if (d == null) return '';
	const t = new Date(new Date(d).getTime() + 3 * 3600_000);
	return t.toISOString().slice(0, 16);
}

export const roundSchema = z.object({
	title: z.string().trim().max(200, 'Название тура: не длиннее 200 символов').default(''),
	deadlineAt: moscowDateTime,
	k: z
		.string()
		.trim()
		.default('')
		.transform((v) => (v === '' ? null : Number(v)))
		.refine((v) => v === null || (Number.isInteger(v) && v >= 1 && v <= 10), 'Экспертов на заявку: целое число от 1 до 10')
});

export const createRoundSchema = roundSchema.extend({
	number: intField('Номер тура', 1, 10),
	numbers: z.string().max(200_000).default('')
});

// Names of assignment and round statuses live in $lib/glossary.
