import { error } from '@sveltejs/kit';
import { DomainError } from '../errors';
import { formFail } from '../http/form';

/**
 * A domain refusal as the answer of a form action: 404 for a contest or nomination that does not
 * exist (or belongs to another contest), otherwise the form comes back with the typed values and
 * the message next to its field (or above the form).
 */
export function refuse(e: unknown, raw: Record<string, string>) {
	if (!(e instanceof DomainError)) throw e;
	if (e.status === 404) error(404, e.message);
	const field = typeof e.details?.field === 'string' ? e.details.field : undefined;
	return formFail(e.status, raw, field ? { [field]: e.message } : {}, field ? undefined : e.message);
}
