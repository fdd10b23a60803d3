import { describe, expect, it } from 'vitest';
import http from 'node:http';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startPortal, Client } from '../helpers/portal';

const root = path.resolve(import.meta.dirname, '../..');
function userCreate(dataDir: string, ...args: string[]) {
	return spawnSync(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), 'scripts/user-create.ts', ...args], {
		cwd: root,
		env: { ...process.env, DATA_DIR: dataDir, NODE_ENV: 'production', DEMO: 'false', ORIGIN: 'https://konkurs.example.ru' },
		encoding: 'utf8'
	});
}

describe('npm run user:create', () => {
	it('refuses an unknown role and a bad email with a Russian message', () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-'));
		const r = userCreate(dir, '--email', 'boss@example.ru', '--role', 'hacker');
		expect(r.status).toBe(2);
		expect(r.stderr).toContain('--role: одна из applicant, jury, organizer');
		const e = userCreate(dir, '--email', 'not-an-email', '--role', 'organizer');
		expect(e.status).toBe(2);
		fs.rmSync(dir, { recursive: true, force: true });
	});

	it('bootstraps an organizer of a production install; the link sets the password', async () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-'));
		const r = userCreate(dir, '--email', 'boss@example.ru', '--role', 'organizer', '--fio', 'Иванов Иван Иванович');
		expect(r.status, r.stderr).toBe(0);
		const link = /https:\/\/konkurs\.example\.ru(\/invite\/\S+)/.exec(r.stdout)![1];
		expect(userCreate(dir, '--email', 'boss@example.ru', '--role', 'organizer').status).toBe(1);
		// The same data folder served by the portal: the link works once and logs the organizer in.
		const portal = await startPortal({ DATA_DIR: dir, DEMO: 'false' });
		try {
			const c = new Client(portal.url);
			expect((await c.get(link)).status).toBe(200);
			const set = await c.post(link, { password: 'Organizer-2026', password2: 'Organizer-2026' });
			expect(set.status).toBe(303);
			expect(set.headers.get('location')).toBe('/admin');
			expect((await c.get('/admin')).status).toBe(200);
			// No demo accounts in such an install.
			const demo = await new Client(portal.url).post('/login', { email: 'org@nastavnik.demo', password: 'nastavnik2026' });
			expect(demo.status).toBe(400);
		} finally {
			await portal.stop();
			fs.rmSync(dir, { recursive: true, force: true });
		}
	});
});

describe('start and stop', () => {
	it('SIGTERM stops the server and the embedded S3 cleanly', async () => {
		const portal = await startPortal();
		const s3 = await fetch(`${portal.url}/health`).then((r) => r.json());
		expect(s3.s3).toBe('ok');
		const exited = new Promise<number | null>((r) => portal.proc.once('exit', (code) => r(code)));
		portal.proc.kill('SIGTERM');
		expect(await exited).toBe(0);
		// Nothing listens any more, the S3 child included.
		await expect(fetch(`${portal.url}/health`)).rejects.toThrow();
		await expect(fetch(`http://127.0.0.1:${portal.s3Port}/`)).rejects.toThrow();
		await portal.stop();
	});

	it('SIGTERM: the request in flight is answered, idle keep-alive sockets do not hold it, it exits within 10 s (issue 11, point 10)', async () => {
		const portal = await startPortal();
		// A browser's idle keep-alive connection…
		const agent = new http.Agent({ keepAlive: true });
		await new Promise<void>((done) => http.get(`${portal.url}/health`, { agent }, (r) => r.resume().on('end', done)));
		// …and a login whose body is still arriving when SIGTERM comes.
		const body = new URLSearchParams({ email: 'org@nastavnik.demo', password: 'nastavnik2026' }).toString();
		const req = http.request(`${portal.url}/login`, {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), origin: portal.url, accept: 'text/html' }
		});
		const answered = new Promise<number>((resolve, reject) => {
			req.on('response', (r) => r.resume().on('end', () => resolve(r.statusCode!)));
			req.on('error', reject);
		});
		req.write(body.slice(0, 10));
		await new Promise((r) => setTimeout(r, 300));
		const t0 = Date.now();
		const exited = new Promise<{ code: number | null; ms: number }>((r) => portal.proc.once('exit', (code) => r({ code, ms: Date.now() - t0 })));
		portal.proc.kill('SIGTERM');
		await new Promise((r) => setTimeout(r, 1000));
		req.end(body.slice(10));
		expect(await answered).toBe(303);
		const e = await exited;
		expect(e.code).toBe(0);
		expect(e.ms).toBeLessThan(10_000);
		agent.destroy();
		await expect(fetch(`http://127.0.0.1:${portal.s3Port}/`)).rejects.toThrow();
		await portal.stop();
	}, 60_000);
});
