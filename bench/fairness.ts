/**
 * Fair judging, measured: a simulation with known truth.  Run: npx tsx bench/fairness.ts
 *
 * Every seed builds a contest (seeded PRNG of src/lib/server/random.ts):
 * - 12 nominations × 200 entries; an entry's true quality = its nomination's strength
 *   (+0.5 … −0.5 SD, unequal) + its region's strength + N(0, 1); regions are the 89 real ones,
 *   large ones (Москва, Подмосковье, Петербург, Татарстан, …) with more entries; every entry has a
 *   sphere of the practice list (SPHERES);
 * - 120 jurors, capacity 120 (an upper bound: loads end near 60), K = 3: leniency b ~ N(0, 0.5), scale s = e^N(0, 0.3), noise
 *   σ ~ U(0.5, 0.9) in quality SDs, σ × 0.6 on entries of their own sphere (1–2 spheres each);
 * - the portal's router (routing.ts) with its conflicts (same region, same organization) and the
 *   expertise-aware weights (expertise 2, district 1, connectivity 50);
 * - a review: latent = s·q + b + N(0, σ²); each of the five criteria of the real rubric
 *   (DEMO_RUBRIC, integer 0..10) = round(5 + 1.2·(latent + N(0, 0.3²))), clamped;
 * - results by the portal's computeResults in every normalization mode; the portal's winners are
 *   pickWinners(5), its top 10 % shortlist(30).
 * Measures, per nomination, averaged: winners@5 = share of the true top 5 among the portal's 5
 * winners; top10 = share of the true top 10 % among the portal's top 10 %.
 *
 * Scenarios:
 *   all-nominations — every juror covers every nomination, regions of equal strength;
 *   experts         — every juror covers 1–2 nominations (of unequal strength);
 *   strong-regions  — experts + Москва (20 % of entries, 40 % of jurors) is 1 SD stronger
 *                     (FAIRNESS_STRONG) and the same-region conflict keeps Moscow jurors away from
 *                     Moscow entries, so their pools are weaker than the others' — the z-score's
 *                     blind spot.  The gain of the model grows with that strength: measured with 16
 *                     seeds, +0.04 winners@5 at 0.6 SD, +0.07 at 0.8, +0.09 at 1.0;
 *   careless        — experts + 6 % of jurors give every entry the same scores, 6 % score at random.
 *
 * Extra reviews (per scenario): after round 1 (model mode), 10 % of the entries get M = 2 more
 * jurors (routed with their own k, round-1 pairs locked): the most uncertain ones around each
 * winners' cut (uncertainty.ts) against the same number of random entries; reported as the gain
 * of winners@5 per 100 extra reviews.
 *
 * The table also shows the within-nomination correlation of the score with the true quality
 * (far less noisy than winners@5) and the paired standard error of model − z-score.
 *
 * Prints a table and one JSON line; exits 1 unless: model ≥ z-score on winners@5 in every
 * scenario, model − z-score ≥ 0.08 on winners@5 in strong-regions, and adaptive extra reviews gain
 * more than random ones (over all scenarios and in each).
 * FAIRNESS_SEEDS (default 16) seeds per scenario, FAIRNESS_NOMS / FAIRNESS_PER_NOM the size.
 */
import { routeAssignments, type RoutingApplication, type RoutingJuror, type RoutingPair } from '../src/lib/server/review/routing';
import {
	computeResults,
	pickWinners,
	shortlist,
	type Criterion,
	type EntryInfo,
	type NormalizationMode,
	type ResultsOutput,
	type Review
} from '../src/lib/server/results/compute';
import { planExtraReviews } from '../src/lib/server/results/uncertainty';
import { mulberry32 } from '../src/lib/server/random';
import { REGIONS } from '../src/lib/data/regions';
import { DEMO_RUBRIC, SPHERES } from '../src/lib/server/db/demo-content';

