/**
 * Contests as organizers set them up: create and edit a contest, its nominations and their
 * order, and move it between phases. Every function takes the db first and `now` last, checks
 * what it changes against the contest it belongs to, and writes its audit event in the same
 * transaction as the change.
 *
 * All statements inside `db.transaction(() => …)` run on the one synchronous better-sqlite3
 * connection, so they (and the audit rows) commit or roll back together.
 */
import { and, asc, eq, inArray, max, ne, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { applications, assignments, contests, nominations, rounds, type Contest, type Nomination, type Phase } from '../db/schema';
import { newId } from '../ids';
import { audit } from '../audit';
import { by, type Actor } from '../actor';
import { graceEnd } from './deadline';
import { DomainError, notFound } from '../errors';
import { assertResultsSettingsChange } from '../results/settings-guard';
import { contestSettings, contestSettingsSchema } from './settings';
import { contestHistory } from './history';
import { countByStatus } from './queries';
import { DATE_ORDER, CONTEST_FIELD_LABEL, type ContestInput, type NominationInput } from '../../schemas/contest';
import { PHASE_TITLE } from '../../glossary';
import { fmtDateTime, plural } from '../../format';

const APPS: [string, string, string] = ['заявка', 'заявки', 'заявок'];


/** Statuses that count as an entry (handed in and not withdrawn). */
export const ENTRY_STATUSES = ['submitted', 'in_review', 'finalist', 'winner', 'not_selected'] as const;

/** Where a contest may go from each phase: forward one step, or back where it is harmless. */
export const TRANSITIONS: Record<Phase, Phase[]> = {
	draft: ['open'],
	open: ['review', 'draft'],
	review: ['results', 'open'],
	results: ['published', 'review'],
	published: ['results']
};

const isUnique = (e: unknown) => e instanceof Error && 'code' in e && String((e as { code: unknown }).code).startsWith('SQLITE_CONSTRAINT_UNIQUE');

const slugTaken = (slug: string) => new DomainError(409, 'slug_taken', `«${CONTEST_FIELD_LABEL.slug}»: адрес «${slug}» уже занят другим конкурсом`, { field: 'slug' });
const nominationSlugTaken = (slug: string) =>
	new DomainError(409, 'slug_taken', `«Адрес номинации (slug)»: «${slug}» уже есть в этом конкурсе`, { field: 'slug' });

// ---------------------------------------------------------------------------------------------
// Reading

export function getContest(db: DbOrTx, id: string): Contest {
	const c = typeof id === 'string' && id.length <= 40 ? db.select().from(contests).where(eq(contests.id, id)).get() : undefined;
	if (!c) throw notFound('Конкурс не найден');
	return c;
}

function countBy(db: DbOrTx, contestId: string) {
	const byStatus = countByStatus(db, contestId);
	const entries = ENTRY_STATUSES.reduce((s, k) => s + (byStatus[k] ?? 0), 0);
	const total = Object.values(byStatus).reduce((s, n) => s + n, 0);
	return { byStatus, entries, total };
}

/** Every contest with its counts, newest first, for the organizer's list. */
export function listContestsForAdmin(db: DbOrTx) {
	const list = db.select().from(contests).orderBy(sql`${contests.year} desc`, sql`${contests.openAt} desc`).all();
	const noms = db.select({ contestId: nominations.contestId, n: sql<number>`count(*)` }).from(nominations).groupBy(nominations.contestId).all();
	const apps = db
		.select({ contestId: applications.contestId, status: applications.status, n: sql<number>`count(*)` })
		.from(applications)
		.groupBy(applications.contestId, applications.status)
		.all();
	return list.map((c) => {
		const mine = apps.filter((a) => a.contestId === c.id);
		return {
			id: c.id,
			slug: c.slug,
			title: c.title,
			year: c.year,
			phase: c.phase,
			closeAt: c.closeAt.getTime(),
			nominations: noms.find((n) => n.contestId === c.id)?.n ?? 0,
			entries: mine.filter((a) => (ENTRY_STATUSES as readonly string[]).includes(a.status)).reduce((s, a) => s + a.n, 0),
			drafts: mine.find((a) => a.status === 'draft')?.n ?? 0
		};
	});
}

/** Nominations of a contest in their order, with how many applications each has. */
export function listNominationsWithCounts(db: DbOrTx, contestId: string) {
	const list = db.select().from(nominations).where(eq(nominations.contestId, contestId)).orderBy(asc(nominations.sort), asc(nominations.createdAt)).all();
	const counts = db
		.select({ nominationId: applications.nominationId, status: applications.status, n: sql<number>`count(*)` })
		.from(applications)
		.where(eq(applications.contestId, contestId))
		.groupBy(applications.nominationId, applications.status)
		.all();
	return list.map((n) => {
		const mine = counts.filter((c) => c.nominationId === n.id);
		return {
			...n,
			applications: mine.reduce((s, c) => s + c.n, 0),
			entries: mine.filter((c) => (ENTRY_STATUSES as readonly string[]).includes(c.status)).reduce((s, c) => s + c.n, 0)
		};
	});
}

/** Entries handed in per Moscow calendar day over the last `days` days (oldest first, zeros kept). */
export function entriesByDay(db: DbOrTx, contestId: string, now = new Date(), days = 14) {
	const rows = db
		.select({
			day: sql<string>`strftime('%Y-%m-%d', ${applications.submittedAt} / 1000 + 10800, 'unixepoch')`,
			n: sql<number>`count(*)`
		})
		.from(applications)
		.where(and(eq(applications.contestId, contestId), inArray(applications.status, [...ENTRY_STATUSES])))
		.groupBy(sql`1`)
		.all();
	const byDay = new Map(rows.map((r) => [r.day, r.n]));
	const out: { day: string; n: number }[] = [];
	for (let i = days - 1; i >= 0; i--) {
		const day = new Date(now.getTime() + 3 * 3600_000 - i * 86400_000).toISOString().slice(0, 10);
		out.push({ day, n: byDay.get(day) ?? 0 });
	}
	return out;
}

/** Everything the contest's console page shows. */
export function contestOverview(db: DbOrTx, id: string, now = new Date()) {
	const contest = getContest(db, id);
	const counts = countBy(db, id);
	return {
		contest,
		settings: contestSettings(contest.settings),
		nominations: listNominationsWithCounts(db, id),
		counts,
		byDay: entriesByDay(db, id, now),
		transitions: TRANSITIONS[contest.phase].map((to) => ({ to, problems: phaseProblems(db, contest, to, now) })),
		history: contestHistory(db, id)
	};
}

// ---------------------------------------------------------------------------------------------
// Contest

/** The editable fields as plain JSON: what the audit log records before and after. */
function snapshot(c: Contest) {
	const s = contestSettings(c.settings);
	return {
		title: c.title,
		slug: c.slug,
		year: c.year,
		rules: c.rules,
		openAt: c.openAt.toISOString(),
		closeAt: c.closeAt.toISOString(),
		reviewEndAt: c.reviewEndAt.toISOString(),
		resultsAt: c.resultsAt.toISOString(),
		numberPrefix: c.numberPrefix,
		videoMaxBytes: s.videoMaxBytes,
		videoMaxSeconds: s.videoMaxSeconds,
		videoFormats: s.videoFormats,
		letterMaxBytes: s.letterMaxBytes,
		letterMaxChars: s.letterMaxChars,
		uploadGraceMinutes: s.uploadGraceMinutes,
		jurorsPerEntry: s.jurorsPerEntry,
		sameRegionConflict: s.sameRegionConflict
	};
}
type Snapshot = ReturnType<typeof snapshot>;

function diff<T extends Record<string, unknown>>(a: T, b: T) {
	const before: Partial<T> = {};
	const after: Partial<T> = {};
	for (const k of Object.keys(b) as (keyof T)[]) {
		if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) {
			before[k] = a[k];
			after[k] = b[k];
		}
	}
	return { before, after, changed: Object.keys(after).length > 0 };
}

