/**
 * Giving memory back after heavy one-off work (issue 18).
 *
 * Loading a national round into the results cache (72 000 assignments, 244 000 scores) and
 * streaming a big XLSX allocate hundreds of megabytes that die at once. V8 sizes its next heap
 * limit from what it saw and keeps the pages: measured after the console tour, the old space held
 * ≈ 270–300 MB of pages for ≈ 110 MB of live data and did not shrink while idle. After such work
 * the portal asks for one full, memory-reducing collection (`flavor: 'last-resort'`: V8 compacts
 * and returns the empty pages; a plain major collection was measured not to shrink anything).
 *
 * That collection stops the event loop for ≈ 0.3 s on a national round, so it never runs inside
 * a request: it waits until the event loop has been idle (≤ 10 % busy over the last check
 * interval), runs at most once per 10 s, and a single one stands for any number of triggers.
 * A portal that is never idle for a minute skips it (V8's own collections go on).
 *
 * The collector is V8's `gc()`; `scripts/start.js` (what `npm start` runs) provides it under a
 * symbol without exposing a global `gc` to the app. Without it (tests, `vite dev`) nothing runs.
 */
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { memoryCompactionPause, memoryCompactions } from './metrics';

type Gc = (opts: { type: 'major'; execution: 'sync'; flavor: 'last-resort' | 'regular' }) => void;

const GC = Symbol.for('nastavnik.gc');
export const COMPACT_CHECK_MS = 250;
const IDLE_UTILIZATION = 0.1;
/** At most one collection per `minGapMs`; a portal busy for `giveUpMs` skips it (tests shorten them). */
export const compactionTiming = { minGapMs: 10_000, giveUpMs: 60_000 };

/** Collections asked for, run and skipped, and the last one's pause (tests; /metrics has the runs and the pause). */
export const compactions = { asked: 0, run: 0, skipped: 0, lastMs: 0 };
let pending: NodeJS.Timeout | null = null;
let lastRunAt = -Infinity;

function collector(): Gc | null {
	const g = (globalThis as Record<symbol, unknown>)[GC];
	return typeof g === 'function' ? (g as Gc) : null;
}

/** After heavy one-off work: one full collection as soon as the portal is idle (see above). */
export function compactSoon(): void {
	compactions.asked++;
	if (pending || !collector()) return;
	const since = performance.now();
	let elu: EventLoopUtilization = performance.eventLoopUtilization();
	const check = () => {
		const now = performance.now();
		const d = performance.eventLoopUtilization(elu);
		elu = performance.eventLoopUtilization();
		const gc = collector();
		if (!gc) return void (pending = null);
		if (d.utilization > IDLE_UTILIZATION || now - lastRunAt < compactionTiming.minGapMs) {
			if (now - since > compactionTiming.giveUpMs) {
				compactions.skipped++;
				pending = null;
				return;
			}
			pending = setTimeout(check, COMPACT_CHECK_MS);
			pending.unref();
			return;
		}
		pending = null;
		gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
		lastRunAt = performance.now();
		compactions.run++;
		compactions.lastMs = lastRunAt - now;
		memoryCompactions.inc();
		memoryCompactionPause.set(compactions.lastMs / 1000);
	};
	pending = setTimeout(check, COMPACT_CHECK_MS);
	pending.unref();
}

/**
 * During a long export that makes many short-lived native buffers (jurors.xlsx: a 64 KB exceljs
 * buffer or more per sheet, 600 sheets), one regular full collection now and then frees them: V8
 * frees a Buffer's memory only when it collects the Buffer, and by itself it does so only after
 * some 64 MB of such memory has piled up — so the export's RSS growth rose to 86–118 MB. Returns
 * the pause in ms (0 without the collector).
 */
export function collectTransient(): number {
	const gc = collector();
	if (!gc) return 0;
	const t = performance.now();
	gc({ type: 'major', execution: 'sync', flavor: 'regular' });
	return performance.now() - t;
}
