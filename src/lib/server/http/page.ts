/** Loads and endpoints: a domain refusal becomes the error page (or answer) with its status. */
import { error } from '@sveltejs/kit';
import { DomainError } from '../errors';

/** A domain refusal as the error page with its status and message; anything else is rethrown. */
export function domainPage(e: unknown): never {
	if (e instanceof DomainError) error(e.status, e.message);
	throw e;
}

/** Runs the domain call of a load (sync or async); its refusal is the error page. */
export function orPage<T>(fn: () => T): T {
	try {
		const r = fn();
		return (r instanceof Promise ? r.catch(domainPage) : r) as T;
	} catch (e) {
		return domainPage(e);
	}
}

/** A domain refusal as a plain-text answer with its status (file downloads); anything else is rethrown. */
export function textRefusal(e: unknown): Response {
	if (e instanceof DomainError) return new Response(`${e.message}\n`, { status: e.status, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' } });
	throw e;
}
