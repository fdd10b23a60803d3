import { eq } from 'drizzle-orm';
import type { DB } from './db/client';
import { contests, nominations, criteria, users } from './db/schema';
import { createUser } from './auth/accounts';
import { newId } from './ids';
import { DEMO_NOMINATIONS, DEMO_RULES, DEMO_RUBRIC } from './db/demo-content';
import { seedJuryDemo } from './review/demo';
import { seedLibraryDemo } from './library/demo';

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
const MSK = 3 * 3600_000;
/** Midnight in Moscow, `days` days from the day of `t`, as a UTC timestamp. */
const mskDay = (t: number, days: number) => Math.floor((t + MSK) / DAY) * DAY - MSK + days * DAY;

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
				// Whole days in Moscow time: opened at 10:00, closes at 23:59, and so on.
				openAt: new Date(mskDay(t, -14) + 10 * 3600_000),
				closeAt: new Date(mskDay(t, 30) + 23 * 3600_000 + 59 * 60_000),
				reviewEndAt: new Date(mskDay(t, 60) + 18 * 3600_000),
				resultsAt: new Date(mskDay(t, 75) + 12 * 3600_000),
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
	// The jury: profiles, forty submitted entries, round 1 routed and partly scored.
	await seedJuryDemo(db, DEMO_CONTEST_SLUG, DEMO_PASSWORD, now);
	await seedLibraryDemo(db, now);
	return true;
}
