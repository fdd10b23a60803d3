/**
 * Forms, the one adapter: every form action reads its body with `readForm` (or reads and checks
 * it against a zod schema at once with `validate`; `parseForm(schema, raw)` checks what was read)
 * and turns a domain refusal into the form's failure with `act` (or `domainFail`). Every failure has one shape — `{ values, errors, message }`: what was typed comes
 * back (never a password), the errors by field, a message above the form.
 *
 * A body over the size limit is 413, a body that cannot be read is 400, both in Russian and
 * before anything is done; an unreadable body never passes as an empty form. Only the schema's
 * keys reach the domain (zod drops the rest).
 */
import { error, fail, type ActionFailure, type RequestEvent } from '@sveltejs/kit';
import type { z } from 'zod';
import { DomainError } from '../errors';
import { fieldErrors } from '$lib/schemas/auth';

export const TOO_LARGE_MESSAGE = 'Слишком большой запрос: сократите введённый текст и отправьте ещё раз. Ничего не сохранено.';
export const BROKEN_FORM_MESSAGE = 'Неверный запрос: данные формы пришли повреждёнными. Обновите страницу и отправьте форму ещё раз. Ничего не сохранено.';

export type Raw = Record<string, string>;

/** Whether reading a body failed because it is over the server's limit (adapter-node: BODY_SIZE_LIMIT). */
export function isTooLarge(e: unknown): boolean {
	for (let x = e as { status?: number; cause?: unknown; message?: string } | undefined, i = 0; x && i < 4; x = x.cause as typeof x, i++) {
		if (x.status === 413 || /exceeds limit|BODY_SIZE_LIMIT|exceeded content-length|Payload Too Large/i.test(String(x.message ?? ''))) return true;
	}
	return false;
}

export interface ReadOptions {
	/** The 413 message, where the form has a better one to say. */
	tooLarge?: string;
	/** The refusal comes back as the form's failure (a DomainError for act) instead of the error page. */
	asFormFailure?: boolean;
	/** Repeated fields (checkbox lists) that the schema reads as one comma-separated text. */
	joined?: string[];
}

/**
 * The body of a form post, or a refusal before anything is done: 413 when it is over the size
 * limit, 400 when it cannot be read (broken multipart, wrong content type) — both in Russian.
 */
export async function readFormData(request: Request, opts: ReadOptions = {}): Promise<FormData> {
	try {
		return await request.formData();
	} catch (e) {
		const [status, code, message] = isTooLarge(e) ? [413, 'too_big', opts.tooLarge ?? TOO_LARGE_MESSAGE] : [400, 'broken_form', BROKEN_FORM_MESSAGE];
		if (opts.asFormFailure) throw new DomainError(status, code, message);
		error(status, message);
	}
}

/** A JSON body, or 413 / 400 in Russian. */
export async function readJson(request: Request): Promise<unknown> {
	try {
		return await request.json();
	} catch (e) {
		if (isTooLarge(e)) error(413, TOO_LARGE_MESSAGE);
		error(400, 'Неверный запрос: ожидается JSON');
	}
}

export interface FormInput {
	/** The first value of each text field. */
	raw: Raw;
	/** Every value of a repeated field (checkbox lists, multi-selects). */
	all(key: string): string[];
	/** A file field, or null. */
	file(key: string): File | null;
}

/** A form post: text fields, repeated fields and files. */
export async function readForm(request: Request, opts: ReadOptions = {}): Promise<FormInput> {
	const fd = await readFormData(request, opts);
	const raw: Raw = {};
	for (const [k, v] of fd) if (typeof v === 'string' && !(k in raw)) raw[k] = v;
	for (const k of opts.joined ?? []) raw[k] = fd.getAll(k).filter((v) => typeof v === 'string').join(',');
	return {
		raw,
		all: (key) => fd.getAll(key).filter((v): v is string => typeof v === 'string'),
		file: (key) => {
			const v = fd.get(key);
			return v instanceof File ? v : null;
		}
	};
}

