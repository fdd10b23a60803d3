/**
 * SQLite work of backups that must not stall the portal: a snapshot (`VACUUM INTO` on a read-only
 * connection of its own — one read transaction, so the copy is consistent while the portal keeps
 * writing, WAL lets writers go on) and the inspection of a database file (integrity check, applied
 * migrations, row count and SHA-256 of every table). Both run in a worker thread, so the event
 * loop of the portal keeps serving requests.
 *
 * The worker's code is a plain CommonJS string: it has to survive bundling (the built portal has
 * no separate file for it) and it is the one definition of the table checksum, used by the backup
 * and by the restore alike.
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';

export interface TableDigest {
	rows: number;
	sha256: string;
}
export interface Inspection {
	integrity: string[];
	/** Applied drizzle migrations (created_at = `when` of the journal), oldest first. */
	migrations: { hash: string; createdAt: number }[];
	tables: Record<string, TableDigest>;
	pageSize: number;
	pageCount: number;
}

const CODE = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const crypto = require('node:crypto');
const Database = require(workerData.driver);

function inspect(file, full) {
	const db = new Database(file, { readonly: true, fileMustExist: true });
	try {
		const integrity = db.pragma(full ? 'integrity_check' : 'quick_check', { simple: false }).map((r) => String(Object.values(r)[0]));
		let migrations = [];
		const hasMig = db.prepare("select 1 from sqlite_schema where type = 'table' and name = '__drizzle_migrations'").get();
		if (hasMig) migrations = db.prepare('select hash, created_at as createdAt from __drizzle_migrations order by created_at, id').all();
		const tables = {};
		const list = db.prepare("select name, sql from sqlite_schema where type = 'table' and name not like 'sqlite_%' order by name").all();
		for (const t of list) {
			if (/^\s*create\s+virtual\s+table/i.test(t.sql || '')) continue;
			const q = '"' + t.name.replace(/"/g, '""') + '"';
			const cols = db.prepare('select name, pk from pragma_table_info(?) order by cid').all(t.name);
			const pk = cols.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => '"' + c.name.replace(/"/g, '""') + '"');
			const withoutRowid = /without\s+rowid/i.test(t.sql || '');
			const order = pk.length ? pk.join(', ') : withoutRowid ? cols.map((c) => '"' + c.name.replace(/"/g, '""') + '"').join(', ') : 'rowid';
			const h = crypto.createHash('sha256');
			let rows = 0;
			for (const row of db.prepare('select * from ' + q + ' order by ' + order).raw(true).iterate()) {
				rows++;
				h.update(JSON.stringify(row, (k, v) => (typeof v === 'bigint' ? v.toString() + 'n' : v && v.type === 'Buffer' && Array.isArray(v.data) ? 'x' + Buffer.from(v.data).toString('hex') : v)));
				h.update('\n');
			}
			tables[t.name] = { rows, sha256: h.digest('hex') };
		}
		const pageSize = db.pragma('page_size', { simple: true });
		const pageCount = db.pragma('page_count', { simple: true });
		return { integrity, migrations, tables, pageSize, pageCount };
	} finally {
		db.close();
	}
}

// Lowest CPU priority for this thread only (on Linux the nice value is per thread): the portal's
// requests come first, the snapshot takes what is left.
try {
	require('node:os').setPriority(19);
} catch (e) {
	/* not permitted: run at normal priority */
}

try {
	const d = workerData;
	if (d.task === 'snapshot') {
		const src = new Database(d.source, { readonly: true, fileMustExist: true });
		try {
			src.pragma('busy_timeout = 30000');
			src.prepare('VACUUM INTO ?').run(d.target);
		} finally {
			src.close();
		}
		parentPort.postMessage({ ok: true, result: inspect(d.target, false) });
	} else {
		parentPort.postMessage({ ok: true, result: inspect(d.file, !!d.full) });
	}
} catch (e) {
	parentPort.postMessage({ ok: false, message: String(e && e.message || e), code: e && e.code });
}
`;

function driverPath(): string {
	return createRequire(import.meta.url).resolve('better-sqlite3');
}

function run<T>(data: Record<string, unknown>): Promise<T> {
	return new Promise((resolve, reject) => {
		const w = new Worker(CODE, { eval: true, workerData: { ...data, driver: driverPath() } });
		let settled = false;
		w.once('message', (m: { ok: boolean; result?: T; message?: string; code?: string }) => {
			settled = true;
			if (m.ok) resolve(m.result as T);
			else reject(Object.assign(new Error(m.message), { code: m.code }));
			void w.terminate();
		});
		w.once('error', (e) => {
			if (!settled) reject(e);
		});
		w.once('exit', (code) => {
			if (!settled) reject(new Error(`поток SQLite завершился с кодом ${code}`));
		});
	});
}

/** A consistent copy of a live database (VACUUM INTO) and its inspection (quick_check). */
export function snapshotDatabase(source: string, target: string): Promise<Inspection> {
	return run({ task: 'snapshot', source, target });
}

/** Integrity (full check when `full`), migrations and per-table digests of a database file. */
export function inspectDatabase(file: string, full = true): Promise<Inspection> {
	return run({ task: 'inspect', file, full });
}
