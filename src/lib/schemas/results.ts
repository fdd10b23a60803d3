import { z } from 'zod';
import '../zod-ru';

/** Checkbox: present ('on') or absent. */
const checkbox = z
	.string()
	.optional()
	.transform((v) => v === 'on' || v === 'true' || v === '1');

const intIn = (min: number, max: number, msg: string) =>
	z
		.string({ error: msg })
		.trim()
		.regex(/^\d+$/, msg)
		.transform(Number)
		.pipe(z.number().int().min(min, msg).max(max, msg));

/**
 * Results settings of a contest (the console's form). The method is a radio `normalization`; a
 * form of the previous version (a page open before an update) sends the checkbox `normalize`
 * instead: present → z-score, absent → none.
 */
export const resultsSettingsSchema = z.object({
	normalization: z.enum(['none', 'zscore', 'model'], { error: 'Выберите метод нормализации оценок' }).optional(),
	normalize: checkbox,
	disagreementThreshold: z
		.string({ error: 'Укажите порог расхождения' })
		.trim()
		.transform((v) => Number(v.replace(',', '.')))
		.pipe(z.number({ error: 'Порог — число от 0 до 100' }).min(0, 'Порог — число от 0 до 100').max(100, 'Порог — число от 0 до 100')),
	winnersPerNomination: intIn(1, 1000, 'Число победителей — целое от 1 до 1000'),
	jurorsPerEntry: intIn(1, 10, 'Экспертов на заявку — от 1 до 10'),
	releaseFeedback: checkbox,
	/** Application numbers, separated by spaces, commas or new lines. */
	calibration: z.string().max(2000, 'Слишком длинный список').optional().default('')
}).transform(({ normalize, ...rest }) => ({ ...rest, normalization: rest.normalization ?? (normalize ? ('zscore' as const) : ('none' as const)) }));
export type ResultsSettingsForm = z.output<typeof resultsSettingsSchema>;

/** Finals: top N per nomination, or hand-picked ids (`pick` checkboxes); an optional final jury. */
export const finalsSchema = z.object({
	mode: z.enum(['top', 'manual'], { error: 'Выберите способ отбора' }),
	perNomination: z.string().optional().default(''),
	k: intIn(1, 10, 'Экспертов на заявку — от 1 до 10'),
	deadline: z.string().optional().default('')
});

export const auditFilterSchema = z.object({
	entity: z.string().max(40).optional().default(''),
	entityId: z.string().max(80).optional().default(''),
	actor: z.string().max(80).optional().default(''),
	action: z.string().max(60).optional().default(''),
	from: z.union([z.literal(''), z.string().regex(/^\d{4}-\d{2}-\d{2}$/)]).optional().default(''),
	to: z.union([z.literal(''), z.string().regex(/^\d{4}-\d{2}-\d{2}$/)]).optional().default(''),
	page: z.coerce.number().int().min(1).max(100000).optional().default(1)
});
