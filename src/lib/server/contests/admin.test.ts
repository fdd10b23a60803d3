import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { tempDb } from '../../../../tests/helpers/db';
import type { DB } from '../db/client';
import { applications, assignments, auditEvents, contests, nominations, rounds, users, type Contest } from '../db/schema';
import { DomainError } from '../errors';
import { newId } from '../ids';
import { contestFormSchema, type ContestInput, type NominationInput } from '../../schemas/contest';
import {
	addNomination,
	changePhase,
	contestHistory,
	contestOverview,
	createContest,
	getContest,
	listContestsForAdmin,
	moveNomination,
	phaseProblems,
	removeNomination,
	updateContest,
	updateNomination
} from './admin';
import { contestSettings } from './settings';

let t: ReturnType<typeof tempDb>;
let db: DB;
const org = { id: 'org-1', role: 'organizer' as const };
const DAY = 86400_000;
const NOW = new Date('2027-01-10T09:00:00Z');

beforeEach(() => {
	t = tempDb();
	db = t.db;
	db.insert(users).values({ id: org.id, email: 'org@example.ru', fio: 'Орлова Марина Сергеевна', role: 'organizer' }).run();
});
afterEach(() => t.cleanup());

function input(over: Record<string, string> = {}): ContestInput {
	return contestFormSchema.parse({
		title: 'Наставничество-2027',
		slug: 'nastavnichestvo-2027',
		year: '2027',
		rules: 'Положение',
		openAt: '2027-01-01T10:00',
		closeAt: '2027-03-31T23:59',
		reviewEndAt: '2027-05-01T00:00',
		resultsAt: '2027-06-01T12:00',
		numberPrefix: 'НС',
		videoMaxSize: '1',
		videoMaxSizeUnit: 'GB',
		videoMaxDuration: '3',
		videoMaxDurationUnit: 'min',
		format_mp4: 'on',
		format_mov: 'on',
		letterMaxMb: '10',
		letterMaxChars: '5000',
		uploadGraceMinutes: '30',
		jurorsPerEntry: '3',
		sameRegionConflict: 'on',
		...over
	});
}
const nom = (slug: string, over: Partial<NominationInput> = {}): NominationInput => ({ title: `Номинация ${slug}`, slug, description: '', track: 'mentor', ...over });

const code = (f: () => unknown) => {
	try {
		f();
	} catch (e) {
		if (e instanceof DomainError) return `${e.status} ${e.code}`;
		throw e;
	}
	return 'ok';
};
const events = () => db.select().from(auditEvents).all();

function applicant(contestId: string, nominationId: string, status: 'draft' | 'submitted' = 'submitted') {
	const uid = newId();
	db.insert(users).values({ id: uid, email: `${uid}@example.ru`, fio: 'Заявитель Тестовый' }).run();
	db.insert(applications)
		.values({ id: newId(), contestId, nominationId, applicantId: uid, status, submittedAt: status === 'submitted' ? NOW : null })
		.run();
}

/** A contest with two nominations, in phase open. */
function openContest(): Contest {
	const c = createContest(db, org, input(), NOW);
	addNomination(db, org, c.id, nom('mentor-education'), NOW);
	addNomination(db, org, c.id, nom('practice-production', { track: 'practice' }), NOW);
	return changePhase(db, org, c.id, 'open', NOW);
}

