import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { tempDb } from '../../../../tests/helpers/db';
import { asOrganizer } from '../../../../tests/helpers/actors';
import { juryFixture, type Fixture } from '../../../../tests/helpers/jury';
import type { DB } from '../db/client';
import { auditEvents, jobs, jurorProfiles } from '../db/schema';
import { DomainError } from '../errors';
import { grantNominations, inviteJuror, inviteJurors, listJurors, resendInvite } from './jurors';
import { MAIL_KIND } from '../jobs/mail';

const ORG = asOrganizer();

let t: ReturnType<typeof tempDb>;
let db: DB;
let f: Fixture;
let other: Fixture;
beforeEach(() => {
	t = tempDb();
	db = t.db;
	f = juryFixture(db, 'bulk-2026');
	other = juryFixture(db, 'other-2026');
});
afterEach(() => t.cleanup());

const noms = (id: string) => db.select().from(jurorProfiles).where(eq(jurorProfiles.userId, id)).get()!.nominationIds;

describe('giving nominations to many jurors at once', () => {
	it('adds the chosen nominations of this contest to every selected juror, keeping other contests', () => {
		const a = f.juror({ noms: [] });
		const b = f.juror({ noms: [0] });
		const c = f.juror({ noms: [] });
		db.update(jurorProfiles).set({ nominationIds: [other.nominations[0]] }).where(eq(jurorProfiles.userId, a)).run();
		const r = grantNominations(db, ORG, f.contestId, [a, b], f.nominations, 'add');
		expect(r).toEqual({ changed: 2 });
		expect(noms(a).sort()).toEqual([other.nominations[0], ...f.nominations].sort());
		expect(noms(b).sort()).toEqual([...f.nominations].sort());
		expect(noms(c)).toEqual([]);
		expect(listJurors(db, f.contestId).find((j) => j.userId === a)!.contestNominationIds).toHaveLength(2);
		expect(db.select().from(auditEvents).where(eq(auditEvents.action, 'juror.update')).all()).toHaveLength(2);
		// Again: nothing changes, nothing is logged.
		expect(grantNominations(db, ORG, f.contestId, [a, b], f.nominations, 'add')).toEqual({ changed: 0 });
	});

	it('replaces this contest\u2019s nominations when asked; refuses nominations of another contest and unknown jurors', () => {
		const a = f.juror({ noms: [0, 1] });
		db.update(jurorProfiles).set({ nominationIds: [...noms(a), other.nominations[1]] }).where(eq(jurorProfiles.userId, a)).run();
		grantNominations(db, ORG, f.contestId, [a], [f.nominations[1]], 'replace');
		expect(noms(a).sort()).toEqual([other.nominations[1], f.nominations[1]].sort());
		const refused = (fn: () => unknown) => {
			try {
				fn();
			} catch (e) {
				return e as DomainError;
			}
			throw new Error('not refused');
		};
		expect(refused(() => grantNominations(db, ORG, f.contestId, [a], [other.nominations[0]], 'add'))).toMatchObject({ status: 400 });
		expect(refused(() => grantNominations(db, ORG, f.contestId, [a, 'nobody'], [f.nominations[0]], 'add'))).toMatchObject({ status: 404 });
		expect(refused(() => grantNominations(db, ORG, f.contestId, [], [f.nominations[0]], 'add'))).toMatchObject({ status: 400, message: expect.stringMatching(/Отметьте экспертов/) });
		expect(refused(() => grantNominations(db, ORG, f.contestId, [a], [], 'add'))).toMatchObject({ status: 400, message: expect.stringMatching(/номинацию/) });
		// Nothing changed by the refusals.
		expect(noms(a).sort()).toEqual([other.nominations[1], f.nominations[1]].sort());
	});
});

describe('invitation letters go through the mail queue (issue 13, point 5)', () => {
	const mails = () => db.select().from(jobs).where(eq(jobs.kind, MAIL_KIND)).all().map((j) => j.payload as { to: string; subject: string; text: string });
	const newJuror = (email: string) => ({ fio: 'Новикова Вера Андреевна', email, regionCode: '42', organization: 'ВУЗ', capacity: 5, nominationIds: [f.nominations[0]] });

	it('an invitation enqueues its letter with the link in the same transaction; a refused one enqueues nothing', () => {
		const { user, token } = inviteJuror(db, ORG, f.contestId, newJuror('vera@example.ru'));
		expect(mails()).toEqual([expect.objectContaining({ to: 'vera@example.ru', subject: 'Приглашение в жюри конкурса «Конкурс bulk-2026»' })]);
		expect(mails()[0].text).toContain(`/invite/${token}`);
		expect(() => inviteJuror(db, ORG, f.contestId, newJuror('VERA@example.ru'))).toThrow(DomainError);
		expect(mails()).toHaveLength(1);
		// A new link: a new letter, with the new link.
		const again = resendInvite(db, ORG, user.id, f.contestId);
		expect(mails()).toHaveLength(2);
		expect(mails()[1].text).toContain(`/invite/${again.token}`);
		// The audit records who and from where.
		const ev = db.select().from(auditEvents).where(eq(auditEvents.action, 'juror.reinvite')).get()!;
		expect(ev).toMatchObject({ actorId: ORG.id, ip: ORG.ip });
	});

	it('the import enqueues the letters only when asked to, all or nothing', () => {
		inviteJurors(db, ORG, f.contestId, [newJuror('a@example.ru'), newJuror('b@example.ru')]);
		expect(mails()).toHaveLength(0);
		inviteJurors(db, ORG, f.contestId, [newJuror('c@example.ru'), newJuror('d@example.ru')], { mail: true });
		expect(mails().map((m) => m.to).sort()).toEqual(['c@example.ru', 'd@example.ru']);
		// A clash in the list: no juror and no letter.
		expect(() => inviteJurors(db, ORG, f.contestId, [newJuror('e@example.ru'), newJuror('a@example.ru')], { mail: true })).toThrow(DomainError);
		expect(mails()).toHaveLength(2);
	});
});
