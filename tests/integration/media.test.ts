/**
 * Video processing over HTTP against the built portal: upload through the real endpoints, the
 * worker of the portal process processes it, the status endpoint answers the owner and organizers
 * only; the organizer's console refuses bad actions; and a portal without ffmpeg still accepts
 * videos and serves the originals.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { startPortal, Client, type Portal } from '../helpers/portal';
import { login, startApplication, uploadFile } from '../helpers/apply';
import { defaultFixturesDir, makeFixtures } from '../fixtures/make-fixtures';

let fx: Record<string, string>;

async function statusOf(c: Client, assetId: string, player = false) {
	const r = await c.get(`/api/uploads/${assetId}/status${player ? '?player=1' : ''}`, { headers: { accept: 'application/json' } });
	return { code: r.status, body: (await r.json()) as Record<string, unknown> & { phase: string; playback: { renditions: { id: string; url: string }[]; poster: string | null } | null } };
}

async function waitPhase(c: Client, assetId: string, phases: string[], ms = 60_000) {
	const end = Date.now() + ms;
	for (;;) {
		const s = await statusOf(c, assetId, true);
		if (phases.includes(s.body.phase)) return s.body;
		if (Date.now() > end) throw new Error(`phase ${s.body.phase}, expected ${phases}`);
		await new Promise((r) => setTimeout(r, 250));
	}
}

beforeAll(async () => {
	fx = await makeFixtures(defaultFixturesDir());
});

describe('with ffmpeg', () => {
	let portal: Portal;
	beforeAll(async () => {
		portal = await startPortal();
	});
	afterAll(async () => portal?.stop());

	it('processes an uploaded video; status for the owner and organizers only; playback with ranges', async () => {
		const owner = await login(portal, 'applicant1@nastavnik.demo');
		const appId = await startApplication(owner, 'mentor-production');
		const { assetId, complete } = await uploadFile(owner, appId, 'video', fx.hevcMov, 'vizitka.mov');
		expect(complete.status).toBe('uploaded');
		const ready = await waitPhase(owner, assetId, ['ready', 'failed']);
		// Playable as soon as the first rendition exists: for an HEVC .mov that is the light one
		// (480p); the 720p one follows and becomes the default, the light one stays offered.
		expect(ready).toMatchObject({ phase: 'ready', error: null });
		expect(ready.playback!.renditions[0].url).toMatch(/\.(web|light)\.mp4/);
		// The job goes on to the «high» one, which then comes first (this small fixture's light
		// rendition is no smaller, so it is not offered beside it).
		let ids: string[] = [];
		for (const end = Date.now() + 60_000; Date.now() < end; await new Promise((r) => setTimeout(r, 300))) {
			ids = (await statusOf(owner, assetId, true)).body.playback!.renditions.map((r) => r.id);
			if (ids[0] === 'web') break;
		}
		expect(ids).toEqual(['web']);
		expect(ready.poster).toContain('.poster.jpg');
		const ranged = await fetch(ready.playback!.renditions[0].url, { headers: { Range: 'bytes=0-9' } });
		expect(ranged.status).toBe(206);
		expect(ranged.headers.get('content-type')).toBe('video/mp4');

		const other = await login(portal, 'applicant2@nastavnik.demo');
		const denied = await statusOf(other, assetId);
		expect(denied.code).toBe(403);
		expect(denied.body.message).toBe('Нет доступа к этому видео');
		expect((await statusOf(await login(portal, 'jury1@nastavnik.demo'), assetId)).code).toBe(403);
		expect((await statusOf(new Client(portal.url), assetId)).code).toBe(401);
		const org = await login(portal, 'org@nastavnik.demo');
		expect((await statusOf(org, assetId)).body.phase).toBe('ready');
		expect((await statusOf(org, 'aaaaaaaaaaaaaaaaaaaaaaaa')).code).toBe(404);

		const page = await org.get('/admin/jobs?kind=media.process&status=done');
		expect(page.status).toBe(200);
		const html = await page.text();
		expect(html).toContain('«vizitka.mov»');
		expect(html).toContain('готово: перекодирование');
		const jobId = /data-job="([a-z0-9]+)" data-kind="media.process"/.exec(html)![1];
		// A finished job cannot be retried or cancelled; unknown ids are refused; foreign origins too.
		const retry = await org.post('/admin/jobs?/retry', { id: jobId });
		expect(retry.status).toBe(409);
		expect(await retry.text()).toContain('Повторить можно только задачу с ошибкой или отменённую');
		expect((await org.post('/admin/jobs?/cancel', { id: jobId })).status).toBe(409);
		expect((await org.post('/admin/jobs?/cancel', { id: 'bbbbbbbbbbbbbbbbbbbbbbbb' })).status).toBe(404);
		expect((await org.post('/admin/jobs?/cancel', { id: '../../etc' })).status).toBe(400);
		expect((await org.post('/admin/jobs?/retry', { id: jobId }, 'https://evil.example')).status).toBe(403);
		expect((await owner.post('/admin/jobs?/retry', { id: jobId })).status).toBe(403);
	}, 180_000);

	it('a corrupt upload is refused at completion and nothing is queued for it', async () => {
		const owner = await login(portal, 'applicant2@nastavnik.demo');
		const appId = await startApplication(owner, 'mentor-production');
		const { complete } = await uploadFile(owner, appId, 'video', fx.corrupt, 'broken.mp4');
		expect(complete).toMatchObject({ status: 'rejected' });
		const org = await login(portal, 'org@nastavnik.demo');
		expect(await (await org.get('/admin/jobs?kind=media.process')).text()).not.toContain('broken.mp4');
	});
});

describe('without ffmpeg', () => {
	let portal: Portal;
	beforeAll(async () => {
		portal = await startPortal({ FFMPEG_PATH: '/nonexistent/ffmpeg', FFPROBE_PATH: '/nonexistent/ffprobe' });
	});
	afterAll(async () => portal?.stop());

	it('the portal runs, the video stays uploaded and marked unavailable, the original is served', async () => {
		const owner = await login(portal, 'applicant1@nastavnik.demo');
		const appId = await startApplication(owner, 'mentor-production');
		const { assetId, complete } = await uploadFile(owner, appId, 'video', fx.hevcMov, 'iphone.mov');
		expect(complete.status).toBe('uploaded');
		const s = await waitPhase(owner, assetId, ['unavailable', 'ready', 'failed']);
		expect(s).toMatchObject({ phase: 'unavailable', error: null, poster: null, playback: { renditions: [{ id: 'original' }], poster: null } });
		expect(s.playback!.renditions[0].url).toMatch(new RegExp(`/${assetId}\\.mov\\?`));
		expect((await fetch(s.playback!.renditions[0].url, { headers: { Range: 'bytes=0-9' } })).status).toBe(206);
		const page = await (await owner.get(`/cabinet/applications/${appId}/video`)).text();
		expect(page).toContain('Обработка видео на сервере сейчас недоступна');
		const org = await login(portal, 'org@nastavnik.demo');
		const console = await (await org.get('/admin/jobs')).text();
		expect(console).toContain('На сервере нет ffmpeg');
		expect(console).toContain('обработка недоступна (нет ffmpeg)');
		expect(path.basename(s.playback!.renditions[0].url.split('?')[0])).toBe(`${assetId}.mov`);
	});
});
