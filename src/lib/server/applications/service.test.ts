import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { dbPerTest } from '../../../../tests/helpers/db';
import { makeContest, makeApplicant, GOOD_ABOUT, GOOD_PRACTICE, GOOD_LETTER } from '../../../../tests/helpers/contest';
import { startApplication, saveStep, submitApplication, withdrawApplication, readiness, loadOwned } from './service';
import { applications, assets, jobs } from '../db/schema';
import { newId } from '../ids';
import { DomainError } from '../errors';
import type { DB } from '../db/client';

let db: DB;
dbPerTest((d) => (db = d));

function code(fn: () => unknown): string {
	try {
		fn();
		return 'ok';
	} catch (e) {
		if (e instanceof DomainError) return `${e.status}:${e.code}`;
		throw e;
	}
}

/** A complete application, video asset included, ready to submit. */
async function ready(now = new Date()) {
	const { contest, mentor, practice } = makeContest(db, now);
	const user = await makeApplicant(db);
	const app = startApplication(db, user, contest, mentor.slug, now);
	let v = saveStep(db, user, app.id, 'about', GOOD_ABOUT, app.version, now).app.version;
	v = saveStep(db, user, app.id, 'practice', GOOD_PRACTICE, v, now).app.version;
	v = saveStep(db, user, app.id, 'letter', { letterText: GOOD_LETTER }, v, now).app.version;
	db.insert(assets).values({ id: newId(), ownerId: user.id, applicationId: app.id, kind: 'video', status: 'uploaded', key: `k/${newId()}.mp4`, createdAt: now }).run();
	return { contest, mentor, practice, user, app, v };
}

