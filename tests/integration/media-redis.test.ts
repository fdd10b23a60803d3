/**
 * The built portal with REDIS_URL: an uploaded video is relayed to BullMQ, processed by a
 * `npm run worker -- --media` process that has only REDIS_URL and the S3 settings, and recorded by
 * the portal; /admin/jobs shows the worker and the video lane's capacity.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startPortal, type Portal } from '../helpers/portal';
import { login, startApplication, uploadFile } from '../helpers/apply';
import { defaultFixturesDir, makeFixtures } from '../fixtures/make-fixtures';
import { redisAvailable, startTestRedis, type TestRedis } from '../helpers/redis';
import { EXTERNAL_S3 } from '../helpers/s3';

let fx: Record<string, string>;
let redis: TestRedis;
let portal: Portal;
let worker: ChildProcess | undefined;
const workerLogs: string[] = [];

describe.skipIf(!redisAvailable || !!EXTERNAL_S3)('the portal with REDIS_URL and a media worker elsewhere', () => {
	beforeAll(async () => {
		fx = await makeFixtures(defaultFixturesDir());
		redis = await startTestRedis();
		portal = await startPortal({ REDIS_URL: redis.url, REDIS_PREFIX: 'itest' });
		// The worker knows the S3 (here the portal's embedded one) and Redis — nothing else.
		const keys = JSON.parse(fs.readFileSync(path.join(portal.dataDir, 'keys', 'embedded-s3.json'), 'utf8')) as { accessKeyId: string; secretAccessKey: string };
		worker = spawn(process.execPath, ['--import', 'tsx', 'scripts/worker.ts', '--media'], {
			cwd: path.resolve(import.meta.dirname, '../..'),
			env: {
				PATH: process.env.PATH ?? '',
				HOME: process.env.HOME ?? '/tmp',
				REDIS_URL: redis.url,
				REDIS_PREFIX: 'itest',
				S3_ENDPOINT: `http://127.0.0.1:${portal.s3Port}`,
				S3_BUCKET: 'portal',
				S3_ACCESS_KEY_ID: keys.accessKeyId,
				S3_SECRET_ACCESS_KEY: keys.secretAccessKey
			},
			stdio: ['ignore', 'pipe', 'pipe']
		});
		worker.stdout!.on('data', (d) => workerLogs.push(String(d)));
		worker.stderr!.on('data', (d) => workerLogs.push(String(d)));
	});
	afterAll(async () => {
		if (worker && worker.exitCode === null) {
			const exited = new Promise((r) => worker!.once('exit', r));
			worker.kill('SIGTERM');
			await exited;
		}
		await portal?.stop();
		await redis?.close();
	});

	it('an uploaded card is processed by the worker and becomes playable; /admin/jobs shows the worker', async () => {
		const owner = await login(portal, 'applicant1@nastavnik.demo');
		const appId = await startApplication(owner, 'mentor-production');
		const { assetId } = await uploadFile(owner, appId, 'video', fx.mp4, 'vizitka.mp4');
		const end = Date.now() + 90_000;
		let body: { phase: string; playback: { renditions?: { url: string }[]; src?: string } | null } = { phase: '', playback: null };
		while (Date.now() < end) {
			const r = await owner.get(`/api/uploads/${assetId}/status?player=1`, { headers: { accept: 'application/json' } });
			body = await r.json();
			if (body.phase === 'ready' || body.phase === 'failed') break;
			await new Promise((r) => setTimeout(r, 300));
		}
		expect(body.phase, `${workerLogs.join('')}\n${portal.logs.join('').slice(-3000)}`).toBe('ready');
		expect(JSON.stringify(body.playback)).toMatch(/\.(web|light)\.mp4/);

		const org = await login(portal, 'org@nastavnik.demo');
		const page = await (await org.get('/admin/jobs')).text();
		expect(page).toContain('Мощность обработки видео');
		expect(page).toContain('через Redis (BullMQ)');
		expect(page).toMatch(/data-worker="[^"]+"/);
		expect(page).toContain('на связи');
	});
});
