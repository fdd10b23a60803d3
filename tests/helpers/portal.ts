import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './ports';
import { EXTERNAL_S3, createExternalBucket, dropExternalBucket, externalEnv, uniqueBucket } from './s3';

export interface Portal {
	url: string;
	/** Port of the embedded S3 (when the portal runs one). */
	s3Port: number;
	/** The bucket of this portal in TEST_S3_ENDPOINT, when the tests run against an outside S3. */
	bucket: string | null;
	dataDir: string;
	proc: ChildProcess;
	logs: string[];
	stop(): Promise<void>;
}

/**
 * Starts the built portal (build/) as `npm start` would, in its own data folder, with its own
 * embedded S3 and ports — or, when TEST_S3_ENDPOINT is set, with a bucket of its own in that S3
 * (demo data on, as in the default run) — and waits until /health answers.
 */
export async function startPortal(env: Record<string, string> = {}): Promise<Portal> {
	const dataDir = env.DATA_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'portal-test-'));
	const port = await freePort();
	const s3Port = await freePort();
	const url = `http://localhost:${port}`;
	let bucket: string | null = null;
	let s3env: Record<string, string> = {};
	if (EXTERNAL_S3 && !env.S3_ENDPOINT && env.EMBEDDED_S3 !== 'true') {
		bucket = env.S3_BUCKET ?? uniqueBucket('portal');
		if (!env.S3_BUCKET) await createExternalBucket(bucket, [url]);
		s3env = { ...externalEnv(bucket), DEMO: 'true' };
	}
	const logs: string[] = [];
	const proc = spawn(process.execPath, ['scripts/start.js'], {
		cwd: path.resolve(import.meta.dirname, '../..'),
		env: {
			...process.env,
			SKIP_BUILD: '1',
			NODE_ENV: 'test',
			PORT: String(port),
			ORIGIN: url,
			EMBEDDED_S3_PORT: String(s3Port),
			DATA_DIR: dataDir,
			LOG_REQUESTS: 'false',
			...s3env,
			...env
		},
		stdio: ['ignore', 'pipe', 'pipe']
	});
	proc.stdout!.on('data', (d) => logs.push(String(d)));
	proc.stderr!.on('data', (d) => logs.push(String(d)));
	const deadline = Date.now() + 60_000;
	for (;;) {
		if (proc.exitCode !== null) throw new Error(`Портал не запустился:\n${logs.join('')}`);
		try {
			const r = await fetch(`${url}/health`);
			if (r.status === 200) break;
		} catch {
			/* not yet */
		}
		if (Date.now() > deadline) {
			proc.kill('SIGKILL');
			throw new Error(`Портал не ответил за 60 с:\n${logs.join('')}`);
		}
		await new Promise((r) => setTimeout(r, 200));
	}
	return {
		url,
		s3Port,
		bucket,
		dataDir,
		proc,
		logs,
		async stop() {
			if (proc.exitCode === null) {
				const exited = new Promise((r) => proc.once('exit', r));
				proc.kill('SIGTERM');
				await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
				if (proc.exitCode === null) proc.kill('SIGKILL');
			}
			if (!env.DATA_DIR) fs.rmSync(dataDir, { recursive: true, force: true });
			if (bucket && !env.S3_BUCKET) await dropExternalBucket(bucket);
		}
	};
}

/** A tiny browser: keeps cookies, sends the Origin of the portal with form posts. */
export class Client {
	cookies = new Map<string, string>();
	constructor(public base: string) {}

	private absorb(r: Response) {
		for (const c of r.headers.getSetCookie()) {
			const [pair, ...attrs] = c.split(';');
			const i = pair.indexOf('=');
			const name = pair.slice(0, i).trim();
			const value = pair.slice(i + 1).trim();
			const expired = attrs.some((a) => /max-age=0/i.test(a) || /expires=Thu, 01 Jan 1970/i.test(a));
			if (expired || value === '') this.cookies.delete(name);
			else this.cookies.set(name, value);
		}
	}

	private headers(extra: Record<string, string> = {}) {
		const h: Record<string, string> = { ...extra };
		if (this.cookies.size) h.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
		return h;
	}

	async get(p: string, init: RequestInit = {}) {
		const r = await fetch(new URL(p, this.base), { redirect: 'manual', ...init, headers: this.headers({ accept: 'text/html', ...(init.headers as Record<string, string>) }) });
		this.absorb(r);
		return r;
	}

	/** Posts a form like a browser without JavaScript would. */
	async post(p: string, form: Record<string, string>, origin = this.base) {
		const r = await fetch(new URL(p, this.base), {
			method: 'POST',
			redirect: 'manual',
			body: new URLSearchParams(form),
			headers: this.headers({ 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', origin })
		});
		this.absorb(r);
		return r;
	}

	async json(p: string, body: unknown, method = 'POST') {
		const r = await fetch(new URL(p, this.base), {
			method,
			redirect: 'manual',
			body: JSON.stringify(body),
			headers: this.headers({ 'content-type': 'application/json', origin: this.base })
		});
		this.absorb(r);
		return r;
	}
}
