/**
 * Benchmark of the automatic jury routing (src/lib/server/review/routing.ts).
 * Run: npx tsx bench/routing.ts
 *
 * Deterministic instance (seeded PRNG): 24 000 applications, 10 nominations, regions R1..R89,
 * ~2 000 organizations, 600 jurors covering 1–3 nominations each with capacity 150, K = 3,
 * regional and organizational conflicts on, 2 000 declared conflicts.
 * Prints one JSON line per run and exits non-zero if the full routing takes > 10 s or the
 * peak RSS exceeds 1 GiB.
 */
import {
	routeAssignments,
	type RoutingApplication,
	type RoutingConflict,
	type RoutingInput,
	type RoutingJuror
} from '../src/lib/server/review/routing';
import { mulberry32 } from '../src/lib/server/random';

const APPS = Number(process.env.ROUTING_APPS ?? 24_000);
const JURORS = Number(process.env.ROUTING_JURORS ?? 600);
const NOMS = 10;
const REGIONS = 89;
const ORGS = 2_000;
const CAPACITY = Number(process.env.ROUTING_CAPACITY ?? 150);
const K = 3;
const DECLARED = 2_000;

const rnd = mulberry32(20_250_601);
const pick = (n: number) => Math.floor(rnd() * n);
const pad = (n: number, w: number) => String(n).padStart(w, '0');

const nominations = Array.from({ length: NOMS }, (_, i) => `nom-${pad(i + 1, 2)}`);
const jurors: RoutingJuror[] = [];
for (let j = 0; j < JURORS; j++) {
	const count = 1 + pick(3);
	const set = new Set<string>();
	while (set.size < count) set.add(nominations[pick(NOMS)]);
	jurors.push({
		id: `jur-${pad(j, 5)}`,
		userId: `user-j${j}`,
		nominationIds: [...set],
		region: `R${1 + pick(REGIONS)}`,
		organization: `Организация №${1 + pick(ORGS)}`,
		capacity: CAPACITY
	});
}
const applications: RoutingApplication[] = [];
for (let i = 0; i < APPS; i++) {
	applications.push({
		id: `app-${pad(i, 6)}`,
		nominationId: nominations[pick(NOMS)],
		region: `R${1 + pick(REGIONS)}`,
		organization: `организация  №${1 + pick(ORGS)}`, // differs only by case/spaces: normalization matters
		applicantUserId: `user-a${i}`
	});
}
const conflicts: RoutingConflict[] = [];
for (let c = 0; c < DECLARED; c++) {
	conflicts.push({
		jurorId: jurors[pick(JURORS)].id,
		applicationId: applications[pick(APPS)].id,
		reason: rnd() < 0.8 ? 'declared' : 'recused'
	});
}

const input: RoutingInput = { applications, jurors, conflicts, settings: { k: K, sameRegionConflict: true } };

const peakMB = () => Math.round(process.resourceUsage().maxRSS / 1024);

let t0 = performance.now();
const full = routeAssignments(input);
const fullMs = Math.round(performance.now() - t0);
const fullPeak = peakMB();
console.log(
	JSON.stringify({
		name: 'routing',
		applications: APPS,
		jurors: JURORS,
		k: K,
		ms: fullMs,
		peakRssMB: fullPeak,
		minLoad: full.stats.minLoad,
		maxLoad: full.stats.maxLoad,
		unplaced: full.unplaced.length,
		pairs: full.assignments.length,
		cost: full.stats.cost
	})
);

// incremental: the most loaded juror drops out
const dropped = [...jurors].sort((a, b) => full.loads[b.id] - full.loads[a.id] || (a.id < b.id ? -1 : 1))[0];
const input2: RoutingInput = {
	...input,
	jurors: jurors.map((j) => (j.id === dropped.id ? { ...j, active: false } : j)),
	existing: full.assignments
};
t0 = performance.now();
const inc = routeAssignments(input2);
const incMs = Math.round(performance.now() - t0);
const incPeak = peakMB();
console.log(
	JSON.stringify({
		name: 'routing-incremental-dropout',
		applications: APPS,
		jurors: JURORS - 1,
		k: K,
		ms: incMs,
		peakRssMB: incPeak,
		minLoad: inc.stats.minLoad,
		maxLoad: inc.stats.maxLoad,
		unplaced: inc.unplaced.length,
		added: inc.added.length,
		removed: inc.removed.length,
		kept: inc.kept.length
	})
);

let failed = false;
if (fullMs > 10_000) {
	console.error(`routing took ${fullMs} ms > 10000 ms`);
	failed = true;
}
if (Math.max(fullPeak, incPeak) > 1024) {
	console.error(`peak RSS ${Math.max(fullPeak, incPeak)} MB > 1024 MB`);
	failed = true;
}
// only the dropped juror's pairs may move
if (
	inc.removed.length !== full.loads[dropped.id] ||
	inc.removed.some((p) => p.jurorId !== dropped.id) ||
	inc.kept.length !== full.assignments.length - full.loads[dropped.id]
) {
	console.error('incremental re-route touched more than the dropped juror’s pairs');
	failed = true;
}
process.exit(failed ? 1 : 0);
