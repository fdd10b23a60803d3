/**
 * Capacity of the video lane for /admin/jobs: the workers (host, start, current job, heartbeat),
 * the queue's depth, the throughput of the last hour and the estimated time to drain the backlog.
 *
 * Workers come from the BullMQ workers' own heartbeats in Redis (REDIS_URL) or from the heartbeat
 * files of the embedded queue's workers (DATA_DIR/run) and the jobs they hold. Throughput and the
 * average time per video come from the jobs table, the system of record in both modes.
 */
import os from 'node:os';
import { and, eq, gte, inArray, isNotNull, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { jobs } from '../db/schema';
import { config } from '../config';
import { readHeartbeats } from '../ops/heartbeat';
import { MEDIA_PROCESS_KIND } from '../media/process';
import { Redis } from 'ioredis';
import { activeBridge, RELAYED, workersKey, type WorkerInfo } from './bullmq';

let reader: Redis | undefined;
/** The workers' hash read straight from Redis (a web process whose relay runs in `npm run worker`). */
async function workersFromRedis(url: string, prefix: string): Promise<WorkerInfo[]> {
	if (!reader) {
		reader = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000, lazyConnect: true });
		reader.on('error', () => undefined);
	}
	if (reader.status === 'wait' || reader.status === 'end') await reader.connect();
	const all = await reader.hgetall(workersKey(prefix));
	return Object.values(all).flatMap((v) => {
		try {
			return [JSON.parse(v) as WorkerInfo];
		} catch {
			return [];
		}
	});
}

/** A worker silent for longer than this is shown as lost. */
export const WORKER_SILENT_MS = 60_000;

export interface CapacityWorker {
	name: string;
	host: string;
	startedAt: number | null;
	heartbeatAt: number;
	alive: boolean;
	current: { jobId: string; progress: number | null; since: number | null }[];
}

export interface Capacity {
	mode: 'redis' | 'sqlite';
	/** Redis answers (null in the embedded mode). */
	redisUp: boolean | null;
	workers: CapacityWorker[];
	depth: { waiting: number; relayed: number; running: number; delayedRetry: number };
	/** Videos finished in the last hour. */
	perHour: number;
	/** Average seconds a video takes on a worker (last 24 h). */
	avgJobSec: number | null;
	/** Estimated seconds to drain what is waiting and running; null when nothing allows a guess. */
	drainSec: number | null;
}

export function mediaDepth(db: DbOrTx, now = new Date()) {
	const rows = db
		.select({ status: jobs.status, relayed: sql<number>`${jobs.lockedBy} = ${RELAYED}`, later: sql<number>`${jobs.runAt} > ${now.getTime()}`, n: sql<number>`count(*)` })
		.from(jobs)
		.where(and(eq(jobs.kind, MEDIA_PROCESS_KIND), inArray(jobs.status, ['queued', 'running'])))
		.groupBy(jobs.status, sql`2`, sql`3`)
		.all();
	const d = { waiting: 0, relayed: 0, running: 0, delayedRetry: 0 };
	for (const r of rows) {
		if (r.status === 'running') d.running += r.n;
		else if (r.later) d.delayedRetry += r.n;
		else if (r.relayed) d.relayed += r.n;
		else d.waiting += r.n;
	}
	return d;
}

export function mediaThroughput(db: DbOrTx, now = new Date()) {
	const hourAgo = new Date(now.getTime() - 3600_000);
	const dayAgo = new Date(now.getTime() - 86400_000);
	const perHour =
		db
			.select({ n: sql<number>`count(*)` })
			.from(jobs)
			.where(and(eq(jobs.kind, MEDIA_PROCESS_KIND), eq(jobs.status, 'done'), gte(jobs.finishedAt, hourAgo)))
			.get()?.n ?? 0;
	const avg = db
		.select({ s: sql<number | null>`avg((${jobs.finishedAt} - ${jobs.startedAt}) / 1000.0)` })
		.from(jobs)
		.where(and(eq(jobs.kind, MEDIA_PROCESS_KIND), eq(jobs.status, 'done'), gte(jobs.finishedAt, dayAgo), isNotNull(jobs.startedAt)))
		.get()?.s;
	return { perHour, avgJobSec: avg != null && avg > 0 ? Math.round(avg * 10) / 10 : null };
}

/** Time to drain: by the last hour's pace, else by the average job time over the live workers' slots. */
export function drainEstimate(backlog: number, perHour: number, avgJobSec: number | null, slots: number): number | null {
	if (!backlog) return 0;
	if (perHour > 0) return Math.round((backlog / perHour) * 3600);
	if (avgJobSec && slots > 0) return Math.round((backlog * avgJobSec) / slots);
	return null;
}

export async function capacity(db: DbOrTx, now = new Date()): Promise<Capacity> {
	const depth = mediaDepth(db, now);
	const { perHour, avgJobSec } = mediaThroughput(db, now);
	const bridge = activeBridge();
	let workers: CapacityWorker[] = [];
	let redisUp: boolean | null = null;
	let slots = 0;
	const c = config();
	if (bridge || c.REDIS_URL) {
		redisUp = bridge ? bridge.connected() : true;
		try {
			const list = bridge ? await bridge.workers() : await workersFromRedis(c.REDIS_URL!, c.REDIS_PREFIX);
			workers = list.map((w) => ({
				name: w.name,
				host: w.host,
				startedAt: w.startedAt,
				heartbeatAt: w.heartbeatAt,
				alive: now.getTime() - w.heartbeatAt < WORKER_SILENT_MS,
				current: w.current.map((c) => ({ jobId: c.jobId, progress: c.progress, since: c.since }))
			}));
			slots = list.filter((w) => now.getTime() - w.heartbeatAt < WORKER_SILENT_MS).reduce((s, w) => s + (w.concurrency || 1), 0);
		} catch {
			redisUp = false;
		}
	} else {
		const running = db
			.select({ id: jobs.id, lockedBy: jobs.lockedBy, progress: jobs.progress, startedAt: jobs.startedAt })
			.from(jobs)
			.where(and(eq(jobs.kind, MEDIA_PROCESS_KIND), eq(jobs.status, 'running')))
			.all();
		workers = readHeartbeats(c.dataDir, now.getTime()).map((h) => ({
			name: h.workerId,
			host: h.workerId.split(':')[0] || os.hostname(),
			startedAt: null,
			heartbeatAt: h.at,
			alive: now.getTime() - h.at < WORKER_SILENT_MS,
			current: running.filter((r) => r.lockedBy === h.workerId).map((r) => ({ jobId: r.id, progress: r.progress, since: r.startedAt?.getTime() ?? null }))
		}));
		slots = workers.filter((w) => w.alive).length * (c.JOB_CONCURRENCY ?? Math.max(1, Math.floor(os.availableParallelism() / 2)));
	}
	const backlog = depth.waiting + depth.relayed + depth.running + depth.delayedRetry;
	return { mode: bridge || c.REDIS_URL ? 'redis' : 'sqlite', redisUp, workers, depth, perHour, avgJobSec, drainSec: drainEstimate(backlog, perHour, avgJobSec, slots) };
}
