import { DomainError } from '../../src/lib/server/errors';

/** Runs `fn` and names its refusal as «status code» («ok» when it went through); other errors propagate. */
export function refusalCode(fn: () => unknown): string {
	try {
		fn();
	} catch (e) {
		if (e instanceof DomainError) return `${e.status} ${e.code}`;
		throw e;
	}
	return 'ok';
}
