import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { deepStrictEqual } from 'node:assert/strict';
import { and, eq, inArray } from 'drizzle-orm';
import { buildNationalFixture, type NationalFixture } from '../../../../bench/fixtures/national';
import { openDatabase, type DB } from '../db/client';
import { runMigrations } from '../db/migrate';
import { applications, assignments, contests, criteria, roundEntries, rounds, scores, users } from '../db/schema';
import { saveScores } from '../review/scoring';
import { updateRound } from '../review/rounds';
import { updateResultsSettings } from './settings-guard';
import { contestSettings } from '../contests/settings';
import { addJurorToEntry } from '../review/assignments';
import { cachedDerived, cachedResults, cachedRound, cacheStats, roundVersion } from './cache';
import { computeRound, loadRound } from './load';
import type { NormalizationMode } from './compute';
import { plainRead, asRead } from '../../../../tests/helpers/round-read';


let dir: string;
let fx: NationalFixture;
let template: string;

beforeAll(async () => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'results-cache-'));
	template = path.join(dir, 'template.db');
	fx = await buildNationalFixture(template, { size: 'small' });
	const db = openDatabase(template);
	runMigrations(db);
	db.$client.pragma('wal_checkpoint(TRUNCATE)');
	db.$client.close();
}, 180_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let n = 0;
function freshCopy(): DB {
	const file = path.join(dir, `run-${n++}.db`);
	fs.copyFileSync(template, file);
	return openDatabase(file);
}

const MODES: NormalizationMode[] = ['none', 'zscore', 'model'];

/** What the page would see without the cache (mode undefined: the contest's official method). */
function fresh(db: DB, roundId: string, normalization?: NormalizationMode) {
	const l = loadRound(db, roundId);
	return { loaded: l, results: computeRound(l, { normalization }) };
}

function expectSame(db: DB, roundId: string) {
	for (const normalization of [...MODES, undefined]) {
		const c = cachedResults(db, roundId, { normalization });
		const f = fresh(db, roundId, normalization);
		// node's deepStrictEqual: the same verdict as toEqual on these plain objects and Maps, many times faster
		deepStrictEqual(c.results, f.results);
		deepStrictEqual(c.loaded, f.loaded);
	}
	// the old boolean still reaches the same slots
	deepStrictEqual(cachedResults(db, roundId, { normalize: true }).results, fresh(db, roundId, 'zscore').results);
	deepStrictEqual(cachedRound(db, roundId), loadRound(db, roundId));
}

type Change =
	| { kind: 'score'; pick: number; value: number; submit: boolean }
	| { kind: 'addJuror'; pick: number }
	| { kind: 'status'; pick: number; status: 'withdrawn' | 'finalist' | 'in_review' }
	| { kind: 'settings'; normalization: NormalizationMode; threshold: number }
	| { kind: 'roundK'; k: number | null }
	| { kind: 'criterionWeight'; pick: number; weight: number }
	| { kind: 'jurorName'; pick: number }
	| { kind: 'removeEntry'; pick: number }
	| { kind: 'rawScore'; pick: number; value: number };

const change: fc.Arbitrary<Change> = fc.oneof(
	{ weight: 4, arbitrary: fc.record({ kind: fc.constant('score' as const), pick: fc.nat(), value: fc.integer({ min: 0, max: 10 }), submit: fc.boolean() }) },
	fc.record({ kind: fc.constant('addJuror' as const), pick: fc.nat() }),
	fc.record({ kind: fc.constant('status' as const), pick: fc.nat(), status: fc.constantFrom('withdrawn' as const, 'finalist' as const, 'in_review' as const) }),
	fc.record({ kind: fc.constant('settings' as const), normalization: fc.constantFrom<NormalizationMode>('none', 'zscore', 'model'), threshold: fc.integer({ min: 5, max: 60 }) }),
	fc.record({ kind: fc.constant('roundK' as const), k: fc.option(fc.integer({ min: 1, max: 5 }), { nil: null }) }),
	fc.record({ kind: fc.constant('criterionWeight' as const), pick: fc.nat(), weight: fc.integer({ min: 1, max: 5 }) }),
	fc.record({ kind: fc.constant('jurorName' as const), pick: fc.nat() }),
	fc.record({ kind: fc.constant('removeEntry' as const), pick: fc.nat() }),
	fc.record({ kind: fc.constant('rawScore' as const), pick: fc.nat(), value: fc.integer({ min: 0, max: 10 }) })
);

