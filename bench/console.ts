// The organizer console at national scale (issue 18): 24 000 entries, 600 jurors, 72 000
// assignments, two thirds scored (bench/fixtures/national.ts, cached). Starts the BUILT portal on a
// copy of the fixture, logs in as the organizer and the «heavy» juror (200 assignments), and times
// every console page and export: one warm-up, then the median of 3. Measures the portal's RSS
// (growth during each export, after the whole tour) and score saves (p95) while the results cache
// is warm. Prints a table and one JSON line; exits 1 when a page is over its target.
//
//   npx tsx bench/console.ts                      (BENCH_CONSOLE_SIZE=small: 240 entries, quick)
//   BENCH_CONSOLE_ONLY=results npx tsx bench/console.ts   (only URLs whose name contains this)
//   BENCH_CONSOLE_NO_FAIL=1  — print, but exit 0 even when over targets (the «before» run)
//   BENCH_CONSOLE_SNAPSHOT=<dir> — after the tour, write the portal's V8 heap snapshot and its
//     /proc smaps (what holds the memory) into <dir> (see bench/heap-holders.ts)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { buildNationalFixture } from './fixtures/national';
import { ensureBuilt, percentile, round1, rssMB, startBuiltPortal } from './_portal';

const SIZE = process.env.BENCH_CONSOLE_SIZE === 'small' ? 'small' : 'national';
const ONLY = process.env.BENCH_CONSOLE_ONLY ?? '';
const RUNS = Number(process.env.BENCH_CONSOLE_RUNS ?? 3);
const PAGE_MS = 300;
const HTML_MAX = 1024 * 1024;

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-console-'));
const dataDir = path.join(work, 'data');
ensureBuilt();
const fx = await buildNationalFixture(path.join(dataDir, 'portal.db'), { size: SIZE, log: (m) => console.error(`[фикстура] ${m}`) });

// What the tour needs from the database (read before the portal opens it).
const raw = new Database(fx.path, { readonly: true });
const someEntry = raw.prepare(`select application_id as id from assignments where round_id = ? and status = 'submitted' limit 1 offset 77`).get(fx.roundId) as { id: string };
const heavyOpen = raw
	.prepare(`select id, version from assignments where round_id = ? and juror_id = ? and status in ('assigned','draft') order by id limit 30`)
	.all(fx.roundId, fx.heavyJuror.id) as { id: string; version: number }[];
const criteriaRows = raw.prepare(`select id, scale_min as min, scale_max as max from criteria where contest_id = ?`).all(fx.contestId) as { id: string; min: number; max: number }[];
const nomId = (raw.prepare(`select id from nominations where contest_id = ? order by sort, id limit 1`).get(fx.contestId) as { id: string }).id;
raw.close();

