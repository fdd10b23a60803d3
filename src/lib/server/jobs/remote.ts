/**
 * Jobs whose work can run on another machine (video processing): the handler comes in three parts
 * so that the worker needs no database —
 *
 *   prepare (portal: reads SQLite) ──input──▶ execute (anywhere: ffmpeg + S3) ──output──▶ record (portal: writes SQLite)
 *
 * With the embedded queue one worker runs the three in a row (the job's ordinary `run`). With
 * REDIS_URL the portal's relay prepares and hands the input to BullMQ (jobs/bullmq.ts), a
 * `npm run worker -- --media` process executes it (jobs/media-worker.ts), reports partial and final
 * outputs through a results queue, and the portal records them. Both modes run the same three
 * functions.
 */
import type { DbOrTx } from '../db/client';
import type { Job } from '../db/schema';
import type { JobPayload } from './queue';

export interface ExecuteCtx<O> {
	signal: AbortSignal;
	progress(percent: number): void;
	/** A partial output the portal should record now (e.g. the first playable rendition). */
	report(partial: O): Promise<void>;
}

export interface RemoteJob<I = unknown, O = unknown> {
	kind: string;
	/** Portal: the worker's input, or the job's final result when there is nothing to do. */
	prepare(db: DbOrTx, payload: JobPayload, job: Job): { input: I } | { result: Record<string, unknown> };
	/** Anywhere, without a database. Throws on errors worth a retry. */
	execute(input: I, ctx: ExecuteCtx<O>): Promise<O>;
	/** Portal: writes a (partial or final) output; returns the job's result. */
	record(db: DbOrTx, job: Job, out: O, ctx: { stillOwned(tx: DbOrTx): boolean }): Promise<Record<string, unknown>>;
	/** Portal: an output that will not be recorded (cancelled, replaced): remove what it stored. */
	discard(db: DbOrTx, job: Job, out: O): Promise<void>;
}

const remote = new Map<string, RemoteJob>();

export function registerRemote(h: RemoteJob): void {
	remote.set(h.kind, h as RemoteJob);
}
export function remoteFor(kind: string): RemoteJob | undefined {
	return remote.get(kind);
}
export function remoteKinds(): string[] {
	return [...remote.keys()];
}
