import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { and, eq, inArray } from 'drizzle-orm';
import { tempDb } from '../../../../tests/helpers/db';
import { asJury, asOrganizer } from '../../../../tests/helpers/actors';
import { juryFixture, setActive, type Fixture } from '../../../../tests/helpers/jury';
import type { DB } from '../db/client';
import { applications, assignments, auditEvents, conflicts, roundEntries } from '../db/schema';
import { DomainError } from '../errors';
import { activateRound, closeRound, createRound } from './rounds';
import { addAssignment, checkPair, moveAssignment, removeAssignment, upsertConflict } from './assignments';
import { applyRouting, previewRouting } from './plan';
import { buildRoutingInput, loadRoundState } from './round-state';
import { entryAssignments, roundProgress } from './views';
import { recuse, saveScores } from './scoring';

const ORG = asOrganizer();

let t: ReturnType<typeof tempDb>;
let db: DB;
let f: Fixture;
beforeEach(() => {
	t = tempDb();
	db = t.db;
	f = juryFixture(db);
});
afterEach(() => t.cleanup());

const active = (roundId: string) =>
	db
		.select()
		.from(assignments)
		.where(and(eq(assignments.roundId, roundId), inArray(assignments.status, ['assigned', 'draft', 'submitted'])))
		.all();
const pairs = (roundId: string) => new Set(active(roundId).map((a) => `${a.applicationId}:${a.jurorId}`));
const code = (fn: () => unknown) => {
	try {
		fn();
	} catch (e) {
		if (e instanceof DomainError) return `${e.status} ${e.code}`;
		throw e;
	}
	return 'ok';
};

/** 6 entries, 5 jurors; one juror shares the region of entry 0, one the organization of entry 1. */
function setup() {
	const apps = [
		f.app({ region: '16' }),
		f.app({ org: 'ООО «Ёлка»' }),
		f.app({ nom: 1 }),
		f.app({ nom: 1 }),
		f.app(),
		f.app({ status: 'draft' })
	];
	const jurors = [f.juror({ region: '16' }), f.juror({ org: ' ооо  «елка»' }), f.juror(), f.juror(), f.juror({ noms: [0] }), f.juror({ noms: [] })];
	const round = createRound(db, f.contestId, { number: 1 });
	return { apps, jurors, round };
}

describe('building the routing input', () => {
	it('takes the round entries, the jurors of the contest, conflicts and settings', () => {
		const { apps, jurors, round } = setup();
		upsertConflict(db, jurors[2], apps[4], 'declared', 'знакомы', null, new Date());
		const input = buildRoutingInput(loadRoundState(db, round.id));
		// the draft is not an entry; a juror without nominations of the contest is left out
		expect(input.applications.map((a) => a.id).sort()).toEqual(apps.slice(0, 5).sort());
		expect(input.jurors.map((j) => j.id).sort()).toEqual(jurors.slice(0, 5).sort());
		expect(input.settings).toEqual({ k: 3, sameRegionConflict: true });
		expect(input.conflicts).toEqual([{ jurorId: jurors[2], applicationId: apps[4], reason: 'declared' }]);
		expect(input.applications.find((a) => a.id === apps[0])!.region).toBe('16');
		expect(input.existing).toEqual([]);
	});

	it('a dropped-out juror keeps only submitted work: capacity = submitted count', () => {
		const { jurors, round } = setup();
		applyRouting(db, null, round.id);
		activateRound(db, round.id);
		const mine = active(round.id).filter((a) => a.jurorId === jurors[2]);
		expect(mine.length).toBeGreaterThan(1);
		const [first] = mine;
		const vals = Object.fromEntries(entryCriteria(first.applicationId).map((c) => [c, 3]));
		saveScores(db, asJury(jurors[2]), first.id, { values: vals, comment: '', version: first.version, intent: 'submit' });
		setActive(db, jurors[2], false);
		const input = buildRoutingInput(loadRoundState(db, round.id));
		const j = input.jurors.find((x) => x.id === jurors[2])!;
		expect(j).toMatchObject({ active: true, capacity: 1 });
		const mineNow = input.existing!.filter((e) => e.jurorId === jurors[2]);
		expect(mineNow.filter((e) => e.locked)).toEqual([{ applicationId: first.applicationId, jurorId: jurors[2], locked: true }]);
	});
});

