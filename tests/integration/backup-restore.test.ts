/**
 * The disaster drill as a test: the demo portal runs; a new user registers, a juror scores and
 * submits, an applicant saves a draft; `npm run backup` runs while requests keep coming; the
 * machine is «lost» (portal stopped, DATA_DIR deleted); `npm run restore -- --from latest` fills
 * a new data folder; the portal starts there and has every row (count and checksum of every table
 * as the manifest recorded them) and the same logins and sessions.
 *
 * Backups go to BACKUP_DIR (a folder outside DATA_DIR) with the embedded S3 — whose files are in
 * DATA_DIR and go with it; against an outside S3 (TEST_S3_ENDPOINT) they go to BACKUP_S3_PREFIX in
 * the portal's bucket, and the new portal is pointed at the same bucket.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import { simpleParser } from 'mailparser';
import { startPortal, Client, type Portal } from '../helpers/portal';
import { EXTERNAL_S3, createExternalBucket, dropExternalBucket, externalEnv, externalClient, uniqueBucket } from '../helpers/s3';
import { inspectDatabase } from '../../src/lib/server/ops/sqlite-task';
import { DirStore, S3Store, type BackupStore } from '../../src/lib/server/ops/backup-store';
import { listBackups, readManifest, type Manifest } from '../../src/lib/server/ops/backup';

const root = path.resolve(import.meta.dirname, '../..');
const DEMO = 'nastavnik2026';
const NEW_PASSWORD = 'Drill-Password-2026';
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'drill-'));
const dataDir1 = path.join(work, 'machine-1');
const dataDir2 = path.join(work, 'machine-2');
const backupDir = path.join(work, 'backups');
const bucket = EXTERNAL_S3 ? uniqueBucket('drill') : null;
/** The same backup settings on both «machines». */
const backupEnv: Record<string, string> = bucket ? { ...externalEnv(bucket), DEMO: 'true', BACKUP_S3_PREFIX: 'drill-backups/' } : { BACKUP_DIR: backupDir };
const store: BackupStore = bucket ? new S3Store(externalClient(), bucket, 'drill-backups/') : new DirStore(backupDir);

let portal: Portal | undefined;

/** Runs a CLI of the project (tsx) with the portal's configuration; resolves with its output. */
function cli(script: string, args: string[], env: Record<string, string>) {
	return new Promise<{ code: number | null; out: string }>((resolve) => {
		const p = spawn(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), script, ...args], {
			cwd: root,
			env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'warn', ...env },
			stdio: ['ignore', 'pipe', 'pipe']
		});
		let out = '';
		p.stdout.on('data', (d) => (out += d));
		p.stderr.on('data', (d) => (out += d));
		p.on('exit', (code) => resolve({ code, out }));
	});
}

async function login(p: Portal, email: string, password: string) {
	const c = new Client(p.url);
	const r = await c.post('/login', { email, password });
	expect(r.status, `вход ${email}`).toBe(303);
	return c;
}

async function mailLink(dataDir: string, to: string, part: string) {
	const dir = path.join(dataDir, 'outbox');
	for (let i = 0; i < 100; i++) {
		for (const f of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
			const m = await simpleParser(fs.readFileSync(path.join(dir, f)));
			const addrs = (Array.isArray(m.to) ? m.to : m.to ? [m.to] : []).flatMap((a) => a.value.map((v) => v.address));
			const link = new RegExp(`https?://\\S*${part}\\S*`).exec(m.text ?? '')?.[0];
			if (addrs.includes(to) && link) return new URL(link).pathname;
		}
		await new Promise((r) => setTimeout(r, 200));
	}
	throw new Error(`нет письма для ${to}`);
}

beforeAll(async () => {
	if (bucket) await createExternalBucket(bucket, ['http://localhost']);
});
afterAll(async () => {
	await portal?.stop();
	if (bucket) await dropExternalBucket(bucket);
	fs.rmSync(work, { recursive: true, force: true });
});

