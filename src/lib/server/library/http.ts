import { fail } from '@sveltejs/kit';
import { MAX_FIELD_CHARS } from '../../schemas/library';

/**
 * The failure of a practice form: the shared formFail shape ({values, errors, message}), but
 * every typed text comes back whole — a practice's texts are longer than the 5,000 characters
 * the shared helper keeps.
 */
export function practiceFail(status: number, raw: Record<string, string>, errors: Record<string, string> = {}, message?: string) {
	const values = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, v.slice(0, MAX_FIELD_CHARS)]));
	return fail(status, { values, errors, ...(message ? { message } : {}) });
}