const actor = () => ({ id: fx.organizer.id, role: 'organizer' as const, ip: '127.0.0.1' });

function patchOf(db: DB) {
	const s = contestSettings(db.select().from(contests).where(eq(contests.id, fx.contestId)).get()!.settings);
	return { normalization: s.normalization, disagreementThreshold: s.disagreementThreshold, winnersPerNomination: s.winnersPerNomination, jurorsPerEntry: s.jurorsPerEntry, releaseFeedback: s.releaseFeedback, calibration: '' };
}

/** Applies one change through the portal's functions (or, for what has none, plain SQL). */
function apply(db: DB, c: Change): void {
	const roundId = fx.roundId;
	const at = <T>(xs: T[], i: number) => xs[i % xs.length];
	switch (c.kind) {
		case 'score': {
			const open = db.select().from(assignments).where(and(eq(assignments.roundId, roundId), inArray(assignments.status, ['assigned', 'draft']))).orderBy(assignments.id).all();
			if (!open.length) return;
			const a = at(open, c.pick);
			const app = db.select().from(applications).where(eq(applications.id, a.applicationId)).get()!;
			if (app.status === 'withdrawn') return;
			const crit = db.select().from(criteria).where(eq(criteria.contestId, fx.contestId)).all().filter((x) => x.nominationId === null || x.nominationId === app.nominationId);
			saveScores(db, { id: a.jurorId, role: 'jury' }, a.id, { values: Object.fromEntries(crit.map((x) => [x.id, String(Math.min(x.scaleMax, Math.max(x.scaleMin, c.value)))])), comment: '', version: a.version, intent: c.submit ? 'submit' : 'draft' });
			return;
		}
		case 'addJuror': {
			const entries = db.select().from(roundEntries).where(eq(roundEntries.roundId, roundId)).orderBy(roundEntries.applicationId).all();
			try {
				addJurorToEntry(db, actor(), roundId, at(entries, c.pick).applicationId);
			} catch {
				/* nobody fits: nothing changed */
			}
			return;
		}
		case 'status': {
			const entries = db.select().from(roundEntries).where(eq(roundEntries.roundId, roundId)).orderBy(roundEntries.applicationId).all();
			db.update(applications).set({ status: c.status }).where(eq(applications.id, at(entries, c.pick).applicationId)).run();
			return;
		}
		case 'settings': {
			const s = contestSettings(db.select().from(contests).where(eq(contests.id, fx.contestId)).get()!.settings);
			updateResultsSettings(db, actor(), fx.contestId, {
				normalization: c.normalization,
				disagreementThreshold: c.threshold,
				winnersPerNomination: s.winnersPerNomination,
				jurorsPerEntry: s.jurorsPerEntry,
				releaseFeedback: s.releaseFeedback,
				calibration: ''
			});
			return;
		}
		case 'roundK':
			updateRound(db, roundId, { k: c.k }, actor());
			return;
		case 'criterionWeight': {
			const crit = db.select().from(criteria).where(eq(criteria.contestId, fx.contestId)).orderBy(criteria.id).all();
			db.update(criteria).set({ weight: c.weight }).where(eq(criteria.id, at(crit, c.pick).id)).run();
			return;
		}
		case 'jurorName': {
			const js = db.selectDistinct({ id: assignments.jurorId }).from(assignments).where(eq(assignments.roundId, roundId)).orderBy(assignments.jurorId).all();
			const j = at(js, c.pick);
			const u = db.select().from(users).where(eq(users.id, j.id)).get()!;
			db.update(users).set({ fio: `${u.fio} Переименованный` }).where(eq(users.id, j.id)).run();
			return;
		}
		case 'removeEntry': {
			const entries = db.select().from(roundEntries).where(eq(roundEntries.roundId, roundId)).orderBy(roundEntries.applicationId).all();
			if (entries.length < 10) return;
			db.delete(roundEntries).where(and(eq(roundEntries.roundId, roundId), eq(roundEntries.applicationId, at(entries, c.pick).applicationId))).run();
			return;
		}
		case 'rawScore': {
			const sc = db.select().from(scores).innerJoin(assignments, eq(assignments.id, scores.assignmentId)).where(eq(assignments.roundId, roundId)).orderBy(scores.assignmentId, scores.criterionId).all();
			if (!sc.length) return;
			const s = at(sc, c.pick).scores;
			db.update(scores).set({ value: c.value }).where(and(eq(scores.assignmentId, s.assignmentId), eq(scores.criterionId, s.criterionId))).run();
			return;
		}
	}
}

