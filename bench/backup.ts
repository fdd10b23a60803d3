/**
 * Backups at national scale: time and size of `npm run backup` for a database of 24 000 submitted
 * applications with 72 000 assignments (two thirds scored), and the portal's latency during the
 * backup against without it, measured side by side in the same run.
 *
 *   npx tsx bench/backup.ts                 (the fixture is built once and cached: see bench/fixtures/national.ts)
 *   BENCH_BACKUP_ROUNDS=3 BENCH_BACKUP_CLIENTS=4 BENCH_FIXTURE_SIZE=small npx tsx bench/backup.ts
 *
 * The built portal runs on the fixture (job worker off, so only the load writes). Four clients
 * loop over what a juror and visitors do: the heavy juror's queue (200 entries), an assignment
 * page, a draft save (a write), the contest page. Each round: the load without a backup for as
 * long as the previous backup took, then the load while `npm run backup` runs in its own process
 * (nice 10, its snapshot thread at 19; VACUUM INTO, checks, zstd, to BACKUP_DIR). Then the same
 * backup with the portal stopped (the work itself on this machine) and a verified restore. Prints
 * one JSON line per measurement and the ratio of the median p99s.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { ensureBuilt, startBuiltPortal, percentile, round1, root } from './_portal';
import { buildNationalFixture } from './fixtures/national';
import { DirStore } from '../src/lib/server/ops/backup-store';
import { createBackup, listBackups, readManifest } from '../src/lib/server/ops/backup';
import { restoreBackup } from '../src/lib/server/ops/restore';

const ROUNDS = Number(process.env.BENCH_BACKUP_ROUNDS ?? 3);
const CLIENTS = Number(process.env.BENCH_BACKUP_CLIENTS ?? 4);
const SIZE = (process.env.BENCH_FIXTURE_SIZE ?? 'national') as 'national' | 'small';
const out = (o: Record<string, unknown>) => console.log(JSON.stringify(o));

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-backup-'));
const dataDir = path.join(work, 'data');
const backupDir = path.join(work, 'backups');

ensureBuilt();
const t0 = performance.now();
const fx = await buildNationalFixture(path.join(dataDir, 'portal.db'), { size: SIZE, log: (m) => console.error(`[фикстура] ${m}`) });
out({ name: 'backup-fixture', cached: fx.cached, buildS: round1(fx.buildMs / 1000), readyS: round1((performance.now() - t0) / 1000), ...fx.counts, heavyJurorAssignments: fx.heavyJuror.assignments, dbMB: round1(fs.statSync(fx.path).size / 1048576) });

const portal = await startBuiltPortal({ DEMO: 'false', JOB_WORKER: 'false', RATE_LIMIT_PER_IP: '100000', RATE_LIMIT_PER_ACCOUNT: '100000' }, dataDir);

class Session {
	cookie = '';
	constructor(public base: string) {}
	async login(email: string, password: string) {
		const r = await fetch(`${this.base}/login`, { method: 'POST', redirect: 'manual', body: new URLSearchParams({ email, password }), headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', origin: this.base } });
		if (r.status !== 303) throw new Error(`вход ${email}: ${r.status}`);
		this.cookie = r.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
	}
	get(p: string) {
		return fetch(`${this.base}${p}`, { redirect: 'manual', headers: { cookie: this.cookie, accept: 'text/html' } });
	}
	post(p: string, form: Record<string, string>) {
		return fetch(`${this.base}${p}`, { method: 'POST', redirect: 'manual', body: new URLSearchParams(form), headers: { cookie: this.cookie, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', origin: this.base } });
	}
}

const juror = new Session(portal.url);
await juror.login(fx.heavyJuror.email, fx.heavyJuror.password);
const queue = await (await juror.get('/jury')).text();
const ids = [...new Set([...queue.matchAll(/\/jury\/assignments\/([a-z0-9]+)/g)].map((m) => m[1]))];
if (ids.length < fx.heavyJuror.assignments) throw new Error(`в очереди эксперта ${ids.length} назначений`);
const visitor = new Session(portal.url);

let stop = false;
let lat: number[] = [];
let errors = 0;
async function client(n: number) {
	let i = n;
	while (!stop) {
		i++;
		const kind = i % 7;
		const t = performance.now();
		let r: Response;
		if (kind < 3) r = await juror.get('/jury');
		else if (kind < 5) r = await juror.get(`/jury/assignments/${ids[i % ids.length]}`);
		else if (kind === 5) {
			const id = ids[(i * 13) % ids.length];
			const page = await (await juror.get(`/jury/assignments/${id}`)).text();
			const crit = /name="criteria" value="([^"]+)"/.exec(page)?.[1].split(',') ?? [];
			const version = /name="version" value="(\d+)"/.exec(page)?.[1] ?? '1';
			const form: Record<string, string> = { version, intent: 'draft', criteria: crit.join(','), comment: `черновик ${i}` };
			for (const c of crit) form[`c_${c}`] = String(i % 11);
			r = await juror.post(`/jury/assignments/${id}?/save`, form);
		} else r = await visitor.get(`/contests/${fx.contestSlug}`);
		await r.arrayBuffer();
		lat.push(performance.now() - t);
		if (r.status >= 500) errors++;
	}
}
function window(): { run: () => Promise<void>; end: () => void } {
	stop = false;
	const clients = Array.from({ length: CLIENTS }, (_, n) => client(n));
	return { run: () => Promise.all(clients).then(() => undefined), end: () => (stop = true) };
}
function summary(name: string, ms: number) {
	const s = [...lat].sort((a, b) => a - b);
	const r = { name, requests: s.length, errors, rps: round1(s.length / (ms / 1000)), p50ms: round1(percentile(s, 50)), p95ms: round1(percentile(s, 95)), p99ms: round1(percentile(s, 99)), maxms: round1(s.at(-1) ?? NaN) };
	lat = [];
	errors = 0;
	return r;
}
function runBackup(): Promise<{ code: number | null; out: string; ms: number }> {
	return new Promise((resolve) => {
		const t = performance.now();
		const p = spawn(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), 'scripts/backup.ts'], {
			cwd: root,
			env: { ...process.env, NODE_ENV: 'test', DATA_DIR: dataDir, BACKUP_DIR: backupDir, BACKUP_KEEP: '1000h', LOG_LEVEL: 'warn' },
			stdio: ['ignore', 'pipe', 'pipe']
		});
		let o = '';
		p.stdout.on('data', (d) => (o += d));
		p.stderr.on('data', (d) => (o += d));
		p.on('exit', (code) => resolve({ code, out: o, ms: performance.now() - t }));
	});
}

// Warm-up: pages compiled, caches filled.
{
	const w = window();
	await new Promise((r) => setTimeout(r, 3000));
	w.end();
	await w.run();
	lat = [];
	errors = 0;
}

const base: ReturnType<typeof summary>[] = [];
const during: ReturnType<typeof summary>[] = [];
let windowMs = 15_000;
for (let round = 1; round <= ROUNDS; round++) {
	let w = window();
	let t = performance.now();
	await new Promise((r) => setTimeout(r, windowMs));
	w.end();
	await w.run();
	base.push(summary(`backup-load-without-r${round}`, performance.now() - t));
	out(base.at(-1)!);

	// `npm run backup` in its own process (nice 10; the snapshot thread at 19), as an operator or cron runs it.
	w = window();
	t = performance.now();
	const b = await runBackup();
	w.end();
	await w.run();
	if (b.code !== 0) throw new Error(`npm run backup: ${b.out}`);
	during.push(summary(`backup-load-during-r${round}`, performance.now() - t));
	out({ ...during.at(-1)!, cliS: round1(b.ms / 1000), output: b.out.trim().split('\n').at(-1) });
	windowMs = Math.max(5000, Math.round(b.ms));
}
await portal.stop();
// The same backup with the portal stopped: the time the work itself takes on this machine.
const quiet = await createBackup({ dbPath: path.join(dataDir, 'portal.db'), store: new DirStore(path.join(work, 'quiet')), workDir: path.join(work, 'backup-work') });
out({ name: 'backup-idle', backupS: round1(quiet.durationMs / 1000) });

const store = new DirStore(backupDir);
const sets = (await listBackups(store)).filter((s) => s.complete);
const manifests = (await Promise.all(sets.map((s) => readManifest(store, s.id)))).filter((m) => m !== null);
const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const m = manifests.at(-1)!;

out({
	name: 'backup',
	runs: ROUNDS,
	lastBackupUnderLoadS: round1(m.durationMs / 1000),
	dbMB: round1(m.snapshot.rawBytes / 1048576),
	compressedMB: round1(m.snapshot.bytes / 1048576),
	ratio: round1(m.snapshot.rawBytes / m.snapshot.bytes),
	applications: m.tables.applications.rows,
	assignments: m.tables.assignments.rows,
	scores: m.tables.scores.rows,
	schema: m.schema.lastTag
});
const tr = performance.now();
const restored = await restoreBackup({ store, from: 'latest', dbPath: path.join(work, 'restored', 'portal.db') });
out({ name: 'backup-restore', id: restored.id, restoreS: round1((performance.now() - tr) / 1000), verified: 'sha256 + integrity_check + tables' });
const p99 = (a: { p99ms: number }[]) => med(a.map((x) => x.p99ms));
const p50 = (a: { p50ms: number }[]) => med(a.map((x) => x.p50ms));
out({
	name: 'backup-latency',
	clients: CLIENTS,
	rounds: ROUNDS,
	p50WithoutMs: p50(base),
	p50DuringMs: p50(during),
	p99WithoutMs: p99(base),
	p99DuringMs: p99(during),
	p99Ratio: Math.round((p99(during) / p99(base)) * 100) / 100,
	errors: [...base, ...during].reduce((s, x) => s + x.errors, 0)
});
fs.rmSync(work, { recursive: true, force: true });
