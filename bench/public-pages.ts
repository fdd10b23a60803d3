/**
 * Public pages under a crowd: `npx tsx bench/public-pages.ts` (or `npm run bench public-pages`).
 *
 * A library of 10,000 generated practices (BENCH_PUBLIC_PRACTICES) in a temp database; the built
 * portal started like `npm start` on it twice — with its page cache (the default) and with
 * PAGE_CACHE_MB=0 (every request rendered) — and a bare node:http hello-world, all measured with
 * wrk (BENCH_WRK_CONNECTIONS=16 connections, 2 threads, BENCH_WRK_SECONDS=6 each) in this run,
 * anonymous, `Accept-Encoding: br, gzip` as a browser sends it:
 *   - `/library` and `/library?q=наставник` warm: ratio to node:http (goal ≥ 0.25);
 *   - 50 distinct queries in rotation, cold: none of them asked before the run (the portal
 *     warmed up on other queries), with the page cache as deployed — each is rendered on its
 *     first request and served from the cache after that (goal ≥ 0.02, `cold50`);
 *   - the same 50 with the page cache off (every request searches and renders: `uncached`), and
 *     the floor of that route without the cache: a query that finds nothing (a 6.7 KB page);
 *   - the transfer size of `/library` plain, gzip and br (goal ≤ 15 KB compressed).
 * Prints one JSON line.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../src/lib/server/db/client';
import { runMigrations } from '../src/lib/server/db/migrate';
import { bulkInsertPublished, generatePractices } from './fixtures/practices';
import { ensureBuilt, freePort, rssMB, startBuiltPortal, type BenchPortal } from './_portal';

const N = Number(process.env.BENCH_PUBLIC_PRACTICES ?? 10_000);
const SECONDS = Number(process.env.BENCH_WRK_SECONDS ?? 6);
const CONNECTIONS = Number(process.env.BENCH_WRK_CONNECTIONS ?? 16);
const QUERIES = [
	'наставник', 'наставника', 'наставники', 'наставничество', 'ментор', 'адаптация', 'адаптация молодых специалистов', 'молодых специалистов',
	'молодые педагоги', 'муниципальный', 'муниципальных служащих', 'кадровый резерв', 'текучесть кадров', 'текучесть', 'школа', 'школа мастеров',
	'колледж', 'больница', 'медицинских сестёр', 'врачи', 'завод', 'производство', 'ЖКХ', 'диспетчер', 'транспорт', 'водитель трамвая', 'отходы',
	'раздельный сбор', 'благоустройство', 'волонтёры', 'молодёжь', 'спорт', 'культура', 'библиотека', 'инвестиции', 'предприниматели', 'Казань',
	'Новосибирск', 'Екатеринбург', 'Татарстан', 'Пермский край', 'Дагестан', 'наст', 'адапт', 'муниц', 'кадр', 'наставнек', 'адоптация',
	'обучение наставников', 'индивидуальный план'
];

/** Queries outside QUERIES for the warm-up. */
const WARM_UP = ['практика', 'опыт', 'команда', 'проект', 'программа', 'развитие', 'обучение', 'молодые', 'город', 'район'];

function wrk(url: string, paths: string[]) {
	const script = path.join(os.tmpdir(), `wrk-${process.pid}-${Math.random().toString(36).slice(2)}.lua`);
	fs.writeFileSync(
		script,
		`local paths = {${paths.map((p) => JSON.stringify(p)).join(',')}}
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i], { ["Accept-Encoding"] = "br, gzip" })
end
`
	);
	try {
		const r = spawnSync('wrk', ['-t2', `-c${CONNECTIONS}`, `-d${SECONDS}s`, '--latency', '-s', script, url], { encoding: 'utf8' });
		if (r.status !== 0) throw new Error(`wrk: ${r.stderr || r.error}`);
		const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)?.[1] ?? NaN);
		const p99 = /99%\s+([\d.]+\w+)/.exec(r.stdout)?.[1] ?? '';
		const bad = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(r.stdout)?.[1] ?? 0);
		const sockErr = /Socket errors: (.*)/.exec(r.stdout)?.[1] ?? '';
		return { rps: Math.round(rps), p99, non2xx: bad, ...(sockErr ? { socketErrors: sockErr } : {}) };
	} finally {
		fs.rmSync(script, { force: true });
	}
}

