/**
 * Results computed once per change.
 *
 * A round's loaded data (loadRound) and its results per normalization mode (computeRound) are
 * kept in memory, keyed by the round's version (table `round_versions`). The version is bumped by
 * SQLite triggers (migration 0007) in the very statement that changes anything loadRound reads —
 * a score, an assignment, an entry, an application of the round, the round, its contest, the
 * contest's nominations or criteria, a juror's or applicant's name — so it is bumped inside the
 * same transaction as the change whatever code path makes it (score save, routing apply, status
 * change, settings change, a manual edit, a restore…). A read compares the stored version with
 * the cached one (one primary-key lookup) and reloads on any difference; the version and the data
 * are read in one read transaction, so a write between them cannot be cached under a newer version.
 *
 * Other modes and derived views (juror signals, per-entry waiting counts…) are computed on first
 * request for the current version and kept with it (`cachedDerived`); besides the official mode at
 * most one other is kept (asking for a third drops the second and the derived views). The newest
 * few rounds stay (MAX_ROUNDS); the rest are dropped.
 *
 * What is cached is shared by every request: it is frozen (arrays and their element objects), so
 * a caller that tried to sort or edit it in place fails loudly in tests instead of corrupting the
 * next page. The property test (cache.test.ts) checks cached == fresh after random sequences of
 * changes.
 */
import type { Statement } from 'better-sqlite3';
import type { DB } from '../db/client';
import { computeRound, loadRound, modeOf, type LoadedRound, type ModeOptions, type RoundResults } from './load';
import type { NormalizationMode } from './compute';
import { compactSoon } from '../ops/memory';

const MAX_ROUNDS = 3;
/** A load of at least this many assignments + scored reviews is followed by a full collection (ops/memory.ts). */
const COMPACT_AFTER_ROWS = 20_000;

interface Slot {
	version: number;
	loaded: LoadedRound;
	results: Map<NormalizationMode, RoundResults>;
	derived: Map<string, unknown>;
}

const caches = new WeakMap<object, Map<string, Slot>>();
export const cacheStats = { loads: 0, computes: 0, hits: 0 };

/** The stored version of a round's results inputs; null when the round has no version row. */
export function roundVersion(db: DB, roundId: string): number | null {
	return versionRow(db, roundId)?.version ?? null;
}

/**
 * The two statements of every cache read, prepared once per connection. Preparing them per call
 * cost more than time: a better-sqlite3 statement holds its SQLite statement in native memory
 * (malloc, ≈ 3 KB) that V8 does not see and frees only when the wrapper is collected, so a view
 * that asked the cache once per row (16 000 entry numbers of a model note) left ≈ 50 MB of glibc
 * heap behind in RSS (issue 18).
 */
const statements = new WeakMap<object, { version: Statement; clean: Statement }>();
function stmts(db: DB) {
	let s = statements.get(db.$client);
	if (!s)
		statements.set(
			db.$client,
			(s = {
				version: db.$client.prepare('SELECT version, dirty FROM round_versions WHERE round_id = ?'),
				clean: db.$client.prepare('UPDATE round_versions SET dirty = 0 WHERE round_id = ?')
			})
		);
	return s;
}

function versionRow(db: DB, roundId: string): { version: number; dirty: number } | undefined {
	return stmts(db).version.get(roundId) as { version: number; dirty: number } | undefined;
}

function freezeList<T>(xs: readonly T[]): void {
	for (const x of xs) if (x && typeof x === 'object') Object.freeze(x);
	Object.freeze(xs);
}

function freezeLoaded(l: LoadedRound): LoadedRound {
	freezeList(l.entries);
	freezeList(l.assignments);
	freezeList(l.criteria);
	freezeList(l.nominations);
	for (const r of l.scores.values()) Object.freeze(r);
	return l;
}

function freezeResults(r: RoundResults): RoundResults {
	for (const e of r.entries) {
		Object.freeze(e.totals);
		Object.freeze(e);
	}
	Object.freeze(r.entries);
	freezeList(r.jurors);
	if (r.notes) {
		for (const n of r.notes) {
			if (n.jurorIds) Object.freeze(n.jurorIds);
			if (n.applicationIds) Object.freeze(n.applicationIds);
			if (n.nominationIds) Object.freeze(n.nominationIds);
		}
		freezeList(r.notes);
	}
	if (r.model) {
		freezeList(r.model.jurors);
		Object.freeze(r.model);
	}
	return r;
}

