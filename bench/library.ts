/**
 * Benchmark of the library: `npx tsx bench/library.ts`
 *
 * 1. 10,000 generated practices of realistic Russian text (sentences of DEMO_PRACTICES
 *    recombined, all regions, years, spheres; bench/fixtures/practices.ts) in a temp SQLite.
 * 2. Search including facet counts, timed around the domain function searchLibrary():
 *    - `uncached`: the FTS5 match cache off — every search runs FTS5 (bm25) + facets + snippets;
 *    - `session`: the cache on, a visitor-like mix (a query, then narrowing by facets, sorting,
 *      paging — the same text query repeats).
 *    Each reports p50/p95/p99; the process exits 1 when the uncached p95 exceeds 15 ms.
 * 3. SSR throughput of /library?q=… on the built portal (started like `npm start` on a temp data
 *    folder holding those 10,000 practices) as a ratio to a bare node:http hello-world, both
 *    measured in this run with the same bounded loop of concurrent requests for a fixed time.
 * Prints one JSON line (BENCH_VERBOSE=1 also prints the slowest searches to stderr);
 * BENCH_SSR_SECONDS and BENCH_CONCURRENCY tune the load loop.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../src/lib/server/db/client';
import { runMigrations } from '../src/lib/server/db/migrate';
import { bulkInsertPublished, generatePractices } from './fixtures/practices';
import { mulberry32 } from '../src/lib/server/random';
import { searchLibrary, searchTuning } from '../src/lib/server/library/search';
import { readSearchParams } from '../src/lib/schemas/library-search';

const N = 10_000;
const LIMIT_P95_MS = 15;
const SSR_SECONDS = Number(process.env.BENCH_SSR_SECONDS ?? 6);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const root = path.resolve(import.meta.dirname, '..');

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

function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const s = net.createServer();
		s.once('error', reject);
		s.listen(0, '127.0.0.1', () => {
			const port = (s.address() as net.AddressInfo).port;
			s.close(() => resolve(port));
		});
	});
}

async function waitFor(url: string, proc: ChildProcess, logs: string[], seconds = 90) {
	const deadline = Date.now() + seconds * 1000;
	for (;;) {
		if (proc.exitCode !== null) throw new Error(`процесс завершился:\n${logs.join('')}`);
		try {
			if ((await fetch(url)).ok) return;
		} catch {
			/* not yet */
		}
		if (Date.now() > deadline) throw new Error(`нет ответа от ${url}:\n${logs.join('')}`);
		await new Promise((r) => setTimeout(r, 200));
	}
}

/** A bounded loop: CONCURRENCY workers request URLs in turn for SSR_SECONDS; returns requests/s. */
async function load(urls: string[]): Promise<{ rps: number; requests: number; errors: number; p95ms: number }> {
	const end = performance.now() + SSR_SECONDS * 1000;
	let requests = 0;
	let errors = 0;
	let i = 0;
	const lat: number[] = [];
	const started = performance.now();
	await Promise.all(
		Array.from({ length: CONCURRENCY }, async () => {
			while (performance.now() < end) {
				const url = urls[i++ % urls.length];
				const t = performance.now();
				try {
					const r = await fetch(url);
					await r.arrayBuffer();
					if (r.ok) requests++;
					else errors++;
				} catch {
					errors++;
				}
				lat.push(performance.now() - t);
			}
		})
	);
	const secs = (performance.now() - started) / 1000;
	return { rps: Math.round((requests / secs) * 10) / 10, requests, errors, p95ms: pct(lat, 95) };
}