// The portal runs as `npm start` runs it: with V8's young generation capped at 2 × 16 MB (on a
// machine with much memory V8 sizes it at 2 × 64 MB, ≈ 100 MB of RSS more; see README).
// BENCH_PORTAL_NODE_OPTIONS='' measures V8's default.
process.env.BENCH_PORTAL_NODE_OPTIONS ??= '--max-semi-space-size=16';
const SNAPSHOT = process.env.BENCH_CONSOLE_SNAPSHOT ? path.resolve(process.env.BENCH_CONSOLE_SNAPSHOT) : '';
if (SNAPSHOT) {
	fs.mkdirSync(SNAPSHOT, { recursive: true });
	process.env.BENCH_PORTAL_NODE_OPTIONS += ` --heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${SNAPSHOT}`;
}
const portal = await startBuiltPortal({ DEMO: 'false', JOB_WORKER: 'false', RATE_LIMIT_PER_IP: '1000000', RATE_LIMIT_PER_ACCOUNT: '1000000' }, dataDir);
const pid = portal.proc.pid!;

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
		return fetch(`${this.base}${p}`, { method: 'POST', redirect: 'manual', body: new URLSearchParams(form), headers: { cookie: this.cookie, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', origin: this.base, 'x-sveltekit-action': 'true' } });
	}
}

const org = new Session(portal.url);
await org.login(fx.organizer.email, fx.organizer.password);
const juror = new Session(portal.url);
await juror.login(fx.heavyJuror.email, fx.heavyJuror.password);

interface Row {
	name: string;
	url: string;
	kind: 'page' | 'export';
	medianMs: number;
	minMs: number;
	maxMs: number;
	kb: number;
	status: number;
	targetMs: number;
	rssGrowthMB?: number;
	over: string[];
}

const R = `/admin/results/${fx.roundId}`;
const J = `/admin/jury/${fx.contestSlug}`;
const heavyAssignment = heavyOpen[0]?.id ?? '';
const tour: { name: string; url: string; who?: Session; kind?: 'page' | 'export'; targetMs?: number }[] = [
	{ name: 'jury: /jury (200 назначений)', url: '/jury', who: juror },
	{ name: 'jury: страница оценки', url: `/jury/assignments/${heavyAssignment}`, who: juror },
	{ name: 'dashboard', url: '/admin/dashboard' },
	{ name: 'dashboard (конкурс + тур)', url: `/admin/dashboard?contest=${fx.contestId}&round=${fx.roundId}` },
	{ name: 'results index', url: '/admin/results' },
	{ name: 'results contest settings', url: `/admin/results/contest/${fx.contestId}` },
	{ name: 'results (официальный режим)', url: R },
	{ name: 'results norm=off', url: `${R}?norm=off` },
	{ name: 'results norm=on', url: `${R}?norm=on` },
	{ name: 'results page 50', url: `${R}?page=50` },
	{ name: 'results nomination', url: `${R}?nom=${nomId}` },
	{ name: 'results flagged', url: `${R}?only=flagged` },
	{ name: 'results missing', url: `${R}?only=missing` },
	{ name: 'results unscored', url: `${R}?only=unscored` },
	{ name: 'results search', url: `${R}?q=${encodeURIComponent('Иван')}` },
	{ name: 'results finals', url: `${R}/finals` },
	{ name: 'results winners', url: `${R}/winners` },
	{ name: 'results jurors', url: `${R}/jurors` },
	{ name: 'results protocol', url: `${R}/protocol` },
	{ name: 'jury contest page', url: J },
	{ name: 'jury jurors list', url: `${J}/jurors` },
	{ name: 'jury one juror', url: `${J}/jurors/${fx.heavyJuror.id}` },
	{ name: 'jury rubric', url: `${J}/rubric` },
	{ name: 'round page', url: `${J}/rounds/1` },
	{ name: 'round page search', url: `${J}/rounds/1?q=${encodeURIComponent('Иван')}` },
	{ name: 'round page page 100', url: `${J}/rounds/1?page=100` },
	{ name: 'round page + routing preview', url: `${J}/rounds/1?preview=1` },
	{ name: 'entry page', url: `${J}/rounds/1/entries/${someEntry.id}` },
	{ name: 'export entries.xlsx', url: `${R}/export/entries.xlsx`, kind: 'export', targetMs: 3000 },
	{ name: 'export entries.csv', url: `${R}/export/entries.csv`, kind: 'export', targetMs: 3000 },
	{ name: 'export jurors.xlsx', url: `${R}/export/jurors.xlsx`, kind: 'export', targetMs: 5000 },
	{ name: 'export juror.csv', url: `${R}/export/juror.csv?juror=${fx.heavyJuror.id}`, kind: 'export', targetMs: 300 },
	{ name: 'export protocol.xlsx', url: `${R}/export/protocol.xlsx`, kind: 'export', targetMs: 5000 }
];

/** Reads the body chunk by chunk (what a browser does), sampling the portal's RSS meanwhile. */
async function timed(s: Session, url: string) {
	const t = performance.now();
	const r = await s.get(url);
	let bytes = 0;
	let peak = rssMB(pid);
	const reader = r.body!.getReader();
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		bytes += value.byteLength;
		peak = Math.max(peak, rssMB(pid));
	}
	return { ms: performance.now() - t, bytes, status: r.status, peak };
}