function size(url: string, coding: string): Promise<number> {
	return new Promise((resolve, reject) => {
		http
			.get(url, { headers: { 'accept-encoding': coding, accept: 'text/html' } }, (res) => {
				let n = 0;
				res.on('data', (c: Buffer) => (n += c.length));
				res.on('end', () => resolve(n));
			})
			.on('error', reject);
	});
}

async function main() {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-public-'));
	const procs: ChildProcess[] = [];
	let portal: BenchPortal | null = null;
	try {
		const db = openDatabase(path.join(dir, 'portal.db'));
		runMigrations(db);
		for (let at = 0; at < N; at += 10_000) bulkInsertPublished(db, generatePractices(Math.min(10_000, N - at), 2026 + at), new Date(Date.UTC(2026, 0, 1) - at * 3600_000), at);
		db.$client.pragma('wal_checkpoint(TRUNCATE)');
		db.$client.close();
		ensureBuilt();

		const helloPort = await freePort();
		const hello = spawn(process.execPath, ['-e', `require('node:http').createServer((q, s) => { s.setHeader('content-type', 'text/plain'); s.end('hello'); }).listen(${helloPort}, '127.0.0.1')`], { stdio: 'ignore' });
		procs.push(hello);
		await new Promise((r) => setTimeout(r, 500));
		const helloUrl = `http://127.0.0.1:${helloPort}`;

		const searches = QUERIES.map((q) => `/library?q=${encodeURIComponent(q)}`);
		const popular = `/library?q=${encodeURIComponent('наставник')}`;

		// With the page cache.
		portal = await startBuiltPortal({ DEMO: 'false' }, dir);
		const base = portal.url.replace('//localhost:', '//127.0.0.1:');
		// warm up (JIT, index) on queries outside the 50, so that those start cold
		wrk(base, WARM_UP.map((q) => `/library?q=${encodeURIComponent(q)}`));
		const helloA = wrk(helloUrl, ['/']);
		const rotating = wrk(base, searches);
		const library = wrk(base, ['/library']);
		const search = wrk(base, [popular]);
		const helloB = wrk(helloUrl, ['/']);
		const sizes = { plain: await size(`${base}/library`, 'identity'), gzip: await size(`${base}/library`, 'gzip'), br: await size(`${base}/library`, 'br') };
		const cachedRssMB = Math.round(rssMB(portal.proc.pid!));
		await portal.stop();

		// Without it: every request rendered.
		portal = await startBuiltPortal({ DEMO: 'false', PAGE_CACHE_MB: '0' }, dir);
		const base2 = portal.url.replace('//localhost:', '//127.0.0.1:');
		wrk(base2, searches.slice(0, 5)); // warm up
		const libraryCold = wrk(base2, ['/library']);
		const rotatingCold = wrk(base2, searches);
		const noHit = wrk(base2, [`/library?q=${encodeURIComponent('zzzqqxw')}`]);
		const helloC = wrk(helloUrl, ['/']);
		await portal.stop();
		portal = null;

		const helloRps = Math.round((helloA.rps + helloB.rps + helloC.rps) / 3);
		const ratio = (x: number) => Math.round((x / helloRps) * 1000) / 1000;
		console.log(
			JSON.stringify({
				bench: 'public-pages',
				practices: N,
				tool: `wrk -t2 -c${CONNECTIONS} -d${SECONDS}s, Accept-Encoding: br, gzip`,
				hello: { runs: [helloA.rps, helloB.rps, helloC.rps], rps: helloRps },
				cached: {
					library: { ...library, ratio: ratio(library.rps) },
					popularQuery: { ...search, ratio: ratio(search.rps) },
					cold50: { ...rotating, ratio: ratio(rotating.rps) },
					portalRssMB: cachedRssMB
				},
				uncached: { library: { ...libraryCold, ratio: ratio(libraryCold.rps) }, rotating50: { ...rotatingCold, ratio: ratio(rotatingCold.rps) }, noHitFloor: { ...noHit, ratio: ratio(noHit.rps) } },
				libraryBytes: sizes,
				goals: { warmRatio: 0.25, coldRatio: 0.02, compressedKB: 15 },
				cpus: os.cpus().length,
				load1: Math.round(os.loadavg()[0] * 100) / 100
			})
		);
	} finally {
		if (portal) await portal.stop();
		for (const p of procs) if (p.exitCode === null) p.kill('SIGTERM');
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

await main();