function assertDatesInOrder(c: Pick<Contest, 'openAt' | 'closeAt' | 'reviewEndAt' | 'resultsAt'>) {
	for (let i = 1; i < DATE_ORDER.length; i++) {
		const prev = DATE_ORDER[i - 1];
		const cur = DATE_ORDER[i];
		if (c[cur].getTime() <= c[prev].getTime())
			throw new DomainError(400, 'dates_order', `«${CONTEST_FIELD_LABEL[cur]}» должно быть позже, чем «${CONTEST_FIELD_LABEL[prev]}»`, { field: cur });
	}
}

export function createContest(db: DbOrTx, actor: Actor, input: ContestInput, now = new Date()): Contest {
	assertDatesInOrder(input);
	return db.transaction(() => {
		if (db.select({ id: contests.id }).from(contests).where(eq(contests.slug, input.slug)).get()) throw slugTaken(input.slug);
		let row: Contest;
		try {
			row = db
				.insert(contests)
				.values({
					id: newId(),
					slug: input.slug,
					title: input.title,
					year: input.year,
					rules: input.rules,
					phase: 'draft',
					openAt: input.openAt,
					closeAt: input.closeAt,
					reviewEndAt: input.reviewEndAt,
					resultsAt: input.resultsAt,
					numberPrefix: input.numberPrefix,
					settings: contestSettingsSchema.parse(input.limits),
					createdAt: now,
					updatedAt: now
				})
				.returning()
				.get();
		} catch (e) {
			if (isUnique(e)) throw slugTaken(input.slug);
			throw e;
		}
		audit(db, { ...by(actor), action: 'contest.create', entity: 'contest', entityId: row.id, after: snapshot(row) }, now);
		return row;
	});
}

