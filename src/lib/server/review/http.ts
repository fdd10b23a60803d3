/** Small glue for the jury routes: domain refusals → form failures or error pages, multi-value forms. */
import { error } from '@sveltejs/kit';
import { DomainError } from '../errors';
import { formFail, readFormData } from '../http/form';
import { db } from '../db/client';
import { getContestBySlug } from '../contests/queries';

/** A domain refusal as a form failure (typed values kept); anything else is rethrown. */
export function domainFail(e: unknown, raw: Record<string, string> = {}) {
	if (e instanceof DomainError) return formFail(e.status, raw, (e.details?.errors as Record<string, string>) ?? {}, e.message);
	throw e;
}

/** A domain refusal as an error page with its status; anything else is rethrown. */
export function domainPage(e: unknown): never {
	if (e instanceof DomainError) error(e.status, e.message);
	throw e;
}

export function contestOr404(slug: string) {
	const c = getContestBySlug(db(), slug);
	if (!c) error(404, 'Конкурс не найден');
	return c;
}

/** Form data: the first value of each text field, all values of repeated fields, and files. */
export async function readForm(request: Request) {
	const fd = await readFormData(request);
	const raw: Record<string, string> = {};
	for (const [k, v] of fd) if (typeof v === 'string' && !(k in raw)) raw[k] = v;
	return {
		raw,
		all: (key: string) => fd.getAll(key).filter((v): v is string => typeof v === 'string'),
		file: (key: string) => {
			const v = fd.get(key);
			return v instanceof File ? v : null;
		}
	};
}
