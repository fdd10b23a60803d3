import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { openDatabase } from '../src/lib/server/db/client';
import { runMigrations } from '../src/lib/server/db/migrate';
import { computeRound, loadRound } from '../src/lib/server/results/load';
import { entriesXlsx, jurorsXlsx, protocolXlsx, jurorIndex } from '../src/lib/server/results/exports';
const fx = JSON.parse(fs.readFileSync('/tmp/portal-fixtures/national-1-2ed9131490ad.json', 'utf8'));
const db = openDatabase('/tmp/b18/prof.db');
runMigrations(db);
let t = performance.now();
const l = loadRound(db, fx.roundId);
const res = computeRound(l, {});
console.log('load+compute', Math.round(performance.now() - t));
const rss = () => Math.round(process.memoryUsage().rss / 2 ** 20);
for (const [name, mk] of [['entries', () => entriesXlsx(l, res)], ['jurors', () => jurorsXlsx(l, res, jurorIndex(l, res))], ['protocol', () => protocolXlsx(l, res, { printedBy: 'x' })]] as const) {
	if (process.env.ONLY && !name.includes(process.env.ONLY)) continue;
	const r0 = rss();
	let peak = r0;
	const iv = setInterval(() => (peak = Math.max(peak, rss())), 20);
	t = performance.now();
	await pipeline(mk(), fs.createWriteStream(`/tmp/b18/${name}.xlsx`));
	clearInterval(iv);
	console.log(name, Math.round(performance.now() - t), 'ms', fs.statSync(`/tmp/b18/${name}.xlsx`).size >> 10, 'KB', 'rss', r0, '->', peak);
}
