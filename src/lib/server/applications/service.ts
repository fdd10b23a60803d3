/**
 * Applications: drafts, steps, submission, withdrawal. The server's clock decides the deadline.
 * Every function takes the acting user and checks ownership itself; routes pass what they got.
 */
import { and, eq, gte, inArray, lt, max, ne, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { applications, assets, contests, nominations, users, type Application, type Contest } from '../db/schema';
import { newId } from '../ids';
import { DomainError, forbidden, notFound } from '../errors';
import { contestSettings } from '../contests/settings';
import { aboutSchema, practiceSchema, letterSchema, CONSENT_VERSION, draftAboutSchema, draftPracticeSchema, type About } from '../../schemas/application';
import { fieldErrors } from '../../schemas/auth';
import { enqueueSubmittedMail } from './notify';
import { requireOwner } from '../auth/access';
import type { Actor } from '../actor';
import { acceptsEdits, graceEnd } from '../contests/deadline';

/** The applicant submitting: whether the address is confirmed decides if a submission is accepted. */
export type Applicant = Actor & { emailVerifiedAt?: Date | null };

const EDITABLE = new Set(['draft', 'submitted']);

export function loadOwned(db: DbOrTx, actor: Actor, applicationId: string): { app: Application; contest: Contest } {
	const row = db
		.select({ app: applications, contest: contests })
		.from(applications)
		.innerJoin(contests, eq(contests.id, applications.contestId))
		.where(eq(applications.id, applicationId))
		.get();
	if (!row) throw notFound('Заявка не найдена');
	requireOwner(actor, row.app.applicantId);
	return row;
}

// The deadline rules live in contests/deadline.ts; re-exported for the upload use case
// (storage/uploads.ts), which imports them from here.
export { acceptsEdits, graceEnd } from '../contests/deadline';

function assertEditable(app: Application, contest: Contest, now: Date) {
	if (!EDITABLE.has(app.status)) throw new DomainError(409, 'not_editable', 'Эту заявку уже нельзя изменить');
	if (!acceptsEdits(contest, now))
		throw new DomainError(409, 'closed', now >= contest.closeAt ? 'Приём заявок завершён: изменения больше не принимаются' : 'Приём заявок ещё не открыт');
}

/** Starts (or returns the existing) application of the user in a nomination. */
export function startApplication(db: DbOrTx, actor: Actor, contest: Contest, nominationSlug: string, now = new Date()): Application {
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
				// Only the step's own keys are carried over (older rows may hold more).
				about: prev ? Object.fromEntries(ABOUT_KEYS.filter((k) => k in prev.about && ['string', 'number'].includes(typeof prev.about[k])).map((k) => [k, prev.about[k]])) : { fio: user?.fio ?? '' },
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

/** The keys of the «about me» step: nothing else is ever stored in `applications.about`. */
export const ABOUT_KEYS = Object.keys(aboutSchema.shape) as (keyof typeof aboutSchema.shape)[];
export const PRACTICE_KEYS = Object.keys(practiceSchema.shape) as (keyof typeof practiceSchema.shape)[];

/** Only the schema's keys, only strings: unknown fields of a post are dropped here. */
export function pickKeys(raw: Record<string, unknown> | null | undefined, keys: readonly string[]): Record<string, string> {
	const out: Record<string, string> = {};
	if (!raw) return out;
	for (const k of keys) if (typeof raw[k] === 'string') out[k] = raw[k] as string;
	return out;
}

/** The longest value a draft may keep in a field: the rule's maximum (100 for non-text fields). */
function draftMax(schema: typeof aboutSchema | typeof practiceSchema, key: string): number {
	const f = (schema.shape as Record<string, { maxLength?: number | null }>)[key];
	return f?.maxLength ?? 100;
}

/** Fields written in several lines (textareas); every other field is one line. */
const MULTILINE = new Set(['problem', 'actions', 'team', 'results']);
const CONTROL = /[\u0000-\u001f\u007f\u2028\u2029]/;

const INVALID_SUBMITTED =
	'Заявка уже подана, поэтому изменения сохраняются, только когда все поля заполнены верно. Исправьте отмеченные поля — сохранённая заявка не изменилась.';

/**
 * Saves one step. `version` is the version the user edited: if someone saved in between (another
 * tab, another device), the save is refused with 409 so that nothing is silently overwritten.
 *
 * A save is whole or nothing. Only the keys of the step's schema are read from the post. A
 * submitted application (jurors may already see it) changes only when the step passes the full
 * rules; otherwise nothing is written (400 with the field errors). A draft may keep invalid values
 * as typed — only while it is a draft, and never longer than the field's maximum (a longer value
 * refuses the whole save).
 */
export function saveStep(db: DbOrTx, actor: Actor, applicationId: string, step: StepName, raw: Record<string, unknown>, version: number, now = new Date()): SaveResult {
	const { app, contest } = loadOwned(db, actor, applicationId);
	assertEditable(app, contest, now);
	if (!Number.isSafeInteger(version)) throw new DomainError(400, 'bad_version', 'Неверный запрос: не указана версия заявки. Обновите страницу и сохраните ещё раз.');
	const settings = contestSettings(contest.settings);
	const draft = app.status === 'draft';
	let patch: Partial<typeof applications.$inferInsert> = {};
	let errors: Record<string, string> = {};
	if (step === 'about' || step === 'practice') {
		const schema = step === 'about' ? aboutSchema : practiceSchema;
		const input = pickKeys(raw, step === 'about' ? ABOUT_KEYS : PRACTICE_KEYS);
		const full = schema.safeParse(input);
		if (full.success) {
			patch = step === 'about' ? { about: full.data, regionCode: (full.data as About).regionCode, organization: (full.data as About).organization } : { practice: full.data };
		} else {
			errors = fieldErrors(full.error);
			if (!draft) throw new DomainError(400, 'invalid', INVALID_SUBMITTED, { errors });
			const tooLong = Object.keys(input).filter((k) => input[k].trim().length > draftMax(schema, k));
			if (tooLong.length) {
				const only = Object.fromEntries(tooLong.map((k) => [k, errors[k] ?? `Не длиннее ${draftMax(schema, k)} символов`]));
				throw new DomainError(400, 'too_long', 'Некоторые поля длиннее допустимого — сократите их. Черновик не изменился.', { errors: only });
			}
			// Line breaks and other control characters stay out of one-line fields, drafts included.
			const broken = Object.keys(input).filter((k) => !MULTILINE.has(k) && CONTROL.test(input[k].trim()));
			if (broken.length) {
				const only = Object.fromEntries(broken.map((k) => [k, errors[k] ?? 'Поле должно быть в одну строку, без переносов и служебных символов']));
				throw new DomainError(400, 'control_chars', 'Уберите переносы строк из отмеченных полей. Черновик не изменился.', { errors: only });
			}
			// A draft keeps what was typed, with the valid fields in their normal form.
			const valid = (step === 'about' ? draftAboutSchema : draftPracticeSchema).safeParse(stripInvalid(input, errors));
			const typed = Object.fromEntries(Object.entries(input).map(([k, v]) => [k, v.trim()]));
			const value = { ...typed, ...(valid.success ? valid.data : {}) };
			if (step === 'about') {
				const a = valid.success ? (valid.data as Partial<About>) : {};
				patch = { about: value, regionCode: a.regionCode ?? null, organization: a.organization ?? null };
			} else patch = { practice: value };
		}
	} else {
		const r = letterSchema(settings.letterMaxChars).safeParse(raw);
		if (!r.success) throw new DomainError(400, 'invalid', fieldErrors(r.error).letterText ?? 'Неверное письмо', { errors: fieldErrors(r.error) });
		// A submitted application keeps its letter: the text, or a file.
		if (!draft && r.data.letterText.length < 200 && !hasFile(db, app.id, 'letter')) {
			const msg = 'У поданной заявки должно остаться письмо-резюме: не короче 200 символов или файл PDF/DOCX. Сохранённая заявка не изменилась.';
			throw new DomainError(400, 'invalid', msg, { errors: { letterText: msg } });
		}
		patch = { letterText: r.data.letterText };
	}
	const updated = db
		.update(applications)
		.set({ ...patch, version: sql`${applications.version} + 1`, updatedAt: now })
		// The status is part of the condition: a draft that was submitted meanwhile is not
		// written with a draft's rules.
		.where(and(eq(applications.id, app.id), eq(applications.version, version), eq(applications.status, app.status)))
		.returning()
		.get();
	if (!updated) {
		throw new DomainError(409, 'conflict', 'Заявку уже изменили в другой вкладке или на другом устройстве. Ваши данные не потеряны — они остались в форме; обновите страницу, чтобы увидеть сохранённую версию, и перенесите нужные изменения.', {
			currentVersion: db.select({ v: applications.version }).from(applications).where(eq(applications.id, app.id)).get()?.v
		});
	}
	return { app: updated, errors };
}

function hasFile(db: DbOrTx, applicationId: string, kind: 'letter' | 'video'): boolean {
	return !!db
		.select({ id: assets.id })
		.from(assets)
		.where(and(eq(assets.applicationId, applicationId), eq(assets.kind, kind), inArray(assets.status, ['uploaded', 'processing', 'ready'])))
		.get();
}

function stripInvalid(raw: Record<string, string>, errors: Record<string, string>) {
	const out: Record<string, string> = {};
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
export function readiness(db: DbOrTx, app: Application): Readiness {
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
function hasGracedUpload(db: DbOrTx, app: Application, contest: Contest): boolean {
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
 *
 * The mail is decided in the transaction that changes the application: «Заявка принята» only in
 * the one that assigns the number (with a dedupe key on the mail job), «изменения сохранены» only
 * when a submitted application really changed. A repeated click, a concurrent click or a stale
 * tab finds the application already submitted and mails nothing.
 */
/**
 * Submits (or re-submits after an edit). `consent` — personal data (required); `contactsConsent`
 * and `videoConsent` — publishing the contacts and showing the video in the public library if the
 * entry wins (optional; undefined keeps the stored answer).
 */
export function submitApplication(
	db: DbOrTx,
	actor: Applicant,
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
		if (!app.number) enqueueSubmittedMail(tx, updated, { edited: false }, now);
		else if (app.status !== 'submitted') enqueueSubmittedMail(tx, updated, { edited: true }, now);
		return updated;
	});
}

export function withdrawApplication(db: DbOrTx, actor: Actor, applicationId: string, now = new Date()): Application {
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
