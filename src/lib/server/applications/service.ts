/**
 * Applications: drafts, steps, submission, withdrawal. The server's clock decides the deadline.
 * Every function takes the acting user and checks ownership itself; routes pass what they got.
 */
import { and, eq, gte, inArray, lt, max, ne, sql } from 'drizzle-orm';
import type { DB } from '../db/client';
import { applications, assets, contests, nominations, users, type Application, type Contest } from '../db/schema';
import { newId } from '../ids';
import { DomainError, forbidden, notFound } from '../errors';
import { contestSettings } from '../contests/settings';
import { aboutSchema, practiceSchema, letterSchema, CONSENT_VERSION, draftAboutSchema, draftPracticeSchema } from '../../schemas/application';
import { fieldErrors } from '../../schemas/auth';

export interface Actor {
	id: string;
	role: string;
	emailVerifiedAt?: Date | null;
}

const EDITABLE = new Set(['draft', 'submitted']);

export function loadOwned(db: DB, actor: Actor, applicationId: string): { app: Application; contest: Contest } {
	const row = db
		.select({ app: applications, contest: contests })
		.from(applications)
		.innerJoin(contests, eq(contests.id, applications.contestId))
		.where(eq(applications.id, applicationId))
		.get();
	if (!row) throw notFound('Заявка не найдена');
	if (row.app.applicantId !== actor.id) throw forbidden();
	return row;
}

/** Whether the contest accepts new entries and edits now. */
export function acceptsEdits(contest: Contest, now: Date): boolean {
	return contest.phase === 'open' && now.getTime() >= contest.openAt.getTime() && now.getTime() < contest.closeAt.getTime();
}

/** Deadline with the grace period for uploads begun before it. */
export function graceEnd(contest: Contest): Date {
	return new Date(contest.closeAt.getTime() + contestSettings(contest.settings).uploadGraceMinutes * 60_000);
}

function assertEditable(app: Application, contest: Contest, now: Date) {
	if (!EDITABLE.has(app.status)) throw new DomainError(409, 'not_editable', 'Эту заявку уже нельзя изменить');
	if (!acceptsEdits(contest, now))
		throw new DomainError(409, 'closed', now >= contest.closeAt ? 'Приём заявок завершён: изменения больше не принимаются' : 'Приём заявок ещё не открыт');
}

/** Starts (or returns the existing) application of the user in a nomination. */
export function startApplication(db: DB, actor: Actor, contest: Contest, nominationSlug: string, now = new Date()): Application {
	if (actor.role !== 'applicant') throw forbidden('Подавать заявки могут только заявители');
	if (!acceptsEdits(contest, now)) throw new DomainError(409, 'closed', 'Приём заявок в этом конкурсе сейчас закрыт');
	const nom = db
		.select()
		.from(nominations)
		.where(and(eq(nominations.contestId, contest.id), eq(nominations.slug, nominationSlug)))
		.get();
	if (!nom) throw new DomainError(400, 'bad_nomination', 'Выберите номинацию из списка');
	return db.transaction((tx) => {
		const existing = tx
			.select()
			.from(applications)
			.where(and(eq(applications.applicantId, actor.id), eq(applications.nominationId, nom.id)))
			.get();
		if (existing) {
			if (existing.status === 'withdrawn') {
				return tx.update(applications).set({ status: 'draft', withdrawnAt: null, version: existing.version + 1, updatedAt: now }).where(eq(applications.id, existing.id)).returning().get();
			}
			return existing;
		}
		// Prefill «about me» from the user's previous application, if any.
		const prev = tx.select({ about: applications.about, regionCode: applications.regionCode, organization: applications.organization }).from(applications).where(eq(applications.applicantId, actor.id)).get();
		const user = tx.select({ fio: users.fio }).from(users).where(eq(users.id, actor.id)).get();
		return tx
			.insert(applications)
			.values({
				id: newId(),
				contestId: contest.id,
				nominationId: nom.id,
				applicantId: actor.id,
				status: 'draft',
				about: prev?.about ?? { fio: user?.fio ?? '' },
				regionCode: prev?.regionCode ?? null,
				organization: prev?.organization ?? null,
				createdAt: now,
				updatedAt: now
			})
			.returning()
			.get();
	});
}

export type StepName = 'about' | 'practice' | 'letter';

export interface SaveResult {
	app: Application;
	/** Field errors of the saved values against the full rules (drafts may be incomplete). */
	errors: Record<string, string>;
}

