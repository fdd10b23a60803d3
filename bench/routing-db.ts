/**
 * Benchmark of the routing wired to SQLite (src/lib/server/review/plan.ts).
 * Run: npx tsx bench/routing-db.ts
 *
 * Seeds a temporary database with the instance of bench/routing.ts (24 000 submitted
 * applications, 10 nominations, 600 jurors with capacity 150, regional and organizational
 * conflicts, 2 000 declared conflicts), creates round 1, then times:
 *   preview  — reading the round, building the input, routing, diffing against the stored pairs;
 *   apply    — the same inside one transaction + writing 72 000 assignments and 72 000 audit events;
 *   dropout  — the most loaded juror drops out: preview + apply of the incremental run.
 * Prints one JSON line per step; exits non-zero if the apply takes > 30 s or RSS exceeds 1 GiB.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { openDatabase } from '../src/lib/server/db/client';
import { runMigrations } from '../src/lib/server/db/migrate';
import { applications, assignments, auditEvents, conflicts, contests, jurorProfiles, nominations, users } from '../src/lib/server/db/schema';
import { createRound } from '../src/lib/server/review/rounds';
import { applyRouting, previewRouting } from '../src/lib/server/review/plan';
import { applyTriggerMode, TRIGGERS_MODE } from './_triggers';
import { mulberry32 } from '../src/lib/server/random';

const APPS = Number(process.env.ROUTING_APPS ?? 24_000);
const JURORS = Number(process.env.ROUTING_JURORS ?? 600);
const NOMS = 10;
const REGIONS = 89;
const ORGS = 2_000;
const CAPACITY = 150;
const DECLARED = 2_000;

const rnd = mulberry32(20_250_601);
const pick = (n: number) => Math.floor(rnd() * n);
const pad = (n: number, w: number) => String(n).padStart(w, '0');
const peakMB = () => Math.round(process.resourceUsage().maxRSS / 1024);
const region = (i: number) => pad(1 + (i % 95), 2);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-routing-db-'));
const db = openDatabase(path.join(dir, 'bench.db'));
runMigrations(db);
applyTriggerMode(db.$client);

let t0 = performance.now();
const now = new Date();
const contestId = 'contest-bench';
db.transaction((tx) => {
	tx.insert(contests)
		.values({ id: contestId, slug: 'bench', title: 'Бенчмарк', year: 2026, phase: 'review', openAt: now, closeAt: now, reviewEndAt: now, resultsAt: now, settings: { jurorsPerEntry: 3, sameRegionConflict: true } })
		.run();
	for (let n = 0; n < NOMS; n++) tx.insert(nominations).values({ id: `nom-${pad(n + 1, 2)}`, contestId, slug: `n${n}`, title: `Номинация ${n + 1}`, track: 'mentor', sort: n }).run();
	const jurorUsers = [];
	const profiles = [];
	for (let j = 0; j < JURORS; j++) {
		const count = 1 + pick(3);
		const set = new Set<string>();
		while (set.size < count) set.add(`nom-${pad(pick(NOMS) + 1, 2)}`);
		const id = `jur-${pad(j, 5)}`;
		jurorUsers.push({ id, email: `${id}@bench.local`, fio: `Эксперт ${j}`, role: 'jury' as const, passwordHash: 'x' });
		profiles.push({ userId: id, nominationIds: [...set], regionCode: region(pick(REGIONS)), organization: `Организация №${1 + pick(ORGS)}`, capacity: CAPACITY, active: true });
	}
	for (let i = 0; i < JURORS; i += 500) {
		tx.insert(users).values(jurorUsers.slice(i, i + 500)).run();
		tx.insert(jurorProfiles).values(profiles.slice(i, i + 500)).run();
	}
	const rows = [];
	const apps = [];
	for (let i = 0; i < APPS; i++) {
		rows.push({ id: `user-a${i}`, email: `a${i}@bench.local`, fio: `Заявитель ${i}`, role: 'applicant' as const });
		apps.push({
			id: `app-${pad(i, 6)}`,
			contestId,
			nominationId: `nom-${pad(pick(NOMS) + 1, 2)}`,
			applicantId: `user-a${i}`,
			number: `НС-2026-${pad(i + 1, 5)}`,
			seq: i + 1,
			status: 'submitted' as const,
			regionCode: region(pick(REGIONS)),
			organization: `организация  №${1 + pick(ORGS)}`
		});
	}
	for (let i = 0; i < APPS; i += 1000) {
		tx.insert(users).values(rows.slice(i, i + 1000)).run();
		tx.insert(applications).values(apps.slice(i, i + 1000)).run();
	}
	const seen = new Set<string>();
	for (let c = 0; c < DECLARED; c++) {
		const jurorId = `jur-${pad(pick(JURORS), 5)}`;
		const applicationId = `app-${pad(pick(APPS), 6)}`;
		const reason = rnd() < 0.8 ? ('declared' as const) : ('recused' as const);
		if (seen.has(jurorId + applicationId)) continue;
		seen.add(jurorId + applicationId);
		tx.insert(conflicts).values({ id: `c${c}`, jurorId, applicationId, reason }).run();
	}
});
const round = createRound(db, contestId, { number: 1 });
console.log(JSON.stringify({ name: 'routing-db-seed', applications: APPS, jurors: JURORS, ms: Math.round(performance.now() - t0) }));

t0 = performance.now();
const p = previewRouting(db, round.id);
const previewMs = Math.round(performance.now() - t0);
console.log(JSON.stringify({ name: 'routing-db-preview', ms: previewMs, added: p.added, unplaced: p.unplaced.length, minLoad: p.minLoad, maxLoad: p.maxLoad, peakRssMB: peakMB() }));

// as if the results cache had just read the round: the first write bumps its version (0010)
db.$client.prepare('UPDATE round_versions SET dirty = 0').run();
t0 = performance.now();
const s = applyRouting(db, null, round.id, { digest: p.digest });
const applyMs = Math.round(performance.now() - t0);
const stored = db.select({ n: sql<number>`count(*)` }).from(assignments).get()!.n;
const events = db.select({ n: sql<number>`count(*)` }).from(auditEvents).where(eq(auditEvents.action, 'assignment.add')).get()!.n;
console.log(JSON.stringify({ name: 'routing-db-apply', versionTriggers: TRIGGERS_MODE, ms: applyMs, added: s.added, storedAssignments: stored, auditEvents: events, coveredFully: s.coveredFully, peakRssMB: peakMB() }));

// incremental: the most loaded juror drops out
const dropped = [...p.jurors].sort((a, b) => b.after - a.after || (a.userId < b.userId ? -1 : 1))[0];
db.update(jurorProfiles).set({ active: false }).where(eq(jurorProfiles.userId, dropped.userId)).run();
t0 = performance.now();
const p2 = previewRouting(db, round.id);
const s2 = applyRouting(db, null, round.id, { digest: p2.digest });
const incMs = Math.round(performance.now() - t0);
console.log(JSON.stringify({ name: 'routing-db-dropout', ms: incMs, removed: s2.removed, added: s2.added, droppedLoad: dropped.after, peakRssMB: peakMB() }));

db.$client.close();
fs.rmSync(dir, { recursive: true, force: true });

let failed = false;
if (applyMs > 30_000) {
	console.error(`apply took ${applyMs} ms > 30000 ms`);
	failed = true;
}
if (peakMB() > 1024) {
	console.error(`peak RSS ${peakMB()} MB > 1024 MB`);
	failed = true;
}
if (s.added !== stored || s2.removed !== dropped.after) {
	console.error('stored pairs do not match the plan');
	failed = true;
}
process.exit(failed ? 1 : 0);
