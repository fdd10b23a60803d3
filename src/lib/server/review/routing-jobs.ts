/**
 * The routing of a round as background jobs (issue 18): at 24 000 entries a preview takes
 * seconds and an apply writes 72 000 rows, so neither runs inside a page request. The organizer
 * asks for a preview (or an apply); the job runs on the embedded queue's light lane, reports its
 * progress («Расчёт распределения… 40 %»), and stores its outcome in the job row; the round page
 * only reads that row (a GET never computes the routing).
 *
 * - One active job per round and kind of run: asking again while one is queued or running returns
 *   it (dedupe key), so a double click does not compute twice.
 * - The preview's result is the `Preview` of plan.ts as it is, under `preview`: fields added there
 *   (stats…) reach the page without changes here.
 * - The apply checks the preview's digest inside its transaction (applyRouting): if anything
 *   changed after the preview, it fails with the «данные изменились» message and writes nothing.
 */
import { and, desc, eq } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { jobs, type Job } from '../db/schema';
import type { Actor } from '../actor';
import { DomainError } from '../errors';
import { enqueue, PermanentJobError, type JobContext, type JobHandler, type JobPayload } from '../jobs/queue';
import { applyRouting, describePlan, planFrom, type ApplyResult, type Preview } from './plan';
import { loadRoundState } from './round-state';
import { getRound } from './rounds';

export const ROUTING_PREVIEW_KIND = 'routing.preview';
export const ROUTING_APPLY_KIND = 'routing.apply';

const keyOf = (kind: string, roundId: string, rebalance: boolean) => `${kind}:${roundId}:${rebalance ? 1 : 0}`;
/** Lets the event loop serve other requests between the phases of a long synchronous run. */
const breathe = () => new Promise<void>((r) => setImmediate(r));

interface PreviewPayload extends JobPayload {
	roundId: string;
	rebalance: boolean;
}
interface ApplyPayload extends PreviewPayload {
	digest: string;
	actor: Actor | null;
}

function assertOpen(db: DbOrTx, roundId: string) {
	if (getRound(db, roundId).status === 'closed') throw new DomainError(409, 'round_closed', 'Тур закрыт: распределение изменить нельзя');
}

/** Queues a preview of the round's routing (or returns the one already queued or running). */
export function requestPreview(db: DbOrTx, roundId: string, opts: { rebalance?: boolean } = {}): Job {
	assertOpen(db, roundId);
	const rebalance = !!opts.rebalance;
	return enqueue(db, ROUTING_PREVIEW_KIND, { roundId, rebalance } satisfies PreviewPayload, { dedupeKey: keyOf(ROUTING_PREVIEW_KIND, roundId, rebalance), maxAttempts: 1 });
}

/** Queues the apply of a previewed plan (`digest`: the plan the organizer saw). */
export function requestApply(db: DbOrTx, actor: Actor | null, roundId: string, opts: { digest?: string; rebalance?: boolean } = {}): Job {
	assertOpen(db, roundId);
	const rebalance = !!opts.rebalance;
	const payload: ApplyPayload = { roundId, rebalance, digest: opts.digest ?? '', actor: actor ? { id: actor.id, role: actor.role, ip: actor.ip ?? null } : null };
	return enqueue(db, ROUTING_APPLY_KIND, payload, { dedupeKey: keyOf(ROUTING_APPLY_KIND, roundId, false), maxAttempts: 1 });
}

/** The preview: the round's state read (25 %), the routing solved (85 %), the plan described. */
export async function runPreview(db: DbOrTx, payload: PreviewPayload, progress: (p: number) => void): Promise<Preview> {
	progress(5);
	await breathe();
	const state = loadRoundState(db, payload.roundId);
	progress(25);
	await breathe();
	const plan = planFrom(state, { rebalance: payload.rebalance });
	progress(85);
	await breathe();
	const preview = describePlan(plan, payload.rebalance);
	progress(100);
	return preview;
}