const SEEDS = Number(process.env.FAIRNESS_SEEDS ?? 16);
/** how much stronger (in SDs of quality) the strong region's entries are */
const STRONG = Number(process.env.FAIRNESS_STRONG ?? 1);
const NOMS = Number(process.env.FAIRNESS_NOMS ?? 12);
const PER_NOM = Number(process.env.FAIRNESS_PER_NOM ?? 200);
const JURORS = 120;
const CAPACITY = 120;
const K = 3;
const WINNERS = 5;
const TOP = Math.round(PER_NOM * 0.1);
const EXTRA_SHARE = 0.1;
const EXTRA_M = 2;
const MODES: NormalizationMode[] = ['none', 'zscore', 'model'];
const BIG = ['77', '50', '78', '16', '66', '23', '02', '54', '61', '52'];

type Scenario = 'all-nominations' | 'experts' | 'strong-regions' | 'careless';
const SCENARIOS: Scenario[] = ['all-nominations', 'experts', 'strong-regions', 'careless'];
const TITLES: Record<Scenario, string> = {
	'all-nominations': 'эксперты по всем номинациям',
	experts: 'эксперты 1–2 номинаций неравной силы',
	'strong-regions': 'сильный регион + конфликт региона + эксперты',
	careless: 'эксперты + небрежные (одинаково / наугад)'
};

const criteria: Criterion[] = DEMO_RUBRIC.map((c, i) => ({ id: `c${i + 1}`, weight: c.weight, scaleMin: c.scaleMin, scaleMax: c.scaleMax }));

interface JurorModel {
	b: number;
	s: number;
	sigma: number;
	spheres: Set<string>;
	kind: 'normal' | 'flat' | 'random';
}

interface Contest {
	apps: RoutingApplication[];
	entries: EntryInfo[];
	quality: Map<string, number>;
	jurors: RoutingJuror[];
	model: Map<string, JurorModel>;
	rnd: () => number;
	gauss: () => number;
}

function makeContest(scenario: Scenario, seed: number): Contest {
	const rnd = mulberry32(seed * 7919 + SCENARIOS.indexOf(scenario) * 104729);
	let spare: number | null = null;
	const gauss = () => {
		if (spare !== null) {
			const v = spare;
			spare = null;
			return v;
		}
		const u = Math.max(1e-12, rnd());
		const v = rnd();
		const r = Math.sqrt(-2 * Math.log(u));
		spare = r * Math.sin(2 * Math.PI * v);
		return r * Math.cos(2 * Math.PI * v);
	};
	const pick = <T,>(a: readonly T[]) => a[Math.floor(rnd() * a.length)];
	const codes = REGIONS.map((r) => r.code);
	const weighted: string[] = [];
	for (const c of codes) for (let w = 0; w < (BIG.includes(c) ? 5 : 1); w++) weighted.push(c);
	const strong = scenario === 'strong-regions';
	const entryRegion = () => (strong && rnd() < 0.2 ? '77' : pick(weighted));
	const jurorRegion = () => (strong && rnd() < 0.4 ? '77' : pick(weighted));
	const regionStrength = (r: string) => (strong && r === '77' ? STRONG : 0);
	const noms = Array.from({ length: NOMS }, (_, i) => `n${i + 1}`);
	const nomStrength = noms.map((_, i) => 0.5 - i / (NOMS - 1));

	const apps: RoutingApplication[] = [];
	const entries: EntryInfo[] = [];
	const quality = new Map<string, number>();
	let n = 0;
	for (let k = 0; k < NOMS; k++)
		for (let i = 0; i < PER_NOM; i++) {
			const id = `a${String(n++).padStart(5, '0')}`;
			const region = entryRegion();
			apps.push({ id, nominationId: noms[k], region, organization: `орг ${Math.floor(rnd() * 3000)}`, applicantUserId: `u-${id}`, sphere: pick(SPHERES).code });
			entries.push({ id, nominationId: noms[k], number: `НС-2026-${String(n).padStart(5, '0')}`, submittedAt: '2026-03-01T00:00:00Z' });
			quality.set(id, nomStrength[k] + regionStrength(region) + gauss());
		}
	const jurors: RoutingJuror[] = [];
	const model = new Map<string, JurorModel>();
	for (let j = 0; j < JURORS; j++) {
		const id = `j${String(j).padStart(3, '0')}`;
		let nominationIds = noms;
		if (scenario !== 'all-nominations') {
			const set = new Set([pick(noms)]);
			if (rnd() < 0.5) set.add(pick(noms));
			nominationIds = [...set];
		}
		const spheres = new Set([pick(SPHERES).code]);
		if (rnd() < 0.5) spheres.add(pick(SPHERES).code);
		jurors.push({ id, userId: `uj-${id}`, nominationIds, region: jurorRegion(), organization: `орг ${Math.floor(rnd() * 3000)}`, capacity: CAPACITY, expertise: { spheres: [...spheres] } });
		let kind: JurorModel['kind'] = 'normal';
		if (scenario === 'careless') {
			const r = rnd();
			kind = r < 0.06 ? 'flat' : r < 0.12 ? 'random' : 'normal';
		}
		model.set(id, { b: 0.5 * gauss(), s: Math.exp(0.3 * gauss()), sigma: 0.5 + 0.4 * rnd(), spheres, kind });
	}
	// every nomination needs jurors: give uncovered nominations to the least-covered jurors
	for (const nom of noms)
		if (!jurors.some((j) => j.nominationIds.includes(nom))) jurors[Math.floor(rnd() * JURORS)].nominationIds.push(nom);
	return { apps, entries, quality, jurors, model, rnd, gauss };
}

