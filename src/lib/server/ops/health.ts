/**
 * /health: what an operator (or a load balancer) needs to know, each part checked for real.
 *   database  a query on the portal's connection;
 *   s3        HEAD of the bucket (2 s), and the embedded store's supervisor when there is one;
 *   worker    the newest job worker heartbeat ($DATA_DIR/run): ok under 30 s, else stale;
 *   backup    the last successful backup, the last error, failures in a row;
 *   queue     the oldest job that is due and waiting (kind, seconds).
 * HTTP 503 when the database or the storage is down (the portal cannot serve); 200 otherwise,
 * with `status: degraded` when the worker is stale, backups fail or are overdue, or the queue lags.
 * `?probe=live` answers 200 from the process alone (liveness: the event loop turns).
 */
import { and, asc, eq, lte, sql } from 'drizzle-orm';
import type { DB } from '../db/client';
import { jobs } from '../db/schema';
import { s3Reachable } from '../storage/s3';
import { readHeartbeats } from './heartbeat';
import { backupStatus, refreshBackupStatus } from './backup-service';
import type { SupervisorState } from './supervisor';

export const WORKER_STALE_MS = 30_000;
export const QUEUE_LATE_SEC = 15 * 60;

let supervisor: (() => SupervisorState) | undefined;
export function setSupervisorState(fn: (() => SupervisorState) | undefined) {
	supervisor = fn;
}

let lastS3: boolean | null = null;
/** Storage reachability as last seen by /health (for the metrics gauge). */
export function lastS3Up(): number | null {
	return lastS3 === null ? null : lastS3 ? 1 : 0;
}

export function oldestReadyJob(db: DB, now = new Date()): { kind: string; ageSec: number } | null {
	const r = db
		.select({ kind: jobs.kind, runAt: jobs.runAt })
		.from(jobs)
		.where(and(eq(jobs.status, 'queued'), lte(jobs.runAt, now)))
		.orderBy(asc(jobs.runAt))
		.limit(1)
		.get();
	return r ? { kind: r.kind, ageSec: Math.max(0, Math.round((now.getTime() - r.runAt.getTime()) / 1000)) } : null;
}

/** Counts and the oldest job's age by kind and state (for the metrics). */
export function jobStats(db: DB, now = new Date()) {
	const rows = db
		.select({
			kind: jobs.kind,
			state: jobs.status,
			n: sql<number>`count(*)`,
			// queued: how long a due job waits; running: since it started; others: since last change.
			oldest: sql<number>`min(case when ${jobs.status} = 'queued' then ${jobs.runAt} when ${jobs.status} = 'running' then coalesce(${jobs.startedAt}, ${jobs.updatedAt}) else ${jobs.updatedAt} end)`
		})
		.from(jobs)
		.groupBy(jobs.kind, jobs.status)
		.all();
	return rows.map((r) => ({ kind: r.kind, state: r.state, n: r.n, oldestAgeSec: r.oldest ? Math.max(0, (now.getTime() - toMs(r.oldest)) / 1000) : 0 }));
}

function toMs(v: number): number {
	// drizzle stores timestamps in seconds or milliseconds depending on the column mode.
	return v < 1e11 ? v * 1000 : v;
}

export interface HealthReport {
	status: 'ok' | 'degraded' | 'down';
	time: string;
	database: 'ok' | 'down';
	s3: 'ok' | 'down';
	/** The embedded store's supervisor (when the portal runs one). */
	embeddedS3?: SupervisorState;
	worker: { status: 'ok' | 'stale' | 'none'; lastBeatSecAgo: number | null; workers: number; expected: boolean };
	backup: ReturnType<typeof backupStatus> & { status: 'ok' | 'off' | 'failing' | 'overdue' | 'none'; ageSec: number | null };
	queue: { status: 'ok' | 'late'; oldestReady: { kind: string; ageSec: number } | null };
}

export async function healthReport(o: { db: () => DB; dataDir: string; workerExpected: boolean; now?: Date }): Promise<HealthReport> {
	const now = o.now ?? new Date();
	let database: 'ok' | 'down' = 'down';
	let oldest: HealthReport['queue']['oldestReady'] = null;
	try {
		const d = o.db();
		if (d.$client.prepare('select 1 as ok').get() !== undefined) database = 'ok';
		oldest = oldestReadyJob(d, now);
	} catch {
		database = 'down';
	}
	const [s3ok] = await Promise.all([s3Reachable(2000), refreshBackupStatus()]);
	lastS3 = s3ok;
	const beats = readHeartbeats(o.dataDir, now.getTime());
	const lastBeat = beats[0] ? now.getTime() - beats[0].at : null;
	const workerStatus = lastBeat !== null && lastBeat < WORKER_STALE_MS ? 'ok' : lastBeat === null && !o.workerExpected ? 'none' : 'stale';
	const b = backupStatus();
	const ageSec = b.lastSuccess ? Math.round((now.getTime() - Date.parse(b.lastSuccess.at)) / 1000) : null;
	const overdue = b.enabled && (ageSec === null ? false : ageSec > 2 * b.intervalMin * 60 + 600);
	const backup = {
		...b,
		ageSec,
		status: (b.consecutiveFailures > 0 ? 'failing' : overdue ? 'overdue' : !b.enabled ? 'off' : b.lastSuccess ? 'ok' : 'none') as HealthReport['backup']['status']
	};
	const queue = { status: (oldest && oldest.ageSec > QUEUE_LATE_SEC ? 'late' : 'ok') as 'ok' | 'late', oldestReady: oldest };
	const down = database === 'down' || !s3ok;
	const degraded = workerStatus === 'stale' || backup.status === 'failing' || backup.status === 'overdue' || queue.status === 'late';
	return {
		status: down ? 'down' : degraded ? 'degraded' : 'ok',
		time: now.toISOString(),
		database,
		s3: s3ok ? 'ok' : 'down',
		...(supervisor ? { embeddedS3: supervisor() } : {}),
		worker: { status: workerStatus, lastBeatSecAgo: lastBeat === null ? null : Math.round(lastBeat / 1000), workers: beats.filter((h) => now.getTime() - h.at < WORKER_STALE_MS).length, expected: o.workerExpected },
		backup,
		queue
	};
}