function entryCriteria(applicationId: string) {
	const app = db.select().from(applications).where(eq(applications.id, applicationId)).get()!;
	return app.nominationId === f.nominations[1] ? f.criteria : f.criteria.slice(0, 2);
}

describe('preview and apply', () => {
	it('previews numbers and loads, applies exactly the preview in one transaction with audit events', () => {
		const { apps, jurors, round } = setup();
		const p = previewRouting(db, round.id);
		expect(p).toMatchObject({ k: 3, entries: 5, added: 15, removed: 0, kept: 0, coveredFully: 5, unplaced: [] });
		expect(p.maxLoad - p.minLoad).toBeLessThanOrEqual(1);
		expect(active(round.id)).toHaveLength(0); // a preview writes nothing
		const s = applyRouting(db, ORG, round.id, { digest: p.digest });
		expect(s).toMatchObject({ added: 15, removed: 0, unplaced: 0 });
		const rows = active(round.id);
		expect(rows).toHaveLength(15);
		// conflicts respected: same region, same organization (normalized)
		expect(rows.some((r) => r.applicationId === apps[0] && r.jurorId === jurors[0])).toBe(false);
		expect(rows.some((r) => r.applicationId === apps[1] && r.jurorId === jurors[1])).toBe(false);
		// nomination coverage: juror 4 only knows nomination 0
		expect(rows.some((r) => r.jurorId === jurors[4] && (r.applicationId === apps[2] || r.applicationId === apps[3]))).toBe(false);
		const events = db.select().from(auditEvents).where(eq(auditEvents.action, 'assignment.add')).all();
		expect(events).toHaveLength(15);
		expect(db.select().from(auditEvents).where(eq(auditEvents.action, 'routing.apply')).all()).toHaveLength(1);
		// nothing changes on a second run
		expect(previewRouting(db, round.id)).toMatchObject({ added: 0, removed: 0, kept: 15 });
	});

	it('refuses a stale preview and writes nothing', () => {
		const { round } = setup();
		const p = previewRouting(db, round.id);
		f.juror(); // the input changed after the preview
		expect(code(() => applyRouting(db, null, round.id, { digest: p.digest }))).toBe('409 stale_preview');
		expect(active(round.id)).toHaveLength(0);
		expect(db.select().from(auditEvents).where(eq(auditEvents.action, 'assignment.add')).all()).toHaveLength(0);
	});

	it('explains what cannot be placed', () => {
		const round = createRound(db, f.contestId, { number: 1, applicationIds: [f.app({ region: '16', nom: 1 })] });
		f.juror({ region: '16', noms: [1] });
		f.juror({ noms: [1] });
		const p = previewRouting(db, round.id);
		expect(p.unplaced).toHaveLength(1);
		expect(p.unplaced[0]).toMatchObject({ number: 'НС-2026-00001', needed: 3, placed: 1 });
		expect(p.unplaced[0].reasons.join(' ')).toMatch(/из того же региона/);
	});

	it('a closed round cannot be routed', () => {
		const { round } = setup();
		applyRouting(db, null, round.id);
		activateRound(db, round.id);
		closeRound(db, round.id);
		expect(code(() => applyRouting(db, null, round.id))).toBe('409 round_closed');
	});
});

