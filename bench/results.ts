/**
 * Benchmark of computeResults: `npx tsx bench/results.ts`
 *
 * Deterministic input (seeded PRNG): 24,000 entries × 3 reviews × 5 criteria, 10 nominations,
 * 600 jurors (60 per nomination, each with a personal leniency bias). Each mode
 * (normalization 'none' / 'zscore' / 'model' — the juror-bias model of model.ts) is timed 3 times,
 * interleaved; the reported ms is the median, and the process exits 1 if ANY run (including the
 * first, cold one) exceeds 2000 ms. Prints one JSON line.
 */
import {
	computeResults,
	type Criterion,
	type EntryInfo,
	type Review,
	type ResultsOutput
} from '../src/lib/server/results/compute';
import { mulberry32 } from '../src/lib/server/random';

const ENTRIES = 24_000;
const REVIEWS_PER_ENTRY = 3;
const NOMINATIONS = 10;
const JURORS = 600;
const LIMIT_MS = 2000;
const RUNS = 3;

function generate(): { entries: EntryInfo[]; criteria: Criterion[]; reviews: Review[] } {
	const rnd = mulberry32(20260101);
	const criteria: Criterion[] = [
		{ id: 'relevance', weight: 3, scaleMin: 0, scaleMax: 10 },
		{ id: 'impact', weight: 2.5, scaleMin: 0, scaleMax: 10 },
		{ id: 'method', weight: 2, scaleMin: 0, scaleMax: 10 },
		{ id: 'scalability', weight: 1.5, scaleMin: 1, scaleMax: 5 },
		{ id: 'presentation', weight: 1, scaleMin: 0, scaleMax: 5 }
	];
	const jurorsPerNom = JURORS / NOMINATIONS;
	const bias = Array.from({ length: JURORS }, () => (rnd() - 0.5) * 0.4);
	const base = Date.UTC(2026, 1, 1);
	const entries: EntryInfo[] = [];
	const reviews: Review[] = [];
	let assignment = 0;
	for (let i = 0; i < ENTRIES; i++) {
		const nom = i % NOMINATIONS;
		const id = `app-${i}`;
		entries.push({
			id,
			nominationId: `nom-${nom}`,
			number: `НС-2026-${String(i + 1).padStart(5, '0')}`,
			submittedAt: new Date(base + Math.floor(rnd() * 60 * 86_400_000)).toISOString()
		});
		const quality = rnd();
		const picked = new Set<number>();
		while (picked.size < REVIEWS_PER_ENTRY) picked.add(nom * jurorsPerNom + Math.floor(rnd() * jurorsPerNom));
		for (const j of picked) {
			const scores: Record<string, number> = {};
			for (const c of criteria) {
				const span = c.scaleMax - c.scaleMin;
				const v = c.scaleMin + Math.round((quality + bias[j] + (rnd() - 0.5) * 0.3) * span);
				scores[c.id] = Math.min(c.scaleMax, Math.max(c.scaleMin, v));
			}
			reviews.push({ assignmentId: `as-${assignment++}`, applicationId: id, jurorId: `jur-${j}`, scores, submitted: true });
		}
	}
	return { entries, criteria, reviews };
}

function median(xs: number[]): number {
	const s = [...xs].sort((a, b) => a - b);
	return s[s.length >> 1];
}

const data = generate();
const times: Record<'raw' | 'norm' | 'model', number[]> = { raw: [], norm: [], model: [] };
let last: ResultsOutput | null = null;
let modelOut: ResultsOutput | null = null;
const MODE = { raw: 'none', norm: 'zscore', model: 'model' } as const;
for (let r = 0; r < RUNS; r++) {
	for (const mode of ['raw', 'norm', 'model'] as const) {
		last = null; // let the previous output be collected outside the timed region
		modelOut = null;
		const t0 = performance.now();
		last = computeResults({
			...data,
			settings: { normalize: mode !== 'raw', normalization: MODE[mode], disagreementThreshold: 20, expectedReviews: REVIEWS_PER_ENTRY }
		});
		times[mode].push(performance.now() - t0);
		if (mode === 'model') modelOut = last;
	}
}
if (!last || last.entries.length !== ENTRIES || last.summary.countedReviews !== ENTRIES * REVIEWS_PER_ENTRY) {
	console.error('bench: unexpected output', last?.summary);
	process.exit(2);
}

const r1 = (x: number) => Math.round(x * 10) / 10;
const line = {
	name: 'results',
	entries: ENTRIES,
	reviews: data.reviews.length,
	msRaw: r1(median(times.raw)),
	msNormalized: r1(median(times.norm)),
	msModel: r1(median(times.model)),
	modelIterations: modelOut?.model?.iterations ?? null,
	modelConverged: modelOut?.model?.converged ?? null,
	peakRssMB: r1(process.resourceUsage().maxRSS / 1024),
	maxMsRaw: r1(Math.max(...times.raw)),
	maxMsNormalized: r1(Math.max(...times.norm)),
	maxMsModel: r1(Math.max(...times.model))
};
console.log(JSON.stringify(line));
if (line.maxMsRaw > LIMIT_MS || line.maxMsNormalized > LIMIT_MS || line.maxMsModel > LIMIT_MS) {
	console.error(`bench: computeResults exceeded ${LIMIT_MS} ms`);
	process.exit(1);
}
