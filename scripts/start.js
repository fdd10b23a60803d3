#!/usr/bin/env node
// `npm start`: builds when the sources are newer than the build, then starts the portal:
// migrations, the embedded S3 (unless S3_ENDPOINT is set), demo data (unconfigured default only),
// HTTP on PORT (default 3000). SIGINT/SIGTERM stop everything cleanly.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
	console.error(`Нужен Node.js 24 или новее, сейчас ${process.versions.node}. См. README, раздел «Установка».`);
	process.exit(1);
}

function newest(p) {
	if (!fs.existsSync(p)) return 0;
	const st = fs.statSync(p);
	if (!st.isDirectory()) return st.mtimeMs;
	let m = 0;
	for (const e of fs.readdirSync(p)) m = Math.max(m, newest(path.join(p, e)));
	return m;
}

const stamp = path.join(root, 'build', '.stamp');
const inputs = ['src', 'static', 'drizzle', 'svelte.config.js', 'vite.config.ts', 'package-lock.json'].map((p) => newest(path.join(root, p)));
const built = fs.existsSync(stamp) ? fs.statSync(stamp).mtimeMs : 0;
if (process.env.SKIP_BUILD !== '1' && Math.max(...inputs) > built) {
	console.log('[start] сборка портала (vite build)…');
	const r = spawnSync(process.execPath, [path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build'], { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
	if (r.status !== 0) process.exit(r.status ?? 1);
	fs.writeFileSync(stamp, new Date().toISOString());
}

if (process.argv.includes('--build-only')) process.exit(0);

process.env.PORT ??= '3000';
// adapter-node needs the public origin for CSRF checks and absolute links.
process.env.ORIGIN ??= `http://localhost:${process.env.PORT}`;
process.env.HOST ??= '0.0.0.0';
// After SIGTERM, requests in flight get this many seconds (adapter-node), so that the whole stop
// stays within 10 s (the watchdog in src/lib/server/boot.ts).
process.env.SHUTDOWN_TIMEOUT ??= '7';

// Hits of the public page cache are answered before SvelteKit builds a Request for them
// (src/lib/server/http/public-pages.ts, fastHit: anonymous GETs of pages it rendered for the
// current data only); everything else goes to adapter-node's handler as before.
const FAST = Symbol.for('nastavnik.publicFastHit');
const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function (event, req, res) {
	if (event === 'request' && req.method === 'GET' && typeof globalThis[FAST] === 'function') {
		let hit = null;
		try {
			hit = globalThis[FAST](req);
		} catch {
			hit = null;
		}
		if (hit) {
			res.writeHead(hit.status, hit.headers);
			res.end(hit.body ?? undefined);
			return true;
		}
	}
	return emit.apply(this, arguments);
};

// A full, memory-reducing collection after heavy one-off work (a national round loaded into the
// results cache, a big export): src/lib/server/ops/memory.ts. V8's gc() is taken here and kept
// under a symbol, not left as a global `gc` for the app. PORTAL_COMPACT=0 turns it off.
if (process.env.PORTAL_COMPACT !== '0') {
	v8.setFlagsFromString('--expose-gc');
	globalThis[Symbol.for('nastavnik.gc')] = vm.runInNewContext('gc');
}

await import(pathToFileURL(path.join(root, 'build', 'index.js')).href);