describe('creating and editing a contest', () => {
	it('creates a draft with the limits as settings and records the creation', () => {
		const c = createContest(db, org, input(), NOW);
		expect(c.phase).toBe('draft');
		expect(c.closeAt.toISOString()).toBe('2027-03-31T20:59:00.000Z');
		const s = contestSettings(c.settings);
		expect(s).toMatchObject({ videoMaxBytes: 1024 ** 3, videoFormats: ['mp4', 'mov'], jurorsPerEntry: 3 });
		// Settings the form does not edit keep their defaults.
		expect(s.winnersPerNomination).toBe(5);
		const [e] = events();
		expect(e).toMatchObject({ actorId: org.id, action: 'contest.create', entity: 'contest', entityId: c.id });
		expect((e.after as Record<string, unknown>).slug).toBe('nastavnichestvo-2027');
	});

	it('refuses a slug that is taken and writes nothing', () => {
		createContest(db, org, input(), NOW);
		expect(code(() => createContest(db, org, input({ title: 'Другой' }), NOW))).toBe('409 slug_taken');
		expect(db.select().from(contests).all()).toHaveLength(1);
		expect(events()).toHaveLength(1);
		const other = createContest(db, org, input({ slug: 'drugoy-2027' }), NOW);
		expect(code(() => updateContest(db, org, other.id, input({ slug: 'nastavnichestvo-2027' }), NOW))).toBe('409 slug_taken');
	});

	it('records only what changed; an unchanged save writes no event', () => {
		const c = createContest(db, org, input(), NOW);
		const r = updateContest(db, org, c.id, input({ title: 'Наставничество-2027: второй сезон', jurorsPerEntry: '5' }), new Date(NOW.getTime() + 1000));
		expect(r.changed.sort()).toEqual(['jurorsPerEntry', 'title']);
		const last = events().at(-1)!;
		expect(last.action).toBe('contest.update');
		expect(last.before).toEqual({ title: 'Наставничество-2027', jurorsPerEntry: 3 });
		expect(last.after).toEqual({ title: 'Наставничество-2027: второй сезон', jurorsPerEntry: 5 });
		expect(updateContest(db, org, c.id, input({ title: 'Наставничество-2027: второй сезон', jurorsPerEntry: '5' }), NOW).changed).toEqual([]);
		expect(events()).toHaveLength(2);
	});

	it('keeps settings it does not edit', () => {
		const c = createContest(db, org, input(), NOW);
		db.update(contests).set({ settings: { ...contestSettings(c.settings), winnersPerNomination: 12, normalize: true } }).where(eq(contests.id, c.id)).run();
		updateContest(db, org, c.id, input({ uploadGraceMinutes: '45' }), NOW);
		expect(contestSettings(getContest(db, c.id).settings)).toMatchObject({ winnersPerNomination: 12, normalize: true, uploadGraceMinutes: 45 });
	});

	it('refuses a stale form instead of overwriting newer work', () => {
		const c = createContest(db, org, input(), NOW);
		const version = String(c.updatedAt.getTime());
		updateContest(db, org, c.id, input({ title: 'Сохранено первым', version }), new Date(NOW.getTime() + 5000));
		expect(code(() => updateContest(db, org, c.id, input({ title: 'Сохранено вторым', version }), new Date(NOW.getTime() + 9000)))).toBe('409 stale');
		expect(getContest(db, c.id).title).toBe('Сохранено первым');
	});

	it('refuses dates out of order even when the schema was bypassed', () => {
		const c = createContest(db, org, input(), NOW);
		const bad = { ...input(), reviewEndAt: new Date('2027-03-01T00:00:00Z') };
		expect(code(() => updateContest(db, org, c.id, bad, NOW))).toBe('400 dates_order');
		expect(code(() => createContest(db, org, { ...bad, slug: 'x-2027' }, NOW))).toBe('400 dates_order');
	});

	it('a moved deadline after entries were handed in is allowed, recorded with their number and shown', () => {
		const c = openContest();
		const [n] = db.select().from(nominations).all();
		applicant(c.id, n.id);
		applicant(c.id, n.id);
		applicant(c.id, n.id, 'draft');
		const r = updateContest(db, org, c.id, input({ closeAt: '2027-04-10T23:59' }), NOW);
		expect(r.deadlineMoved).toMatchObject({ entries: 2 });
		expect(r.deadlineMoved!.to.toISOString()).toBe('2027-04-10T20:59:00.000Z');
		expect(events().at(-1)!.after).toMatchObject({ closeAt: '2027-04-10T20:59:00.000Z', entriesAtDeadlineChange: 2 });
		const [h] = contestHistory(db, c.id);
		expect(h.warn).toBe(true);
		expect(h.details[0]).toBe('Срок подачи изменён, когда были поданы 2 заявки');
		expect(h.details[1]).toBe('Окончание приёма заявок: 31 марта 2027 г. в 23:59 МСК → 10 апреля 2027 г. в 23:59 МСК');
		expect(h.actor).toBe('Орлова Марина Сергеевна');
	});

	it('a forged contest id is not found', () => {
		expect(code(() => getContest(db, 'no-such-contest'))).toBe('404 not_found');
		expect(code(() => updateContest(db, org, 'x'.repeat(500), input(), NOW))).toBe('404 not_found');
		expect(code(() => changePhase(db, org, 'no-such-contest', 'open', NOW))).toBe('404 not_found');
	});
});

