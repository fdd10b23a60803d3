import { z } from 'zod';
import '../zod-ru';

/** An e-mail address, trimmed and lower-cased (also the jury import's and invitation's field). */
export const emailField = z
	.string({ error: 'Укажите адрес электронной почты' })
	.trim()
	.min(1, 'Укажите адрес электронной почты')
	.max(254, 'Адрес почты слишком длинный')
	.pipe(z.email({ error: 'Неверный адрес электронной почты' }))
	.transform((v) => v.toLowerCase());

/** Password rules: 10–128 characters, at least one letter and one digit, not only repeats. */
export const password = z
	.string({ error: 'Введите пароль' })
	.min(10, 'Пароль должен быть не короче 10 символов')
	.max(128, 'Пароль должен быть не длиннее 128 символов')
	.refine((v) => /\p{L}/u.test(v) && /\d/.test(v), 'Пароль должен содержать хотя бы одну букву и одну цифру')
	.refine((v) => new Set(v).size >= 5, 'Пароль слишком простой: используйте разные символы');

/** ФИО: letters, spaces, dots, apostrophes and hyphens (also the jury's forms). */
export const fioField = z
	.string({ error: 'Укажите ФИО' })
	.trim()
	.min(5, 'Укажите фамилию, имя и отчество (если есть)')
	.max(150, 'ФИО слишком длинное (не более 150 символов)')
	.regex(/^[\p{L} .'’-]+$/u, 'ФИО может содержать только буквы, пробелы, точки, апострофы и дефисы');

export const registerSchema = z
	.object({
		fio: fioField,
		email: emailField,
		password,
		password2: z.string(),
		agree: z.literal('on', { error: 'Необходимо согласие с правилами портала' })
	})
	.refine((d) => d.password === d.password2, { message: 'Пароли не совпадают', path: ['password2'] });

export const loginSchema = z.object({
	email: emailField,
	password: z.string({ error: 'Введите пароль' }).min(1, 'Введите пароль').max(128, 'Пароль слишком длинный')
});

export const resetRequestSchema = z.object({ email: emailField });

export const resetSchema = z
	.object({ password, password2: z.string() })
	.refine((d) => d.password === d.password2, { message: 'Пароли не совпадают', path: ['password2'] });

export const changePasswordSchema = z
	.object({
		current: z.string().min(1, 'Введите текущий пароль').max(128),
		password,
		password2: z.string()
	})
	.refine((d) => d.password === d.password2, { message: 'Пароли не совпадают', path: ['password2'] });

export type FieldErrors = Record<string, string>;

/** The first message for each field, for showing next to the inputs. */
export function fieldErrors(error: z.ZodError): FieldErrors {
	const out: FieldErrors = {};
	for (const issue of error.issues) {
		const key = issue.path.length ? String(issue.path[0]) : '_';
		out[key] ??= issue.message;
	}
	return out;
}