/** RSS of the portal by kind of mapping: V8's 256 KB pages, glibc's main heap, other anonymous memory. */
function memParts(p: number): string {
	const by = { v8: 0, heap: 0, anon: 0 };
	let cur: keyof typeof by | null = null;
	for (const line of fs.readFileSync(`/proc/${p}/smaps`, 'utf8').split('\n')) {
		const m = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
		if (m) {
			const kb = (parseInt(m[2], 16) - parseInt(m[1], 16)) / 1024;
			cur = m[3] === '[heap]' ? 'heap' : m[3] ? null : kb === 256 ? 'v8' : 'anon';
			continue;
		}
		const r = /^Rss:\s+(\d+) kB/.exec(line);
		if (r && cur) by[cur] += Number(r[1]) / 1024;
	}
	return `страницы V8 ${round1(by.v8)}, [heap] ${round1(by.heap)}, прочая анонимная ${round1(by.anon)} МБ`;
}

const rows: Row[] = [];
const rssStart = rssMB(pid);
if (SNAPSHOT) console.error(`в начале RSS ${round1(rssStart)} МБ: ${memParts(pid)}`);
let rssPeak = rssStart;
const saveLat: { before: number[]; after: number[] } = { before: [], after: [] };

async function scoreSaves(into: number[], from: number, n: number) {
	for (const a of heavyOpen.slice(from, from + n)) {
		const form: Record<string, string> = { criteria: criteriaRows.map((c) => c.id).join(','), version: String(a.version), intent: 'draft', comment: 'черновик бенчмарка' };
		for (const c of criteriaRows) form[`c_${c.id}`] = String(Math.round((c.min + c.max) / 2));
		const t = performance.now();
		const r = await juror.post(`/jury/assignments/${a.id}?/save`, form);
		const text = await r.text();
		into.push(performance.now() - t);
		if (r.status !== 200 || text.includes('"type":"failure"')) throw new Error(`сохранение оценок ${a.id}: ${r.status} ${text.slice(0, 300)}`);
	}
}

// Score saves before any console page was opened (cold cache), then the tour, then saves again
// with every cache warm (each save invalidates the round's cached results).
await scoreSaves(saveLat.before, 0, 10);
for (const item of tour) {
	if (ONLY && !item.name.includes(ONLY)) continue;
	const s = item.who ?? org;
	const kind = item.kind ?? 'page';
	const base = rssMB(pid);
	const warm = await timed(s, item.url);
	const times: number[] = [];
	let bytes = warm.bytes;
	let status = warm.status;
	let peak = warm.peak;
	for (let i = 0; i < RUNS; i++) {
		const m = await timed(s, item.url);
		times.push(m.ms);
		bytes = m.bytes;
		status = m.status;
		peak = Math.max(peak, m.peak);
	}
	rssPeak = Math.max(rssPeak, peak);
	times.sort((a, b) => a - b);
	const targetMs = item.targetMs ?? PAGE_MS;
	const row: Row = { name: item.name, url: item.url, kind, medianMs: round1(percentile(times, 50)), minMs: round1(times[0]), maxMs: round1(times[times.length - 1]), kb: Math.round(bytes / 1024), status, targetMs, over: [] };
	if (kind === 'export') row.rssGrowthMB = round1(peak - base);
	if (status !== 200) row.over.push(`HTTP ${status}`);
	if (row.medianMs > targetMs) row.over.push(`> ${targetMs} мс`);
	if (kind === 'page' && bytes > HTML_MAX) row.over.push('HTML > 1 МБ');
	if (kind === 'export' && row.rssGrowthMB! > 100) row.over.push('RSS +> 100 МБ');
	rows.push(row);
	if (SNAPSHOT || process.env.BENCH_CONSOLE_MEM) console.error(`  RSS ${round1(rssMB(pid))} МБ: ${memParts(pid)}`);
	console.error(`${row.name.padEnd(34)} ${String(row.medianMs).padStart(9)} мс ${String(row.kb).padStart(7)} КБ ${row.over.join(', ')}`);
}
await scoreSaves(saveLat.after, 10, 10);
// the results page right after a save (the cache was invalidated by it)
const afterSave = await timed(org, R);
const rssEnd = rssMB(pid);
const partsEnd = memParts(pid);
// What an operator sees a few seconds later: the portal gives memory back when it is idle after
// heavy work (src/lib/server/ops/memory.ts) — the target is checked on this figure.
await new Promise((r) => setTimeout(r, 3000));
const rssIdle = rssMB(pid);
const partsIdle = memParts(pid);
// The first requests after that collection (it may have dropped compiled code): one each.
const afterIdle = { results: round1((await timed(org, R)).ms), round: round1((await timed(org, `${J}/rounds/1`)).ms) };
const hwm = rssMB(pid, 'VmHWM');
if (SNAPSHOT) {
	fs.writeFileSync(path.join(SNAPSHOT, "smaps.txt"), fs.readFileSync(`/proc/${pid}/smaps`));
	fs.writeFileSync(path.join(SNAPSHOT, "smaps_rollup.txt"), fs.readFileSync(`/proc/${pid}/smaps_rollup`));
	fs.writeFileSync(path.join(SNAPSHOT, 'metrics.txt'), await (await fetch(`${portal.url}/metrics`)).text());
	const before = new Set(fs.readdirSync(SNAPSHOT));
	process.kill(pid, 'SIGUSR2');
	// the file appears at once and grows until written: wait until its size stops changing
	let file = '';
	let size = -1;
	for (let i = 0; i < 600; i++) {
		await new Promise((r) => setTimeout(r, 1000));
		file ||= fs.readdirSync(SNAPSHOT).find((f) => !before.has(f) && f.endsWith('.heapsnapshot')) ?? '';
		if (!file) continue;
		const now = fs.statSync(path.join(SNAPSHOT, file)).size;
		if (now > 0 && now === size) break;
		size = now;
	}
	console.error(`снимок кучи: ${path.join(SNAPSHOT, file)}; RSS после него (полная сборка мусора) ${round1(rssMB(pid))} МБ`);
	fs.writeFileSync(path.join(SNAPSHOT, 'smaps-after-gc.txt'), fs.readFileSync(`/proc/${pid}/smaps`));
}
await portal.stop();
fs.rmSync(work, { recursive: true, force: true });

