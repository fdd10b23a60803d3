// Deadline rush: N applicants (default 500) submit their applications within a few seconds
// against the built server. Each has a complete draft (prepared in the database beforehand, as if
// they had filled the wizard) and a session; 10% of them double-click. Reports p50/p95/p99 of the
// submit latency, errors, and checks that every entry is submitted exactly once with a unique
// number.
//   npx tsx bench/deadline-rush.ts     (BENCH_RUSH_N=500, BENCH_RUSH_CONCURRENCY=100)
// Each submit comes on its own connection, as 2,000 applicants' browsers do. BENCH_RUSH_KEEPALIVE=on
// sends them over 100 kept-alive connections instead (the earlier model: there the requests of
// the first burst wait for the whole rush, outside the application — see README, «Дедлайн»);
// BENCH_RUSH_TRACE=<file> writes start/latency/index per request and the portal's request log
// (server-side time per request) beside it; BENCH_RUSH_WORKER=off runs without the job worker.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { eq, and, sql } from 'drizzle-orm';
import { ensureBuilt, startBuiltPortal, percentile, round1 } from './_portal';
import { openDatabase } from '../src/lib/server/db/client';
import { runMigrations } from '../src/lib/server/db/migrate';
import { seedDemo } from '../src/lib/server/seed';
import { applications, assets, contests, users } from '../src/lib/server/db/schema';
import { createSession } from '../src/lib/server/auth/sessions';
import { startApplication, saveStep } from '../src/lib/server/applications/service';
import { newId } from '../src/lib/server/ids';

const N = Number(process.env.BENCH_RUSH_N ?? 500);
const CONCURRENCY = Number(process.env.BENCH_RUSH_CONCURRENCY ?? 100);

async function prepare(dataDir: string) {
	const db = openDatabase(path.join(dataDir, 'portal.db'));
	runMigrations(db);
	await seedDemo(db);
	const contest = db.select().from(contests).where(eq(contests.slug, 'nastavnichestvo-2026')).get()!;
	const out: { cookie: string; appId: string; version: number }[] = [];
	const about = { regionCode: '16', municipality: 'г. Казань', organization: 'МБОУ «Школа»', position: 'учитель', mentoringYears: '5', phone: '+7 (900) 000-00-00' };
	const practice = {
		title: 'Школа молодого специалиста',
		problem: 'Молодые специалисты уходили в первый год работы.',
		actions: 'Наставник сопровождает каждого нового сотрудника в течение года.',
		team: 'Восемь наставников',
		since: '2020',
		results: 'Текучесть снизилась с 30% до 10% за три года.'
	};
	const now = new Date();
	const ABC = 'абвгдежзиклмнопрстуфхцчшэюя';
	const name = (i: number) => `Участник ${[...String(i).padStart(3, '0')].map((d) => ABC[Number(d)]).join('')}ов Иван`;
	db.transaction((tx) => {
		for (let i = 0; i < N; i++) {
			const id = newId();
			tx.insert(users).values({ id, email: `rush${i}@example.ru`, fio: name(i), role: 'applicant', emailVerifiedAt: now }).run();
			const actor = { id, role: 'applicant' as const, emailVerifiedAt: now };
			const app = startApplication(tx, actor, contest, i % 2 ? 'mentor-education' : 'practice-education', now);
			let v = saveStep(tx, actor, app.id, 'about', { ...about, fio: name(i) }, app.version, now).app.version;
			v = saveStep(tx, actor, app.id, 'practice', practice, v, now).app.version;
			v = saveStep(tx, actor, app.id, 'letter', { letterText: 'Я наставник уже много лет и помогаю молодым коллегам. '.repeat(6) }, v, now).app.version;
			tx.insert(assets).values({ id: newId(), ownerId: id, applicationId: app.id, kind: 'video', status: 'uploaded', key: `rush/${app.id}.mp4`, createdAt: now, uploadedAt: now }).run();
			const { token } = createSession(tx, id, now);
			out.push({ cookie: `session=${token}`, appId: app.id, version: v });
		}
	});
	const before = db.select({ n: sql<number>`count(*)` }).from(applications).where(eq(applications.status, 'submitted')).get()!.n;
	db.$client.close();
	return { people: out, before };
}

