/**
 * Benchmark of the library: `npx tsx bench/library.ts` (or `npm run bench library`)
 *
 * 1. 10,000 generated practices of realistic Russian text (sentences of DEMO_PRACTICES
 *    recombined, all regions, years, spheres; bench/fixtures/practices.ts) in a temp
 *    SQLite; later 90,000 more in the same file, for 100,000.
 * 2. Search including facet counts, timed around the domain function searchLibrary(), at
 *    10,000 and at 100,000 practices with the same query sequence (same seed):
 *    - `uncached`: the match and correction caches off — every search matches the words in the
 *      index, ranks (BM25F), filters, counts every facet and makes snippets;
 *    - `session`: the caches on, a visitor-like mix (a query, then narrowing by facets, sorting,
 *      paging — the same text query repeats).
 *    Each reports p50/p95/p99; the memory of this process (RSS and V8 heap after a GC, and the
 *    index's own arrays) at both sizes, and the time to build the index from the database.
 * 3. HTTP throughput with autocannon (BENCH_CONNECTIONS connections, BENCH_SSR_SECONDS each), on
 *    the built portal started like `npm start` on a copy of the 10,000-practice database, then on
 *    the 100,000 one, its page cache off (PAGE_CACHE_MB=0: every page rendered; the cache is
 *    measured by bench/public-pages.ts):
 *    - `/library/<slug>` (50 practices of the first 10,000, the same at both sizes — each page
 *      computes its related practices) at 10,000 and at 100,000: the ratio should be ≥ 0.5;
 *    - `/library?q=…`, a rotating set of 50 distinct queries (some with a filter) at 10,000, as
 *      ratios to a bare node:http hello-world measured the same way in this run, twice:
 *      `librarySearch` with the rendered-page cache off (PAGE_CACHE_MB=0: every request searches
 *      and renders) and `librarySearchPageCache` with it on (the default; warmed up on the same
 *      queries, so every request is a cache hit — the cold start of the cache, the 50 queries
 *      never asked before, is measured by bench/public-pages.ts, `cold50`).
 *    Before any timing, each portal is warmed up: one request that waits for the index to be
 *    built from the database (≈ half a minute at 100,000), then 2 s of load.
 *    The portal's RSS after each load is reported.
 * BENCH_LIBRARY_HTTP=0 runs parts 1–2 only (the search figures, a minute).
 * Prints one JSON line and exits 1 when search p95 exceeds 15 ms at 10,000 or 25 ms at 100,000,
 * the practice page at 100,000 falls under half its rate at 10,000, or a request failed.
 * BENCH_LIBRARY_LARGE changes the large size; BENCH_VERBOSE=1 prints the slowest searches.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import autocannon from 'autocannon';
import { openDatabase, type DB } from '../src/lib/server/db/client';
import { runMigrations } from '../src/lib/server/db/migrate';
import { bulkInsertPublished, generatePractices } from './fixtures/practices';
import { mulberry32 } from '../src/lib/server/random';
import { searchLibrary, searchTuning } from '../src/lib/server/library/search';
import { dropLibraryIndex, indexBytes, libraryIndex } from '../src/lib/server/library/library-index';
import { readSearchParams } from '../src/lib/schemas/library-search';
import { ensureBuilt, freePort, rssMB, startBuiltPortal, type BenchPortal } from './_portal';

const SMALL = 10_000;
const LARGE = Number(process.env.BENCH_LIBRARY_LARGE ?? 100_000);
const LIMIT_P95_SMALL_MS = 15;
const LIMIT_P95_LARGE_MS = 25;
const LIMIT_PAGE_RATIO = 0.5;
const SSR_SECONDS = Number(process.env.BENCH_SSR_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);

const QUERIES = [
	'наставник', 'наставника', 'наставники', 'наставничество', 'наставничества', 'ментор',
	'адаптация', 'адаптации', 'адаптация молодых специалистов', 'молодых специалистов', 'молодые педагоги',
	'муниципальный', 'муниципальных служащих', 'кадровый резерв', 'текучесть кадров', 'текучесть',
	'школа', 'школа мастеров', 'колледж', 'больница', 'медицинских сестёр', 'врачи', 'завод', 'производство',
	'ЖКХ', 'диспетчер', 'транспорт', 'водитель трамвая', 'отходы', 'раздельный сбор', 'благоустройство',
	'волонтёры', 'молодёжь', 'спорт', 'культура', 'библиотека', 'инвестиции', 'предприниматели',
	'Казань', 'Новосибирск', 'Екатеринбург', 'Татарстан', 'Пермский край', 'Дагестан',
	'наст', 'адапт', 'муниц', 'кадр', 'молод', 'обуч', 'чек-лист', 'индивидуальный план',
	'наставнек', 'адоптация', 'муниципальых', 'текучесть кадров в первый год', 'обучение наставников',
	'"NEAR(наставник', '-школа*', ''
];
const FILTERS = ['', 'district=pfd', 'district=cfd&sphere=education', 'sphere=health', 'year=2024', 'district=sfd&year=2023', 'tag=адаптация', 'region=16'];
const SORTS = ['', '', '', 'sort=newest', 'sort=impact', 'sort=year'];

function pct(xs: number[], p: number) {
	const s = [...xs].sort((a, b) => a - b);
	return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] * 100) / 100;
}
const stats = (xs: number[]) => ({ n: xs.length, p50: pct(xs, 50), p95: pct(xs, 95), p99: pct(xs, 99), max: Math.round(Math.max(...xs) * 100) / 100 });
const mb = (b: number) => Math.round((b / 1048576) * 10) / 10;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
function memory() {
	gc();
	gc();
	const m = process.memoryUsage();
	return { rssMB: mb(m.rss), heapMB: mb(m.heapUsed), externalMB: mb(m.external + m.arrayBuffers) };
}

/** Adds generated practices in transactions of 10,000 (seeds and slugs continue from `from`). */
function seed(db: DB, from: number, to: number) {
	for (let at = from; at < to; at += 10_000) {
		const n = Math.min(10_000, to - at);
		bulkInsertPublished(db, generatePractices(n, 2026 + at), new Date(Date.UTC(2026, 0, 1) - at * 3600_000), at);
	}
}

