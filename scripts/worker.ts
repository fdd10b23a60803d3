// A job worker in its own process (for JOB_WORKER=false on the web process, or more workers):
//   npm run worker
// Uses the same configuration (DATABASE_PATH, S3_*, SMTP_URL, JOB_CONCURRENCY…) as the portal.
// SIGINT/SIGTERM stop it cleanly: running jobs go back to the queue and resume elsewhere.
import { db } from '../src/lib/server/db/client';
import { runMigrations } from '../src/lib/server/db/migrate';
import { startConfiguredWorker } from '../src/lib/server/workers';

const d = db();
runMigrations(d);
const worker = startConfiguredWorker(d);
let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
	process.on(sig, async () => {
		if (stopping) return;
		stopping = true;
		await worker.stop();
		d.$client.close();
		process.exit(0);
	});
}