async function main() {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-library-'));
	const procs: ChildProcess[] = [];
	try {
		// 1. The library.
		const file = path.join(dir, 'portal.db');
		const db = openDatabase(file);
		runMigrations(db);
		let t = performance.now();
		bulkInsertPublished(db, generatePractices(N));
		db.$client.exec(`INSERT INTO library_fts(library_fts) VALUES('optimize')`);
		const seedMs = Math.round(performance.now() - t);

		// 2. Search timing.
		const rnd = mulberry32(7);
		const pick = <T>(a: T[]) => a[Math.floor(rnd() * a.length)];
		const run = (qs: string) => {
			const p = readSearchParams(new URLSearchParams(qs)).params;
			const s = performance.now();
			const r = searchLibrary(db, p);
			return { ms: performance.now() - s, r };
		};
		for (let k = 0; k < 40; k++) run(`q=${encodeURIComponent(pick(QUERIES))}`); // warm up JIT and page cache

		searchTuning.matchCache = false;
		const uncached: number[] = [];
		const slow: [number, string][] = [];
		for (let k = 0; k < 600; k++) {
			const qs = [`q=${encodeURIComponent(pick(QUERIES))}`, pick(FILTERS), pick(SORTS), rnd() < 0.2 ? `page=${2 + Math.floor(rnd() * 3)}` : ''].filter(Boolean).join('&');
			const x = run(qs);
			uncached.push(x.ms);
			slow.push([Math.round(x.ms * 10) / 10, decodeURIComponent(qs)]);
		}
		if (process.env.BENCH_VERBOSE) console.error(slow.sort((a, b) => b[0] - a[0]).slice(0, 25));
		searchTuning.matchCache = true;
		const session: number[] = [];
		for (let k = 0; k < 120; k++) {
			// A visitor: a query, then two facets, a sort and a page of the same query.
			const q = `q=${encodeURIComponent(pick(QUERIES))}`;
			for (const extra of ['', pick(FILTERS), pick(FILTERS), pick(SORTS), 'page=2']) session.push(run([q, extra].filter(Boolean).join('&')).ms);
		}
		const total = run('').r.total;
		db.$client.close();

		// 3. SSR throughput against a hello-world.
		const b = spawnSync(process.execPath, ['scripts/start.js', '--build-only'], { cwd: root, stdio: 'ignore' });
		if (b.status !== 0) throw new Error('сборка портала не удалась');
		const port = await freePort();
		const s3Port = await freePort();
		const logs: string[] = [];
		const portal = spawn(process.execPath, ['scripts/start.js'], {
			cwd: root,
			env: { ...process.env, SKIP_BUILD: '1', NODE_ENV: 'test', DEMO: 'false', PORT: String(port), ORIGIN: `http://localhost:${port}`, EMBEDDED_S3_PORT: String(s3Port), DATA_DIR: dir, LOG_REQUESTS: 'false' },
			stdio: ['ignore', 'pipe', 'pipe']
		});
		procs.push(portal);
		portal.stdout!.on('data', (d) => logs.push(String(d)));
		portal.stderr!.on('data', (d) => logs.push(String(d)));
		await waitFor(`http://127.0.0.1:${port}/health`, portal, logs);
		const helloPort = await freePort();
		const hello = spawn(process.execPath, ['-e', `require('node:http').createServer((q, s) => { s.setHeader('content-type', 'text/plain'); s.end('hello'); }).listen(${helloPort}, '127.0.0.1')`], { stdio: 'ignore' });
		procs.push(hello);
		await waitFor(`http://127.0.0.1:${helloPort}/`, hello, []);

		const urls = QUERIES.slice(0, 50).map((q, k) => `http://127.0.0.1:${port}/library?q=${encodeURIComponent(q)}${k % 3 === 0 ? '&district=pfd' : ''}`);
		await load(urls.slice(0, 10)); // warm up
		t = performance.now();
		const library = await load(urls);
		const helloWorld = await load([`http://127.0.0.1:${helloPort}/`]);

		const u = stats(uncached);
		const out = {
			bench: 'library',
			practices: total,
			seedMs,
			search: { uncached: u, session: stats(session), limitP95Ms: LIMIT_P95_MS },
			ssr: {
				path: '/library?q=…',
				concurrency: CONCURRENCY,
				seconds: SSR_SECONDS,
				libraryRps: library.rps,
				libraryP95Ms: library.p95ms,
				libraryErrors: library.errors,
				helloRps: helloWorld.rps,
				ratio: Math.round((library.rps / helloWorld.rps) * 1000) / 1000
			},
			cpus: os.cpus().length,
			load1: Math.round(os.loadavg()[0] * 100) / 100,
			ok: u.p95 <= LIMIT_P95_MS && library.errors === 0
		};
		console.log(JSON.stringify(out));
		process.exitCode = out.ok ? 0 : 1;
	} finally {
		for (const p of procs) {
			if (p.exitCode === null) {
				const exited = new Promise((r) => p.once('exit', r));
				p.kill('SIGTERM');
				await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
				if (p.exitCode === null) p.kill('SIGKILL');
			}
		}
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

await main();
