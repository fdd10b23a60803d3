import { test, expect, type APIRequestContext, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * After an upload through the real endpoints (/api/uploads → presigned multipart straight to S3 →
 * complete) the applicant watches the status change from processing to ready with the poster, and
 * the player plays the web rendition (with seeking, i.e. range requests on the presigned URL).
 */

let input: string;
test.beforeAll(() => {
	// 10 s of 720p MPEG-4 Part 2 in .mov: not web-playable, so the worker transcodes it (a few seconds).
	input = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-video-')), 'vizitka.mov');
	execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=25:duration=10', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=10', '-c:v', 'mpeg4', '-q:v', '5', '-c:a', 'aac', '-shortest', input]);
});
test.afterAll(() => fs.rmSync(path.dirname(input), { recursive: true, force: true }));

async function login(page: Page, email: string) {
	await page.goto('/login');
	await page.getByLabel('Электронная почта').fill(email);
	await page.getByLabel('Пароль').fill('nastavnik2026');
	await page.getByRole('button', { name: 'Войти' }).click();
	await expect(page).not.toHaveURL(/\/login/);
}

async function sign(api: APIRequestContext, body: Record<string, unknown>): Promise<{ url: string; headers?: Record<string, string> }> {
	const r = await api.post('/api/uploads/sign', { data: body });
	expect(r.status(), await r.text()).toBe(200);
	return r.json();
}

/** The browser's multipart upload (what Uppy does), driven from the test. */
async function uploadVideo(api: APIRequestContext, applicationId: string, file: string): Promise<string> {
	const bytes = fs.readFileSync(file);
	const start = await api.post('/api/uploads', { data: { applicationId, kind: 'video', filename: path.basename(file), type: 'video/quicktime', size: bytes.length } });
	expect(start.status(), await start.text()).toBe(200);
	// Both the asset id and its key name the upload (the sign endpoint accepts either shape).
	const { assetId, key } = (await start.json()) as { assetId: string; key: string };
	const create = await sign(api, { assetId, key, method: 'POST' });
	const created = await fetch(create.url, { method: 'POST', headers: create.headers });
	const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(await created.text())![1];
	const part = await sign(api, { assetId, key, method: 'PUT', uploadId, partNumber: 1 });
	const put = await fetch(part.url, { method: 'PUT', body: bytes });
	expect(put.status).toBe(200);
	const etag = put.headers.get('etag')!;
	const complete = await sign(api, { assetId, key, method: 'POST', uploadId });
	const done = await fetch(complete.url, {
		method: 'POST',
		body: `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${etag}</ETag></Part></CompleteMultipartUpload>`
	});
	expect(done.status).toBe(200);
	const fin = await api.post(`/api/uploads/${assetId}/complete`);
	expect(fin.status(), await fin.text()).toBe(200);
	expect(await fin.json()).toMatchObject({ status: 'uploaded', rejected: null });
	return assetId;
}

test('after upload the applicant sees processing turn into ready with the poster, and the rendition plays', async ({ page }) => {
	test.setTimeout(120_000);
	await login(page, 'applicant2@nastavnik.demo');
	await page.goto('/cabinet/apply/nastavnichestvo-2026');
	await page.locator('input[name="nomination"]').first().check();
	await page.getByRole('button', { name: 'Начать заполнение' }).click();
	await page.waitForURL(/\/cabinet\/applications\/[a-z0-9]+/);
	const applicationId = /\/cabinet\/applications\/([a-z0-9]+)/.exec(page.url())![1];

	const assetId = await uploadVideo(page.request, applicationId, input);
	await page.goto(`/cabinet/applications/${applicationId}/video`);
	const status = page.getByRole('region', { name: 'Состояние видеовизитки' });
	await expect(status).toBeVisible();
	const first = await status.getAttribute('data-phase');
	expect(['queued', 'processing']).toContain(first);
	await expect(status.getByText(/обрабатывается|в очереди/).first()).toBeVisible();
	await page.screenshot({ path: 'test-results/screens/video-processing.png', fullPage: true });

	// The page polls; the worker finishes the transcode.
	await expect(status).toHaveAttribute('data-phase', 'ready', { timeout: 90_000 });
	await expect(status.getByText('готово', { exact: true })).toBeVisible();
	const video = status.locator('video');
	await expect(video).toBeVisible();
	await expect(video).toHaveAttribute('data-rendition', 'true');
	const poster = (await video.getAttribute('poster'))!;
	expect(poster).toContain(`${assetId}.poster.jpg`);
	const posterOk = await page.evaluate(async (src) => {
		const img = new Image();
		img.src = src;
		await img.decode();
		return img.naturalWidth;
	}, poster);
	expect(posterOk).toBe(1280);
	await page.screenshot({ path: 'test-results/screens/video-ready.png', fullPage: true });

	// Play the rendition, then seek (range requests on the presigned URL).
	const played = await video.evaluate(async (v: HTMLVideoElement) => {
		v.muted = true;
		await v.play();
		await new Promise<void>((resolve) => {
			const check = () => (v.currentTime > 0.5 ? resolve() : setTimeout(check, 50));
			check();
		});
		v.pause();
		await new Promise<void>((resolve) => {
			v.addEventListener('seeked', () => resolve(), { once: true });
			v.currentTime = 8;
		});
		return { src: v.currentSrc, time: v.currentTime, width: v.videoWidth, height: v.videoHeight, error: v.error?.code ?? null };
	});
	expect(played.error).toBeNull();
	expect(played.src).toContain(`${assetId}.web.mp4`);
	expect(played.time).toBeGreaterThanOrEqual(7.5);
	expect([played.width, played.height]).toEqual([1280, 720]);
});

test('the organizer sees the processing job and the video summary in the console', async ({ page }) => {
	await login(page, 'org@nastavnik.demo');
	await page.goto('/admin');
	await page.getByRole('navigation', { name: 'Разделы консоли организатора' }).getByRole('link', { name: 'Фоновые задачи' }).click();
	await expect(page.getByRole('heading', { name: 'Фоновые задачи', level: 1 })).toBeVisible();
	await page.getByLabel('Вид задачи').selectOption('media.process');
	await page.getByRole('button', { name: 'Показать' }).click();
	await expect(page).toHaveURL(/kind=media\.process/);
	const row = page.locator('tr[data-kind="media.process"]').first();
	await expect(row).toHaveAttribute('data-status', 'done');
	await expect(row).toContainText('перекодирование');
	await expect(row).toContainText('vizitka.mov');
	await expect(page.getByText('готовы')).toBeVisible();
	await page.setViewportSize({ width: 390, height: 844 });
	await page.screenshot({ path: 'test-results/screens/admin-jobs-phone.png', fullPage: true });
	await page.setViewportSize({ width: 1280, height: 900 });
	await page.screenshot({ path: 'test-results/screens/admin-jobs.png', fullPage: true });
});
