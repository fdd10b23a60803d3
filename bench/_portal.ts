// Shared by the benchmarks: start the BUILT portal in its own data folder, and read a process's
// memory from /proc.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';

export const root = path.resolve(import.meta.dirname, '..');

export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const s = net.createServer();
		s.once('error', reject);
		s.listen(0, '127.0.0.1', () => {
			const port = (s.address() as net.AddressInfo).port;
			s.close(() => resolve(port));
		});
	});
}

export function ensureBuilt() {
	const r = spawnSync(process.execPath, [path.join(root, 'scripts/start.js'), '--build-only'], { stdio: 'inherit', cwd: root });
	if (r.status !== 0) throw new Error('build failed');
}

export interface BenchPortal {
	url: string;
	port: number;
	s3Port: number;
	dataDir: string;
	proc: ChildProcess;
	/** What the portal wrote (stdout and stderr). */
	logs: string[];
	stop(): Promise<void>;
}

/** Starts `node scripts/start.js` on free ports; `prepare` may fill the data folder first. */
export async function startBuiltPortal(env: Record<string, string> = {}, dataDir?: string): Promise<BenchPortal> {
	const dir = dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'portal-bench-'));
	const port = await freePort();
	const s3Port = await freePort();
	const url = `http://localhost:${port}`;
	const logs: string[] = [];
	const proc = spawn(process.execPath, [path.join(root, 'scripts/start.js')], {
		cwd: root,
		env: { ...process.env, SKIP_BUILD: '1', NODE_ENV: 'test', PORT: String(port), ORIGIN: url, EMBEDDED_S3_PORT: String(s3Port), DATA_DIR: dir, LOG_REQUESTS: 'false', ...(process.env.BENCH_PORTAL_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_PORTAL_NODE_OPTIONS } : {}), ...env },
		stdio: ['ignore', 'pipe', 'pipe']
	});
	proc.stdout!.on('data', (d) => logs.push(String(d)));
	proc.stderr!.on('data', (d) => logs.push(String(d)));
	const deadline = Date.now() + 60_000;
	for (;;) {
		if (proc.exitCode !== null) throw new Error(logs.join(''));
		try {
			if ((await fetch(`${url}/health`)).status === 200) break;
		} catch {
			/* not yet */
		}
		if (Date.now() > deadline) throw new Error(`portal did not start:\n${logs.join('')}`);
		await new Promise((r) => setTimeout(r, 200));
	}
	return {
		url,
		port,
		s3Port,
		dataDir: dir,
		proc,
		logs,
		async stop() {
			const exited = new Promise((r) => proc.once('exit', r));
			proc.kill('SIGTERM');
			await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
			if (proc.exitCode === null) proc.kill('SIGKILL');
			if (!dataDir) fs.rmSync(dir, { recursive: true, force: true });
		}
	};
}

/** Resident memory of a process in MB (VmRSS), or its high-water mark (VmHWM). */
export function rssMB(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
	const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
	const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(s);
	return m ? Number(m[1]) / 1024 : NaN;
}

export function percentile(sorted: number[], p: number): number {
	if (!sorted.length) return NaN;
	const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
	return sorted[i];
}

export const round1 = (x: number) => Math.round(x * 10) / 10;
