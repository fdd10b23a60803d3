/**
 * Benchmark of the results through the database: `npx tsx bench/results-db.ts`
 *
 * 1. Writes 24,000 entries × 3 submitted reviews × 5 criteria (10 nominations, 600 jurors with a
 *    personal leniency, 360,000 score rows) into a temporary SQLite file with the real schema.
 * 2. Times `loadRound` (the set-based read) and `computeRound` (computeResults) — median of 3
 *    runs each; fails (exit 1) if any load + compute exceeds 2,000 ms.
 * 3. Streams the 24,000-row entries XLSX (exceljs WorkbookWriter) and the CSV into files and
 *    reports time, file size and memory: the process's peak RSS before and after the export
 *    (process.resourceUsage().maxRSS) and the heap after. The XLSX export is repeated in a fresh
 *    child process that only loads, computes and exports (`xlsxFreshProcess`): its peak RSS after
 *    load + compute vs after the export, and the RSS sampled every 20 ms during the export.
 * Prints one JSON line.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { openDatabase } from '../src/lib/server/db/client';
import { runMigrations } from '../src/lib/server/db/migrate';
import { computeRound, loadRound } from '../src/lib/server/results/load';
import { entriesCsv, entriesXlsx } from '../src/lib/server/results/exports';

import { spawnSync } from 'node:child_process';
import { mulberry32 } from '../src/lib/server/random';
import { applyTriggerMode, TRIGGERS_MODE } from './_triggers';

const ENTRIES = 24_000;
const K = 3;
const NOMINATIONS = 10;
const JURORS = 600;
const LIMIT_MS = 2000;

const mb = (kb: number) => Math.round(kb / 1024);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

// ---- child mode: load + compute + export in a fresh process, so that its peak RSS is the export's
if (process.argv[2] === '--export') {
	const file = process.argv[3];
	const cdb = openDatabase(file);
	const l = loadRound(cdb, 'r1');
	const res = computeRound(l);
	const rssComputed = process.resourceUsage().maxRSS;
	let sampled = process.memoryUsage().rss;
	const timer = setInterval(() => (sampled = Math.max(sampled, process.memoryUsage().rss)), 20);
	const rssBefore = process.memoryUsage().rss;
	const t0 = performance.now();
	await pipeline(entriesXlsx(l, res), fs.createWriteStream(path.join(path.dirname(file), 'child.xlsx')));
	const ms = performance.now() - t0;
	clearInterval(timer);
	console.log(
		JSON.stringify({
			ms: Math.round(ms),
			bytes: fs.statSync(path.join(path.dirname(file), 'child.xlsx')).size,
			peakRssMbAfterLoadCompute: mb(rssComputed),
			peakRssMbAfterExport: mb(process.resourceUsage().maxRSS),
			rssMbBeforeExport: Math.round(rssBefore / 2 ** 20),
			rssMbMaxDuringExport: Math.round(sampled / 2 ** 20)
		})
	);
	process.exit(0);
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-results-'));
const db = openDatabase(path.join(dir, 'bench.db'));
runMigrations(db);
const sql = db.$client;
applyTriggerMode(sql);

// ---- write the round ------------------------------------------------------------------------
const tWrite = performance.now();
const rnd = mulberry32(20260101);
const now = Date.now();
const REGIONS = ['77', '78', '50', '16', '02', '54', '25', '66', '61', '63', '05', '39', '72', '24', '23'];
sql.transaction(() => {
	sql.prepare(`INSERT INTO contests (id, slug, title, year, phase, open_at, close_at, review_end_at, results_at, settings) VALUES ('c', 'bench', 'Бенчмарк', 2026, 'review', ?, ?, ?, ?, '{}')`).run(now - 9e9, now - 1e9, now, now + 1e9);
	const nom = sql.prepare(`INSERT INTO nominations (id, contest_id, slug, title, track, sort) VALUES (?, 'c', ?, ?, ?, ?)`);
	for (let n = 0; n < NOMINATIONS; n++) nom.run(`nom-${n}`, `n${n}`, `Номинация ${n + 1}`, n % 2 ? 'practice' : 'mentor', n);
	const crit = sql.prepare(`INSERT INTO criteria (id, contest_id, title, weight, scale_min, scale_max, sort) VALUES (?, 'c', ?, ?, ?, ?, ?)`);
	const CRIT: [string, number, number, number][] = [
		['relevance', 3, 0, 10],
		['impact', 2, 0, 10],
		['method', 2, 0, 10],
		['scalability', 1, 1, 5],
		['presentation', 1, 0, 5]
	];
	CRIT.forEach(([id, w, lo, hi], i) => crit.run(id, id, w, lo, hi, i));
	const user = sql.prepare(`INSERT INTO users (id, email, fio, role) VALUES (?, ?, ?, ?)`);
	const prof = sql.prepare(`INSERT INTO juror_profiles (user_id, nomination_ids, region_code, organization, capacity) VALUES (?, ?, ?, ?, 200)`);
	for (let j = 0; j < JURORS; j++) {
		user.run(`jur-${j}`, `j${j}@bench`, `Эксперт ${String(j).padStart(3, '0')} Бенчмаркович`, 'jury');
		prof.run(`jur-${j}`, JSON.stringify([`nom-${j % NOMINATIONS}`]), REGIONS[j % REGIONS.length], `Орг ${j}`);
	}
	sql.prepare(`INSERT INTO rounds (id, contest_id, number, title, status, settings) VALUES ('r1', 'c', 1, 'Первый тур', 'active', '{}')`).run();
	// as if the results cache had just read the round: the first write bumps its version (0010)
	sql.prepare(`UPDATE round_versions SET dirty = 0`).run();
	const app = sql.prepare(
		`INSERT INTO applications (id, contest_id, nomination_id, applicant_id, number, seq, status, region_code, organization, practice, submitted_at) VALUES (?, 'c', ?, ?, ?, ?, 'in_review', ?, ?, ?, ?)`
	);
	const entry = sql.prepare(`INSERT INTO round_entries (round_id, application_id) VALUES ('r1', ?)`);
	const asg = sql.prepare(`INSERT INTO assignments (id, round_id, application_id, juror_id, status, comment, started_at, submitted_at) VALUES (?, 'r1', ?, ?, 'submitted', ?, ?, ?)`);
	const score = sql.prepare(`INSERT INTO scores (assignment_id, criterion_id, value) VALUES (?, ?, ?)`);
	const bias = Array.from({ length: JURORS }, () => (rnd() - 0.5) * 0.4);
	const perNom = JURORS / NOMINATIONS;
	let a = 0;
	for (let i = 0; i < ENTRIES; i++) {
		const n = i % NOMINATIONS;
		user.run(`u-${i}`, `a${i}@bench`, `Участник ${i} Бенчмаркович`, 'applicant');
		app.run(`app-${i}`, `nom-${n}`, `u-${i}`, `НС-2026-${String(i + 1).padStart(5, '0')}`, i + 1, REGIONS[i % REGIONS.length], `Школа ${i}`, JSON.stringify({ title: `Практика ${i}` }), now - Math.floor(rnd() * 30 * 86_400_000));
		entry.run(`app-${i}`);
		const q = rnd();
		const picked = new Set<number>();
		while (picked.size < K) picked.add(n * perNom + Math.floor(rnd() * perNom));
		for (const j of picked) {
			const id = `as-${a++}`;
			const started = now - Math.floor(rnd() * 10 * 86_400_000);
			asg.run(id, `app-${i}`, `jur-${j}`, 'Комментарий эксперта к заявке', started, started + 600_000 + Math.floor(rnd() * 1_800_000));
			for (const [c, , lo, hi] of CRIT) score.run(id, c, Math.min(hi, Math.max(lo, lo + Math.round((q + bias[j] + (rnd() - 0.5) * 0.3) * (hi - lo)))));
		}
	}
})();
const writeMs = performance.now() - tWrite;

// ---- load + compute ---------------------------------------------------------------------------
const loads: number[] = [];
const computes: number[] = [];
const totals: number[] = [];
let loaded = loadRound(db, 'r1');
let results = computeRound(loaded);
for (let r = 0; r < 3; r++) {
	const t0 = performance.now();
	loaded = loadRound(db, 'r1');
	const t1 = performance.now();
	results = computeRound(loaded, { normalize: r % 2 === 1 });
	const t2 = performance.now();
	loads.push(t1 - t0);
	computes.push(t2 - t1);
	totals.push(t2 - t0);
}
if (results.summary.entries !== ENTRIES || results.summary.countedReviews !== ENTRIES * K) throw new Error(`unexpected results: ${JSON.stringify(results.summary)}`);

// ---- exports ---------------------------------------------------------------------------------
const rssBeforeExport = process.resourceUsage().maxRSS;
const xlsxFile = path.join(dir, 'entries.xlsx');
const tx0 = performance.now();
await pipeline(entriesXlsx(loaded, results), fs.createWriteStream(xlsxFile));
const xlsxMs = performance.now() - tx0;
const rssAfterXlsx = process.resourceUsage().maxRSS;
const csvFile = path.join(dir, 'entries.csv');
const tc0 = performance.now();
await pipeline(Readable.fromWeb(entriesCsv(loaded, results) as import('node:stream/web').ReadableStream), fs.createWriteStream(csvFile));
const csvMs = performance.now() - tc0;

// The same XLSX export in a fresh process (load + compute + export only).
const child = spawnSync(process.execPath, [path.join(import.meta.dirname, '..', 'node_modules', 'tsx', 'dist', 'cli.mjs'), import.meta.filename, '--export', path.join(dir, 'bench.db')], { encoding: 'utf8' });
if (child.status !== 0) throw new Error(`export child failed: ${child.stderr}`);
const fresh = JSON.parse(child.stdout.trim().split('\n').pop()!);

const out = {
	bench: 'results-db',
	entries: ENTRIES,
	reviews: ENTRIES * K,
	scoreRows: ENTRIES * K * 5,
	writeDbMs: Math.round(writeMs),
	versionTriggers: TRIGGERS_MODE,
	loadMs: Math.round(median(loads)),
	computeMs: Math.round(median(computes)),
	loadPlusComputeMs: Math.round(median(totals)),
	worstLoadPlusComputeMs: Math.round(Math.max(...totals)),
	limitMs: LIMIT_MS,
	xlsx: { rows: ENTRIES, ms: Math.round(xlsxMs), bytes: fs.statSync(xlsxFile).size },
	csv: { rows: ENTRIES, ms: Math.round(csvMs), bytes: fs.statSync(csvFile).size },
	peakRssMbBeforeExport: mb(rssBeforeExport),
	peakRssMbAfterXlsx: mb(rssAfterXlsx),
	xlsxFreshProcess: fresh,
	heapUsedMbAfter: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
	ok: Math.max(...totals) <= LIMIT_MS
};
console.log(JSON.stringify(out));
// KEEP_DB=1 keeps the generated database (its folder is printed to stderr) for profiling.
db.$client.close();
if (process.env.KEEP_DB) console.error(dir);
else fs.rmSync(dir, { recursive: true, force: true });
process.exit(out.ok ? 0 : 1);