/**
 * Saves one step. `version` is the version the user edited: if someone saved in between (another
 * tab, another device), the save is refused with 409 so that nothing is silently overwritten.
 */
export function saveStep(db: DB, actor: Actor, applicationId: string, step: StepName, raw: Record<string, unknown>, version: number, now = new Date()): SaveResult {
	const { app, contest } = loadOwned(db, actor, applicationId);
	assertEditable(app, contest, now);
	const settings = contestSettings(contest.settings);
	let patch: Partial<typeof applications.$inferInsert> = {};
	let errors: Record<string, string> = {};
	if (step === 'about') {
		const full = aboutSchema.safeParse(raw);
		if (full.success) patch = { about: full.data, regionCode: full.data.regionCode, organization: full.data.organization };
		else {
			errors = fieldErrors(full.error);
			// Keep what is valid as a draft, and what the user typed for the rest.
			const draft = draftAboutSchema.safeParse(stripInvalid(raw, errors));
			const about = { ...trimAll(raw), ...(draft.success ? draft.data : {}) };
			patch = { about, regionCode: draft.success ? (draft.data.regionCode ?? null) : null, organization: draft.success ? (draft.data.organization ?? null) : null };
		}
	} else if (step === 'practice') {
		const full = practiceSchema.safeParse(raw);
		if (full.success) patch = { practice: full.data };
		else {
			errors = fieldErrors(full.error);
			const draft = draftPracticeSchema.safeParse(stripInvalid(raw, errors));
			patch = { practice: { ...trimAll(raw), ...(draft.success ? draft.data : {}) } };
		}
	} else {
		const r = letterSchema(settings.letterMaxChars).safeParse(raw);
		if (!r.success) throw new DomainError(400, 'invalid', fieldErrors(r.error).letterText ?? 'Неверное письмо', { errors: fieldErrors(r.error) });
		patch = { letterText: r.data.letterText };
	}
	const updated = db
		.update(applications)
		.set({ ...patch, version: sql`${applications.version} + 1`, updatedAt: now })
		.where(and(eq(applications.id, app.id), eq(applications.version, version)))
		.returning()
		.get();
	if (!updated) {
		throw new DomainError(409, 'conflict', 'Заявку уже изменили в другой вкладке или на другом устройстве. Ваши данные не потеряны — они остались в форме; обновите страницу, чтобы увидеть сохранённую версию, и перенесите нужные изменения.', {
			currentVersion: db.select({ v: applications.version }).from(applications).where(eq(applications.id, app.id)).get()?.v
		});
	}
	return { app: updated, errors };
}

function trimAll(raw: Record<string, unknown>): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [k, v] of Object.entries(raw)) if (typeof v === 'string') out[k] = v.trim().slice(0, 6000);
	return out;
}
function stripInvalid(raw: Record<string, unknown>, errors: Record<string, string>) {
	const out: Record<string, unknown> = {};
	for (const [k, v] of Object.entries(raw)) if (!(k in errors) && v !== '') out[k] = v;
	return out;
}

export interface Readiness {
	about: Record<string, string>;
	practice: Record<string, string>;
	letter: string | null;
	video: string | null;
	ready: boolean;
}

/** What is still missing before the application can be submitted. */
export function readiness(db: DB, app: Application): Readiness {
	const a = aboutSchema.safeParse(app.about);
	const p = practiceSchema.safeParse(app.practice);
	const files = db
		.select({ kind: assets.kind, status: assets.status })
		.from(assets)
		.where(and(eq(assets.applicationId, app.id), inArray(assets.kind, ['video', 'letter'])))
		.all();
	const ok = (k: string) => files.some((f) => f.kind === k && (f.status === 'uploaded' || f.status === 'processing' || f.status === 'ready'));
	const letter = app.letterText.trim().length >= 200 || ok('letter') ? null : 'Напишите письмо-резюме (не короче 200 символов) или приложите файл PDF/DOCX';
	const video = ok('video') ? null : 'Загрузите видеовизитку';
	const about = a.success ? {} : fieldErrors(a.error);
	const practice = p.success ? {} : fieldErrors(p.error);
	return { about, practice, letter, video, ready: !Object.keys(about).length && !Object.keys(practice).length && !letter && !video };
}

/** True when an upload of this application began before the deadline and finished after it. */
function hasGracedUpload(db: DB, app: Application, contest: Contest): boolean {
	return !!db
		.select({ id: assets.id })
		.from(assets)
		.where(
			and(
				eq(assets.applicationId, app.id),
				lt(assets.createdAt, contest.closeAt),
				gte(assets.uploadedAt, contest.closeAt),
				inArray(assets.status, ['uploaded', 'processing', 'ready'])
			)
		)
		.all().length;
}

