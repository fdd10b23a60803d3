/**
 * Jurors: invitations (a jury user without a password + a single-use invite link), profiles
 * (expertise, region, organization, capacity, active) and conflicts declared by the organizer.
 * The invitation letter is enqueued (jobs/mail.ts) in the transaction that creates the juror or
 * the new link, like every mail: a refused invite mails nothing, and a slow or failing SMTP server
 * neither holds the organizer's request nor loses the letter (the queue retries it).
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { applications, assignments, conflicts, contests, jurorProfiles, nominations, rounds, users } from '../db/schema';
import { newId } from '../ids';
import { DomainError, notFound } from '../errors';
import { audit } from '../audit';
import { issueEmailToken, INVITE_TTL_MS } from '../auth/accounts';
import { by, type Actor } from '../actor';
import { enqueueMail } from '../jobs/mail';
import { inviteMail } from '../mail/templates';
import { config } from '../config';
import { ACTIVE_STATUSES } from './rounds';
import { allJurors, type JurorInfo } from './round-state';
import { rerouteEntry } from './plan';
import { upsertConflict } from './assignments';
import type { InviteInput, ProfileInput } from '$lib/schemas/jury';

export interface NewJuror {
	fio: string;
	email: string;
	regionCode: string | null;
	organization: string;
	capacity: number;
	nominationIds: string[];
}

function contestNominationIds(db: DbOrTx, contestId: string): Set<string> {
	return new Set(db.select({ id: nominations.id }).from(nominations).where(eq(nominations.contestId, contestId)).all().map((n) => n.id));
}

function checkNominations(db: DbOrTx, contestId: string, ids: string[]) {
	const known = contestNominationIds(db, contestId);
	const bad = ids.filter((id) => !known.has(id));
	if (bad.length) throw new DomainError(400, 'bad_nomination', 'Выберите номинации из списка этого конкурса');
}

function contestTitle(d: DbOrTx, contestId: string): string {
	const c = d.select({ title: contests.title }).from(contests).where(eq(contests.id, contestId)).get();
	if (!c) throw notFound('Конкурс не найден');
	return c.title;
}

/** The invitation letter with its single-use link, through the mail queue (in the caller's transaction). */
function enqueueInvite(d: DbOrTx, user: { email: string; fio: string }, contest: string, token: string, now: Date) {
	enqueueMail(d, inviteMail(user.email, user.fio, contest, `${config().origin}/invite/${token}`), { now });
}

/**
 * Inserts jury users with profiles and invite tokens; the caller holds the transaction. With
 * `mailFor` (the contest's title) each one's invitation letter is enqueued too.
 */
function insertJurors(d: DbOrTx, list: NewJuror[], actor: Actor | null, now: Date, mailFor: string | null): { user: typeof users.$inferSelect; token: string }[] {
	const out: { user: typeof users.$inferSelect; token: string }[] = [];
	for (const j of list) {
		const email = j.email.trim().toLowerCase();
		if (d.select({ id: users.id }).from(users).where(eq(users.email, email)).get())
			throw new DomainError(409, 'email_taken', `Пользователь с почтой ${email} уже зарегистрирован`);
		const user = d.insert(users).values({ id: newId(), email, fio: j.fio.trim(), role: 'jury', passwordHash: null, createdAt: now, updatedAt: now }).returning().get();
		d.insert(jurorProfiles)
			.values({ userId: user.id, nominationIds: [...new Set(j.nominationIds)], regionCode: j.regionCode, organization: j.organization.trim(), capacity: j.capacity, active: true, createdAt: now, updatedAt: now })
			.run();
		const token = issueEmailToken(d, user.id, 'invite', INVITE_TTL_MS, now);
		audit(d, { ...by(actor), action: 'juror.invite', entity: 'user', entityId: user.id, after: { email, fio: user.fio, regionCode: j.regionCode, organization: j.organization, capacity: j.capacity, nominationIds: j.nominationIds } }, now);
		if (mailFor !== null) enqueueInvite(d, user, mailFor, token, now);
		out.push({ user, token });
	}
	return out;
}