async function main() {
	ensureBuilt();
	const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-rush-'));
	const t0 = performance.now();
	const { people, before } = await prepare(dataDir);
	const prepSec = (performance.now() - t0) / 1000;
	const portal = await startBuiltPortal({ ...(process.env.BENCH_RUSH_WORKER === 'off' ? { JOB_WORKER: 'false' } : {}), ...(process.env.BENCH_RUSH_TRACE ? { LOG_REQUESTS: 'true', LOG_LEVEL: 'info', LOG_FORMAT: 'json' } : {}) }, dataDir);
	try {
		// The loopback address itself: a name would be resolved for every new connection.
		const target = portal.url.replace('//localhost:', '//127.0.0.1:');
		// node:http with a keep-alive agent, one socket per concurrent applicant (fetch/undici's own
		// queueing showed up in the tail: BENCH_RUSH_CLIENT=fetch to compare).
		const agent = new http.Agent({ keepAlive: process.env.BENCH_RUSH_KEEPALIVE === 'on', maxSockets: CONCURRENCY });
		const u = new URL(target);
		const post = (p: (typeof people)[number]) =>
			new Promise<{ status: number; location: string }>((resolve, reject) => {
				const body = new URLSearchParams({ version: String(p.version), consent: 'on' }).toString();
				const req = http.request(
					{ host: u.hostname, port: u.port, path: `/cabinet/applications/${p.appId}/submit?/submit`, method: 'POST', agent, headers: { cookie: p.cookie, origin: portal.url, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } },
					(res) => {
						res.resume();
						res.on('end', () => resolve({ status: res.statusCode!, location: String(res.headers.location ?? '') }));
						res.on('error', reject);
					}
				);
				req.on('error', reject);
				req.end(body);
			});
		const submit = async (p: (typeof people)[number]) => {
			const s = performance.now();
			if (process.env.BENCH_RUSH_CLIENT === 'fetch') {
				const r = await fetch(`${target}/cabinet/applications/${p.appId}/submit?/submit`, {
					method: 'POST',
					redirect: 'manual',
					headers: { cookie: p.cookie, origin: portal.url, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
					body: new URLSearchParams({ version: String(p.version), consent: 'on' })
				});
				await r.arrayBuffer();
				return { ms: performance.now() - s, ok: r.status === 303 && (r.headers.get('location') ?? '').includes('submitted=1'), status: r.status };
			}
			const r = await post(p);
			return { ms: performance.now() - s, ok: r.status === 303 && r.location.includes('submitted=1'), status: r.status };
		};
		// 10% double-click: the same request twice at once.
		const jobs = people.flatMap((p, i) => (i % 10 === 0 ? [p, p] : [p]));
		const lat: number[] = [];
		const statuses: Record<string, number> = {};
		let errors = 0;
		let next = 0;
		// A server at a deadline is warm: its route modules are loaded and compiled. Load them
		// (a few submit pages of applicants outside the measured rush would do the same).
		if (process.env.BENCH_RUSH_WARM !== 'off') {
			for (const p of people.slice(0, 5)) await (await fetch(`${portal.url}/cabinet/applications/${p.appId}/submit`, { headers: { cookie: p.cookie, accept: 'text/html' } })).arrayBuffer();
		}
		const trace: [number, number, number][] = [];
		const w0 = performance.now();
		await Promise.all(
			Array.from({ length: CONCURRENCY }, async () => {
				for (;;) {
					const i = next++;
					if (i >= jobs.length) return;
					const r = await submit(jobs[i]).catch((e: Error & { cause?: { code?: string } }) => ({ ms: NaN, ok: false, status: e.cause?.code ?? e.message }));
					if (!Number.isNaN(r.ms)) lat.push(r.ms);
					if (process.env.BENCH_RUSH_TRACE) trace.push([Math.round(performance.now() - w0 - r.ms), Math.round(r.ms), i]);
					statuses[r.status] = (statuses[r.status] ?? 0) + 1;
					if (!r.ok) errors++;
				}
			})
		);
		const wallSec = (performance.now() - w0) / 1000;
		if (process.env.BENCH_RUSH_TRACE) {
			fs.writeFileSync(process.env.BENCH_RUSH_TRACE, trace.map((t) => t.join(' ')).join('\n'));
			fs.writeFileSync(process.env.BENCH_RUSH_TRACE + '.server', portal.logs.join(''));
		}
		lat.sort((a, b) => a - b);
		const db = openDatabase(path.join(dataDir, 'portal.db'));
		const contest = db.select().from(contests).where(eq(contests.slug, 'nastavnichestvo-2026')).get()!;
		// The demo already holds submitted entries; count the rush's own.
		const submitted = db.select({ n: sql<number>`count(*)` }).from(applications).where(and(eq(applications.contestId, contest.id), eq(applications.status, 'submitted'))).get()!.n - before;
		const numbers = db.select({ number: applications.number }).from(applications).where(eq(applications.contestId, contest.id)).all().map((r) => r.number).filter(Boolean);
		const unique = new Set(numbers).size;
		const total = db.select({ n: sql<number>`count(*)` }).from(applications).where(eq(applications.contestId, contest.id)).get()!.n - before;
		db.$client.close();
		const result = {
			name: 'deadline-rush',
			applicants: N,
			requests: jobs.length,
			concurrency: CONCURRENCY,
			wallSec: round1(wallSec),
			reqPerSec: round1(jobs.length / wallSec),
			p50ms: round1(percentile(lat, 50)),
			p95ms: round1(percentile(lat, 95)),
			p99ms: round1(percentile(lat, 99)),
			maxMs: round1(lat[lat.length - 1]),
			errors,
			statuses,
			submitted,
			applicationsInDb: total,
			uniqueNumbers: unique,
			demoEntriesBefore: before,
			duplicateNumbers: numbers.length - unique,
			prepSec: round1(prepSec)
		};
		console.log(JSON.stringify(result));
		if (errors || submitted !== N || unique !== N + before || total !== N) {
			console.error('deadline rush: expected zero errors and exactly one submitted entry with a unique number per applicant');
			console.error(portal.logs.join('').split('\n').filter((l) => /ERROR|FATAL|Error/.test(l)).slice(-20).join('\n'));
			process.exitCode = 1;
		}
	} finally {
		await portal.stop();
		fs.rmSync(dataDir, { recursive: true, force: true });
	}
}

await main();