function review(c: Contest, app: RoutingApplication, jurorId: string, n: number): Review {
	const jm = c.model.get(jurorId)!;
	const q = c.quality.get(app.id)!;
	const scores: Record<string, number> = {};
	const sigma = jm.sigma * (jm.spheres.has(app.sphere ?? '') ? 0.6 : 1);
	const latent = jm.kind === 'random' ? -3 + 6 * c.rnd() : jm.s * q + jm.b + sigma * c.gauss();
	for (const cr of criteria) {
		const v = jm.kind === 'flat' ? 7 : Math.round(5 + 1.2 * (latent + 0.3 * c.gauss()));
		scores[cr.id] = Math.max(cr.scaleMin, Math.min(cr.scaleMax, v));
	}
	return { assignmentId: `r${String(n).padStart(6, '0')}`, applicationId: app.id, jurorId, scores, submitted: true };
}

const WEIGHTS = { expertise: 2, district: 1, connectivity: 50 };

function route(c: Contest, existing: RoutingPair[] = [], extra: Set<string> = new Set()) {
	return routeAssignments({
		applications: extra.size ? c.apps.map((a) => (extra.has(a.id) ? { ...a, k: K + EXTRA_M } : a)) : c.apps,
		jurors: c.jurors,
		conflicts: [],
		settings: { k: K, sameRegionConflict: true, weights: WEIGHTS },
		existing: existing.map((p) => ({ ...p, locked: true }))
	});
}

function results(c: Contest, reviews: Review[], mode: NormalizationMode): ResultsOutput {
	return computeResults({ entries: c.entries, criteria, reviews, settings: { normalize: mode !== 'none', normalization: mode, disagreementThreshold: 20, expectedReviews: K } });
}

/** winners@5 and top-10 % against the true qualities, averaged over nominations. */
function measure(c: Contest, out: ResultsOutput): { winners: number; top10: number; corr: number } {
	const byNom = new Map<string, string[]>();
	for (const e of c.entries) byNom.set(e.nominationId, [...(byNom.get(e.nominationId) ?? []), e.id]);
	const trueTop = (ids: string[], n: number) => new Set([...ids].sort((a, b) => c.quality.get(b)! - c.quality.get(a)!).slice(0, n));
	const won = new Map(pickWinners(out, WINNERS).map((w) => [w.nominationId, w.winners.map((x) => x.applicationId)]));
	const short = new Set(shortlist(out, TOP));
	let w = 0;
	let t = 0;
	for (const [nom, ids] of byNom) {
		const t5 = trueTop(ids, WINNERS);
		w += (won.get(nom) ?? []).filter((id) => t5.has(id)).length / WINNERS;
		const t10 = trueTop(ids, TOP);
		t += ids.filter((id) => short.has(id) && t10.has(id)).length / TOP;
	}
	let corr = 0;
	{
		const score = new Map(out.entries.map((e) => [e.applicationId, e.score ?? 0]));
		for (const ids of byNom.values()) {
			const xs = ids.map((id) => c.quality.get(id)!);
			const ys = ids.map((id) => score.get(id)!);
			const mx = xs.reduce((a, b) => a + b) / xs.length;
			const my = ys.reduce((a, b) => a + b) / ys.length;
			let sxy = 0, sxx = 0, syy = 0;
			for (let i = 0; i < xs.length; i++) { sxy += (xs[i] - mx) * (ys[i] - my); sxx += (xs[i] - mx) ** 2; syy += (ys[i] - my) ** 2; }
			corr += syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
		}
	}
	return { winners: w / byNom.size, top10: t / byNom.size, corr: corr / byNom.size };
}