const p95 = (a: number[]) => round1(percentile([...a].sort((x, y) => x - y), 95));
console.log('');
console.log(`| страница | медиана, мс | мин–макс | размер, КБ | цель | |`);
console.log(`|---|---|---|---|---|---|`);
for (const r of rows)
	console.log(`| ${r.name} | ${r.medianMs} | ${r.minMs}–${r.maxMs} | ${r.kb} | ≤ ${r.targetMs}${r.rssGrowthMB !== undefined ? `, RSS +${r.rssGrowthMB} МБ` : ''} | ${r.over.length ? '✗ ' + r.over.join(', ') : '✓'} |`);
const overall: string[] = [];
if (rssIdle > 500) overall.push(`RSS после обхода (3 с простоя) ${round1(rssIdle)} МБ > 500`);
console.log(`\nRSS портала: в начале ${round1(rssStart)} МБ, пик ${round1(Math.max(rssPeak, hwm))} МБ, сразу после обхода ${round1(rssEnd)} МБ (${partsEnd}), через 3 с простоя ${round1(rssIdle)} МБ (${partsIdle})`);
console.log(`первые запросы после простоя: итоги ${afterIdle.results} мс, страница тура ${afterIdle.round} мс`);
console.log(`сохранение оценок p95: ${p95(saveLat.before)} мс (до консоли), ${p95(saveLat.after)} мс (кэш в работе); результаты сразу после сохранения ${round1(afterSave.ms)} мс`);
const failed = rows.filter((r) => r.over.length).length + overall.length;
console.log(
	JSON.stringify({
		name: 'console',
		size: SIZE,
		entries: fx.counts.applications,
		assignments: fx.counts.assignments,
		pages: Object.fromEntries(rows.map((r) => [r.name, { ms: r.medianMs, kb: r.kb, ...(r.rssGrowthMB !== undefined ? { rssGrowthMB: r.rssGrowthMB } : {}) }])),
		over: rows.filter((r) => r.over.length).map((r) => `${r.name}: ${r.over.join(', ')}`).concat(overall),
		rss: { startMB: round1(rssStart), peakMB: round1(Math.max(rssPeak, hwm)), endMB: round1(rssEnd), idleMB: round1(rssIdle) },
		scoreSaveP95Ms: { coldConsole: p95(saveLat.before), warmCache: p95(saveLat.after) },
		resultsAfterSaveMs: round1(afterSave.ms),
		afterIdleMs: afterIdle
	})
);
if (failed && !process.env.BENCH_CONSOLE_NO_FAIL) {
	console.log(`!! над целью: ${failed}`);
	process.exit(1);
}