function refusal(e: unknown): never {
	// a refusal of the domain (closed round, stale preview) is final: retrying cannot fix it
	if (e instanceof DomainError) throw new PermanentJobError(e.message);
	throw e;
}

export const routingPreviewHandler: JobHandler = {
	kind: ROUTING_PREVIEW_KIND,
	lane: 'light',
	maxAttempts: 1,
	timeoutMs: 10 * 60_000,
	async run(payload, ctx: JobContext) {
		try {
			return { preview: await runPreview(ctx.db, payload as PreviewPayload, (p) => ctx.progress(p)) };
		} catch (e) {
			refusal(e);
		}
	},
	describe: (p) => `Предпросмотр распределения${p.rebalance ? ' с выравниванием' : ''}`
};

export const routingApplyHandler: JobHandler = {
	kind: ROUTING_APPLY_KIND,
	lane: 'light',
	maxAttempts: 1,
	timeoutMs: 10 * 60_000,
	async run(payload, ctx: JobContext) {
		const p = payload as ApplyPayload;
		ctx.progress(5);
		await breathe();
		try {
			// one transaction: the plan is recomputed, checked against the digest and written
			const applied: ApplyResult = applyRouting(ctx.db, p.actor, p.roundId, { digest: p.digest || undefined, rebalance: p.rebalance });
			ctx.progress(100);
			// what is left after it (normally «no changes»): the organizer sees the preview refreshed
			requestPreview(ctx.db, p.roundId, { rebalance: p.rebalance });
			return { applied };
		} catch (e) {
			refusal(e);
		}
	},
	describe: () => 'Применение распределения'
};

export type RoutingJobState =
	| { jobId: string; status: 'queued' | 'running'; progress: number; at: number }
	| { jobId: string; status: 'failed'; error: string; at: number }
	| { jobId: string; status: 'done'; at: number };

function lastJob(db: DbOrTx, kind: string, key: string): Job | undefined {
	// by kind first (jobs_kind_idx): the mail jobs of a national contest are not scanned
	return db.select().from(jobs).where(and(eq(jobs.kind, kind), eq(jobs.dedupeKey, key))).orderBy(desc(jobs.createdAt), desc(jobs.id)).limit(1).get();
}

function stateOf(j: Job): RoutingJobState {
	const at = j.updatedAt.getTime();
	if (j.status === 'queued' || j.status === 'running') return { jobId: j.id, status: j.status, progress: j.progress ?? 0, at };
	if (j.status === 'done') return { jobId: j.id, status: 'done', at };
	return { jobId: j.id, status: 'failed', error: j.lastError ?? (j.status === 'cancelled' ? 'Расчёт отменён' : 'Расчёт не удался'), at };
}

/** The round's latest preview job: its progress, or its result, or why it failed; null: none yet. */
export function previewState(db: DbOrTx, roundId: string, opts: { rebalance?: boolean } = {}): (RoutingJobState & { preview?: Preview }) | null {
	const j = lastJob(db, ROUTING_PREVIEW_KIND, keyOf(ROUTING_PREVIEW_KIND, roundId, !!opts.rebalance));
	if (!j) return null;
	const s = stateOf(j);
	if (s.status === 'done') {
		const preview = (j.result as { preview?: Preview } | null)?.preview;
		if (!preview) return { jobId: j.id, status: 'failed', error: 'Результат расчёта не сохранился', at: s.at };
		return { ...s, preview };
	}
	return s;
}

/** The round's latest apply job (progress, the summary when done, or the refusal). */
export function applyState(db: DbOrTx, roundId: string): (RoutingJobState & { applied?: ApplyResult }) | null {
	const j = lastJob(db, ROUTING_APPLY_KIND, keyOf(ROUTING_APPLY_KIND, roundId, false));
	if (!j) return null;
	const s = stateOf(j);
	return s.status === 'done' ? { ...s, applied: (j.result as { applied?: ApplyResult } | null)?.applied } : s;
}