/** The same query sequence at every size: uncached searches and visitor sessions. */
function measureSearch(db: DB) {
	const rnd = mulberry32(7);
	const pick = <T>(a: T[]) => a[Math.floor(rnd() * a.length)];
	const run = (qs: string) => {
		const p = readSearchParams(new URLSearchParams(qs)).params;
		const s = performance.now();
		const r = searchLibrary(db, p);
		return { ms: performance.now() - s, r };
	};
	// The index, built from the database as a fresh portal process does on its first search.
	dropLibraryIndex(db);
	const t = performance.now();
	const ix = libraryIndex(db);
	const indexBuildMs = Math.round(performance.now() - t);
	for (let k = 0; k < 60; k++) run(`q=${encodeURIComponent(pick(QUERIES))}&${pick(FILTERS)}`); // JIT and page cache

	searchTuning.matchCache = false;
	const uncached: number[] = [];
	const slow: [number, string][] = [];
	for (let k = 0; k < 800; k++) {
		const qs = [`q=${encodeURIComponent(pick(QUERIES))}`, pick(FILTERS), pick(SORTS), rnd() < 0.2 ? `page=${2 + Math.floor(rnd() * 3)}` : ''].filter(Boolean).join('&');
		const x = run(qs);
		uncached.push(x.ms);
		slow.push([Math.round(x.ms * 10) / 10, decodeURIComponent(qs)]);
	}
	if (process.env.BENCH_VERBOSE) console.error(slow.sort((a, b) => b[0] - a[0]).slice(0, 15));
	searchTuning.matchCache = true;
	const session: number[] = [];
	for (let k = 0; k < 150; k++) {
		// A visitor: a query, then two facets, a sort and a page of the same query.
		const q = `q=${encodeURIComponent(pick(QUERIES))}`;
		for (const extra of ['', pick(FILTERS), pick(FILTERS), pick(SORTS), 'page=2']) session.push(run([q, extra].filter(Boolean).join('&')).ms);
	}
	return { practices: ix.liveCount, indexBuildMs, indexMB: mb(indexBytes(ix)), memory: memory(), uncached: stats(uncached), session: stats(session) };
}

async function cannon(base: string, paths: string[], seconds = SSR_SECONDS) {
	const r = await autocannon({ url: base, connections: CONNECTIONS, duration: seconds, requests: paths.map((p) => ({ method: 'GET' as const, path: p })) });
	return { rps: Math.round(r.requests.average * 10) / 10, p50ms: r.latency.p50, p99ms: r.latency.p99, errors: r.errors + r.timeouts + r.non2xx };
}