interface Row {
	scenario: Scenario;
	seed: number;
	modes: Record<NormalizationMode, { winners: number; top10: number; corr: number }>;
	extra: { adaptive: number; random: number; reviews: number };
	routing: { meanAffinity: number | null; components: number; componentsMin: number; unplaced: number };
}

function runOne(scenario: Scenario, seed: number): Row {
	const c = makeContest(scenario, seed);
	const plan = route(c);
	const appById = new Map(c.apps.map((a) => [a.id, a]));
	let n = 0;
	const reviews = plan.assignments.map((p) => review(c, appById.get(p.applicationId)!, p.jurorId, n++));
	const modes = {} as Row['modes'];
	let modelOut: ResultsOutput | null = null;
	for (const mode of MODES) {
		const out = results(c, reviews, mode);
		modes[mode] = measure(c, out);
		if (mode === 'model') modelOut = out;
	}
	// extra reviews: the same number of entries, chosen by uncertainty or at random
	const count = Math.round(c.apps.length * EXTRA_SHARE);
	const adaptive = planExtraReviews(modelOut!, { winnersPerNomination: WINNERS, reviews: count * EXTRA_M, perEntry: EXTRA_M, minProbability: 0 }).picks.map((p) => p.applicationId);
	const pool = [...c.apps.map((a) => a.id)];
	const randomPick: string[] = [];
	for (let i = 0; i < adaptive.length; i++) randomPick.push(pool.splice(Math.floor(c.rnd() * pool.length), 1)[0]);
	const gain = (ids: string[]) => {
		const more = route(c, plan.assignments, new Set(ids));
		let m = n;
		const extraReviews = more.added.map((p) => review(c, appById.get(p.applicationId)!, p.jurorId, m++));
		const out = results(c, [...reviews, ...extraReviews], 'model');
		return { delta: measure(c, out).winners - modes.model.winners, reviews: extraReviews.length };
	};
	const a = gain(adaptive);
	const r = gain(randomPick);
	return {
		scenario,
		seed,
		modes,
		extra: { adaptive: (100 * a.delta) / Math.max(1, a.reviews), random: (100 * r.delta) / Math.max(1, r.reviews), reviews: a.reviews },
		routing: { meanAffinity: plan.quality.meanAffinity, components: plan.quality.components, componentsMin: plan.quality.componentsMin, unplaced: plan.unplaced.length }
	};
}

// ---------------------------------------------------------------------------------------------

const t0 = performance.now();
const rows: Row[] = [];
for (const scenario of SCENARIOS) for (let seed = 1; seed <= SEEDS; seed++) rows.push(runOne(scenario, seed));
const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / Math.max(1, xs.length);
const sd = (xs: number[]) => {
	const m = mean(xs);
	return Math.sqrt(mean(xs.map((x) => (x - m) ** 2)));
};
const f3 = (x: number) => x.toFixed(3);