export interface UpdateResult {
	contest: Contest;
	changed: (keyof Snapshot)[];
	/** Set when the submission deadline moved while entries were already handed in. */
	deadlineMoved?: { from: Date; to: Date; entries: number };
}

/**
 * Saves the contest's parameters. The deadline may move after entries were handed in: that is
 * allowed, and recorded (with the number of entries) so the console can show it.
 */
export function updateContest(db: DbOrTx, actor: Actor, id: string, input: ContestInput, now = new Date()): UpdateResult {
	assertDatesInOrder(input);
	return db.transaction(() => {
		const c = getContest(db, id);
		if (input.version !== undefined && input.version !== c.updatedAt.getTime())
			throw new DomainError(409, 'stale', 'Пока вы редактировали, параметры конкурса изменил другой организатор. Ваши значения остались в форме: откройте конкурс в новой вкладке, сравните и сохраните ещё раз.');
		if (input.slug !== c.slug && db.select({ id: contests.id }).from(contests).where(and(eq(contests.slug, input.slug), ne(contests.id, id))).get()) throw slugTaken(input.slug);
		// Settings the form does not edit (results, normalization…) are kept as they are.
		const settings = contestSettingsSchema.parse({ ...contestSettings(c.settings), ...input.limits });
		// Results-relevant settings (jurors per entry among them) are frozen once the finals started.
		assertResultsSettingsChange(db, c.id, contestSettings(c.settings), settings);
		const next: Contest = {
			...c,
			title: input.title,
			slug: input.slug,
			year: input.year,
			rules: input.rules,
			openAt: input.openAt,
			closeAt: input.closeAt,
			reviewEndAt: input.reviewEndAt,
			resultsAt: input.resultsAt,
			numberPrefix: input.numberPrefix,
			settings
		};
		const d = diff(snapshot(c), snapshot(next));
		if (!d.changed) return { contest: c, changed: [] };
		let deadlineMoved: UpdateResult['deadlineMoved'];
		if (d.after.closeAt !== undefined) {
			const entries = countBy(db, id).entries;
			if (entries > 0) deadlineMoved = { from: c.closeAt, to: input.closeAt, entries };
		}
		let row: Contest;
		try {
			row = db
				.update(contests)
				.set({ ...next, id: c.id, createdAt: c.createdAt, updatedAt: now })
				.where(eq(contests.id, id))
				.returning()
				.get();
		} catch (e) {
			if (isUnique(e)) throw slugTaken(input.slug);
			throw e;
		}
		audit(
			db,
			{
				actorId: actor.id,
				ip: actor.ip,
				action: 'contest.update',
				entity: 'contest',
				entityId: id,
				before: d.before,
				after: deadlineMoved ? { ...d.after, entriesAtDeadlineChange: deadlineMoved.entries } : d.after
			},
			now
		);
		return { contest: row, changed: Object.keys(d.after) as (keyof Snapshot)[], deadlineMoved };
	});
}

// ---------------------------------------------------------------------------------------------
// Phases

/**
 * Why the contest cannot move to `to` now; empty when it can. Shown next to the buttons and
 * checked again when the move is confirmed.
 */