describe('applications', () => {
	it('starts one application per nomination, prefilled with the name', async () => {
		const { contest, mentor } = makeContest(db);
		const user = await makeApplicant(db);
		const a = startApplication(db, user, contest, mentor.slug);
		expect(a.status).toBe('draft');
		expect((a.about as Record<string, string>).fio).toBe('Тестова Анна Ивановна');
		expect(startApplication(db, user, contest, mentor.slug).id).toBe(a.id);
		expect(code(() => startApplication(db, user, contest, 'no-such'))).toBe('400:bad_nomination');
		expect(code(() => startApplication(db, { ...user, role: 'jury' }, contest, mentor.slug))).toBe('403:forbidden');
	});

	it('saves partial drafts, keeps what was typed and reports field errors', async () => {
		const { contest, mentor } = makeContest(db);
		const user = await makeApplicant(db);
		const a = startApplication(db, user, contest, mentor.slug);
		const r = saveStep(db, user, a.id, 'about', { ...GOOD_ABOUT, phone: '12345', regionCode: '999' }, a.version);
		expect(r.errors.phone).toMatch(/\+7/);
		expect(r.errors.regionCode).toMatch(/регион/);
		const about = r.app.about as Record<string, string>;
		expect(about.organization).toBe(GOOD_ABOUT.organization);
		expect(about.phone).toBe('12345'); // kept as typed
		expect(r.app.regionCode).toBeNull();
		const ok = saveStep(db, user, a.id, 'about', GOOD_ABOUT, r.app.version);
		expect(ok.errors).toEqual({});
		expect((ok.app.about as Record<string, string>).phone).toBe('+79123456789');
		expect(ok.app.regionCode).toBe('16');
	});

	it('detects two tabs editing one draft: the second save with a stale version is refused', async () => {
		const { contest, mentor } = makeContest(db);
		const user = await makeApplicant(db);
		const a = startApplication(db, user, contest, mentor.slug);
		const tabA = saveStep(db, user, a.id, 'practice', { ...GOOD_PRACTICE, title: 'Версия вкладки А' }, a.version);
		expect(code(() => saveStep(db, user, a.id, 'practice', { ...GOOD_PRACTICE, title: 'Версия вкладки Б' }, a.version))).toBe('409:conflict');
		const saved = db.select().from(applications).where(eq(applications.id, a.id)).get()!;
		expect((saved.practice as Record<string, string>).title).toBe('Версия вкладки А');
		expect(saved.version).toBe(tabA.app.version);
	});

	it('refuses someone else’s application', async () => {
		const { app } = await ready();
		const other = await makeApplicant(db);
		expect(code(() => loadOwned(db, other, app.id))).toBe('403:forbidden');
		expect(code(() => saveStep(db, other, app.id, 'about', GOOD_ABOUT, app.version))).toBe('403:forbidden');
		expect(code(() => submitApplication(db, other, app.id, { consent: true, version: 1 }))).toBe('403:forbidden');
		expect(code(() => loadOwned(db, other, 'nonexistent-id'))).toBe('404:not_found');
	});

	it('lists what is missing before submission', async () => {
		const { contest, mentor } = makeContest(db);
		const user = await makeApplicant(db);
		const a = startApplication(db, user, contest, mentor.slug);
		const r = readiness(db, a);
		expect(r.ready).toBe(false);
		expect(Object.keys(r.about)).toContain('regionCode');
		expect(r.video).toBe('Загрузите видеовизитку');
		expect(code(() => submitApplication(db, user, a.id, { consent: true, version: a.version }))).toBe('400:incomplete');
	});

	it('submits with a number, needs consent and a confirmed email; a double click is harmless', async () => {
		const { user, app, v } = await ready();
		expect(code(() => submitApplication(db, user, app.id, { consent: false, version: v }))).toBe('400:consent');
		expect(code(() => submitApplication(db, { ...user, emailVerifiedAt: null }, app.id, { consent: true, version: v }))).toBe('403:unverified');
		const s1 = submitApplication(db, user, app.id, { consent: true, version: v });
		expect(s1.number).toBe('НС-2026-00001');
		expect(s1.consentVersion).toBeTruthy();
		expect(s1.consentAt).toBeInstanceOf(Date);
		// The second click carries the old version: same application, same number.
		const s2 = submitApplication(db, user, app.id, { consent: true, version: v });
		expect(s2.number).toBe('НС-2026-00001');
		expect(db.select().from(applications).all()).toHaveLength(1);
		// Editing after submission keeps the number.
		const edited = saveStep(db, user, app.id, 'practice', { ...GOOD_PRACTICE, title: 'Новое название практики' }, s1.version);
		const s3 = submitApplication(db, user, app.id, { consent: true, version: edited.app.version });
		expect(s3.number).toBe('НС-2026-00001');
	});

	it('asks for consent to publish contacts and to show the video, and keeps the answers', async () => {
		const { user, app, v } = await ready();
		const s1 = submitApplication(db, user, app.id, { consent: true, contactsConsent: true, videoConsent: false, version: v });
		expect(s1).toMatchObject({ contactsConsent: true, videoConsent: false });
		const edited = saveStep(db, user, app.id, 'practice', { ...GOOD_PRACTICE, title: 'Новое название практики' }, s1.version);
		const s2 = submitApplication(db, user, app.id, { consent: true, contactsConsent: false, videoConsent: true, version: edited.app.version });
		expect(s2).toMatchObject({ contactsConsent: false, videoConsent: true });
		// Not asked (an old page): the answers stay as they were.
		const e2 = saveStep(db, user, app.id, 'practice', { ...GOOD_PRACTICE }, s2.version);
		expect(submitApplication(db, user, app.id, { consent: true, version: e2.app.version })).toMatchObject({ contactsConsent: false, videoConsent: true });
	});

	it('numbers are sequential per contest', async () => {
		const first = await ready();
		const a = submitApplication(db, first.user, first.app.id, { consent: true, version: first.v });
		const second = await ready();
		const b = submitApplication(db, second.user, second.app.id, { consent: true, version: second.v });
		expect(a.number).toBe('НС-2026-00001');
		expect(b.number).toBe('НС-2026-00001'); // another contest
		const u3 = await makeApplicant(db);
		const c3 = startApplication(db, u3, second.contest, second.practice.slug);
		let v = saveStep(db, u3, c3.id, 'about', GOOD_ABOUT, c3.version).app.version;
		v = saveStep(db, u3, c3.id, 'practice', GOOD_PRACTICE, v).app.version;
		v = saveStep(db, u3, c3.id, 'letter', { letterText: GOOD_LETTER }, v).app.version;
		db.insert(assets).values({ id: newId(), ownerId: u3.id, applicationId: c3.id, kind: 'video', status: 'uploaded', key: `k/${newId()}.mp4` }).run();
		expect(submitApplication(db, u3, c3.id, { consent: true, version: v }).number).toBe('НС-2026-00002');
	});

	it('the server clock decides the deadline; withdrawal only before it', async () => {
		const now = new Date();
		const { contest, user, app, v } = await ready(now);
		const late = new Date(contest.closeAt.getTime() + 1000);
		expect(code(() => submitApplication(db, user, app.id, { consent: true, version: v }, late))).toBe('409:deadline');
		expect(code(() => saveStep(db, user, app.id, 'about', GOOD_ABOUT, v, late))).toBe('409:closed');
		expect(code(() => withdrawApplication(db, user, app.id, late))).toBe('409:closed');
		const w = withdrawApplication(db, user, app.id, now);
		expect(w.status).toBe('withdrawn');
		// Restarting the same nomination brings the entry back as a draft.
		const again = startApplication(db, user, contest, 'mentor', now);
		expect(again.id).toBe(app.id);
		expect(again.status).toBe('draft');
	});

	it('a save of a submitted application is stored whole or not at all (issue 11, point 4)', async () => {
		const { user, app, v } = await ready();
		const s1 = submitApplication(db, user, app.id, { consent: true, version: v });
		const before = db.select().from(applications).where(eq(applications.id, app.id)).get()!;
		expect(code(() => saveStep(db, user, app.id, 'practice', { ...GOOD_PRACTICE, title: 'Q'.repeat(100_000), actions: 'x' }, s1.version))).toBe('400:invalid');
		expect(code(() => saveStep(db, user, app.id, 'about', { ...GOOD_ABOUT, phone: '12345' }, s1.version))).toBe('400:invalid');
		// The letter may not vanish from a submitted application (no letter file here).
		expect(code(() => saveStep(db, user, app.id, 'letter', { letterText: 'коротко' }, s1.version))).toBe('400:invalid');
		expect(db.select().from(applications).where(eq(applications.id, app.id)).get()).toEqual(before);
		const ok = saveStep(db, user, app.id, 'practice', { ...GOOD_PRACTICE, title: 'Новое название практики' }, s1.version);
		expect(ok.errors).toEqual({});
		expect(ok.app.status).toBe('submitted');
		expect((ok.app.practice as Record<string, string>).title).toBe('Новое название практики');
	});

	it('a draft keeps invalid values, never longer than the rule, and only the schema’s keys (points 4, 5)', async () => {
		const { contest, mentor, practice } = makeContest(db);
		const user = await makeApplicant(db);
		const a = startApplication(db, user, contest, mentor.slug);
		const junk = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`f${i}`, 'junk'.repeat(25)]));
		const r = saveStep(db, user, a.id, 'about', { ...junk, ...GOOD_ABOUT, phone: '12345' }, a.version);
		expect(Object.keys(r.app.about).sort()).toEqual(['fio', 'mentoringYears', 'municipality', 'organization', 'phone', 'position', 'regionCode']);
		expect((r.app.about as Record<string, string>).phone).toBe('12345');
		const p = saveStep(db, user, a.id, 'practice', { ...junk, title: 'Шк' }, r.app.version);
		expect(p.app.practice).toEqual({ title: 'Шк' });
		expect(code(() => saveStep(db, user, a.id, 'practice', { title: 'Q'.repeat(201), problem: 'Проблема описана подробно' }, p.app.version))).toBe('400:too_long');
		expect(db.select().from(applications).where(eq(applications.id, a.id)).get()!.practice).toEqual({ title: 'Шк' });
		expect(code(() => saveStep(db, user, a.id, 'practice', { title: 'x' }, Number.NaN))).toBe('400:bad_version');
		// No line breaks in one-line fields, even in a draft; several lines where the field has them.
		expect(code(() => saveStep(db, user, a.id, 'about', { fio: 'Кузнецов\r\nДмитрий' }, p.app.version))).toBe('400:control_chars');
		const lines = saveStep(db, user, a.id, 'practice', { title: 'Шк', problem: 'Первая строка\nвторая' }, p.app.version);
		expect((lines.app.practice as Record<string, string>).problem).toBe('Первая строка\nвторая');
		// The next application's prefill holds only «about» keys, even from an older row with more.
		db.update(applications).set({ about: { ...junk, ...GOOD_ABOUT } }).where(eq(applications.id, a.id)).run();
		const next = startApplication(db, user, contest, practice.slug);
		expect(Object.keys(next.about).sort()).toEqual(['fio', 'mentoringYears', 'municipality', 'organization', 'phone', 'position', 'regionCode']);
	});

	it('one «Заявка принята» per first submission, decided in the numbering transaction (point 3)', async () => {
		const { user, app, v } = await ready();
		const mails = () => db.select().from(jobs).where(eq(jobs.kind, 'mail.send')).all().map((j) => String(j.payload.subject));
		for (let i = 0; i < 5; i++) submitApplication(db, user, app.id, { consent: true, version: v });
		const s1 = db.select().from(applications).where(eq(applications.id, app.id)).get()!;
		expect(mails()).toEqual([`Заявка ${s1.number} принята`]);
		expect(db.select().from(jobs).where(eq(jobs.kind, 'mail.send')).get()!.dedupeKey).toBe(`mail:application.submitted:${app.id}`);
		// Stale tabs resubmitting the old version, and a double click on the new one: nothing more.
		submitApplication(db, user, app.id, { consent: true, version: v });
		submitApplication(db, user, app.id, { consent: true, version: s1.version });
		expect(mails()).toHaveLength(1);
		// A refused submit (no consent) queues nothing either.
		const other = await ready();
		expect(code(() => submitApplication(db, other.user, other.app.id, { consent: false, version: other.v }))).toBe('400:consent');
		expect(mails()).toHaveLength(1);
	});
});
