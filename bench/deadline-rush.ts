// Deadline rush: N applicants (default 500) submit their applications within a few seconds
// against the built server. Each has a complete draft (prepared in the database beforehand, as if
// they had filled the wizard) and a session; 10% of them double-click. Reports p50/p95/p99 of the
// submit latency, errors, and checks that every entry is submitted exactly once with a unique
// number.
//   npx tsx bench/deadline-rush.ts     (BENCH_RUSH_N=500, BENCH_RUSH_CONCURRENCY=100)
import fs from 'node:fs';
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
	const portal = await startBuiltPortal({}, dataDir);
	try {
		const submit = async (p: (typeof people)[number]) => {
			const s = performance.now();
			const r = await fetch(`${portal.url}/cabinet/applications/${p.appId}/submit?/submit`, {
				method: 'POST',
				redirect: 'manual',
				headers: { cookie: p.cookie, origin: portal.url, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
				body: new URLSearchParams({ version: String(p.version), consent: 'on' })
			});
			await r.arrayBuffer();
			return { ms: performance.now() - s, ok: r.status === 303 && (r.headers.get('location') ?? '').includes('submitted=1'), status: r.status };
		};
		// 10% double-click: the same request twice at once.
		const jobs = people.flatMap((p, i) => (i % 10 === 0 ? [p, p] : [p]));
		const lat: number[] = [];
		const statuses: Record<string, number> = {};
		let errors = 0;
		let next = 0;
		const w0 = performance.now();
		await Promise.all(
			Array.from({ length: CONCURRENCY }, async () => {
				for (;;) {
					const i = next++;
					if (i >= jobs.length) return;
					const r = await submit(jobs[i]);
					lat.push(r.ms);
					statuses[r.status] = (statuses[r.status] ?? 0) + 1;
					if (!r.ok) errors++;
				}
			})
		);
		const wallSec = (performance.now() - w0) / 1000;
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
			process.exitCode = 1;
		}
	} finally {
		await portal.stop();
		fs.rmSync(dataDir, { recursive: true, force: true });
	}
}

await main();
