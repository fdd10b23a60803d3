import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { tempDb } from '../../../../tests/helpers/db';
import { seedDemo } from '../seed';
import { applications, contests, nominations, rounds, users } from '../db/schema';
import { previewRouting, applyRouting } from './plan';
import { inviteJuror } from './jurors';
import { newId } from '../ids';

describe('balancing the load', () => {
	it('gives a late juror a share, and balancing again changes nothing (41 entries, 9 jurors)', async () => {
		const t = tempDb();
		try {
			const db = t.db;
			await seedDemo(db);
			const round = db.select().from(rounds).get()!;
			const contest = db.select().from(contests).get()!;
			// A late entry and a juror invited after round 1 was routed.
			const tmpl = db.select().from(applications).where(eq(applications.status, 'submitted')).get()!;
			const uid = newId();
			db.insert(users).values({ id: uid, email: 'late@example.ru', fio: 'Поздний Заявитель', role: 'applicant' }).run();
			db.insert(applications).values({ ...tmpl, id: newId(), applicantId: uid, number: 'НС-2026-00041', seq: 41 }).run();
			const noms = db.select().from(nominations).where(eq(nominations.contestId, contest.id)).all();
			const vera = inviteJuror(db, null, contest.id, { fio: 'Новикова Вера Андреевна', email: 'vera@example.ru', regionCode: '42', organization: 'Независимый эксперт', capacity: 20, nominationIds: noms.map((n) => n.id) });
			const p1 = previewRouting(db, round.id, { rebalance: true });
			expect(p1.late).toBe(1);
			applyRouting(db, null, round.id, { digest: p1.digest, rebalance: true });
			const after = previewRouting(db, round.id, { rebalance: true });
			expect([after.added, after.removed]).toEqual([0, 0]);
			expect([previewRouting(db, round.id).added, previewRouting(db, round.id).removed]).toEqual([0, 0]);
			const newcomer = after.jurors.find((j) => j.userId === (vera as { id?: string; userId?: string }).userId || j.fio === 'Новикова Вера Андреевна')!;
			expect(newcomer.after).toBeGreaterThanOrEqual(after.minLoad);
			expect(after.maxLoad - after.minLoad).toBeLessThanOrEqual(2);
		} finally {
			t.cleanup();
		}
	});
});

describe('calibration entries', () => {
	it('come first in a juror’s queue, marked', async () => {
		const { juryQueue } = await import('./scoring');
		const t = tempDb();
		try {
			const db = t.db;
			await seedDemo(db);
			const juror = db.select().from(users).where(eq(users.email, 'jury1@nastavnik.demo')).get()!;
			const before = juryQueue(db, juror.id).rounds[0].items;
			expect(before.length).toBeGreaterThan(2);
			const last = before[before.length - 1];
			const contest = db.select().from(contests).get()!;
			const appId = db.select({ id: applications.id }).from(applications).where(eq(applications.number, last.number!)).get()!.id;
			db.update(contests).set({ settings: { ...(contest.settings as object), calibrationEntryIds: [appId] } }).where(eq(contests.id, contest.id)).run();
			const after = juryQueue(db, juror.id).rounds[0].items;
			expect(after[0]).toMatchObject({ id: last.id, calibration: true });
			expect(after.slice(1).every((i) => !i.calibration)).toBe(true);
			expect(after.slice(1).map((i) => i.id)).toEqual(before.slice(0, -1).map((i) => i.id));
		} finally {
			t.cleanup();
		}
	});
});
