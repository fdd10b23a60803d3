import { afterEach, describe, expect, it } from 'vitest';
import { compactSoon, compactions, compactionTiming, COMPACT_CHECK_MS } from './memory';
import { registry } from './metrics';

const GC = Symbol.for('nastavnik.gc');
const slot = globalThis as Record<symbol, unknown>;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Keeps the event loop busy (synchronously) for `ms`, in slices, so that timers still get a turn. */
async function busy(ms: number) {
	const end = performance.now() + ms;
	while (performance.now() < end) {
		const slice = performance.now() + 40;
		while (performance.now() < slice);
		await new Promise((r) => setImmediate(r));
	}
}

afterEach(() => {
	delete slot[GC];
	compactionTiming.minGapMs = 10_000;
	compactionTiming.giveUpMs = 60_000;
});

describe('compactSoon: one memory-reducing collection after heavy work, only when idle', () => {
	it('without the collector (tests, vite dev) nothing runs', async () => {
		const before = { ...compactions };
		compactSoon();
		await sleep(COMPACT_CHECK_MS * 2);
		expect(compactions.asked - before.asked).toBe(1);
		expect(compactions.run - before.run).toBe(0);
	});

	it('many triggers, one last-resort major collection once the event loop is idle', async () => {
		const calls: unknown[] = [];
		slot[GC] = (o: unknown) => calls.push(o);
		compactionTiming.minGapMs = 0;
		for (let i = 0; i < 5; i++) compactSoon();
		await sleep(COMPACT_CHECK_MS * 3);
		expect(calls).toEqual([{ type: 'major', execution: 'sync', flavor: 'last-resort' }]);
		// operators see it in /metrics
		expect(await registry.getSingleMetricAsString('portal_memory_compactions_total')).toMatch(/^portal_memory_compactions_total [1-9]\d*$/m);
		expect(await registry.getSingleMetricAsString('portal_memory_compaction_last_pause_seconds')).toMatch(/^portal_memory_compaction_last_pause_seconds \d/m);
	});

	it('waits while the portal is busy, runs when it is idle; a busy minute gives up', async () => {
		const calls: unknown[] = [];
		slot[GC] = (o: unknown) => calls.push(o);
		compactionTiming.minGapMs = 0;
		compactSoon();
		await busy(COMPACT_CHECK_MS * 3);
		expect(calls).toHaveLength(0);
		await sleep(COMPACT_CHECK_MS * 3);
		expect(calls).toHaveLength(1);

		compactionTiming.giveUpMs = COMPACT_CHECK_MS;
		const skipped = compactions.skipped;
		compactSoon();
		await busy(COMPACT_CHECK_MS * 4);
		await sleep(COMPACT_CHECK_MS * 2);
		expect(calls).toHaveLength(1);
		expect(compactions.skipped).toBe(skipped + 1);
	});

	it('at most one collection per gap', async () => {
		const calls: unknown[] = [];
		slot[GC] = (o: unknown) => calls.push(o);
		compactionTiming.minGapMs = 0;
		compactSoon();
		await sleep(COMPACT_CHECK_MS * 3);
		expect(calls).toHaveLength(1);
		compactionTiming.minGapMs = 60_000;
		compactSoon();
		await sleep(COMPACT_CHECK_MS * 3);
		expect(calls).toHaveLength(1);
	});
});
