/** Fixtures of the library's unit tests (not used by the portal). */
import { users } from '../db/schema';
import type { DbOrTx } from '../db/client';
import { parsePracticeInput, type PracticeInput } from '../../schemas/library';
import { readSearchParams, type SearchParams } from '../../schemas/library-search';

export const ORG = { id: 'org-test-0000000000001', role: 'organizer' as const };
export const APPLICANT = { id: 'app-test-0000000000001', role: 'applicant' as const };

export function addUsers(db: DbOrTx) {
	db.insert(users)
		.values([
			{ id: ORG.id, email: 'org@test.ru', fio: 'Организатор Тестовый', role: 'organizer' },
			{ id: APPLICANT.id, email: 'app@test.ru', fio: 'Заявитель Тестовый', role: 'applicant' }
		])
		.run();
}

/** A valid practice input with overrides of its flat keys. */
export function input(over: Record<string, string> = {}): PracticeInput {
	const raw = {
		title: 'Практика для проверки поиска',
		summary: 'Короткое описание практики для проверки поиска по библиотеке.',
		problem: '',
		actions: '',
		team: '',
		region: '16',
		municipality: '',
		organization: 'Исполнительный комитет',
		sphere: 'culture',
		nomination: '',
		year: '2024',
		since: '',
		source: '',
		tags: '',
		contacts: '',
		contacts_consent: '',
		...over
	};
	const r = parsePracticeInput(raw);
	if (!r.ok) throw new Error(`bad fixture: ${JSON.stringify(r.errors)}`);
	return r.data;
}

/** Search parameters from a URL query string. */
export function params(qs: string | Record<string, string>): SearchParams {
	return readSearchParams(new URLSearchParams(qs)).params;
}