/** Invites one juror: a jury user without a password, a profile, an invite token and the letter. */
export function inviteJuror(db: DbOrTx, actor: Actor | null, contestId: string, input: InviteInput | NewJuror, now = new Date()) {
	checkNominations(db, contestId, input.nominationIds);
	return db.transaction((tx) => insertJurors(tx, [input as NewJuror], actor, now, contestTitle(tx, contestId))[0]);
}

/**
 * Invites many jurors at once: all of them or none (the import). The letters are enqueued only
 * with `mail: true` (the import's «отправить приглашения» box); otherwise the organizer sends
 * them later from each profile (`resendInvite`).
 */
export function inviteJurors(db: DbOrTx, actor: Actor | null, contestId: string, list: NewJuror[], opts: { mail?: boolean } = {}, now = new Date()) {
	checkNominations(db, contestId, list.flatMap((j) => j.nominationIds));
	return db.transaction((d) => {
		const out = insertJurors(d, list, actor, now, opts.mail ? contestTitle(d, contestId) : null);
		audit(d, { ...by(actor), action: 'juror.import', entity: 'contest', entityId: contestId, after: { count: out.length } }, now);
		return out;
	});
}

export function getJuror(db: DbOrTx, userId: string): JurorInfo {
	const j = allJurors(db).find((x) => x.userId === userId);
	if (!j) throw notFound('Эксперт не найден');
	return j;
}

/**
 * A new invite link for a juror who has not set a password yet (the old link stops working),
 * mailed through the queue with the title of the contest whose console sent it.
 */
export function resendInvite(db: DbOrTx, actor: Actor | null, userId: string, contestId: string, now = new Date()) {
	const user = db.select().from(users).where(eq(users.id, userId)).get();
	if (!user || user.role !== 'jury') throw notFound('Эксперт не найден');
	if (user.passwordHash) throw new DomainError(409, 'already_joined', 'Эксперт уже принял приглашение и задал пароль');
	return db.transaction((d) => {
		const title = contestTitle(d, contestId);
		const token = issueEmailToken(d, user.id, 'invite', INVITE_TTL_MS, now);
		audit(d, { ...by(actor), action: 'juror.reinvite', entity: 'user', entityId: user.id }, now);
		enqueueInvite(d, user, title, token, now);
		return { user, token };
	});
}

/**
 * Edits a profile. Expertise is edited per contest: nominations of other contests stay as they
 * were. Deactivating (dropped out) does not touch assignments by itself: the next routing run of
 * each round moves the unfinished ones (the page says how many).
 */
export function updateJurorProfile(db: DbOrTx, actor: Actor | null, userId: string, contestId: string, input: ProfileInput, now = new Date()) {
	checkNominations(db, contestId, input.nominationIds);
	return db.transaction((d) => {
		const user = d.select().from(users).where(eq(users.id, userId)).get();
		const prof = d.select().from(jurorProfiles).where(eq(jurorProfiles.userId, userId)).get();
		if (!user || user.role !== 'jury' || !prof) throw notFound('Эксперт не найден');
		const own = contestNominationIds(d, contestId);
		const nominationIds = [...prof.nominationIds.filter((id) => !own.has(id)), ...input.nominationIds];
		const after = { regionCode: input.regionCode, organization: input.organization, capacity: input.capacity, active: input.active, nominationIds };
		d.update(jurorProfiles).set({ ...after, updatedAt: now }).where(eq(jurorProfiles.userId, userId)).run();
		if (input.fio !== user.fio) d.update(users).set({ fio: input.fio, updatedAt: now }).where(eq(users.id, userId)).run();
		audit(d, { ...by(actor), action: 'juror.update', entity: 'user', entityId: userId, before: { fio: user.fio, regionCode: prof.regionCode, organization: prof.organization, capacity: prof.capacity, active: prof.active, nominationIds: prof.nominationIds }, after: { fio: input.fio, ...after } }, now);
	});
}

