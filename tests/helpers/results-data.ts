/**
 * A small scored contest written straight into a database — the test data of the results
 * console (unit, integration and Playwright tests). Relative imports only, so that Playwright's
 * loader can use it too.
 *
 * Rubric: c1 (weight 2, 0..10) and c2 (weight 1, 0..10): total = (2·c1 + c2) / 30 · 100.
 * Jurors J1–J4 review round 1 (K = 3, deadline passed); J5 is a spare juror with no work (the
 * one «назначить ещё эксперта» finds). Hand-computed raw results:
 *
 *   mentor   M1  J1 9,9 = 90 · J2 8,8 = 80 · J3 9,6 = 80      mean 83.33  rank 1
 *            M3  J2 7,7 · J3 7,7 · J4 7,7 = 70 each          mean 70     rank 2
 *            M4  J1 6,6 = 60 · J3 6,6 = 60 · J4 not submitted mean 60    rank 3, 1 missing
 *            M2  J1 5,5 = 50 · J2 10,10 = 100 · J4 2,2 = 20    mean 56.67  rank 4, spread 80: FLAGGED
 *   practice P1  J1, J2, J3 all 8,8 = 80                      mean 80     rank 1 (tie, submitted earlier)
 *            P2  J2, J3, J4 all 8,8 = 80                      mean 80     rank 1 (tie, position 2)
 *            P3  J1 4,4 = 40 · J3 5,5 = 50 · J4 6,6 = 60       mean 50     rank 3
 *            P4  J1, J2, J4 assigned, nothing submitted        unscored
 */
import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../../src/lib/server/db/client';
import { applications, assignments, contests, criteria, jurorProfiles, nominations, roundEntries, rounds, scores, users } from '../../src/lib/server/db/schema';
import { newId } from '../../src/lib/server/ids';

const DAY = 86400_000;
const MIN = 60_000;

export interface SeededResults {
	contestId: string;
	slug: string;
	roundId: string;
	mentorId: string;
	practiceId: string;
	c1: string;
	c2: string;
	jurors: Record<'J1' | 'J2' | 'J3' | 'J4' | 'J5', string>;
	apps: Record<'M1' | 'M2' | 'M3' | 'M4' | 'P1' | 'P2' | 'P3' | 'P4', string>;
	numbers: Record<'M1' | 'M2' | 'M3' | 'M4' | 'P1' | 'P2' | 'P3' | 'P4', string>;
	assignmentOf: (app: string, juror: string) => string | undefined;
}

type J = 'J1' | 'J2' | 'J3' | 'J4';
type A = 'M1' | 'M2' | 'M3' | 'M4' | 'P1' | 'P2' | 'P3' | 'P4';
/** [app, juror, c1, c2] — null scores: assigned but not submitted. */
const REVIEWS: [A, J, number | null, number | null][] = [
	['M1', 'J1', 9, 9],
	['M1', 'J2', 8, 8],
	['M1', 'J3', 9, 6],
	['M2', 'J1', 5, 5],
	['M2', 'J2', 10, 10],
	['M2', 'J4', 2, 2],
	['M3', 'J2', 7, 7],
	['M3', 'J3', 7, 7],
	['M3', 'J4', 7, 7],
	['M4', 'J1', 6, 6],
	['M4', 'J3', 6, 6],
	['M4', 'J4', null, null],
	['P1', 'J1', 8, 8],
	['P1', 'J2', 8, 8],
	['P1', 'J3', 8, 8],
	['P2', 'J2', 8, 8],
	['P2', 'J3', 8, 8],
	['P2', 'J4', 8, 8],
	['P3', 'J1', 4, 4],
	['P3', 'J3', 5, 5],
	['P3', 'J4', 6, 6],
	['P4', 'J1', null, null],
	['P4', 'J2', null, null],
	['P4', 'J4', null, null]
];

const REGIONS: Record<A, string> = { M1: '16', M2: '54', M3: '25', M4: '02', P1: '77', P2: '39', P3: '05', P4: '61' };
const JUROR_REGIONS: Record<J | 'J5', string> = { J1: '78', J2: '50', J3: '63', J4: '72', J5: '66' };

