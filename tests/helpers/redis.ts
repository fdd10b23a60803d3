/**
 * A real redis-server for a test, on a free loopback port, without persistence (so a restart
 * loses its data, as a Redis without AOF does). `REDIS_SERVER` names the binary (default
 * redis-server on PATH; .ci/run installs it from Debian).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { freePort } from './ports';

const BIN = process.env.REDIS_SERVER || 'redis-server';

export const redisAvailable = (() => {
	try {
		return spawnSync(BIN, ['--version'], { stdio: 'ignore' }).status === 0;
	} catch {
		return false;
	}
})();

export interface TestRedis {
	url: string;
	port: number;
	stop(): Promise<void>;
	start(): Promise<void>;
	close(): Promise<void>;
}

function waitPort(port: number, ms: number): Promise<void> {
	const end = Date.now() + ms;
	return new Promise((resolve, reject) => {
		const tryOnce = () => {
			const s = net.connect(port, '127.0.0.1');
			s.once('connect', () => {
				s.destroy();
				resolve();
			});
			s.once('error', () => {
				s.destroy();
				if (Date.now() > end) reject(new Error(`redis-server did not listen on ${port}`));
				else setTimeout(tryOnce, 50);
			});
		};
		tryOnce();
	});
}

export async function startTestRedis(): Promise<TestRedis> {
	const port = await freePort();
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'redis-test-'));
	let child: ChildProcess | undefined;
	const start = async () => {
		child = spawn(BIN, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--loglevel', 'warning'], { stdio: 'ignore' });
		await waitPort(port, 10_000);
	};
	const stop = async () => {
		const c = child;
		child = undefined;
		if (!c || c.exitCode !== null) return;
		const exited = new Promise((r) => c.once('exit', r));
		c.kill('SIGKILL');
		await exited;
	};
	await start();
	return {
		url: `redis://127.0.0.1:${port}`,
		port,
		start,
		stop,
		async close() {
			await stop();
			fs.rmSync(dir, { recursive: true, force: true });
		}
	};
}