export function phaseProblems(db: DbOrTx, c: Contest, to: Phase, now = new Date()): string[] {
	if (!TRANSITIONS[c.phase].includes(to)) return [`Из этапа «${PHASE_TITLE[c.phase]}» нельзя перейти в «${PHASE_TITLE[to]}»: этапы идут по порядку`];
	const out: string[] = [];
	const s = contestSettings(c.settings);
	if (c.phase === 'draft' && to === 'open') {
		const n = db.select({ n: sql<number>`count(*)` }).from(nominations).where(eq(nominations.contestId, c.id)).get()?.n ?? 0;
		if (n === 0) out.push('Добавьте хотя бы одну номинацию');
		try {
			assertDatesInOrder(c);
		} catch (e) {
			out.push((e as Error).message);
		}
		if (c.closeAt.getTime() <= now.getTime()) out.push(`Срок подачи (${fmtDateTime(c.closeAt)}) уже прошёл: перенесите «${CONTEST_FIELD_LABEL.closeAt}» на будущее`);
		if (s.videoFormats.length === 0) out.push('Отметьте хотя бы один формат видео');
	}
	if (c.phase === 'open' && to === 'draft') {
		const total = countBy(db, c.id).total;
		if (total > 0) out.push(`Заявители уже начали ${total} ${plural(total, ['заявку', 'заявки', 'заявок'])}: конкурс нельзя снова спрятать в черновик`);
	}
	if (c.phase === 'open' && to === 'review') {
		const end = graceEnd(c);
		if (now.getTime() < end.getTime())
			out.push(
				`Приём заявок идёт до ${fmtDateTime(c.closeAt)}${s.uploadGraceMinutes ? `, начатые загрузки можно завершить до ${fmtDateTime(end)}` : ''}. Чтобы закончить раньше, сначала перенесите «${CONTEST_FIELD_LABEL.closeAt}»`
			);
	}
	if (c.phase === 'review' && to === 'open') {
		if (c.closeAt.getTime() <= now.getTime()) out.push(`Чтобы снова открыть приём, сначала перенесите «${CONTEST_FIELD_LABEL.closeAt}» на будущее`);
		const assigned =
			db
				.select({ n: sql<number>`count(*)` })
				.from(assignments)
				.innerJoin(rounds, eq(rounds.id, assignments.roundId))
				.where(eq(rounds.contestId, c.id))
				.get()?.n ?? 0;
		if (assigned > 0) out.push('Эксперты уже получили назначения: вернуться к приёму заявок нельзя');
	}
	return out;
}

export function changePhase(db: DbOrTx, actor: Actor, id: string, to: Phase, now = new Date()): Contest {
	return db.transaction(() => {
		const c = getContest(db, id);
		if (c.phase === to) throw new DomainError(409, 'same_phase', `Конкурс уже на этапе «${PHASE_TITLE[to]}»`);
		const problems = phaseProblems(db, c, to, now);
		if (problems.length) throw new DomainError(409, 'phase_refused', `Нельзя перейти в «${PHASE_TITLE[to]}»: ${problems.join('; ')}`, { problems });
		const row = db.update(contests).set({ phase: to, updatedAt: now }).where(eq(contests.id, id)).returning().get();
		audit(db, { ...by(actor), action: 'contest.phase', entity: 'contest', entityId: id, before: { phase: c.phase }, after: { phase: to } }, now);
		return row;
	});
}

// ---------------------------------------------------------------------------------------------
// Nominations (their events are recorded on the contest, so its history shows them)

/** The nomination, only if it belongs to this contest: a forged id gets 404. */
export function getNomination(db: DbOrTx, contestId: string, nominationId: string): Nomination {
	const n =
		typeof nominationId === 'string' && nominationId.length <= 40
			? db.select().from(nominations).where(and(eq(nominations.id, nominationId), eq(nominations.contestId, contestId))).get()
			: undefined;
	if (!n) throw notFound('Номинация не найдена в этом конкурсе');
	return n;
}

function nominationApplications(db: DbOrTx, nominationId: string): number {
	return db.select({ n: sql<number>`count(*)` }).from(applications).where(eq(applications.nominationId, nominationId)).get()?.n ?? 0;
}

const nomSnap = (n: Nomination) => ({ id: n.id, title: n.title, slug: n.slug, description: n.description, track: n.track });