describe('the audit event is written in the same transaction as the change', () => {
	// A trigger makes every audit insert fail: the change it records must roll back with it.
	const breakAudit = () => db.$client.exec(`CREATE TRIGGER audit_down BEFORE INSERT ON audit_events BEGIN SELECT RAISE(ABORT, 'audit down'); END;`);

	it('for contests, nominations and phases', () => {
		const c = createContest(db, org, input(), NOW);
		const n = addNomination(db, org, c.id, nom('mentor-education'), NOW);
		addNomination(db, org, c.id, nom('practice-production'), NOW);
		breakAudit();
		expect(() => createContest(db, org, input({ slug: 'drugoy-2027' }), NOW)).toThrow(/audit down/);
		expect(() => updateContest(db, org, c.id, input({ title: 'Не сохранится' }), NOW)).toThrow(/audit down/);
		expect(() => changePhase(db, org, c.id, 'open', NOW)).toThrow(/audit down/);
		expect(() => addNomination(db, org, c.id, nom('lost'), NOW)).toThrow(/audit down/);
		expect(() => updateNomination(db, org, c.id, n.id, nom('renamed'), NOW)).toThrow(/audit down/);
		expect(() => moveNomination(db, org, c.id, n.id, 'down', NOW)).toThrow(/audit down/);
		expect(() => removeNomination(db, org, c.id, n.id, NOW)).toThrow(/audit down/);
		const now = getContest(db, c.id);
		expect(now).toMatchObject({ title: 'Наставничество-2027', phase: 'draft' });
		expect(db.select().from(contests).all()).toHaveLength(1);
		expect(db.select({ slug: nominations.slug, sort: nominations.sort }).from(nominations).all()).toEqual([
			{ slug: 'mentor-education', sort: 0 },
			{ slug: 'practice-production', sort: 1 }
		]);
	});
});