describe('results cache (per round and mode, invalidated by the round version)', () => {
	it('cached == fresh after any sequence of changes (score saves, routing edits, status, settings, rubric, names, entries)', () => {
		fc.assert(
			fc.property(fc.array(change, { minLength: 1, maxLength: 5 }), (changes) => {
				const db = freshCopy();
				try {
					expectSame(db, fx.roundId);
					for (const c of changes) {
						// warm every mode, change, then compare with a fresh computation
						for (const normalization of MODES) cachedResults(db, fx.roundId, { normalization });
						const t0 = performance.now();
						apply(db, c);
						const t1 = performance.now();
						expectSame(db, fx.roundId);
						if (process.env.CACHE_PROF) console.log(c.kind, Math.round(t1 - t0), Math.round(performance.now() - t1));
					}
				} finally {
					db.$client.close();
				}
			}),
			{ numRuns: Number(process.env.CACHE_RUNS ?? 12), seed: 18 }
		);
	}, 300_000);

	it('every change after a read bumps the version inside its transaction; a rolled-back change does not', () => {
		const db = freshCopy();
		try {
			// a read (the cache loading the round) marks the version clean; the next write bumps it
			cachedRound(db, fx.roundId);
			const v0 = roundVersion(db, fx.roundId)!;
			expect(v0).not.toBeNull();
			const open = db.select().from(assignments).where(and(eq(assignments.roundId, fx.roundId), eq(assignments.status, 'assigned'))).get()!;
			apply(db, { kind: 'score', pick: 0, value: 7, submit: false });
			const v1 = roundVersion(db, fx.roundId)!;
			expect(v1).toBeGreaterThan(v0);
			cachedRound(db, fx.roundId);
			// a transaction that fails after its writes leaves neither the writes nor the version
			expect(() =>
				db.transaction((tx) => {
					tx.update(assignments).set({ comment: 'откатится' }).where(eq(assignments.id, open.id)).run();
					throw new Error('откат');
				})
			).toThrow('откат');
			expect(roundVersion(db, fx.roundId)).toBe(v1);
			updateRound(db, fx.roundId, { k: 4 }, actor());
			expect(roundVersion(db, fx.roundId)!).toBeGreaterThan(v1);
			// a new round starts with its own version row
			const r2 = db.select().from(rounds).where(eq(rounds.contestId, fx.contestId)).all();
			expect(r2.every((r) => roundVersion(db, r.id) !== null)).toBe(true);
		} finally {
			db.$client.close();
		}
	});

	it('the mode is part of the key: three modes, three computations, the official one shared with its explicit name', () => {
		const db = freshCopy();
		try {
			updateResultsSettings(db, actor(), fx.contestId, { ...patchOf(db), normalization: 'model' });
			const before = { ...cacheStats };
			const r = Object.fromEntries(MODES.map((m) => [m, cachedResults(db, fx.roundId, { normalization: m }).results]));
			expect(cacheStats.computes - before.computes).toBe(3);
			expect(cachedResults(db, fx.roundId).results).toBe(r.model);
			expect(cacheStats.computes - before.computes).toBe(3);
			expect(r.model.settings.normalization).toBe('model');
			expect(r.model.model).toBeDefined();
			expect(r.zscore.model).toBeUndefined();
			// the model's parts are shared too: frozen
			expect(() => (r.model.model!.jurors as unknown[]).sort()).toThrow();
		} finally {
			db.$client.close();
		}
	});

	it('a bulk write bumps the version once, not per row; the first write after the next read bumps again', () => {
		const db = freshCopy();
		try {
			cachedRound(db, fx.roundId);
			const v0 = roundVersion(db, fx.roundId)!;
			const rows = db.select({ a: scores.assignmentId, c: scores.criterionId }).from(scores).innerJoin(assignments, eq(assignments.id, scores.assignmentId)).where(eq(assignments.roundId, fx.roundId)).all();
			expect(rows.length).toBeGreaterThan(100);
			db.transaction((tx) => {
				for (const r of rows) tx.update(scores).set({ value: 1 }).where(and(eq(scores.assignmentId, r.a), eq(scores.criterionId, r.c))).run();
			});
			expect(roundVersion(db, fx.roundId)).toBe(v0 + 1);
			const cached = cachedResults(db, fx.roundId, { normalize: false }).results;
			deepStrictEqual(cached, fresh(db, fx.roundId, 'none').results);
			apply(db, { kind: 'rawScore', pick: 0, value: 3 });
			expect(roundVersion(db, fx.roundId)).toBe(v0 + 2);
			expect(cachedResults(db, fx.roundId, { normalize: false }).results).not.toBe(cached);
			deepStrictEqual(cachedResults(db, fx.roundId, { normalize: false }).results, fresh(db, fx.roundId, 'none').results);
		} finally {
			db.$client.close();
		}
	});

	it('a read inside a caller\'s transaction is not kept: a rolled-back write cannot leave the cache stale', () => {
		const db = freshCopy();
		try {
			const before = cachedResults(db, fx.roundId, { normalize: false }).results;
			const sc = db.select().from(scores).innerJoin(assignments, eq(assignments.id, scores.assignmentId)).where(eq(assignments.roundId, fx.roundId)).get()!.scores;
			expect(() =>
				db.transaction((tx) => {
					tx.update(scores).set({ value: sc.value === 0 ? 1 : 0 }).where(and(eq(scores.assignmentId, sc.assignmentId), eq(scores.criterionId, sc.criterionId))).run();
					cachedResults(db, fx.roundId, { normalize: false });
					throw new Error('откат');
				})
			).toThrow('откат');
			apply(db, { kind: 'rawScore', pick: 5, value: 2 });
			deepStrictEqual(cachedResults(db, fx.roundId, { normalize: false }).results, fresh(db, fx.roundId, 'none').results);
			expect(before).toBeDefined();
		} finally {
			db.$client.close();
		}
	});

	it('loads and computes once per version: repeated reads hit, a change reloads once', () => {
		const db = freshCopy();
		try {
			const before = { ...cacheStats };
			const a = cachedResults(db, fx.roundId, { normalize: true });
			const b = cachedResults(db, fx.roundId, { normalize: true });
			expect(b.results).toBe(a.results);
			expect(cacheStats.loads - before.loads).toBe(1);
			expect(cacheStats.computes - before.computes).toBe(1);
			const d1 = cachedDerived(db, fx.roundId, 'x', () => ({ made: 1 }));
			expect(cachedDerived(db, fx.roundId, 'x', () => ({ made: 2 }))).toBe(d1);
			apply(db, { kind: 'score', pick: 3, value: 5, submit: true });
			const c = cachedResults(db, fx.roundId, { normalize: true });
			expect(c.results).not.toBe(a.results);
			expect(cacheStats.loads - before.loads).toBe(2);
			expect(cachedDerived(db, fx.roundId, 'x', () => ({ made: 3 }))).toEqual({ made: 3 });
			// what is shared is frozen: an in-place sort fails instead of corrupting the next page
			expect(() => (c.results.entries as unknown[]).sort()).toThrow();
		} finally {
			db.$client.close();
		}
	});

	it('the cached round (rows iterated, id strings shared) equals plain queries on a generated round', () => {
		const db = freshCopy();
		try {
			apply(db, { kind: 'score', pick: 5, value: 4, submit: true });
			expect(asRead(cachedRound(db, fx.roundId))).toEqual(plainRead(db, fx.roundId));
		} finally {
			db.$client.close();
		}
	});

	it('a cache hit prepares no SQL statement (issue 18: one per read left ≈ 3 KB of native memory each until collected)', () => {
		const db = freshCopy();
		try {
			const prepare = db.$client.prepare.bind(db.$client);
			let prepared = 0;
			db.$client.prepare = ((sql: string) => {
				prepared++;
				return prepare(sql);
			}) as typeof db.$client.prepare;
			cachedResults(db, fx.roundId);
			cachedDerived(db, fx.roundId, 'meta', () => new Map());
			prepared = 0;
			// a view asking the cache once per entry number, as the model's notes did
			for (let i = 0; i < 200; i++) cachedDerived(db, fx.roundId, 'meta', () => new Map());
			expect(prepared).toBe(0);
		} finally {
			db.$client.close();
		}
	});

	it('bounded: the official method and one other stay; a third drops the second (and the derived views), recomputed equal on request', () => {
		const db = freshCopy();
		try {
			updateResultsSettings(db, actor(), fx.contestId, { ...patchOf(db), normalization: 'zscore' });
			const official = cachedResults(db, fx.roundId).results;
			const none = cachedResults(db, fx.roundId, { normalization: 'none' }).results;
			const d1 = cachedDerived(db, fx.roundId, 'x', () => ({ made: 1 }));
			const before = { ...cacheStats };
			// the official and one other: both hit
			expect(cachedResults(db, fx.roundId, { normalization: 'none' }).results).toBe(none);
			expect(cachedResults(db, fx.roundId, { normalization: 'zscore' }).results).toBe(official);
			expect(cacheStats.computes - before.computes).toBe(0);
			// a third method evicts the other one and the derived views, never the official
			const model = cachedResults(db, fx.roundId, { normalization: 'model' }).results;
			expect(cacheStats.computes - before.computes).toBe(1);
			expect(cachedResults(db, fx.roundId).results).toBe(official);
			expect(cachedResults(db, fx.roundId, { normalization: 'model' }).results).toBe(model);
			expect(cacheStats.computes - before.computes).toBe(1);
			expect(cachedDerived(db, fx.roundId, 'x', () => ({ made: 2 }))).not.toBe(d1);
			const again = cachedResults(db, fx.roundId, { normalization: 'none' }).results;
			expect(cacheStats.computes - before.computes).toBe(2);
			expect(again).not.toBe(none);
			deepStrictEqual(again, none);
			deepStrictEqual(again, fresh(db, fx.roundId, 'none').results);
		} finally {
			db.$client.close();
		}
	});

	it('the property test can fail: without the score triggers a raw score change leaves the cache stale', () => {
		const db = freshCopy();
		try {
			for (const t of ['rv_scores_upd', 'rv_scores_ins', 'rv_assignments_upd']) db.$client.exec(`DROP TRIGGER ${t}`);
			cachedResults(db, fx.roundId, { normalize: false });
			apply(db, { kind: 'rawScore', pick: 0, value: 0 });
			apply(db, { kind: 'rawScore', pick: 1, value: 0 });
			expect(cachedResults(db, fx.roundId, { normalize: false }).results).not.toEqual(fresh(db, fx.roundId, 'none').results);
		} finally {
			db.$client.close();
		}
	});
});
