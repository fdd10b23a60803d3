import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { config } from '$lib/server/config';
import { db } from '$lib/server/db/client';
import { healthReport } from '$lib/server/ops/health';

/** Readiness and state of the parts (see src/lib/server/ops/health.ts); `?probe=live` — liveness only. */
export const GET: RequestHandler = async ({ url }) => {
	const headers = { 'Cache-Control': 'no-store' };
	if (url.searchParams.get('probe') === 'live') return json({ status: 'ok', uptimeSec: Math.round(process.uptime()), pid: process.pid }, { headers });
	const c = config();
	const r = await healthReport({ db, dataDir: c.dataDir, workerExpected: c.JOB_WORKER });
	return json(r, { status: r.status === 'down' ? 503 : 200, headers });
};