describe('incremental runs', () => {
	it('late entries of round 1 get jurors; nothing else moves', () => {
		const { round } = setup();
		applyRouting(db, null, round.id);
		const before = pairs(round.id);
		const late = f.app({ nom: 1 });
		const p = previewRouting(db, round.id);
		expect(p).toMatchObject({ late: 1, added: 3, removed: 0 });
		applyRouting(db, null, round.id, { digest: p.digest });
		const after = pairs(round.id);
		for (const x of before) expect(after.has(x)).toBe(true);
		expect([...after].filter((x) => x.startsWith(late))).toHaveLength(3);
		expect(db.select().from(roundEntries).where(eq(roundEntries.applicationId, late)).all()).toHaveLength(1);
	});

	it('a recusal re-routes only that entry, at once', () => {
		const { jurors, round } = setup();
		applyRouting(db, null, round.id);
		activateRound(db, round.id);
		const mine = active(round.id).find((a) => a.jurorId === jurors[2])!;
		const before = pairs(round.id);
		expect(code(() => recuse(db, asJury(jurors[2]), mine.id, 'кор'))).toBe('400 no_reason');
		const r = recuse(db, asJury(jurors[2]), mine.id, 'Работали вместе над проектом');
		expect(r.replaced).toBe(1);
		const after = pairs(round.id);
		const changed = [...before].filter((x) => !after.has(x));
		const fresh = [...after].filter((x) => !before.has(x));
		expect(changed).toEqual([`${mine.applicationId}:${jurors[2]}`]);
		expect(fresh).toHaveLength(1);
		expect(fresh[0].startsWith(mine.applicationId)).toBe(true);
		expect(db.select().from(assignments).where(eq(assignments.id, mine.id)).get()!.status).toBe('recused');
		expect(db.select().from(conflicts).where(eq(conflicts.jurorId, jurors[2])).get()).toMatchObject({ reason: 'recused', comment: 'Работали вместе над проектом' });
		// the routing never puts the juror back
		expect(previewRouting(db, round.id)).toMatchObject({ added: 0, removed: 0 });
	});

	it('a juror who drops out: unfinished work moves, submitted stays, the rest is untouched', () => {
		const { jurors, round } = setup();
		applyRouting(db, null, round.id);
		activateRound(db, round.id);
		const mine = active(round.id).filter((a) => a.jurorId === jurors[3]);
		const done = mine[0];
		saveScores(db, asJury(jurors[3]), done.id, { values: Object.fromEntries(entryCriteria(done.applicationId).map((c) => [c, 5])), comment: '', version: done.version, intent: 'submit' });
		const before = pairs(round.id);
		setActive(db, jurors[3], false);
		const p = previewRouting(db, round.id);
		expect(p.removed).toBe(mine.length - 1);
		applyRouting(db, null, round.id, { digest: p.digest });
		const after = pairs(round.id);
		expect(after.has(`${done.applicationId}:${jurors[3]}`)).toBe(true);
		const gone = [...before].filter((x) => !after.has(x));
		expect(gone.every((x) => x.endsWith(jurors[3]))).toBe(true);
		expect(gone).toHaveLength(mine.length - 1);
		const fresh = [...after].filter((x) => !before.has(x));
		// every changed entry got its replacement (the instance has enough jurors)
		expect(fresh.map((x) => x.split(':')[0]).sort()).toEqual(gone.map((x) => x.split(':')[0]).sort());
	});

	it('locked pairs (manual, started) are kept; rebalance moves only unlocked surplus to a newcomer', () => {
		const { round } = setup();
		applyRouting(db, null, round.id);
		activateRound(db, round.id);
		const rows = active(round.id);
		const started = rows[0];
		saveScores(db, asJury(started.jurorId), started.id, { values: { [f.criteria[0]]: 4 }, comment: '', version: started.version, intent: 'draft' });
		const newcomer = f.juror();
		// a plain run keeps everything: every entry has K already
		expect(previewRouting(db, round.id)).toMatchObject({ added: 0, removed: 0 });
		const p = previewRouting(db, round.id, { rebalance: true });
		expect(p.added).toBeGreaterThan(0);
		expect(p.added).toBe(p.removed);
		applyRouting(db, null, round.id, { digest: p.digest, rebalance: true });
		const after = active(round.id);
		expect(after).toHaveLength(15);
		expect(after.find((a) => a.id === started.id)).toBeTruthy();
		const loads = new Map<string, number>();
		for (const a of after) loads.set(a.jurorId, (loads.get(a.jurorId) ?? 0) + 1);
		expect(loads.get(newcomer)).toBeGreaterThan(0);
	});
});

describe('the jury of a round', () => {
	it('only the chosen jurors get entries of the round; K may differ', () => {
		const apps = [f.app(), f.app()];
		const js = [f.juror(), f.juror(), f.juror(), f.juror()];
		const r2 = createRound(db, f.contestId, { number: 2, applicationIds: apps, k: 2, jurorIds: [js[0], js[1]] });
		const p = previewRouting(db, r2.id);
		expect(p).toMatchObject({ k: 2, added: 4, coveredFully: 2 });
		applyRouting(db, null, r2.id, { digest: p.digest });
		expect(new Set(active(r2.id).map((a) => a.jurorId))).toEqual(new Set([js[0], js[1]]));
		expect(checkPair(loadRoundState(db, r2.id), apps[0], js[2])).toMatchObject({ ok: false, code: 'not_in_round' });
	});
});