describe('nominations', () => {
	it('are added in order, reordered up and down, with slugs unique within a contest', () => {
		const c = createContest(db, org, input(), NOW);
		const a = addNomination(db, org, c.id, nom('a-nom'), NOW);
		const b = addNomination(db, org, c.id, nom('b-nom'), NOW);
		const d = addNomination(db, org, c.id, nom('c-nom'), NOW);
		const order = () => contestOverview(db, c.id, NOW).nominations.map((n) => n.slug);
		expect(order()).toEqual(['a-nom', 'b-nom', 'c-nom']);
		expect(moveNomination(db, org, c.id, d.id, 'up', NOW)).toBe(true);
		expect(order()).toEqual(['a-nom', 'c-nom', 'b-nom']);
		expect(moveNomination(db, org, c.id, a.id, 'up', NOW)).toBe(false); // already first: nothing changes
		expect(moveNomination(db, org, c.id, a.id, 'down', NOW)).toBe(true);
		expect(order()).toEqual(['c-nom', 'a-nom', 'b-nom']);
		expect(moveNomination(db, org, c.id, b.id, 'down', NOW)).toBe(false);
		expect(contestHistory(db, c.id)[0].title).toBe('Номинация «Номинация a-nom» перемещена: 1 → 2 место');

		expect(code(() => addNomination(db, org, c.id, nom('a-nom'), NOW))).toBe('409 slug_taken');
		expect(code(() => updateNomination(db, org, c.id, b.id, nom('a-nom'), NOW))).toBe('409 slug_taken');
		// Another contest may use the same slug.
		const other = createContest(db, org, input({ slug: 'drugoy-2027' }), NOW);
		expect(addNomination(db, org, other.id, nom('a-nom'), NOW).slug).toBe('a-nom');
	});

	it('a nomination of another contest is not found (forged id)', () => {
		const c = createContest(db, org, input(), NOW);
		const other = createContest(db, org, input({ slug: 'drugoy-2027' }), NOW);
		const foreign = addNomination(db, org, other.id, nom('foreign'), NOW);
		expect(code(() => updateNomination(db, org, c.id, foreign.id, nom('mine'), NOW))).toBe('404 not_found');
		expect(code(() => moveNomination(db, org, c.id, foreign.id, 'up', NOW))).toBe('404 not_found');
		expect(code(() => removeNomination(db, org, c.id, foreign.id, NOW))).toBe('404 not_found');
		expect(db.select().from(nominations).where(eq(nominations.id, foreign.id)).get()?.slug).toBe('foreign');
	});

	it('removal is refused with a clear message while the nomination has applications, even drafts', () => {
		const c = openContest();
		const [n1, n2] = contestOverview(db, c.id, NOW).nominations;
		applicant(c.id, n1.id, 'draft');
		try {
			removeNomination(db, org, c.id, n1.id, NOW);
			expect.unreachable();
		} catch (e) {
			expect((e as DomainError).status).toBe(409);
			expect((e as DomainError).message).toBe(
				'Номинацию «Номинация mentor-education» нельзя удалить: в ней уже 1 заявка (считая черновики). Её можно переименовать или изменить описание.'
			);
		}
		expect(code(() => updateNomination(db, org, c.id, n1.id, nom('mentor-education', { track: 'practice' }), NOW))).toBe('409 has_applications');
		expect(updateNomination(db, org, c.id, n1.id, nom('mentor-education', { title: 'Наставник в образовании' }), NOW).title).toBe('Наставник в образовании');
		// The empty one goes, but an open contest keeps at least one nomination.
		expect(removeNomination(db, org, c.id, n2.id, NOW).id).toBe(n2.id);
		db.delete(applications).run();
		expect(code(() => removeNomination(db, org, c.id, n1.id, NOW))).toBe('409 last_nomination');
		expect(contestHistory(db, c.id).map((h) => h.title).slice(0, 2)).toEqual(['Удалена номинация «Номинация practice-production»', 'Изменена номинация «Номинация mentor-education»']);
	});

	it('are added only until submissions close', () => {
		const c = openContest();
		db.update(contests).set({ phase: 'review' }).where(eq(contests.id, c.id)).run();
		expect(code(() => addNomination(db, org, c.id, nom('late'), NOW))).toBe('409 phase');
	});
});