/**
 * Submits: checks readiness, consent and the deadline (with the grace period for an upload
 * begun before it), gives the number on the first submission. Submitting twice is harmless.
 */
/**
 * Submits (or re-submits after an edit). `consent` — personal data (required); `contactsConsent`
 * and `videoConsent` — publishing the contacts and showing the video in the public library if the
 * entry wins (optional; undefined keeps the stored answer).
 */
export function submitApplication(
	db: DB,
	actor: Actor,
	applicationId: string,
	input: { consent: boolean; contactsConsent?: boolean; videoConsent?: boolean; version: number },
	now = new Date()
): Application {
	const { app, contest } = loadOwned(db, actor, applicationId);
	const sameConsents = (input.contactsConsent ?? app.contactsConsent) === app.contactsConsent && (input.videoConsent ?? app.videoConsent) === app.videoConsent;
	if (app.status === 'submitted' && app.version === input.version && sameConsents) return app; // a double click
	if (!EDITABLE.has(app.status)) throw new DomainError(409, 'not_editable', 'Эту заявку уже нельзя отправить');
	if (!actor.emailVerifiedAt) throw new DomainError(403, 'unverified', 'Подтвердите адрес электронной почты: ссылка в письме после регистрации. Письмо можно отправить повторно в личном кабинете.');
	const t = now.getTime();
	if (contest.phase !== 'open' || t < contest.openAt.getTime()) throw new DomainError(409, 'closed', 'Приём заявок в этом конкурсе закрыт');
	if (t >= contest.closeAt.getTime()) {
		const graced = t < graceEnd(contest).getTime() && hasGracedUpload(db, app, contest);
		if (!graced) throw new DomainError(409, 'deadline', 'Приём заявок завершён: заявка не может быть отправлена после окончания срока');
	}
	if (!input.consent) throw new DomainError(400, 'consent', 'Нужно согласие на обработку персональных данных', { errors: { consent: 'Нужно согласие на обработку персональных данных' } });
	const r = readiness(db, app);
	if (!r.ready) throw new DomainError(400, 'incomplete', 'Заявка заполнена не полностью', { readiness: r });
	return db.transaction((tx) => {
		let seq = app.seq;
		let number = app.number;
		if (!number) {
			seq = (tx.select({ m: max(applications.seq) }).from(applications).where(eq(applications.contestId, contest.id)).get()?.m ?? 0) + 1;
			number = `${contest.numberPrefix}-${contest.year}-${String(seq).padStart(5, '0')}`;
		}
		const updated = tx
			.update(applications)
			.set({
				status: 'submitted',
				seq,
				number,
				consentVersion: CONSENT_VERSION,
				consentAt: now,
				...(input.contactsConsent === undefined ? {} : { contactsConsent: input.contactsConsent }),
				...(input.videoConsent === undefined ? {} : { videoConsent: input.videoConsent }),
				submittedAt: app.submittedAt ?? now,
				version: sql`${applications.version} + 1`,
				updatedAt: now
			})
			.where(and(eq(applications.id, app.id), eq(applications.version, input.version)))
			.returning()
			.get();
		if (!updated) {
			const cur = tx.select().from(applications).where(eq(applications.id, app.id)).get()!;
			if (cur.status === 'submitted') return cur; // submitted by a concurrent click
			throw new DomainError(409, 'conflict', 'Заявку изменили в другой вкладке. Обновите страницу и отправьте снова.');
		}
		return updated;
	});
}

export function withdrawApplication(db: DB, actor: Actor, applicationId: string, now = new Date()): Application {
	const { app, contest } = loadOwned(db, actor, applicationId);
	if (app.status !== 'submitted' && app.status !== 'draft') throw new DomainError(409, 'not_editable', 'Эту заявку уже нельзя отозвать');
	if (now.getTime() >= contest.closeAt.getTime()) throw new DomainError(409, 'closed', 'После окончания приёма заявку нельзя отозвать — напишите организаторам');
	return db
		.update(applications)
		.set({ status: 'withdrawn', withdrawnAt: now, version: sql`${applications.version} + 1`, updatedAt: now })
		.where(and(eq(applications.id, app.id), ne(applications.status, 'withdrawn')))
		.returning()
		.get();
}