/**
 * The bulk action of the jurors list: gives the chosen nominations of this contest to every
 * selected juror — added to their expertise (`add`) or replacing their expertise in this contest
 * (`replace`); nominations of other contests stay as they were. All or nothing, one audit event
 * per juror whose expertise changed.
 */
export function grantNominations(db: DbOrTx, actor: Actor | null, contestId: string, jurorIds: string[], nominationIds: string[], mode: 'add' | 'replace', now = new Date()): { changed: number } {
	const ids = [...new Set(jurorIds)];
	const chosen = [...new Set(nominationIds)];
	if (!ids.length) throw new DomainError(400, 'no_jurors', 'Отметьте экспертов в списке');
	if (!chosen.length) throw new DomainError(400, 'no_nominations', 'Выберите хотя бы одну номинацию конкурса');
	if (ids.length > 5000) throw new DomainError(400, 'too_many', 'Не больше 5000 экспертов за раз');
	checkNominations(db, contestId, chosen);
	return db.transaction((d) => {
		const own = contestNominationIds(d, contestId);
		const profiles = d.select({ p: jurorProfiles, role: users.role }).from(jurorProfiles).innerJoin(users, eq(users.id, jurorProfiles.userId)).where(inArray(jurorProfiles.userId, ids)).all();
		if (profiles.length !== ids.length || profiles.some((r) => r.role !== 'jury')) throw notFound('Эксперт не найден: обновите страницу');
		let changed = 0;
		for (const { p } of profiles) {
			const kept = mode === 'replace' ? p.nominationIds.filter((id) => !own.has(id)) : p.nominationIds;
			const next = [...new Set([...kept, ...chosen])];
			const same = next.length === p.nominationIds.length && next.every((id) => p.nominationIds.includes(id));
			if (same) continue;
			d.update(jurorProfiles).set({ nominationIds: next, updatedAt: now }).where(eq(jurorProfiles.userId, p.userId)).run();
			audit(d, { ...by(actor), action: 'juror.update', entity: 'user', entityId: p.userId, before: { nominationIds: p.nominationIds }, after: { nominationIds: next, bulk: mode } }, now);
			changed++;
		}
		return { changed };
	});
}

export interface ConflictRow {
	id: string;
	applicationId: string;
	number: string | null;
	fio: string;
	reason: 'declared' | 'recused';
	comment: string;
	createdAt: Date;
}

export function jurorConflicts(db: DbOrTx, userId: string, contestId: string): ConflictRow[] {
	return db
		.select({ id: conflicts.id, applicationId: conflicts.applicationId, number: applications.number, about: applications.about, reason: conflicts.reason, comment: conflicts.comment, createdAt: conflicts.createdAt })
		.from(conflicts)
		.innerJoin(applications, eq(applications.id, conflicts.applicationId))
		.where(and(eq(conflicts.jurorId, userId), eq(applications.contestId, contestId)))
		.all()
		.map(({ about, ...r }) => ({ ...r, fio: String((about as Record<string, unknown>)?.fio ?? '') }));
}

/**
 * The organizer records a conflict of interest between a juror and an application (by number).
 * An active assignment of that pair in a round that is not closed is removed at once and the
 * entry is re-routed.
 */