export function addNomination(db: DbOrTx, actor: Actor, contestId: string, input: NominationInput, now = new Date()): Nomination {
	return db.transaction(() => {
		const c = getContest(db, contestId);
		if (c.phase !== 'draft' && c.phase !== 'open')
			throw new DomainError(409, 'phase', `Номинации добавляют до окончания приёма заявок, а конкурс уже на этапе «${PHASE_TITLE[c.phase]}»`);
		if (db.select({ id: nominations.id }).from(nominations).where(and(eq(nominations.contestId, contestId), eq(nominations.slug, input.slug))).get())
			throw nominationSlugTaken(input.slug);
		const last = db.select({ m: max(nominations.sort) }).from(nominations).where(eq(nominations.contestId, contestId)).get()?.m;
		const row = db
			.insert(nominations)
			.values({ id: newId(), contestId, ...input, sort: (last ?? -1) + 1, createdAt: now, updatedAt: now })
			.returning()
			.get();
		audit(db, { ...by(actor), action: 'nomination.create', entity: 'contest', entityId: contestId, after: nomSnap(row) }, now);
		return row;
	});
}

export function updateNomination(db: DbOrTx, actor: Actor, contestId: string, nominationId: string, input: NominationInput, now = new Date()): Nomination {
	return db.transaction(() => {
		getContest(db, contestId);
		const n = getNomination(db, contestId, nominationId);
		if (input.slug !== n.slug && db.select({ id: nominations.id }).from(nominations).where(and(eq(nominations.contestId, contestId), eq(nominations.slug, input.slug))).get())
			throw nominationSlugTaken(input.slug);
		if (input.track !== n.track) {
			const k = nominationApplications(db, n.id);
			if (k > 0) throw new DomainError(409, 'has_applications', `«Трек» нельзя сменить: в номинации уже ${k} ${plural(k, APPS)}`, { field: 'track' });
		}
		const d = diff(nomSnap(n), { ...nomSnap(n), ...input });
		if (!d.changed) return n;
		const row = db.update(nominations).set({ ...input, updatedAt: now }).where(eq(nominations.id, n.id)).returning().get();
		audit(db, { ...by(actor), action: 'nomination.update', entity: 'contest', entityId: contestId, before: { id: n.id, title: n.title, ...d.before }, after: { id: n.id, ...d.after } }, now);
		return row;
	});
}

/** Moves a nomination one place up or down; at the edge nothing changes (returns false). */
export function moveNomination(db: DbOrTx, actor: Actor, contestId: string, nominationId: string, direction: 'up' | 'down', now = new Date()): boolean {
	return db.transaction(() => {
		getContest(db, contestId);
		const n = getNomination(db, contestId, nominationId);
		const list = db.select().from(nominations).where(eq(nominations.contestId, contestId)).orderBy(asc(nominations.sort), asc(nominations.createdAt)).all();
		const i = list.findIndex((x) => x.id === n.id);
		const j = direction === 'up' ? i - 1 : i + 1;
		if (j < 0 || j >= list.length) return false;
		[list[i], list[j]] = [list[j], list[i]];
		// Renumber 0..n-1 so that the order stays strict even after older ties.
		list.forEach((x, k) => {
			if (x.sort !== k) db.update(nominations).set({ sort: k, updatedAt: now }).where(eq(nominations.id, x.id)).run();
		});
		audit(db, { ...by(actor), action: 'nomination.move', entity: 'contest', entityId: contestId, before: { id: n.id, title: n.title, position: i + 1 }, after: { id: n.id, position: j + 1 } }, now);
		return true;
	});
}

/** Removes a nomination that has no applications (not even drafts). */
export function removeNomination(db: DbOrTx, actor: Actor, contestId: string, nominationId: string, now = new Date()): Nomination {
	return db.transaction(() => {
		const c = getContest(db, contestId);
		const n = getNomination(db, contestId, nominationId);
		const k = nominationApplications(db, n.id);
		if (k > 0)
			throw new DomainError(
				409,
				'has_applications',
				`Номинацию «${n.title}» нельзя удалить: в ней уже ${k} ${plural(k, APPS)} (считая черновики). Её можно переименовать или изменить описание.`
			);
		if (c.phase !== 'draft') {
			const left = db.select({ n: sql<number>`count(*)` }).from(nominations).where(eq(nominations.contestId, contestId)).get()?.n ?? 0;
			if (left <= 1) throw new DomainError(409, 'last_nomination', `Номинацию «${n.title}» нельзя удалить: в открытом конкурсе должна остаться хотя бы одна номинация`);
		}
		db.delete(nominations).where(eq(nominations.id, n.id)).run();
		audit(db, { ...by(actor), action: 'nomination.delete', entity: 'contest', entityId: contestId, before: nomSnap(n) }, now);
		return n;
	});
}

export { contestHistory };
