import { z } from 'zod';
import '../zod-ru';
import { REGION_CODES } from '../data/regions';
import { SPHERE_CODES } from '../data/spheres';

/** The wizard's steps, in order. */
export const STEPS = ['about', 'practice', 'letter', 'video', 'submit'] as const;
export type Step = (typeof STEPS)[number];
export const STEP_TITLE: Record<Step, string> = {
	about: 'О себе',
	practice: 'Практика',
	letter: 'Письмо-резюме',
	video: 'Видеовизитка',
	submit: 'Согласие и отправка'
};

/** The version of the personal-data consent text; stored with the time of consent. */
export const CONSENT_VERSION = '2026-01';
export const CONSENT_TEXT = `Я даю согласие организатору конкурса «Наставничество» на обработку моих персональных данных (фамилия, имя, отчество, контактные данные, место работы и должность, сведения об опыте наставничества, изображение и голос в видеовизитке) в целях проведения конкурса, экспертизы заявок, подведения и публикации итогов в соответствии с Федеральным законом от 27.07.2006 № 152-ФЗ «О персональных данных». Согласие действует до его отзыва; отозвать его можно письменным заявлением организатору.`;

const text = (label: string, min: number, max: number) =>
	z
		.string({ error: `Заполните поле «${label}»` })
		.trim()
		.min(min, min <= 1 ? `Заполните поле «${label}»` : `Поле «${label}»: не короче ${min} символов`)
		.max(max, `Поле «${label}»: не длиннее ${max} символов`);

/** Russian phone numbers: +7 and 10 digits, written in any usual way; stored as +7XXXXXXXXXX. */
export const phone = z
	.string({ error: 'Укажите телефон' })
	.trim()
	.min(1, 'Укажите телефон')
	.max(30, 'Телефон слишком длинный')
	.transform((v) => v.replace(/[\s()\-.]/g, ''))
	.refine((v) => /^(\+7|8|7)\d{10}$/.test(v), 'Телефон в формате +7 (999) 123-45-67')
	.transform((v) => '+7' + v.slice(-10));

const currentYear = new Date().getFullYear();

export const aboutSchema = z.object({
	fio: text('ФИО', 5, 150).regex(/^[\p{L} .'’-]+$/u, 'ФИО может содержать только буквы, пробелы, точки, апострофы и дефисы'),
	regionCode: z.enum(REGION_CODES, { error: 'Выберите регион из списка' }),
	municipality: text('Муниципальное образование', 2, 200),
	organization: text('Организация', 2, 300),
	position: text('Должность', 2, 200),
	mentoringYears: z.coerce
		.number({ error: 'Укажите стаж наставничества числом' })
		.int('Стаж — целое число лет')
		.min(0, 'Стаж не может быть отрицательным')
		.max(70, 'Проверьте стаж: больше 70 лет'),
	phone
});

export const practiceSchema = z.object({
	title: text('Название практики', 5, 200),
	problem: text('Какую проблему решает', 20, 3000),
	actions: text('Что делает наставничество', 20, 5000),
	team: text('Команда', 2, 2000),
	since: z.coerce
		.number({ error: 'Укажите год начала числом' })
		.int('Год — целое число')
		.min(1950, 'Проверьте год начала')
		.max(currentYear, 'Год начала не может быть в будущем'),
	results: text('Результаты в цифрах', 10, 3000),
	/** Optional: the sphere of the practice (SPHERES) and a few keywords — the jury routing matches them with the experts' areas. */
	sphere: z.preprocess(
		(v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
		z
			.string()
			.trim()
			.refine((v) => SPHERE_CODES.includes(v), 'Выберите сферу практики из списка')
			.optional()
	),
	tags: z.string().trim().max(300, 'Ключевые слова: не длиннее 300 символов').optional()
});

export const letterSchema = (maxChars: number) =>
	z.object({
		letterText: z.string().trim().max(maxChars, `Письмо-резюме: не длиннее ${maxChars} символов`).default('')
	});

export const consentSchema = z.object({
	consent: z.literal('on', { error: 'Нужно согласие на обработку персональных данных' })
});

/** Partial drafts: any subset may be saved; full validity is checked on submit. */
export const draftAboutSchema = aboutSchema.partial();
export const draftPracticeSchema = practiceSchema.partial();

export type About = z.infer<typeof aboutSchema>;
export type Practice = z.infer<typeof practiceSchema>;

/** Upload request from the browser: what it says it is about to send. */
export const uploadRequestSchema = z.object({
	applicationId: z.string().min(10).max(40),
	kind: z.enum(['video', 'letter']),
	filename: z.string().trim().min(1, 'Нет имени файла').max(255, 'Имя файла слишком длинное'),
	type: z.string().max(100).default(''),
	size: z.number({ error: 'Неизвестен размер файла' }).int().positive('Файл пустой')
});

/** Uppy's request to be signed; the object key identifies the upload (and is checked). */
export const signRequestSchema = z.object({
	method: z.enum(['POST', 'PUT', 'GET', 'DELETE']),
	key: z.string().min(1).max(1024),
	uploadId: z.string().min(1).max(1024).optional(),
	partNumber: z.number().int().min(1).max(10000).optional()
});
