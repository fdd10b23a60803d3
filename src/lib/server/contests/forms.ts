import { error } from '@sveltejs/kit';
import type { z } from 'zod';
import { DomainError } from '../errors';
import { formFail } from '../http/form';
import { fieldErrors } from '../../schemas/auth';

/** Text fields longer than the usual 5000 characters kept by formFail: the typed text must come back whole. */
const LONG_FIELDS: Record<string, number> = { rules: 60_000 };

function fail(status: number, raw: Record<string, string>, errors: Record<string, string> = {}, message?: string) {
	const r = formFail(status, raw, errors, message);
	for (const [k, max] of Object.entries(LONG_FIELDS)) if (typeof raw[k] === 'string') r.data.values[k] = raw[k].slice(0, max);
	return r;
}

/** parseForm for the contest console: the same answer, with long texts kept whole. */
export function parseContestForm<T extends z.ZodType>(schema: T, raw: Record<string, string>) {
	const r = schema.safeParse(raw);
	if (r.success) return { ok: true as const, data: r.data as z.output<T> };
	return { ok: false as const, failure: fail(400, raw, fieldErrors(r.error)) };
}

/**
 * A domain refusal as the answer of a form action: 404 for a contest or nomination that does not
 * exist (or belongs to another contest), otherwise the form comes back with the typed values and
 * the message next to its field (or above the form).
 */
export function refuse(e: unknown, raw: Record<string, string>) {
	if (!(e instanceof DomainError)) throw e;
	if (e.status === 404) error(404, e.message);
	const field = typeof e.details?.field === 'string' ? e.details.field : undefined;
	return fail(e.status, raw, field ? { [field]: e.message } : {}, field ? undefined : e.message);
}