export function declareConflict(db: DbOrTx, actor: Actor | null, userId: string, contestId: string, number: string, comment: string, now = new Date()) {
	return db.transaction((d) => {
		getJuror(d, userId);
		const app = d
			.select({ id: applications.id, status: applications.status })
			.from(applications)
			.where(and(eq(applications.contestId, contestId), eq(applications.number, number.trim().toUpperCase())))
			.get();
		if (!app) throw new DomainError(400, 'unknown_number', `Заявка с номером ${number.trim()} в этом конкурсе не найдена`);
		upsertConflict(d, userId, app.id, 'declared', comment, actor, now);
		const hit = d
			.select({ a: assignments, roundStatus: rounds.status })
			.from(assignments)
			.innerJoin(rounds, eq(rounds.id, assignments.roundId))
			.where(and(eq(assignments.jurorId, userId), eq(assignments.applicationId, app.id), inArray(assignments.status, ACTIVE_STATUSES), inArray(rounds.status, ['draft', 'active'])))
			.all();
		for (const { a } of hit) {
			d.update(assignments).set({ status: 'removed', version: sql`${assignments.version} + 1`, updatedAt: now }).where(eq(assignments.id, a.id)).run();
			audit(d, { ...by(actor), action: 'assignment.remove', entity: 'assignment', entityId: a.id, before: { status: a.status }, after: { status: 'removed', by: 'conflict' } }, now);
			rerouteEntry(d, actor, a.roundId, a.applicationId, now);
		}
		return { applicationId: app.id, removed: hit.length };
	});
}

/** Deletes a declared conflict (a recusal is the juror's and stays). */
export function removeConflict(db: DbOrTx, actor: Actor | null, userId: string, conflictId: string, now = new Date()) {
	return db.transaction((d) => {
		const c = d.select().from(conflicts).where(and(eq(conflicts.id, conflictId), eq(conflicts.jurorId, userId))).get();
		if (!c) throw notFound('Конфликт не найден');
		if (c.reason === 'recused') throw new DomainError(409, 'recused', 'Самоотвод эксперта снять нельзя');
		d.delete(conflicts).where(eq(conflicts.id, c.id)).run();
		audit(d, { ...by(actor), action: 'conflict.delete', entity: 'conflict', entityId: c.id, before: { jurorId: c.jurorId, applicationId: c.applicationId, reason: c.reason, comment: c.comment } }, now);
	});
}

export interface JurorListRow extends JurorInfo {
	contestNominationIds: string[];
	/** active assignments in rounds of this contest that are not closed */
	load: number;
	submitted: number;
	conflicts: number;
}

/** The jurors list of a contest: everyone with the jury role, with their load in the contest. */
export function listJurors(db: DbOrTx, contestId: string): JurorListRow[] {
	const own = contestNominationIds(db, contestId);
	const loads = db
		.select({ jurorId: assignments.jurorId, status: assignments.status, n: sql<number>`count(*)` })
		.from(assignments)
		.innerJoin(rounds, eq(rounds.id, assignments.roundId))
		.where(and(eq(rounds.contestId, contestId), inArray(rounds.status, ['draft', 'active']), inArray(assignments.status, ACTIVE_STATUSES)))
		.groupBy(assignments.jurorId, assignments.status)
		.all();
	const conflictCounts = db
		.select({ jurorId: conflicts.jurorId, n: sql<number>`count(*)` })
		.from(conflicts)
		.innerJoin(applications, eq(applications.id, conflicts.applicationId))
		.where(eq(applications.contestId, contestId))
		.groupBy(conflicts.jurorId)
		.all();
	const cc = new Map(conflictCounts.map((c) => [c.jurorId, c.n]));
	// per juror in one pass (not a scan of every juror's rows per juror: 600 × 1 800 at national size)
	const byJuror = new Map<string, { load: number; submitted: number }>();
	for (const l of loads) {
		const t = byJuror.get(l.jurorId) ?? { load: 0, submitted: 0 };
		byJuror.set(l.jurorId, t);
		t.load += l.n;
		if (l.status === 'submitted') t.submitted += l.n;
	}
	return allJurors(db).map((j) => ({
		...j,
		contestNominationIds: j.nominationIds.filter((n) => own.has(n)),
		load: byJuror.get(j.userId)?.load ?? 0,
		submitted: byJuror.get(j.userId)?.submitted ?? 0,
		conflicts: cc.get(j.userId) ?? 0
	}));
}