describe('disaster drill: backup under load → lose the machine → restore → same rows, same logins', () => {
	it('runs end to end', { timeout: 240_000 }, async () => {
		const step = (m: string) => console.log(`[учения] ${m}`);
		portal = await startPortal({ DATA_DIR: dataDir1, RATE_LIMIT_PER_IP: '1000', ...backupEnv });
		const p1 = portal;

		// A new user with a password of their own.
		const email = `drill-${Date.now()}@example.ru`;
		const reg = await new Client(p1.url).post('/register', { fio: 'Учебная Тревога Петровна', email, password: NEW_PASSWORD, password2: NEW_PASSWORD, agree: 'on' });
		expect(reg.status).toBeLessThan(400);
		expect((await new Client(p1.url).get(await mailLink(dataDir1, email, '/verify/'))).status).toBeLessThan(400);
		await login(p1, email, NEW_PASSWORD);

		step('новый пользователь вошёл');
		// A juror scores an entry and submits the score.
		const jury = await login(p1, 'jury1@nastavnik.demo', DEMO);
		const ids = [...new Set([...(await (await jury.get('/jury')).text()).matchAll(/\/jury\/assignments\/([a-z0-9]+)/g)].map((m) => m[1]))];
		let submitted = '';
		for (const id of ids) {
			const page = await (await jury.get(`/jury/assignments/${id}`)).text();
			const crit = /name="criteria" value="([^"]+)"/.exec(page)?.[1].split(',');
			const version = /name="version" value="(\d+)"/.exec(page)?.[1];
			if (!crit || !version) continue;
			const form: Record<string, string> = { version, intent: 'submit', criteria: crit.join(','), comment: 'Сильная практика, результаты измерены. Учения резервного копирования.' };
			for (const c of crit) form[`c_${c}`] = '7';
			const r = await jury.post(`/jury/assignments/${id}?/save`, form);
			if (r.status === 200 || r.status === 303) {
				submitted = id;
				break;
			}
		}
		expect(submitted, 'одна оценка отправлена').not.toBe('');
		// An applicant starts an application.
		const a1 = await login(p1, 'applicant1@nastavnik.demo', DEMO);
		expect((await a1.post('/cabinet/apply/nastavnichestvo-2026', { nomination: 'mentor-production' })).status).toBe(303);

		step('оценка отправлена, заявка начата');
		// The backup runs while requests keep coming (reads and writes).
		let running = true;
		const statuses: number[] = [];
		const load = Promise.all(
			[0, 1, 2].map(async (w) => {
				const c = w === 0 ? jury : w === 1 ? a1 : new Client(p1.url);
				while (running) {
					const r = await c.get(w === 0 ? '/jury' : w === 1 ? '/cabinet' : '/library?q=наставник');
					statuses.push(r.status);
					await r.arrayBuffer();
					if (w === 1) {
						const s = await c.post('/cabinet/apply/nastavnichestvo-2026', { nomination: 'mentor-production' });
						statuses.push(s.status);
					}
				}
			})
		);
		await new Promise((r) => setTimeout(r, 300));
		const backup = await cli('scripts/backup.ts', [], { DATA_DIR: dataDir1, ...backupEnv });
		running = false;
		await load;
		expect(backup.code, backup.out).toBe(0);
		expect(backup.out).toMatch(/Резервная копия \S+ → /);
		expect(statuses.length).toBeGreaterThan(10);
		expect(statuses.filter((s) => s >= 500)).toEqual([]);
		const sets = (await listBackups(store)).filter((s) => s.complete);
		expect(sets).toHaveLength(1);
		const manifest = (await readManifest(store, sets[0].id)) as Manifest;
		expect(manifest.tables.users.rows).toBeGreaterThan(5);
		expect(manifest.tables.scores.rows).toBeGreaterThan(0);

		step(`копия ${sets[0].id} во время ${statuses.length} запросов`);
		// The machine is lost.
		const oldSession = new Map(jury.cookies);
		await p1.stop();
		portal = undefined;
		fs.rmSync(dataDir1, { recursive: true, force: true });

		// A new machine: restore into an empty data folder.
		const restored = await cli('scripts/restore.ts', ['--from', 'latest'], { DATA_DIR: dataDir2, ...backupEnv });
		expect(restored.code, restored.out).toBe(0);
		expect(restored.out).toContain(`Восстановлена копия ${manifest.id}`);
		// A second restore over it is refused: the database is there now.
		const again = await cli('scripts/restore.ts', ['--from', 'latest'], { DATA_DIR: dataDir2, ...backupEnv });
		expect(again.code).toBe(1);
		expect(again.out).toMatch(/никогда не перезаписывает/);

		step('восстановлено');
		// The portal starts on it (the job worker off, so nothing changes the rows before we count).
		portal = await startPortal({ DATA_DIR: dataDir2, JOB_WORKER: 'false', ...backupEnv });
		const p2 = portal;
		const now = await inspectDatabase(path.join(dataDir2, 'portal.db'));
		expect(now.integrity).toEqual(['ok']);
		expect(Object.keys(now.tables).sort()).toEqual(Object.keys(manifest.tables).sort());
		for (const [name, t] of Object.entries(manifest.tables)) expect(now.tables[name], name).toEqual(t);
		// What was done before the backup is there.
		const d = new Database(path.join(dataDir2, 'portal.db'), { readonly: true });
		expect((d.prepare('select status from assignments where id = ?').get(submitted) as { status: string }).status).toBe('submitted');
		expect(d.prepare('select 1 from users where email = ?').get(email)).toBeTruthy();
		d.close();

		// The same logins and the same sessions.
		await login(p2, 'jury1@nastavnik.demo', DEMO);
		await login(p2, 'org@nastavnik.demo', DEMO);
		await login(p2, email, NEW_PASSWORD);
		const bad = await new Client(p2.url).post('/login', { email, password: 'не тот пароль 1' });
		expect(bad.status).toBe(400);
		const resumed = new Client(p2.url);
		resumed.cookies = oldSession;
		const q = await resumed.get('/jury');
		expect(q.status).toBe(200);
		expect(await q.text()).toContain(submitted);
	});
});
