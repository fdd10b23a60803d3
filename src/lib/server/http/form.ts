import { fail, type RequestEvent } from '@sveltejs/kit';
import type { z } from 'zod';
import { fieldErrors } from '$lib/schemas/auth';

/** Form data as a plain object of strings (files are left out). */
export async function formObject(request: Request): Promise<Record<string, string>> {
	let fd: FormData;
	try {
		fd = await request.formData();
	} catch {
		return {};
	}
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