export function seedResultsContest(
	db: DbOrTx,
	opts: { now?: Date; applicantEmail?: string; settings?: Record<string, unknown>; prefix?: string; title?: string } = {}
): SeededResults {
	const now = opts.now ?? new Date();
	const t = now.getTime();
	const tag = newId().slice(0, 6);
	const prefix = opts.prefix ?? 'ИТ';
	return db.transaction((tx) => {
		const contestId = newId();
		const slug = `itogi-${tag}`;
		tx.insert(contests)
			.values({
				id: contestId,
				slug,
				title: opts.title ?? `Итоги ${tag}`,
				year: 2026,
				phase: 'review',
				openAt: new Date(t - 40 * DAY),
				closeAt: new Date(t - 10 * DAY),
				reviewEndAt: new Date(t + 10 * DAY),
				resultsAt: new Date(t + 20 * DAY),
				settings: { disagreementThreshold: 20, jurorsPerEntry: 3, winnersPerNomination: 1, ...(opts.settings ?? {}) },
				numberPrefix: prefix
			})
			.run();
		const mentorId = newId();
		const practiceId = newId();
		tx.insert(nominations).values({ id: mentorId, contestId, slug: 'mentor', title: 'Наставник года', track: 'mentor', sort: 0 }).run();
		tx.insert(nominations).values({ id: practiceId, contestId, slug: 'practice', title: 'Лучшая практика', track: 'practice', sort: 1 }).run();
		const c1 = newId();
		const c2 = newId();
		tx.insert(criteria).values({ id: c1, contestId, title: 'Актуальность', weight: 2, scaleMin: 0, scaleMax: 10, sort: 0 }).run();
		tx.insert(criteria).values({ id: c2, contestId, title: 'Результативность', weight: 1, scaleMin: 0, scaleMax: 10, sort: 1 }).run();

		const jurors = {} as SeededResults['jurors'];
		(['J1', 'J2', 'J3', 'J4', 'J5'] as const).forEach((j, i) => {
			const id = newId();
			jurors[j] = id;
			tx.insert(users)
				.values({ id, email: `${j.toLowerCase()}-${tag}@jury.test`, fio: ['Антонов Борис Ильич', 'Белова Вера Павловна', 'Григорьев Дмитрий Олегович', 'Дёмина Елена Юрьевна', 'Егоров Жан Маратович'][i], role: 'jury', emailVerifiedAt: now })
				.run();
			tx.insert(jurorProfiles).values({ userId: id, nominationIds: [mentorId, practiceId], regionCode: JUROR_REGIONS[j], organization: `Организация ${j}`, capacity: 50 }).run();
		});

		const existing = opts.applicantEmail ? tx.select().from(users).where(eq(users.email, opts.applicantEmail)).get() : undefined;
		const apps = {} as SeededResults['apps'];
		const numbers = {} as SeededResults['numbers'];
		(['M1', 'M2', 'M3', 'M4', 'P1', 'P2', 'P3', 'P4'] as const).forEach((a, i) => {
			let applicantId: string;
			if (a === 'M1' && existing) applicantId = existing.id;
			else {
				applicantId = newId();
				tx.insert(users).values({ id: applicantId, email: `${a.toLowerCase()}-${tag}@applicant.test`, fio: `Участник ${a} Тестович`, role: 'applicant', emailVerifiedAt: now }).run();
			}
			const id = newId();
			apps[a] = id;
			numbers[a] = `${prefix}-2026-${String(i + 1).padStart(5, '0')}`;
			tx.insert(applications)
				.values({
					id,
					contestId,
					nominationId: a.startsWith('M') ? mentorId : practiceId,
					applicantId,
					number: numbers[a],
					seq: i + 1,
					status: 'in_review',
					regionCode: REGIONS[a],
					organization: `Школа ${a}`,
					practice: { title: `Практика ${a}` },
					// P1 is submitted before P2 (the tie-break of the practice nomination).
					submittedAt: new Date(t - 20 * DAY + i * 3600_000),
					createdAt: new Date(t - 30 * DAY),
					updatedAt: new Date(t - 20 * DAY)
				})
				.run();
		});

		const roundId = newId();
		tx.insert(rounds).values({ id: roundId, contestId, number: 1, title: 'Первый тур', status: 'active', deadlineAt: new Date(t - DAY), settings: {} }).run();
		tx.insert(roundEntries)
			.values(Object.values(apps).map((applicationId) => ({ roundId, applicationId })))
			.run();
		const asg = new Map<string, string>();
		REVIEWS.forEach(([a, j, s1, s2], i) => {
			const id = newId();
			asg.set(`${apps[a]}:${jurors[j]}`, id);
			const submitted = s1 !== null;
			// J4 works fast: one minute per review; the others 10–20 minutes.
			const started = new Date(t - 5 * DAY + i * 3600_000);
			const took = j === 'J4' ? MIN : (10 + (i % 3) * 5) * MIN;
			tx.insert(assignments)
				.values({
					id,
					roundId,
					applicationId: apps[a],
					jurorId: jurors[j],
					status: submitted ? 'submitted' : 'assigned',
					comment: submitted ? `Комментарий ${j} к ${a}` : '',
					feedback: submitted ? `Отзыв ${j} к ${a}` : '',
					startedAt: submitted ? started : null,
					submittedAt: submitted ? new Date(started.getTime() + took) : null
				})
				.run();
			if (submitted) {
				tx.insert(scores).values({ assignmentId: id, criterionId: c1, value: s1! }).run();
				tx.insert(scores).values({ assignmentId: id, criterionId: c2, value: s2! }).run();
			}
		});
		return { contestId, slug, roundId, mentorId, practiceId, c1, c2, jurors, apps, numbers, assignmentOf: (app, juror) => asg.get(`${app}:${juror}`) };
	});
}

/** Submits scores for every live assignment of a round that has none yet: value(app, juror) per criterion. */
export function scoreRound(db: DbOrTx, roundId: string, value: (applicationId: string, jurorId: string) => number, now = new Date()) {
	const rows = db.select().from(assignments).where(eq(assignments.roundId, roundId)).all();
	const crit = db
		.select({ id: criteria.id })
		.from(criteria)
		.innerJoin(rounds, eq(rounds.contestId, criteria.contestId))
		.where(eq(rounds.id, roundId))
		.all();
	db.transaction((tx) => {
		for (const a of rows) {
			if (a.status !== 'assigned' && a.status !== 'draft') continue;
			const v = value(a.applicationId, a.jurorId);
			for (const c of crit) tx.insert(scores).values({ assignmentId: a.id, criterionId: c.id, value: v }).onConflictDoUpdate({ target: [scores.assignmentId, scores.criterionId], set: { value: v } }).run();
			tx.update(assignments)
				.set({ status: 'submitted', startedAt: new Date(now.getTime() - 15 * MIN), submittedAt: now, comment: `Заметка для организаторов`, feedback: `Финальный отзыв`, updatedAt: now })
				.where(eq(assignments.id, a.id))
				.run();
		}
	});
}
