/**
 * The routing as jobs (issue 18): a preview and an apply are queued, run on the embedded queue's
 * worker with progress, and their outcome is read back from the job row — what the round page
 * shows without computing anything itself.
 */
import { describe, expect, it } from 'vitest';
import { and, eq, inArray } from 'drizzle-orm';
import { dbPerTest } from '../../../../tests/helpers/db';
import { asOrganizer } from '../../../../tests/helpers/actors';
import { juryFixture, type Fixture } from '../../../../tests/helpers/jury';
import type { DB } from '../db/client';
import { assignments, jobs } from '../db/schema';
import { runJobNow } from '../jobs/worker';
import { activateRound, closeRound, createRound } from './rounds';
import { applyRouting, previewRouting } from './plan';
import { addAssignment } from './assignments';
import { applyState, previewState, requestApply, requestPreview, routingApplyHandler, routingPreviewHandler, runPreview } from './routing-jobs';

const ORG = asOrganizer();
const HANDLERS = [routingPreviewHandler, routingApplyHandler];
let db: DB;
let f: Fixture;
dbPerTest((d) => (f = juryFixture((db = d))));

function setup() {
	const apps = [f.app(), f.app(), f.app({ nom: 1 }), f.app(), f.app({ nom: 1 })];
	const jurors = [f.juror(), f.juror(), f.juror(), f.juror(), f.juror()];
	const round = createRound(db, f.contestId, { number: 1 });
	return { apps, jurors, round };
}
const active = (roundId: string) => db.select().from(assignments).where(and(eq(assignments.roundId, roundId), inArray(assignments.status, ['assigned', 'draft', 'submitted']))).all();

describe('routing preview as a job', () => {
	it('is queued once (a second request returns it), runs with progress, and its result is the preview', async () => {
		const { round } = setup();
		expect(previewState(db, round.id)).toBeNull();
		const job = requestPreview(db, round.id);
		expect(requestPreview(db, round.id).id).toBe(job.id);
		expect(previewState(db, round.id)).toMatchObject({ jobId: job.id, status: 'queued', progress: 0 });
		// a preview with load balancing is a separate job
		expect(requestPreview(db, round.id, { rebalance: true }).id).not.toBe(job.id);
		const done = await runJobNow(db, job.id, HANDLERS);
		expect(done?.status).toBe('done');
		expect(done?.progress).toBe(100);
		const s = previewState(db, round.id);
		expect(s?.status).toBe('done');
		expect(s && 'preview' in s ? s.preview : null).toEqual(previewRouting(db, round.id));
		// nothing was written by the preview
		expect(active(round.id)).toEqual([]);
	});

	it('reports its progress phase by phase, increasing to 100', async () => {
		const { round } = setup();
		const seen: number[] = [];
		const p = await runPreview(db, { roundId: round.id, rebalance: false }, (x) => seen.push(x));
		expect(seen).toEqual([5, 25, 85, 100]);
		expect(p.added).toBeGreaterThan(0);
	});

	it('a closed round is refused at once; a refusal inside the job ends it as failed with the reason', async () => {
		const { round } = setup();
		const job = requestPreview(db, round.id);
		applyRouting(db, ORG, round.id);
		activateRound(db, round.id, ORG);
		closeRound(db, round.id, ORG);
		expect(() => requestPreview(db, round.id, { rebalance: true })).toThrow('Тур закрыт');
		await runJobNow(db, job.id, HANDLERS);
		// the preview itself does not refuse a closed round; the apply does
		const a = db.insert(jobs).values({ id: 'x-apply', kind: 'routing.apply', payload: { roundId: round.id, rebalance: false, digest: '', actor: null }, status: 'queued', attempts: 0, maxAttempts: 1, runAt: new Date(), dedupeKey: `routing.apply:${round.id}:0`, createdAt: new Date(), updatedAt: new Date() }).returning().get();
		const r = await runJobNow(db, a.id, HANDLERS);
		expect(r?.status).toBe('failed');
		expect(applyState(db, round.id)).toMatchObject({ status: 'failed', error: expect.stringContaining('Тур закрыт') });
	});
});

describe('routing apply as a job', () => {
	it('writes the previewed plan, reports the summary, and queues a fresh preview (no changes left)', async () => {
		const { round } = setup();
		await runJobNow(db, requestPreview(db, round.id).id, HANDLERS);
		const s = previewState(db, round.id)!;
		const preview = s.status === 'done' ? s.preview! : null;
		expect(preview?.added).toBeGreaterThan(0);
		const job = requestApply(db, ORG, round.id, { digest: preview!.digest });
		expect(requestApply(db, ORG, round.id, { digest: preview!.digest }).id).toBe(job.id);
		expect(await runJobNow(db, job.id, HANDLERS)).toMatchObject({ status: 'done', progress: 100 });
		const a = applyState(db, round.id)!;
		expect(a.status).toBe('done');
		expect(a.status === 'done' ? a.applied : null).toMatchObject({ added: preview!.added, removed: 0 });
		expect(active(round.id)).toHaveLength(preview!.added);
		// the refreshed preview is queued by the apply and shows what is left
		const next = previewState(db, round.id)!;
		expect(next.status).toBe('queued');
		await runJobNow(db, next.jobId, HANDLERS);
		const after = previewState(db, round.id)!;
		expect(after.status === 'done' ? { added: after.preview!.added, removed: after.preview!.removed } : null).toEqual({ added: 0, removed: 0 });
	});

	it('refuses a stale preview: after a change, the apply fails with the reason and writes nothing', async () => {
		const { apps, jurors, round } = setup();
		await runJobNow(db, requestPreview(db, round.id).id, HANDLERS);
		const s = previewState(db, round.id)!;
		const digest = s.status === 'done' ? s.preview!.digest : '';
		addAssignment(db, ORG, round.id, apps[0], jurors[0]);
		const job = requestApply(db, ORG, round.id, { digest });
		expect((await runJobNow(db, job.id, HANDLERS))?.status).toBe('failed');
		expect(applyState(db, round.id)).toMatchObject({ status: 'failed', error: expect.stringContaining('данные изменились') });
		expect(active(round.id)).toHaveLength(1);
	});
});