describe('phases', () => {
	it('opening needs a nomination and a deadline in the future', () => {
		const c = createContest(db, org, input(), NOW);
		expect(phaseProblems(db, c, 'open', NOW)).toEqual(['Добавьте хотя бы одну номинацию']);
		expect(code(() => changePhase(db, org, c.id, 'open', NOW))).toBe('409 phase_refused');
		addNomination(db, org, c.id, nom('only'), NOW);
		const late = new Date('2027-04-01T00:00:00Z');
		expect(phaseProblems(db, getContest(db, c.id), 'open', late)[0]).toMatch(/^Срок подачи \(31 марта 2027 г\. в 23:59 МСК\) уже прошёл/);
		expect(changePhase(db, org, c.id, 'open', NOW).phase).toBe('open');
		expect(events().at(-1)).toMatchObject({ action: 'contest.phase', before: { phase: 'draft' }, after: { phase: 'open' } });
		expect(contestHistory(db, c.id)[0].title).toBe('Этап: «Черновик» → «Приём заявок»');
	});

	it('phases go in order: no skipping, no staying', () => {
		const c = createContest(db, org, input(), NOW);
		addNomination(db, org, c.id, nom('only'), NOW);
		expect(code(() => changePhase(db, org, c.id, 'review', NOW))).toBe('409 phase_refused');
		expect(code(() => changePhase(db, org, c.id, 'published', NOW))).toBe('409 phase_refused');
		expect(code(() => changePhase(db, org, c.id, 'draft', NOW))).toBe('409 same_phase');
	});

	it('review starts only after the deadline and its grace period for uploads', () => {
		const c = openContest();
		const close = c.closeAt.getTime();
		expect(phaseProblems(db, c, 'review', new Date(close - 1000))[0]).toMatch(/^Приём заявок идёт до 31 марта 2027 г\. в 23:59 МСК, начатые загрузки можно завершить до 1 апреля 2027 г\. в 00:29 МСК/);
		expect(phaseProblems(db, c, 'review', new Date(close + 29 * 60_000))).toHaveLength(1);
		expect(changePhase(db, org, c.id, 'review', new Date(close + 30 * 60_000)).phase).toBe('review');
	});

	it('back to draft only while nobody has started an application', () => {
		const c = openContest();
		const [n] = contestOverview(db, c.id, NOW).nominations;
		applicant(c.id, n.id, 'draft');
		expect(phaseProblems(db, c, 'draft', NOW)).toEqual(['Заявители уже начали 1 заявку: конкурс нельзя снова спрятать в черновик']);
		db.delete(applications).run();
		expect(changePhase(db, org, c.id, 'draft', NOW).phase).toBe('draft');
	});

	it('back from review to open only with a new deadline and before jurors got assignments', () => {
		const c = openContest();
		const after = new Date(c.closeAt.getTime() + DAY);
		changePhase(db, org, c.id, 'review', after);
		expect(phaseProblems(db, getContest(db, c.id), 'open', after)).toEqual(['Чтобы снова открыть приём, сначала перенесите «Окончание приёма заявок» на будущее']);
		updateContest(db, org, c.id, input({ closeAt: '2027-04-15T23:59' }), after);
		const [n] = contestOverview(db, c.id, after).nominations;
		applicant(c.id, n.id);
		const app = db.select().from(applications).get()!;
		const roundId = newId();
		db.insert(rounds).values({ id: roundId, contestId: c.id, number: 1, title: 'Первый тур' }).run();
		db.insert(assignments).values({ id: newId(), roundId, applicationId: app.id, jurorId: org.id }).run();
		expect(phaseProblems(db, getContest(db, c.id), 'open', after)).toEqual(['Эксперты уже получили назначения: вернуться к приёму заявок нельзя']);
		db.delete(assignments).run();
		expect(changePhase(db, org, c.id, 'open', after).phase).toBe('open');
	});

	it('results, publication and back', () => {
		const c = openContest();
		const after = new Date(c.closeAt.getTime() + DAY);
		for (const p of ['review', 'results', 'published', 'results', 'review', 'results', 'published'] as const) expect(changePhase(db, org, c.id, p, after).phase).toBe(p);
		expect(contestOverview(db, c.id, after).transitions).toEqual([{ to: 'results', problems: [] }]);
	});
});

describe('the organizer\'s list and overview', () => {
	it('counts nominations, entries and drafts', () => {
		const c = openContest();
		const [n1, n2] = contestOverview(db, c.id, NOW).nominations;
		applicant(c.id, n1.id);
		applicant(c.id, n1.id);
		applicant(c.id, n2.id);
		applicant(c.id, n2.id, 'draft');
		createContest(db, org, input({ slug: 'drugoy-2027', year: '2026' }), NOW);
		expect(listContestsForAdmin(db).map((x) => [x.slug, x.phase, x.nominations, x.entries, x.drafts])).toEqual([
			['nastavnichestvo-2027', 'open', 2, 3, 1],
			['drugoy-2027', 'draft', 0, 0, 0]
		]);
		const o = contestOverview(db, c.id, NOW);
		expect(o.counts).toMatchObject({ entries: 3, total: 4, byStatus: { submitted: 3, draft: 1 } });
		expect(o.nominations.map((n) => [n.applications, n.entries])).toEqual([
			[2, 2],
			[2, 1]
		]);
		expect(o.byDay).toHaveLength(14);
		expect(o.byDay.at(-1)).toEqual({ day: '2027-01-10', n: 3 });
	});
});
