import { describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { dbPerTest } from '../../../../tests/helpers/db';
import { scoreRound, seedResultsContest, type SeededResults } from '../../../../tests/helpers/results-data';
import type { DB } from '../db/client';
import { applications, assignments, auditEvents, contests, roundEntries, rounds } from '../db/schema';
import { listAudit } from '../audit';
import { DomainError } from '../errors';
import { contestSettings } from '../contests/settings';
import { createFinals, finalsStarted } from './finals';
import { addJurorToEntry } from '../review/assignments';
import { applyRouting } from '../review/plan';
import { activateRound, closeRound } from '../review/rounds';
import { markWinners, winnersPreview, winnersSpread } from './decisions';
import { updateResultsSettings } from './settings-guard';

let db: DB;
let s: SeededResults;
const org = { id: 'org-1', role: 'organizer' as const, ip: '127.0.0.1' };
dbPerTest((d) => (s = seedResultsContest((db = d))));

const status = (id: string) => db.select({ s: applications.status }).from(applications).where(eq(applications.id, id)).get()!.s;
function refusal(fn: () => unknown): DomainError {
	try {
		fn();
	} catch (e) {
		if (e instanceof DomainError) return e;
		throw e;
	}
	throw new Error('expected a refusal');
}
const SETTINGS = { normalization: 'none' as const, disagreementThreshold: 20, winnersPerNomination: 1, jurorsPerEntry: 3, releaseFeedback: false, calibration: '' };

describe('addJurorToEntry («назначить ещё эксперта»)', () => {
	it('routes the least loaded eligible juror, then the next, then refuses with a reason', () => {
		const first = addJurorToEntry(db, org, s.roundId, s.apps.M2);
		expect(first.jurorId).toBe(s.jurors.J5); // J5 has no work; J1–J4 have 6 each
		const row = db.select().from(assignments).where(eq(assignments.id, first.assignmentId)).get()!;
		expect(row).toMatchObject({ status: 'assigned', source: 'manual', roundId: s.roundId, applicationId: s.apps.M2 });
		const second = addJurorToEntry(db, org, s.roundId, s.apps.M2);
		expect(second.jurorId).toBe(s.jurors.J3); // the only one left who is not on M2
		const e = refusal(() => addJurorToEntry(db, org, s.roundId, s.apps.M2));
		expect(e.status).toBe(409);
		expect(e.message).toMatch(/^Некого назначить/);
		const ev = listAudit(db, { action: 'assignment.add' });
		expect(ev).toHaveLength(2);
		expect(ev[1].after).toMatchObject({ applicationId: s.apps.M2, jurorId: s.jurors.J5, reason: 'disagreement', source: 'manual' });
	});

	it('respects conflicts (same region) and refuses on a closed round', () => {
		db.update(applications).set({ regionCode: '66' }).where(eq(applications.id, s.apps.M2)).run(); // J5 is from 66
		expect(addJurorToEntry(db, org, s.roundId, s.apps.M2).jurorId).toBe(s.jurors.J3);
		db.update(rounds).set({ status: 'closed' }).where(eq(rounds.id, s.roundId)).run();
		expect(refusal(() => addJurorToEntry(db, org, s.roundId, s.apps.M1)).code).toBe('round_closed');
	});
});

describe('finals', () => {
	it('shortlists the top N per nomination into round 2, routes it to a final jury, refuses changes after start', () => {
		const f = createFinals(db, org, { fromRoundId: s.roundId, perNomination: 2, jurorIds: [s.jurors.J1, s.jurors.J2, s.jurors.J5], k: 2 });
		expect(f.entries).toBe(4);
		const entries = db.select().from(roundEntries).where(eq(roundEntries.roundId, f.roundId)).all().map((r) => r.applicationId).sort();
		expect(entries).toEqual([s.apps.M1, s.apps.M3, s.apps.P1, s.apps.P2].sort());
		expect([status(s.apps.M1), status(s.apps.M3), status(s.apps.P1), status(s.apps.P2)]).toEqual(['finalist', 'finalist', 'finalist', 'finalist']);
		expect(status(s.apps.M2)).toBe('in_review');
		const r2 = db.select().from(rounds).where(eq(rounds.id, f.roundId)).get()!;
		expect(r2).toMatchObject({ number: 2, status: 'draft', settings: { k: 2, jurorIds: [s.jurors.J1, s.jurors.J2, s.jurors.J5].sort() } });

		const routed = applyRouting(db, org, f.roundId);
		expect(routed.added).toBe(8);
		expect(routed.unplacedEntries).toEqual([]);
		const rows = db.select().from(assignments).where(eq(assignments.roundId, f.roundId)).all();
		const loads = new Map<string, number>();
		for (const r of rows) loads.set(r.jurorId, (loads.get(r.jurorId) ?? 0) + 1);
		expect([...loads.keys()].sort()).toEqual([s.jurors.J1, s.jurors.J2, s.jurors.J5].sort());
		expect([...loads.values()].sort()).toEqual([2, 3, 3]);

		// A draft finals round can still be redone…
		expect(finalsStarted(db, s.contestId)).toBe(false);
		const again = createFinals(db, org, { fromRoundId: s.roundId, applicationIds: [s.apps.M1, s.apps.P3] });
		expect(again).toMatchObject({ roundId: f.roundId, entries: 2, replaced: true });
		expect(status(s.apps.M3)).toBe('in_review');
		expect(status(s.apps.P3)).toBe('finalist');
		expect(db.select().from(assignments).where(eq(assignments.roundId, f.roundId)).all()).toHaveLength(0);
		applyRouting(db, org, f.roundId);

		// …and results settings changed.
		updateResultsSettings(db, org, s.contestId, { ...SETTINGS, disagreementThreshold: 25 });

		activateRound(db, f.roundId, org);
		expect(finalsStarted(db, s.contestId)).toBe(true);
		expect(refusal(() => createFinals(db, org, { fromRoundId: s.roundId, perNomination: 1 })).code).toBe('finals_started');
		const e = refusal(() => updateResultsSettings(db, org, s.contestId, { ...SETTINGS, disagreementThreshold: 25, normalization: 'model' }));
		expect(e.status).toBe(409);
		expect(e.message).toContain('метод нормализации оценок');
		expect(contestSettings(db.select().from(contests).where(eq(contests.id, s.contestId)).get()!.settings).normalize).toBe(false);
		// Not results-relevant: still allowed.
		const after = updateResultsSettings(db, org, s.contestId, { ...SETTINGS, disagreementThreshold: 25, releaseFeedback: true });
		expect(after.releaseFeedback).toBe(true);
		const ev = listAudit(db, { action: 'contest.settings' });
		expect(ev[0]).toMatchObject({ before: { releaseFeedback: false }, after: { releaseFeedback: true } });
	});

	it('refuses an empty shortlist, a bad N and entries from elsewhere', () => {
		db.delete(assignments).run();
		expect(refusal(() => createFinals(db, org, { fromRoundId: s.roundId, perNomination: 3 })).code).toBe('empty_shortlist');
		expect(refusal(() => createFinals(db, org, { fromRoundId: s.roundId, perNomination: 0 })).code).toBe('bad_n');
		expect(refusal(() => createFinals(db, org, { fromRoundId: s.roundId, applicationIds: ['nope'] })).code).toBe('not_in_round');
	});
});

describe('round changes from the finals page (issue 11, point 11)', () => {
	it('go through review/rounds: the past-deadline check and the audit actions round.activate / round.close', () => {
		const past = new Date(Date.now() - 3600_000);
		// A finals round is created like every round (review/rounds.createRound): not with a past deadline…
		expect(refusal(() => createFinals(db, org, { fromRoundId: s.roundId, perNomination: 2, k: 2, deadlineAt: past })).code).toBe('past_deadline');
		const f = createFinals(db, org, { fromRoundId: s.roundId, perNomination: 2, k: 2, jurorIds: [s.jurors.J1, s.jurors.J2, s.jurors.J5], deadlineAt: new Date(Date.now() + 3600_000) });
		applyRouting(db, org, f.roundId);
		// …and a deadline that passed while the round was a draft stops its opening.
		db.update(rounds).set({ deadlineAt: past }).where(eq(rounds.id, f.roundId)).run();
		// The deadline of the finals has passed: opening it is refused as on the jury console.
		const e = refusal(() => activateRound(db, f.roundId, org));
		expect(e.status).toBe(409);
		expect(e.code).toBe('past_deadline');
		expect(db.select().from(rounds).where(eq(rounds.id, f.roundId)).get()!.status).toBe('draft');
		db.update(rounds).set({ deadlineAt: new Date(Date.now() + 86400_000) }).where(eq(rounds.id, f.roundId)).run();
		activateRound(db, f.roundId, org);
		closeRound(db, f.roundId, org);
		const actions = db
			.select({ action: auditEvents.action, ip: auditEvents.ip, actorId: auditEvents.actorId })
			.from(auditEvents)
			.where(and(eq(auditEvents.entity, 'round'), eq(auditEvents.entityId, f.roundId)))
			.all()
			.filter((a) => /^round\.(activate|close|reopen|status)$/.test(a.action));
		expect(actions.map((a) => a.action)).toEqual(['round.activate', 'round.close']);
		expect(actions.every((a) => a.actorId === org.id && a.ip === org.ip)).toBe(true);
	});
});

describe('winners', () => {
	it('proposes only entries above a sensible floor, never a flagged or under-reviewed one, and says why', () => {
		// Round 1 is decisive (no finals); five winners per nomination would take every entry.
		const c = db.select().from(contests).where(eq(contests.id, s.contestId)).get()!;
		db.update(contests).set({ settings: { ...(c.settings as object), winnersPerNomination: 5 } }).where(eq(contests.id, s.contestId)).run();
		const preview = winnersPreview(db, s.roundId);
		expect(preview.perNomination).toBe(5);
		const by = (a: keyof typeof s.apps) => preview.nominations.flatMap((n) => n.candidates).find((c) => c.applicationId === s.apps[a])!;
		const proposed = preview.nominations.flatMap((n) => n.candidates.filter((c) => c.proposed).map((c) => c.applicationId));
		// Mentors: 4 scored → at most 2; practices: 3 scored → at most 1.
		expect(proposed.sort()).toEqual([s.apps.M1, s.apps.M3, s.apps.P1].sort());
		expect(by('M2').reasons.join(' ')).toMatch(/расхождение/);
		expect(by('M4').reasons.join(' ')).toMatch(/не хватает отзывов: 1/);
		expect(by('P2').reasons.join(' ')).toMatch(/не больше половины/);
		expect(by('P3').reasons.join(' ')).toMatch(/не больше половины/);
		expect(by('M1').reasons).toEqual([]);
		expect(preview.rule).toMatch(/не ниже 50/);
	});


	it('marks winners of the decisive round, everyone else not selected, all audited; regional spread', () => {
		const f = createFinals(db, org, { fromRoundId: s.roundId, perNomination: 2, k: 2, jurorIds: [s.jurors.J1, s.jurors.J2, s.jurors.J5] });
		applyRouting(db, org, f.roundId);
		activateRound(db, f.roundId, org);
		// round 1 is no longer the decisive round
		expect(refusal(() => markWinners(db, org, s.roundId, [s.apps.M1])).code).toBe('not_decisive');
		// finals scores: M3 beats M1, P2 beats P1
		const v: Record<string, number> = { [s.apps.M1]: 7, [s.apps.M3]: 9, [s.apps.P1]: 6, [s.apps.P2]: 8 };
		scoreRound(db, f.roundId, (a) => v[a]);
		const preview = winnersPreview(db, f.roundId);
		expect(preview.decisive).toBe(true);
		expect(preview.perNomination).toBe(1);
		const proposed = preview.nominations.flatMap((n) => n.candidates.filter((c) => c.proposed).map((c) => c.applicationId));
		expect(proposed.sort()).toEqual([s.apps.M3, s.apps.P2].sort());
		expect(refusal(() => markWinners(db, org, f.roundId, [s.apps.M1, s.apps.M3])).code).toBe('too_many');
		expect(refusal(() => markWinners(db, org, f.roundId, [])).code).toBe('no_winners');
		expect(refusal(() => markWinners(db, org, f.roundId, [s.apps.M2])).code).toBe('not_scored');

		const r = markWinners(db, org, f.roundId, proposed);
		expect(r).toMatchObject({ winners: 2, changedToWinner: 2, changedToNotSelected: 6 });
		expect(status(s.apps.M3)).toBe('winner');
		expect(status(s.apps.P2)).toBe('winner');
		for (const a of ['M1', 'M2', 'M4', 'P1', 'P3', 'P4'] as const) expect(status(s.apps[a])).toBe('not_selected');
		const ev = listAudit(db, { action: 'results.winners' });
		expect(ev).toHaveLength(1);
		expect((ev[0].after as { winners: { number: string }[] }).winners.map((w) => w.number).sort()).toEqual([s.numbers.M3, s.numbers.P2].sort());
		const statusEvents = db.select().from(auditEvents).where(and(eq(auditEvents.action, 'application.status'), eq(auditEvents.entityId, s.apps.M3))).all();
		expect(statusEvents.map((e) => (e.after as { status: string }).status)).toEqual(['finalist', 'winner']);

		const spread = winnersSpread(db, s.contestId);
		expect(spread).toMatchObject({ total: 2, regions: 2, districts: 2, byTrack: { mentor: 1, practice: 1 }, unknownRegion: 0 });
		expect(spread.byDistrict.find((d) => d.short === 'ДФО')?.count).toBe(1); // M3: Приморский край
		expect(spread.byDistrict.find((d) => d.short === 'СЗФО')?.count).toBe(1); // P2: Калининградская область
	});
});