/** The one shape of every form failure: typed values back, errors by field, a message. */
export interface FormFailure {
	values: Raw;
	errors: Record<string, string>;
	message?: string;
}

export interface KeepOptions {
	/**
	 * How much of each typed text comes back: 5,000 characters unless a form's texts are longer —
	 * a number for every field, or a length per field (the rest keep 5,000).
	 */
	keep?: number | Record<string, number>;
}

const KEEP = 5000;

/** Values safe to send back into the form: never passwords or tokens, long texts cut. */
export function keepValues(raw: Raw, opts: KeepOptions = {}): Raw {
	const out: Raw = {};
	for (const [k, v] of Object.entries(raw)) {
		if (/password|current|token/i.test(k)) continue;
		const max = typeof opts.keep === 'number' ? opts.keep : (opts.keep?.[k] ?? KEEP);
		out[k] = v.slice(0, max);
	}
	return out;
}

export function formFail(status: number, raw: Raw, errors: Record<string, string> = {}, message?: string, opts: KeepOptions = {}): ActionFailure<FormFailure> {
	const body: FormFailure = { values: keepValues(raw, opts), errors };
	if (message) body.message = message;
	return fail(status, body);
}

export function parseForm<T extends z.ZodType>(schema: T, raw: Raw, opts: KeepOptions = {}) {
	const r = schema.safeParse(raw);
	if (r.success) return { ok: true as const, data: r.data as z.output<T> };
	return { ok: false as const, failure: formFail(400, raw, fieldErrors(r.error), undefined, opts) };
}

/** A form post checked against the schema: `{ ok, data }` or `{ ok: false, failure }`, with the form itself. */
export async function validate<T extends z.ZodType>(request: Request, schema: T, opts: KeepOptions & ReadOptions = {}) {
	const form = await readForm(request, opts);
	return { form, raw: form.raw, ...parseForm(schema, form.raw, opts) };
}

export interface RefusalOptions<F = FormFailure> extends KeepOptions {
	/** A refusal of something that does not exist (404) is the error page, not a form failure. */
	notFoundPage?: boolean;
	/** A refusal about one field (`details.field`) is shown beside that field only. */
	fieldOnly?: boolean;
	/** The message above the form, from the refusal's. */
	message?: (e: DomainError) => string;
	/** A form whose failure has a shape of its own (a list, a table): builds it instead. */
	as?: (e: DomainError) => ActionFailure<F>;
}

/**
 * A domain refusal as the form's failure (anything else is rethrown): its status, the typed
 * values, errors by field (`details.errors`, or the message beside `details.field`), the message.
 */
export function domainFail<F = FormFailure>(e: unknown, raw: Raw = {}, opts: RefusalOptions<F> = {}): ActionFailure<F> {
	if (!(e instanceof DomainError)) throw e;
	if (opts.notFoundPage && e.status === 404) error(404, e.message);
	if (opts.as) return opts.as(e);
	const field = typeof e.details?.field === 'string' ? e.details.field : undefined;
	const errors = (e.details?.errors as Record<string, string> | undefined) ?? (field ? { [field]: e.message } : {});
	const message = field && opts.fieldOnly ? undefined : (opts.message?.(e) ?? e.message);
	return formFail(e.status, raw, errors, message, opts) as ActionFailure<F>;
}

/**
 * Runs the domain call of a form action: its result is the action's answer, its refusal the
 * form's failure (domainFail). Redirects and other errors pass through.
 */
export async function act<T, F = FormFailure>(fn: () => T | Promise<T>, raw: Raw = {}, opts: RefusalOptions<F> = {}): Promise<T | ActionFailure<F>> {
	try {
		return await fn();
	} catch (e) {
		return domainFail(e, raw, opts);
	}
}

/** 429 with Retry-After (the header is set by the response handle from locals). */
export function tooMany(event: RequestEvent, retryAfterSec: number, message: string, values: Raw = {}) {
	(event.locals as App.Locals & { retryAfter?: number }).retryAfter = retryAfterSec;
	return formFail(429, values, {}, message);
}
