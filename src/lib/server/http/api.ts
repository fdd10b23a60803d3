import { error, json, type RequestEvent } from '@sveltejs/kit';
import type { z } from 'zod';
import { DomainError } from '../errors';
import { fieldErrors } from '$lib/schemas/auth';
import { readJson } from './form';

/** A request sent from another site is refused (403) before anything is read. */
export function sameOrigin(event: Pick<RequestEvent, 'request' | 'url'>): void {
	const origin = event.request.headers.get('origin');
	if (origin && origin !== event.url.origin) error(403, 'Запрос с чужого сайта отклонён');
}

/** JSON endpoints: same-origin only, a logged-in user, a body parsed by the schema. */
export async function apiBody<T extends z.ZodType>(event: RequestEvent, schema: T): Promise<z.output<T>> {
	sameOrigin(event);
	const body = await readJson(event.request);
	const r = schema.safeParse(body);
	if (!r.success) {
		const errs = fieldErrors(r.error);
		error(400, Object.values(errs)[0] ?? 'Неверный запрос');
	}
	return r.data;
}

export function apiUser(event: RequestEvent) {
	const u = event.locals.user;
	if (!u) error(401, 'Требуется вход');
	return u;
}

/** Runs a domain call and turns its refusals into JSON answers with their status. */
export async function apiCall<T>(fn: () => Promise<T> | T): Promise<Response> {
	try {
		return json(await fn());
	} catch (e) {
		if (e instanceof DomainError) return json({ message: e.message, code: e.code, ...(e.details ?? {}) }, { status: e.status });
		throw e;
	}
}