describe('manual edits', () => {
	it('add checks conflicts, expertise, capacity and duplicates; move and remove are audited', () => {
		const { apps, jurors, round } = setup();
		const s = () => loadRoundState(db, round.id);
		expect(checkPair(s(), apps[0], jurors[0])).toMatchObject({ ok: false, code: 'same_region' });
		expect(checkPair(s(), apps[1], jurors[1])).toMatchObject({ ok: false, code: 'same_organization' });
		expect(checkPair(s(), apps[2], jurors[4])).toMatchObject({ ok: false, code: 'no_expertise' });
		expect(code(() => addAssignment(db, ORG, round.id, apps[0], jurors[0]))).toBe('409 same_region');
		const a = addAssignment(db, ORG, round.id, apps[0], jurors[2]);
		expect(a).toMatchObject({ source: 'manual', status: 'assigned' });
		expect(code(() => addAssignment(db, ORG, round.id, apps[0], jurors[2]))).toBe('409 already');
		// moving to a juror with a conflict is refused, to a free one works
		expect(code(() => moveAssignment(db, ORG, a.id, jurors[0]))).toBe('409 same_region');
		const moved = moveAssignment(db, ORG, a.id, jurors[3]);
		expect(moved).toMatchObject({ jurorId: jurors[3], source: 'manual' });
		expect(db.select().from(assignments).where(eq(assignments.id, a.id)).get()!.status).toBe('removed');
		// removal with a conflict: the routing never puts that juror back
		removeAssignment(db, ORG, moved.id, { comment: 'Рецензировал работу заявителя', conflict: true });
		applyRouting(db, null, round.id);
		expect(pairs(round.id).has(`${apps[0]}:${jurors[3]}`)).toBe(false);
		expect(db.select().from(auditEvents).where(eq(auditEvents.action, 'assignment.move')).all()).toHaveLength(2);
		const view = entryAssignments(db, round.id, apps[0]);
		expect(view.conflicts).toEqual([expect.objectContaining({ jurorId: jurors[3], reason: 'declared' })]);
		expect(view.candidates.find((c) => c.userId === jurors[0])).toMatchObject({ ok: false });
	});

	it('capacity is checked on manual add', () => {
		const round = createRound(db, f.contestId, { number: 1, applicationIds: [f.app(), f.app()] });
		const j = f.juror({ capacity: 1 });
		const [a, b] = loadRoundState(db, round.id).appIds;
		addAssignment(db, null, round.id, a, j);
		expect(code(() => addAssignment(db, null, round.id, b, j))).toBe('409 capacity');
	});

	it('a submitted assessment cannot be moved', () => {
		const { jurors, round } = setup();
		applyRouting(db, null, round.id);
		activateRound(db, round.id);
		const a = active(round.id).find((x) => x.jurorId === jurors[2])!;
		saveScores(db, asJury(jurors[2]), a.id, { values: Object.fromEntries(entryCriteria(a.applicationId).map((c) => [c, 2])), comment: '', version: a.version, intent: 'submit' });
		expect(code(() => moveAssignment(db, null, a.id, jurors[3]))).toBe('409 submitted');
	});
});

describe('progress', () => {
	it('counts per juror and coverage', () => {
		const { jurors, round } = setup();
		applyRouting(db, null, round.id);
		activateRound(db, round.id);
		const a = active(round.id).find((x) => x.jurorId === jurors[2])!;
		saveScores(db, asJury(jurors[2]), a.id, { values: Object.fromEntries(entryCriteria(a.applicationId).map((c) => [c, 2])), comment: '', version: a.version, intent: 'submit' });
		const p = roundProgress(db, round.id);
		expect(p).toMatchObject({ k: 3, entries: 5, assignments: 15, submitted: 1, covered: 5, short: 0, scored: 0 });
		const me = p.jurors.find((j) => j.userId === jurors[2])!;
		expect(me.submitted).toBe(1);
		expect(me.total).toBeGreaterThan(1);
	});
});
