import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { tempDb } from '../../../../tests/helpers/db';
import { jobs } from '../db/schema';
import { enqueue } from './queue';
import { drainEstimate, mediaDepth, mediaThroughput } from './capacity';
import { MEDIA_PROCESS_KIND } from '../media/process';
import { RELAYED } from './bullmq';

let t: ReturnType<typeof tempDb>;
beforeEach(() => (t = tempDb()));
afterEach(() => t.cleanup());

describe('video lane capacity', () => {
	it('depth by state, throughput of the last hour, average time per video', () => {
		const db = t.db;
		const now = new Date('2026-12-04T12:00:00Z');
		const mk = (i: number) => enqueue(db, MEDIA_PROCESS_KIND, { assetId: `a${i}` }, { now });
		const ids = Array.from({ length: 8 }, (_, i) => mk(i).id);
		const set = (id: string, v: Partial<typeof jobs.$inferInsert>) => db.update(jobs).set(v).where(eq(jobs.id, id)).run();
		set(ids[0], { lockedBy: RELAYED });
		set(ids[1], { status: 'running', lockedBy: 'host:1' });
		set(ids[2], { runAt: new Date(now.getTime() + 60_000) });
		// Done in the last hour: 90 s and 30 s on a worker; one done two hours ago.
		set(ids[3], { status: 'done', startedAt: new Date(now.getTime() - 100_000), finishedAt: new Date(now.getTime() - 10_000) });
		set(ids[4], { status: 'done', startedAt: new Date(now.getTime() - 40_000), finishedAt: new Date(now.getTime() - 10_000) });
		set(ids[5], { status: 'done', startedAt: new Date(now.getTime() - 7_300_000), finishedAt: new Date(now.getTime() - 7_200_000) });
		enqueue(db, 'mail.send', {}, { now });
		expect(mediaDepth(db, now)).toEqual({ waiting: 2, relayed: 1, running: 1, delayedRetry: 1 });
		const tp = mediaThroughput(db, now);
		expect(tp.perHour).toBe(2);
		expect(tp.avgJobSec).toBeCloseTo((90 + 30 + 100) / 3, 0);
	});

	it('time to drain: by the last hour, else by the average over the live slots, else unknown', () => {
		expect(drainEstimate(0, 0, null, 0)).toBe(0);
		expect(drainEstimate(100, 50, 60, 4)).toBe(7200);
		expect(drainEstimate(100, 0, 60, 4)).toBe(1500);
		expect(drainEstimate(100, 0, null, 4)).toBeNull();
		expect(drainEstimate(100, 0, 60, 0)).toBeNull();
	});
});
