/**
 * The job worker's heartbeat: every worker (in the portal process or `npm run worker`) rewrites a
 * small file `$DATA_DIR/run/worker-<id>.json` every few seconds; /health reads the newest. A file
 * is enough: the worker shares the machine and the data folder with the portal (the database is
 * a SQLite file).
 */
import fs from 'node:fs';
import path from 'node:path';

export interface Heartbeat {
	workerId: string;
	pid: number;
	at: number;
	running: number;
}

const dirOf = (dataDir: string) => path.join(dataDir, 'run');
const fileOf = (dataDir: string, workerId: string) => path.join(dirOf(dataDir), `worker-${workerId.replace(/[^A-Za-z0-9._-]/g, '_')}.json`);

/** A writer that rewrites the file at most every `everyMs`. */
export function heartbeatWriter(dataDir: string, workerId: string, running: () => number, everyMs = 5000) {
	let last = 0;
	const file = fileOf(dataDir, workerId);
	return {
		beat(now = Date.now()) {
			if (now - last < everyMs) return;
			last = now;
			fs.mkdirSync(path.dirname(file), { recursive: true });
			const tmp = `${file}.${process.pid}.tmp`;
			fs.writeFileSync(tmp, JSON.stringify({ workerId, pid: process.pid, at: now, running: running() } satisfies Heartbeat));
			fs.renameSync(tmp, file);
		},
		/** A clean stop removes the file: no worker is not the same as a stalled worker. */
		remove() {
			fs.rmSync(file, { force: true });
		}
	};
}

/** Heartbeats of the workers of this data folder, newest first (files older than a day are removed). */
export function readHeartbeats(dataDir: string, now = Date.now()): Heartbeat[] {
	let names: string[];
	try {
		names = fs.readdirSync(dirOf(dataDir)).filter((n) => n.startsWith('worker-') && n.endsWith('.json'));
	} catch {
		return [];
	}
	const out: Heartbeat[] = [];
	for (const n of names) {
		const f = path.join(dirOf(dataDir), n);
		try {
			const h = JSON.parse(fs.readFileSync(f, 'utf8')) as Heartbeat;
			if (now - h.at > 86400_000) fs.rmSync(f, { force: true });
			else out.push(h);
		} catch {
			/* being replaced */
		}
	}
	return out.sort((a, b) => b.at - a.at);
}
