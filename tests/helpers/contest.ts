import type { DbOrTx } from '../../src/lib/server/db/client';
import { contests, nominations, users } from '../../src/lib/server/db/schema';
import { createUser } from '../../src/lib/server/auth/accounts';
import { newId } from '../../src/lib/server/ids';

const DAY = 86400_000;

/** An open contest with two nominations around `now`. */
export function makeContest(db: DbOrTx, now = new Date(), settings: Record<string, unknown> = {}, closeInMs = 10 * DAY, numberPrefix = 'НС') {
	const id = newId();
	const t = now.getTime();
	const contest = db
		.insert(contests)
		.values({
			id,
			slug: `c-${id.slice(0, 6)}`,
			title: 'Тестовый конкурс',
			year: 2026,
			phase: 'open',
			openAt: new Date(t - DAY),
			closeAt: new Date(t + closeInMs),
			reviewEndAt: new Date(t + 30 * DAY),
			resultsAt: new Date(t + 40 * DAY),
			settings,
			numberPrefix
		})
		.returning()
		.get();
	const mentor = db.insert(nominations).values({ id: newId(), contestId: id, slug: 'mentor', title: 'Наставник', track: 'mentor', sort: 0 }).returning().get();
	const practice = db.insert(nominations).values({ id: newId(), contestId: id, slug: 'practice', title: 'Практика', track: 'practice', sort: 1 }).returning().get();
	return { contest, mentor, practice };
}

export async function makeApplicant(db: DbOrTx, email = `a-${newId().slice(0, 6)}@example.ru`) {
	const u = await createUser(db, { email, fio: 'Тестова Анна Ивановна', role: 'applicant', verified: true });
	return { id: u.id, role: u.role, emailVerifiedAt: u.emailVerifiedAt, email: u.email };
}

export const GOOD_ABOUT = {
	fio: 'Тестова Анна Ивановна',
	regionCode: '16',
	municipality: 'г. Казань',
	organization: 'МБОУ «Школа № 1»',
	position: 'учитель',
	mentoringYears: '7',
	phone: '+7 (912) 345-67-89'
};
export const GOOD_PRACTICE = {
	title: 'Школа молодого учителя',
	problem: 'Молодые учителя уходили из школы в первый же год работы.',
	actions: 'Каждому молодому учителю назначается наставник на год, встречи раз в неделю.',
	team: 'Пять наставников и двенадцать молодых учителей',
	since: '2019',
	results: 'Текучесть в первый год снизилась с 30% до 8% за 2021–2024 годы.'
};
export const GOOD_LETTER = 'Я работаю наставником семь лет. '.repeat(10);
export { users };