const summary: Record<string, unknown> = {};
const lines: string[] = [];
lines.push(`Справедливость судейства: ${SEEDS} ${SEEDS === 1 ? 'прогон' : 'прогонов'} на сценарий, ${NOMS}×${PER_NOM} работ, ${JURORS} экспертов, K = ${K}`);
lines.push('сценарий'.padEnd(48) + 'режим'.padEnd(9) + 'winners@5'.padStart(16) + 'top-10 %'.padStart(16) + 'корр.'.padStart(9));
let ok = true;
const failures: string[] = [];
for (const scenario of SCENARIOS) {
	const rs = rows.filter((r) => r.scenario === scenario);
	const s: Record<string, unknown> = {};
	for (const mode of MODES) {
		const w = rs.map((r) => r.modes[mode].winners);
		const t = rs.map((r) => r.modes[mode].top10);
		const cr = rs.map((r) => r.modes[mode].corr);
		s[mode] = { winners5: +f3(mean(w)), top10: +f3(mean(t)), corr: +mean(cr).toFixed(4) };
		lines.push(
			`${(mode === 'none' ? TITLES[scenario] : '').padEnd(48)}${mode.padEnd(9)}${`${f3(mean(w))} ± ${f3(sd(w))}`.padStart(16)}${`${f3(mean(t))} ± ${f3(sd(t))}`.padStart(16)}${mean(cr).toFixed(4).padStart(9)}`
		);
	}
	const diff = rs.map((r) => r.modes.model.winners - r.modes.zscore.winners);
	const se = sd(diff) / Math.sqrt(Math.max(1, diff.length - 1));
	const diffTop = rs.map((r) => r.modes.model.top10 - r.modes.zscore.top10);
	const ad = rs.map((r) => r.extra.adaptive);
	const ra = rs.map((r) => r.extra.random);
	s.modelMinusZscore = { winners5: +f3(mean(diff)), se: +f3(se), top10: +f3(mean(diffTop)) };
	s.extraPer100 = { adaptive: +f3(mean(ad)), random: +f3(mean(ra)), reviews: Math.round(mean(rs.map((r) => r.extra.reviews))) };
	s.routing = {
		meanAffinity: +f3(mean(rs.map((r) => r.routing.meanAffinity ?? 0))),
		components: mean(rs.map((r) => r.routing.components)),
		componentsMin: mean(rs.map((r) => r.routing.componentsMin)),
		unplaced: mean(rs.map((r) => r.routing.unplaced))
	};
	lines.push(
		`${''.padEnd(48)}model − zscore: winners@5 ${mean(diff) >= 0 ? '+' : ''}${f3(mean(diff))} (± ${f3(se)}), top-10 % ${mean(diffTop) >= 0 ? '+' : ''}${f3(mean(diffTop))}; доп. оценки (+${EXTRA_M} эксперта у ${Math.round(EXTRA_SHARE * 100)} % работ): ` +
			`по неопределённости ${mean(ad) >= 0 ? '+' : ''}${f3(mean(ad))}, случайно ${mean(ra) >= 0 ? '+' : ''}${f3(mean(ra))} winners@5 на 100 оценок`
	);
	summary[scenario] = s;
	if (!(mean(diff) >= 0)) failures.push(`${scenario}: model ${f3(mean(rs.map((r) => r.modes.model.winners)))} < z-score ${f3(mean(rs.map((r) => r.modes.zscore.winners)))}`);
	if (scenario === 'strong-regions' && !(mean(diff) >= 0.08)) failures.push(`strong-regions: model − z-score = ${f3(mean(diff))} < 0.08`);
	if (!(mean(ad) > mean(ra))) failures.push(`${scenario}: adaptive extra reviews ${f3(mean(ad))} ≤ random ${f3(mean(ra))}`);
}
const allAd = mean(rows.map((r) => r.extra.adaptive));
const allRa = mean(rows.map((r) => r.extra.random));
if (!(allAd > allRa)) failures.push(`adaptive ${f3(allAd)} ≤ random ${f3(allRa)} over all scenarios`);
ok = failures.length === 0;
console.log(lines.join('\n'));
console.log(
	JSON.stringify({
		name: 'fairness',
		seeds: SEEDS,
		entries: NOMS * PER_NOM,
		jurors: JURORS,
		k: K,
		strongRegion: STRONG,
		seconds: Math.round((performance.now() - t0) / 100) / 10,
		scenarios: summary,
		extraPer100: { adaptive: +f3(allAd), random: +f3(allRa) },
		ok
	})
);
if (!ok) {
	for (const f of failures) console.error(`fairness: ${f}`);
	process.exit(1);
}