async function main() {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-library-'));
	const small = path.join(dir, 'small');
	const large = path.join(dir, 'large');
	fs.mkdirSync(small);
	fs.mkdirSync(large);
	const procs: ChildProcess[] = [];
	let portal: BenchPortal | null = null;
	try {
		// 1–2. The library at 10,000, searched; a copy kept for the portal; then at 100,000.
		const db = openDatabase(path.join(large, 'portal.db'));
		runMigrations(db);
		const before = memory();
		let t = performance.now();
		seed(db, 0, SMALL);
		const seedSmallMs = Math.round(performance.now() - t);
		const atSmall = measureSearch(db);
		const slugs = (db.$client.prepare('SELECT slug FROM practices ORDER BY rowid LIMIT 5000').pluck().all() as string[]).filter((_, i) => i % 100 === 0).slice(0, 50);
		db.$client.exec(`VACUUM INTO '${path.join(small, 'portal.db').replace(/'/g, "''")}'`);
		t = performance.now();
		seed(db, SMALL, LARGE);
		const seedLargeMs = Math.round(performance.now() - t);
		const atLarge = measureSearch(db);
		db.$client.pragma('wal_checkpoint(TRUNCATE)');
		db.$client.close();

		if (process.env.BENCH_LIBRARY_HTTP === '0') {
			const ok = atSmall.uncached.p95 <= LIMIT_P95_SMALL_MS && atLarge.uncached.p95 <= LIMIT_P95_LARGE_MS;
			console.log(JSON.stringify({ bench: 'library', part: 'search', search: { small: atSmall, large: atLarge, rssGrowthMB: Math.round((atLarge.memory.rssMB - atSmall.memory.rssMB) * 10) / 10 }, load1: Math.round(os.loadavg()[0] * 100) / 100, ok }));
			process.exitCode = ok ? 0 : 1;
			return;
		}

		// 3. HTTP, with autocannon.
		ensureBuilt();
		const pages = slugs.map((s) => `/library/${encodeURIComponent(s)}`);
		const searches = QUERIES.slice(0, 50).map((q, k) => `/library?q=${encodeURIComponent(q)}${k % 3 === 0 ? '&district=pfd' : ''}`);
		/** The first request builds the index from the database (the portal does so on its first search or page); only then the 2 s warm-up. */
		const warm = async (p: BenchPortal, paths: string[]) => {
			const t0 = performance.now();
			for (const u of [paths[0], '/library?q=' + encodeURIComponent('наставник')]) {
				const r = await fetch(p.url + u);
				await r.arrayBuffer();
				if (r.status !== 200) throw new Error(`warm-up ${u}: ${r.status}`);
			}
			const firstMs = Math.round(performance.now() - t0);
			await cannon(p.url, paths, 2);
			return firstMs;
		};
		portal = await startBuiltPortal({ DEMO: 'false', PAGE_CACHE_MB: '0' }, small);
		const indexReadySmallMs = await warm(portal, pages);
		const pageSmall = await cannon(portal.url, pages);
		const portalSmallMB = Math.round(rssMB(portal.proc.pid!));
		await cannon(portal.url, searches.slice(0, 10), 2);
		const search = await cannon(portal.url, searches);
		await portal.stop();
		// The same 50 queries with the rendered-page cache on (the default size).
		portal = await startBuiltPortal({ DEMO: 'false' }, small);
		await warm(portal, searches);
		const searchCached = await cannon(portal.url, searches);
		await portal.stop();
		portal = await startBuiltPortal({ DEMO: 'false', PAGE_CACHE_MB: '0' }, large);
		const indexReadyLargeMs = await warm(portal, pages);
		const pageLarge = await cannon(portal.url, pages);
		const portalLargeMB = Math.round(rssMB(portal.proc.pid!));
		await portal.stop();
		portal = null;
		const helloPort = await freePort();
		const hello = spawn(process.execPath, ['-e', `require('node:http').createServer((q, s) => { s.setHeader('content-type', 'text/plain'); s.end('hello'); }).listen(${helloPort}, '127.0.0.1')`], { stdio: 'ignore' });
		procs.push(hello);
		await new Promise((r) => setTimeout(r, 500));
		const helloWorld = await cannon(`http://127.0.0.1:${helloPort}`, ['/']);

		const ratio = (a: number, b: number) => Math.round((a / b) * 1000) / 1000;
		const out = {
			bench: 'library',
			seedMs: { small: seedSmallMs, large: seedLargeMs },
			search: {
				small: atSmall,
				large: atLarge,
				p95Growth: ratio(atLarge.uncached.p95, atSmall.uncached.p95),
				rssGrowthMB: Math.round((atLarge.memory.rssMB - atSmall.memory.rssMB) * 10) / 10,
				rssBeforeMB: before.rssMB,
				limitsP95Ms: { small: LIMIT_P95_SMALL_MS, large: LIMIT_P95_LARGE_MS }
			},
			http: {
				tool: 'autocannon',
				connections: CONNECTIONS,
				seconds: SSR_SECONDS,
				practicePage: { small: pageSmall, large: pageLarge, ratio: ratio(pageLarge.rps, pageSmall.rps), limit: LIMIT_PAGE_RATIO, indexReadyMs: { small: indexReadySmallMs, large: indexReadyLargeMs } },
				portalRssMB: { small: portalSmallMB, large: portalLargeMB },
				helloRps: helloWorld.rps,
				librarySearch: { pageCache: 'off', ...search, ratio: ratio(search.rps, helloWorld.rps), goal: 0.02 },
				librarySearchPageCache: { pageCache: 'on', ...searchCached, ratio: ratio(searchCached.rps, helloWorld.rps) }
			},
			cpus: os.cpus().length,
			load1: Math.round(os.loadavg()[0] * 100) / 100
		};
		const ok =
			atSmall.uncached.p95 <= LIMIT_P95_SMALL_MS &&
			atLarge.uncached.p95 <= LIMIT_P95_LARGE_MS &&
			out.http.practicePage.ratio >= LIMIT_PAGE_RATIO &&
			pageSmall.errors + pageLarge.errors + search.errors + searchCached.errors === 0;
		console.log(JSON.stringify({ ...out, ok }));
		process.exitCode = ok ? 0 : 1;
	} finally {
		if (portal) await portal.stop();
		for (const p of procs) if (p.exitCode === null) p.kill('SIGTERM');
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

await main();
