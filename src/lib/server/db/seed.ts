import { eq } from 'drizzle-orm';
import type { DB } from './client';
import { contests, nominations, criteria, users } from './schema';
import { createUser } from '../auth/accounts';
import { newId } from '../ids';
import { DEMO_NOMINATIONS, DEMO_RULES, DEMO_RUBRIC } from './demo-content';
import { seedLibraryDemo } from '../library/demo';

export const DEMO_PASSWORD = 'nastavnik2026';
export const DEMO_ACCOUNTS = [
	{ email: 'org@nastavnik.demo', fio: 'Орлова Марина Сергеевна', role: 'organizer' as const },
	{ email: 'jury1@nastavnik.demo', fio: 'Ермаков Алексей Викторович', role: 'jury' as const },
	{ email: 'jury2@nastavnik.demo', fio: 'Садыкова Гульнара Ринатовна', role: 'jury' as const },
	{ email: 'applicant1@nastavnik.demo', fio: 'Иванова Светлана Петровна', role: 'applicant' as const },
	{ email: 'applicant2@nastavnik.demo', fio: 'Кузнецов Дмитрий Андреевич', role: 'applicant' as const }
];
export const DEMO_CONTEST_SLUG = 'nastavnichestvo-2026';

const DAY = 86400_000;

/**
 * Seeds the demo once (the unconfigured default only): the accounts above and the contest
 * «Наставничество-2026» in phase `open`. Returns false when already seeded.
 */
export async function seedDemo(db: DB, now = new Date()): Promise<boolean> {
	if (db.select({ id: users.id }).from(users).where(eq(users.email, DEMO_ACCOUNTS[0].email)).get()) return false;
	for (const a of DEMO_ACCOUNTS) await createUser(db, { ...a, password: DEMO_PASSWORD, verified: true }, now);
	const t = now.getTime();
	const contestId = newId();
	db.transaction((tx) => {
		tx.insert(contests)
			.values({
				id: contestId,
				slug: DEMO_CONTEST_SLUG,
				title: 'Наставничество-2026',
				year: 2026,
				rules: DEMO_RULES,
				phase: 'open',
				openAt: new Date(t - 14 * DAY),
				closeAt: new Date(Math.ceil((t + 30 * DAY) / DAY) * DAY + 20 * 3600_000 + 59 * 60_000), // 23:59 МСК
				reviewEndAt: new Date(t + 60 * DAY),
				resultsAt: new Date(t + 75 * DAY),
				numberPrefix: 'НС',
				settings: {}
			})
			.run();
		DEMO_NOMINATIONS.forEach((n, i) =>
			tx.insert(nominations).values({ id: newId(), contestId, slug: n.slug, title: n.title, description: n.description, track: n.track, sort: i }).run()
		);
		DEMO_RUBRIC.forEach((c, i) =>
			tx.insert(criteria)
				.values({ id: newId(), contestId, title: c.title, description: c.description, weight: c.weight, scaleMin: c.scaleMin, scaleMax: c.scaleMax, levels: c.levels, sort: i })
				.run()
		);
	});
	await seedLibraryDemo(db, now);
	return true;
}