function slotOf(db: DB, roundId: string): Slot | null {
	let map = caches.get(db);
	if (!map) caches.set(db, (map = new Map()));
	const read = () => {
		const row = versionRow(db, roundId);
		const cur = map.get(roundId);
		if (cur && row && cur.version === row.version) {
			cacheStats.hits++;
			return { slot: cur, fresh: null as LoadedRound | null };
		}
		// A stale slot goes before the new load, not after it: the previous version's data (a
		// national round: ≈ 70 MB with its results and views) would otherwise be alive during the
		// load and set V8's next heap limit from two rounds' worth of live data.
		if (cur && !nested) map.delete(roundId);
		const loaded = () => {
			cacheStats.loads++;
			return loadRound(db, roundId);
		};
		// Inside the caller's transaction the data may hold its uncommitted (maybe rolled back)
		// writes: use it, never keep it.
		if (!row || nested) return { slot: null, fresh: loaded() };
		// The triggers bump only a clean row (migration 0010): mark it clean in the transaction
		// that reads the data, so the first write after this read bumps the version again.
		if (row.dirty) stmts(db).clean.run(roundId);
		const slot: Slot = { version: row.version, loaded: freezeLoaded(loaded()), results: new Map(), derived: new Map() };
		// the load's garbage (rows, the previous version) is hundreds of MB on a national round;
		// a small round's is nothing V8's own collections do not handle
		if (slot.loaded.assignments.length + slot.loaded.scores.size >= COMPACT_AFTER_ROWS) compactSoon();
		return { slot, fresh: null };
	};
	// One transaction: the version, the clean mark and the data belong to the same snapshot (a
	// write transaction — the clean mark is a write; the portal is the one writer anyway).
	const client = db.$client;
	const nested = client.inTransaction;
	const r = nested ? read() : client.transaction(read).immediate();
	if (!r.slot) return r.fresh ? { version: -1, loaded: r.fresh, results: new Map(), derived: new Map() } : null;
	if (nested) return r.slot;
	// most recently used last
	map.delete(roundId);
	map.set(roundId, r.slot);
	while (map.size > MAX_ROUNDS) map.delete(map.keys().next().value!);
	return r.slot;
}

/** The round's loaded data at its current version (shared and frozen: do not mutate). */
export function cachedRound(db: DB, roundId: string): LoadedRound {
	return slotOf(db, roundId)?.loaded ?? loadRound(db, roundId);
}

/**
 * The round's loaded data and results for one normalization mode ('none' | 'zscore' | 'model';
 * not given: the contest's official method, `modeOf`), each computed at most once per version of
 * the round. The key is the mode itself, so the official method and the same method asked for
 * explicitly share one computation.
 */
export function cachedResults(db: DB, roundId: string, opts: ModeOptions = {}): { loaded: LoadedRound; results: RoundResults } {
	const slot = slotOf(db, roundId);
	if (!slot) {
		const loaded = loadRound(db, roundId);
		return { loaded, results: computeRound(loaded, opts) };
	}
	const mode = modeOf(slot.loaded, opts);
	let results = slot.results.get(mode);
	if (!results) {
		results = freezeResults(computeRound(slot.loaded, { normalization: mode }));
		cacheStats.computes++;
		// Bounded: the official method and at most one other stay (a national round's results are
		// ≈ 16 MB per method). Evicting a method drops the derived views too — some were built from
		// its results; the official ones are rebuilt on their next request.
		const official = modeOf(slot.loaded, {});
		let evicted = false;
		for (const m of [...slot.results.keys()])
			if (m !== official && m !== mode) {
				slot.results.delete(m);
				evicted = true;
			}
		if (evicted) slot.derived.clear();
		slot.results.set(mode, results);
	}
	return { loaded: slot.loaded, results };
}

/**
 * A view derived from the round's data (and results) kept for the current version: `key` must
 * name everything besides the round's data the value depends on (a mode, whether the deadline
 * has passed…). The value is shared between requests: do not mutate it.
 */
export function cachedDerived<T>(db: DB, roundId: string, key: string, make: (l: LoadedRound) => T): T {
	const slot = slotOf(db, roundId);
	if (!slot) return make(loadRound(db, roundId));
	if (slot.derived.has(key)) return slot.derived.get(key) as T;
	const v = make(slot.loaded);
	slot.derived.set(key, v);
	return v;
}

/** Forgets every cached round of this database (tests; a restore replaces the file anyway). */
export function clearResultsCache(db: DB): void {
	caches.delete(db);
}
