/**
 * Backups to S3 (the embedded store, or TEST_S3_ENDPOINT — radosgw in CI): a round trip through
 * the bucket, S3 unreachable at backup time (retried, visible in /metrics and /health, recovered by
 * the schedule on its own), and the region check at start.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import path from 'node:path';
import { startTestS3, type TestS3 } from '../../../../tests/helpers/s3';
import { freePort } from '../../../../tests/helpers/ports';
import { openDatabase, type DB } from '../db/client';
import { runMigrations } from '../db/migrate';
import { users } from '../db/schema';
import { config, parseConfig, setConfig } from '../config';
import { makeClient, s3Settings, checkBucketRegion } from '../storage/s3';
import { S3Store } from './backup-store';
import { listBackups } from './backup';
import { restoreBackup } from './restore';
import { inspectDatabase } from './sqlite-task';
import { backupStatus, runBackup, startBackupSchedule } from './backup-service';
import { healthReport } from './health';
import { registry } from './metrics';

let s3: TestS3;
let db: DB;

beforeAll(async () => {
	s3 = await startTestS3({ BACKUP_S3_PREFIX: 'ops/backups/' });
	db = openDatabase(config().databasePath);
	runMigrations(db);
	db.transaction((tx) => {
		for (let i = 0; i < 300; i++) tx.insert(users).values({ id: `u${i}`, email: `u${i}@example.ru`, fio: `Пользователь ${i}`, role: 'applicant' }).run();
	});
});
afterAll(async () => {
	db?.$client.close();
	await s3?.stop();
});

const metric = async (name: string, labels = '') => {
	const m = new RegExp(`^${name}${labels ? `\\{${labels}\\}` : ''} (\\S+)$`, 'm').exec(await registry.metrics());
	return m ? Number(m[1]) : 0;
};

/** A TCP relay to the real S3: closed = the store is unreachable; open = it is back. */
async function relay(port: number, target: URL) {
	const sockets = new Set<net.Socket>();
	const server = net.createServer((c) => {
		const up = net.connect(Number(target.port), target.hostname);
		sockets.add(c).add(up);
		c.pipe(up).pipe(c);
		const end = () => {
			c.destroy();
			up.destroy();
		};
		c.on('error', end).on('close', end);
		up.on('error', end).on('close', end);
	});
	await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
	return {
		close: () =>
			new Promise<void>((r) => {
				for (const s of sockets) s.destroy();
				server.close(() => r());
			})
	};
}

describe(`backups in S3 (${process.env.TEST_S3_ENDPOINT ? (process.env.TEST_S3_KIND ?? 'external S3') : 'embedded S3'})`, () => {
	it('npm run backup writes snapshot and manifest under BACKUP_S3_PREFIX; a restore from the bucket verifies every table', async () => {
		const r = await runBackup();
		const store = new S3Store(makeClient(s3Settings(), s3Settings().endpoint), config().S3_BUCKET, 'ops/backups/');
		const sets = await listBackups(store);
		expect(sets.map((s) => [s.id, s.complete, s.files.map((f) => f.split('/')[1]).sort()])).toEqual([[r.id, true, ['manifest.json', 'portal.db.zst']]]);
		const target = path.join(s3.dir, 'restored', 'portal.db');
		const restored = await restoreBackup({ store, from: 'latest', dbPath: target });
		expect(restored.id).toBe(r.id);
		expect((await inspectDatabase(target)).tables).toEqual(r.manifest.tables);
		expect(r.manifest.tables.users.rows).toBe(300);
		expect(backupStatus().lastSuccess?.id).toBe(r.id);
	});

	it('S3 unreachable at backup time: retried, shown in /metrics and /health, and the schedule recovers by itself', async () => {
		const port = await freePort();
		const settings = s3Settings();
		const deadStore = new S3Store(makeClient(settings, `http://127.0.0.1:${port}`), config().S3_BUCKET, 'ops/backups/');
		const retriesBefore = await metric('portal_backup_retries_total');
		const failedBefore = await metric('portal_backup_runs_total', 'outcome="failed"');
		const e = await runBackup({ store: deadStore, retries: 2, retryDelayMs: 20 }).catch((x) => x);
		expect(e.code).toBe('store_unavailable');
		expect(e.message).toMatch(/Хранилище копий s3:\/\/.+ недоступно/);
		expect(await metric('portal_backup_retries_total')).toBe(retriesBefore + 2);
		expect(await metric('portal_backup_runs_total', 'outcome="failed"')).toBe(failedBefore + 1);
		const st = backupStatus();
		expect(st.consecutiveFailures).toBe(1);
		expect(st.lastError).toMatch(/недоступно/);
		const h = await healthReport({ db: () => db, dataDir: s3.dir, workerExpected: false });
		expect(h.backup.status).toBe('failing');
		expect(h.backup.lastError).toMatch(/недоступно/);
		expect(h.status).toBe('degraded');

		// The schedule keeps trying; once the store answers again, the next try succeeds.
		const schedule = startBackupSchedule({ store: deadStore, intervalMs: 3600_000, retryMs: 300, firstDelayMs: 0, retries: 0 });
		await new Promise((r) => setTimeout(r, 900));
		expect(backupStatus().consecutiveFailures).toBeGreaterThan(1);
		const up = await relay(port, new URL(settings.endpoint));
		const deadline = Date.now() + 30_000;
		while (backupStatus().consecutiveFailures > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
		await schedule.stop();
		await up.close();
		expect(backupStatus().consecutiveFailures).toBe(0);
		expect(backupStatus().lastError).toBeNull();
		const h2 = await healthReport({ db: () => db, dataDir: s3.dir, workerExpected: false });
		expect(h2.backup.status).not.toBe('failing');
		expect(await metric('portal_backup_age_seconds')).toBeGreaterThanOrEqual(-1);
	});

	it('the bucket region is checked against S3_REGION where the store reports one', async () => {
		const reported = await checkBucketRegion();
		expect(reported).toBeNull(); // the configured region is the store's
		const saved = config();
		try {
			setConfig(parseConfig({ ...process.env, NODE_ENV: 'test', DATA_DIR: s3.dir, ...envOf(saved), S3_REGION: 'eu-north-7' }));
			const msg = await checkBucketRegion();
			if (process.env.TEST_S3_KIND === 'radosgw') expect(msg).toMatch(/^S3_REGION=eu-north-7, а бакет «.+» находится в регионе «default»\. Укажите S3_REGION=default/);
			// s3rver reports no region (the store's default): nothing to compare.
			else if (!process.env.TEST_S3_ENDPOINT) expect(msg).toBeNull();
		} finally {
			setConfig(saved);
		}
	});
});

function envOf(c: ReturnType<typeof config>): Record<string, string> {
	const out: Record<string, string> = { S3_BUCKET: c.S3_BUCKET, EMBEDDED_S3_PORT: String(c.EMBEDDED_S3_PORT) };
	if (c.S3_ENDPOINT) Object.assign(out, { S3_ENDPOINT: c.S3_ENDPOINT, S3_ACCESS_KEY_ID: c.S3_ACCESS_KEY_ID!, S3_SECRET_ACCESS_KEY: c.S3_SECRET_ACCESS_KEY! });
	return out;
}
