import { error, fail, type RequestEvent } from '@sveltejs/kit';
import type { z } from 'zod';
import { fieldErrors } from '$lib/schemas/auth';

export const TOO_LARGE_MESSAGE = 'Слишком большой запрос: сократите введённый текст и отправьте ещё раз. Ничего не сохранено.';
export const BROKEN_FORM_MESSAGE = 'Неверный запрос: данные формы пришли повреждёнными. Обновите страницу и отправьте форму ещё раз. Ничего не сохранено.';

/** Whether reading a body failed because it is over the server's limit (adapter-node: BODY_SIZE_LIMIT). */
export function isTooLarge(e: unknown): boolean {
	for (let x = e as { status?: number; cause?: unknown; message?: string } | undefined, i = 0; x && i < 4; x = x.cause as typeof x, i++) {
		if (x.status === 413 || /exceeds limit|BODY_SIZE_LIMIT|exceeded content-length|Payload Too Large/i.test(String(x.message ?? ''))) return true;
	}
	return false;
}

/**
 * The body of a form post, or a refusal before anything is done: 413 when it is over the size
 * limit, 400 when it cannot be read (broken multipart, wrong content type) — both in Russian.
 * An unreadable body never passes as an empty form.
 */
export async function readFormData(request: Request): Promise<FormData> {
	try {
		return await request.formData();
	} catch (e) {
		if (isTooLarge(e)) error(413, TOO_LARGE_MESSAGE);
		error(400, BROKEN_FORM_MESSAGE);
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

/** Form data as a plain object of strings (files are left out). */
export async function formObject(request: Request): Promise<Record<string, string>> {
	const fd = await readFormData(request);
	const out: Record<string, string> = {};
	for (const [k, v] of fd) if (typeof v === 'string' && !(k in out)) out[k] = v;
	return out;
}

/** Values safe to send back into the form: never passwords. */
export function keepValues(raw: Record<string, string>, omit: string[] = []): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [k, v] of Object.entries(raw)) if (!/password|current|token/i.test(k) && !omit.includes(k)) out[k] = v.slice(0, 5000);
	return out;
}

/** The one shape of every form failure: typed values back, errors by field, a message. */
export interface FormFailure {
	values: Record<string, string>;
	errors: Record<string, string>;
	message?: string;
}

export function formFail(status: number, raw: Record<string, string>, errors: Record<string, string> = {}, message?: string) {
	const body: FormFailure = { values: keepValues(raw), errors };
	if (message) body.message = message;
	return fail(status, body);
}

export function parseForm<T extends z.ZodType>(schema: T, raw: Record<string, string>) {
	const r = schema.safeParse(raw);
	if (r.success) return { ok: true as const, data: r.data as z.output<T> };
	return { ok: false as const, failure: formFail(400, raw, fieldErrors(r.error)) };
}

/** 429 with Retry-After (the header is set in hooks from locals). */
export function tooMany(event: RequestEvent, retryAfterSec: number, message: string, values: Record<string, string> = {}) {
	(event.locals as App.Locals & { retryAfter?: number }).retryAfter = retryAfterSec;
	return formFail(429, values, {}, message);
}
