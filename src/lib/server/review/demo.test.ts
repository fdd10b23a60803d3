import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, inArray } from 'drizzle-orm';
import { tempDb } from '../../../../tests/helpers/db';
import type { DB } from '../db/client';
import { applications, assignments, conflicts, jurorProfiles, rounds, users } from '../db/schema';
import { seedDemo } from '../seed';
import { conflictReason } from './routing';
import { loadRoundState } from './round-state';

let t: ReturnType<typeof tempDb>;
let db: DB;
beforeAll(async () => {
	t = tempDb();
	db = t.db;
	expect(await seedDemo(db)).toBe(true);
});
afterAll(() => t.cleanup());

describe('jury demo', () => {
	it('has eight jurors with profiles, forty submitted entries and round 1 routed and started', () => {
		expect(db.select().from(jurorProfiles).all()).toHaveLength(8);
		const apps = db.select().from(applications).all();
		expect(apps).toHaveLength(40);
		expect(apps.every((a) => a.status === 'submitted' && a.letterText.length > 500 && (a.practice as Record<string, string>).title)).toBe(true);
		expect(apps.map((a) => a.number).sort()[0]).toBe('НС-2026-00001');
		expect(apps.map((a) => a.number).sort()[39]).toBe('НС-2026-00040');
		// applicants have no passwords; the demo jurors do
		expect(db.select().from(users).where(inArray(users.id, apps.map((a) => a.applicantId))).all().every((u) => !u.passwordHash)).toBe(true);
		const [round] = db.select().from(rounds).all();
		expect(round).toMatchObject({ number: 1, status: 'active' });
		const active = db.select().from(assignments).where(and(eq(assignments.roundId, round.id), inArray(assignments.status, ['assigned', 'draft', 'submitted']))).all();
		expect(active).toHaveLength(120);
		expect(active.filter((a) => a.status === 'submitted').length).toBeGreaterThanOrEqual(10);
		expect(active.filter((a) => a.status === 'draft').length).toBeGreaterThanOrEqual(5);
		expect(db.select().from(conflicts).all().length).toBeGreaterThanOrEqual(3);
		// every pair respects the conflicts
		const s = loadRoundState(db, round.id);
		const declared = new Map(s.conflicts.map((c) => [`${c.jurorId}:${c.applicationId}`, c.reason]));
		for (const a of active) {
			const j = s.jurors.get(a.jurorId)!;
			const app = s.apps.get(a.applicationId)!;
			expect(j.nominationIds).toContain(app.nominationId);
			expect(conflictReason(app, { id: j.userId, userId: j.userId, nominationIds: j.nominationIds, region: j.regionCode ?? '', organization: j.organization, capacity: j.capacity }, { k: 3 }, declared)).toBeNull();
		}
		const jury1 = db.select().from(users).where(eq(users.email, 'jury1@nastavnik.demo')).get()!;
		expect(active.filter((a) => a.jurorId === jury1.id).length).toBeGreaterThan(5);
	});

	it('is seeded once', async () => {
		expect(await seedDemo(db)).toBe(false);
	});
});
