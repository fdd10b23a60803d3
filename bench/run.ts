// `npm run bench`: runs every bench/*.ts (except this file) in its own process, one after
// another, so that time and peak memory of one do not leak into another.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const dir = import.meta.dirname;
const only = process.argv.slice(2);
const files = fs
	.readdirSync(dir)
	.filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_'))
	.filter((f) => !only.length || only.some((o) => f.includes(o)))
	.sort();
let failed = 0;
for (const f of files) {
	console.log(`\n== bench/${f}`);
	const r = spawnSync(process.execPath, [path.join(dir, '..', 'node_modules', 'tsx', 'dist', 'cli.mjs'), path.join(dir, f)], { stdio: 'inherit' });
	if (r.status !== 0) {
		failed++;
		console.log(`!! bench/${f} завершился с кодом ${r.status}`);
	}
}
process.exit(failed ? 1 : 0);
