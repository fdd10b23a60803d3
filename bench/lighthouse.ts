/**
 * Lighthouse 12 (mobile preset, the default) on the public pages: `npx tsx bench/lighthouse.ts`
 * (or `npm run bench lighthouse`).
 *
 * Lighthouse is not a dependency of the project (it is large and needs Chrome). Install it
 * anywhere and point LIGHTHOUSE_DIR at that folder (default /tmp/lh):
 *   mkdir /tmp/lh && cd /tmp/lh && npm init -y && npm i -E lighthouse@12.2.3
 * Chrome/Chromium comes from CHROME_PATH (default /usr/bin/chromium). Without either this prints
 * a skip line and exits 0.
 *
 * The built portal is started like `npm start` with the demo data on free ports; Lighthouse runs
 * once per page on `/`, `/library`, a practice page and a contest page (BENCH_LH_RUNS runs each,
 * the median performance score is kept), categories performance, accessibility, best practices
 * and SEO. Goals (issue 17): performance ≥ 90, the other three 100. Prints one JSON line with the
 * scores, the main metrics and every audit that failed outside performance; exits 1 below a goal
 * unless BENCH_LH_NO_FAIL=1; BENCH_LH_KEEP=<folder> keeps the full reports there. Scores depend on the machine's load (simulated throttling measures
 * the CPU): the line carries the load average.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureBuilt, startBuiltPortal, type BenchPortal } from './_portal';

const LH_DIR = process.env.LIGHTHOUSE_DIR ?? '/tmp/lh';
const CLI = path.join(LH_DIR, 'node_modules', 'lighthouse', 'cli', 'index.js');
const CHROME = process.env.CHROME_PATH ?? '/usr/bin/chromium';
const RUNS = Number(process.env.BENCH_LH_RUNS ?? 1);
const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'] as const;

interface LhResult {
	categories: Record<string, { score: number | null; auditRefs: { id: string; weight: number }[] }>;
	audits: Record<string, { score: number | null; scoreDisplayMode: string; title: string; numericValue?: number; displayValue?: string }>;
}

function lighthouse(url: string): LhResult {
	const out = path.join(os.tmpdir(), `lh-${process.pid}-${Math.random().toString(36).slice(2)}.json`);
	try {
		const r = spawnSync(
			process.execPath,
			[CLI, url, '--quiet', '--output=json', `--output-path=${out}`, `--only-categories=${CATEGORIES.join(',')}`, '--chrome-flags=--headless=new --no-sandbox --disable-gpu'],
			{ encoding: 'utf8', env: { ...process.env, CHROME_PATH: CHROME }, timeout: 180_000 }
		);
		if (!fs.existsSync(out)) throw new Error(`lighthouse ${url}: ${r.stderr || r.error}`);
		if (process.env.BENCH_LH_KEEP) {
			fs.mkdirSync(process.env.BENCH_LH_KEEP, { recursive: true });
			fs.copyFileSync(out, path.join(process.env.BENCH_LH_KEEP, `${new URL(url).pathname.replace(/\W+/g, '_') || 'root'}-${Date.now()}.json`));
		}
		return JSON.parse(fs.readFileSync(out, 'utf8')) as LhResult;
	} finally {
		fs.rmSync(out, { force: true });
	}
}

const ms = (a: LhResult, id: string) => Math.round(a.audits[id]?.numericValue ?? NaN);

async function main() {
	if (!fs.existsSync(CLI) || !fs.existsSync(CHROME)) {
		console.log(JSON.stringify({ bench: 'lighthouse', skipped: `нужны Lighthouse в ${LH_DIR} (npm i -E lighthouse@12.2.3) и Chromium в ${CHROME}` }));
		return;
	}
	ensureBuilt();
	let portal: BenchPortal | null = null;
	try {
		portal = await startBuiltPortal({});
		const base = portal.url;
		const practice = /<h3[^>]*><a href="(\/library\/[a-z0-9-]+)"/.exec(await (await fetch(`${base}/library`)).text())?.[1];
		const contest = /href="(\/contests\/[^"/?#]+)"/.exec(await (await fetch(`${base}/contests`)).text())?.[1];
		if (!practice || !contest) throw new Error('no practice or contest page in the demo data');
		const pages: Record<string, string> = { home: '/', library: '/library', practice, contest };
		const report: Record<string, unknown> = {};
		let ok = true;
		for (const [name, p] of Object.entries(pages)) {
			const runs = Array.from({ length: RUNS }, () => lighthouse(base + p));
			runs.sort((a, b) => (a.categories.performance.score ?? 0) - (b.categories.performance.score ?? 0));
			const lh = runs[Math.floor(runs.length / 2)];
			const scores = Object.fromEntries(CATEGORIES.map((c) => [c, Math.round((lh.categories[c]?.score ?? 0) * 100)]));
			const failed = CATEGORIES.filter((c) => c !== 'performance').flatMap((c) =>
				lh.categories[c].auditRefs
					.filter((ref) => ref.weight > 0 && lh.audits[ref.id]?.score !== null && (lh.audits[ref.id]?.score ?? 1) < 1)
					.map((ref) => `${c}: ${ref.id}`)
			);
			report[name] = {
				path: p,
				...scores,
				...(RUNS > 1 ? { performanceRuns: runs.map((r) => Math.round((r.categories.performance.score ?? 0) * 100)) } : {}),
				fcpMs: ms(lh, 'first-contentful-paint'),
				lcpMs: ms(lh, 'largest-contentful-paint'),
				tbtMs: ms(lh, 'total-blocking-time'),
				cls: Math.round((lh.audits['cumulative-layout-shift']?.numericValue ?? NaN) * 1000) / 1000,
				...(failed.length ? { failed } : {})
			};
			if (scores.performance < 90 || scores.accessibility < 100 || scores['best-practices'] < 100 || scores.seo < 100) ok = false;
		}
		console.log(JSON.stringify({ bench: 'lighthouse', lighthouse: '12 mobile preset', pages: report, goals: { performance: 90, others: 100 }, cpus: os.cpus().length, load1: Math.round(os.loadavg()[0] * 100) / 100 }));
		if (!ok && process.env.BENCH_LH_NO_FAIL !== '1') process.exitCode = 1;
	} finally {
		await portal?.stop();
	}
}

main().catch((e) => {
	console.error(e);
	process.exit(1);
});
