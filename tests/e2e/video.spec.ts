import { test, expect, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loginDemo, newApplicant } from './people';
import { startApplication, uploadVideo } from './video-upload';

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

test('after upload the applicant sees processing turn into ready with the poster, and the rendition plays', async ({ page }) => {
	test.setTimeout(120_000);
	await loginDemo(page, 'applicant2@nastavnik.demo');
	const applicationId = await startApplication(page);

	const assetId = await uploadVideo(page.request, applicationId, input);
	await page.goto(`/cabinet/applications/${applicationId}/video`);
	const status = page.getByRole('region', { name: 'Состояние видеовизитки' });
	await expect(status).toBeVisible();
	const first = await status.getAttribute('data-phase');
	expect(['queued', 'processing']).toContain(first);
	await expect(status.getByText(/обрабатывается|в очереди/).first()).toBeVisible();
	await page.screenshot({ path: 'test-results/screens/video-processing.png', fullPage: true });

	// The page polls. The first rendition (for this .mov the light 480p one) makes the card
	// playable: «можно смотреть», the player shows it, and the page goes on polling; when the 720p
	// one is made the same player offers it — no reload (issue 15: it said «готово» and kept the
	// 480p one alone until the page was reloaded).
	await expect(status).toHaveAttribute('data-phase', /partial|ready/, { timeout: 90_000 });
	if ((await status.getAttribute('data-phase')) === 'partial') {
		await expect(status.getByText('можно смотреть', { exact: true })).toBeVisible();
		await expect(status.getByText(/Готовим качество выше/)).toBeVisible();
		await expect(status.locator('video')).toBeVisible();
		await page.screenshot({ path: 'test-results/screens/video-partial.png', fullPage: true });
	}
	await expect(status).toHaveAttribute('data-phase', 'ready', { timeout: 90_000 });
	await expect(status.getByText('готово', { exact: true })).toBeVisible();
	await expect(status.getByLabel('Качество').locator('option')).toHaveText([/^Авто/, '720p', '480p']);
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
	// Ready as soon as the first rendition exists: for this .mov the light one (480p) comes first,
	// the 720p one follows within seconds.
	expect(played.src).toMatch(new RegExp(`${assetId}\\.(light|web)\\.mp4`));
	expect(played.time).toBeGreaterThanOrEqual(7.5);
	// 480p (852×480 stored; the browser reports 853 or 854 wide by the sample aspect) or 720p.
	expect([480, 720]).toContain(played.height);
	expect(played.width / played.height).toBeCloseTo(16 / 9, 1);
});

test('the organizer sees the processing job and the video summary in the console', async ({ page }) => {
	await loginDemo(page, 'org@nastavnik.demo');
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

test('the jury’s player plays the rendition of a submitted entry; on a slow link it starts with the light one and can switch to 720p', async ({ page, browser }) => {
	test.setTimeout(180_000);
	// A new applicant submits an entry with the video.
	await newApplicant(page, 'Белова Ирина Сергеевна');
	await page.goto('/cabinet/apply/nastavnichestvo-2026');
	await page.getByRole('radio', { name: /Практика наставничества в социальной сфере и здравоохранении/ }).check();
	await page.getByRole('button', { name: 'Начать заполнение' }).click();
	await page.waitForURL(/\/cabinet\/applications\/[a-z0-9]+\/about/);
	const applicationId = /\/cabinet\/applications\/([a-z0-9]+)/.exec(page.url())![1];
	await page.getByLabel('Регион').selectOption({ label: 'Новосибирская область' });
	await page.getByLabel('Муниципальное образование').fill('г. Бердск');
	await page.getByLabel('Организация').fill('ГБУЗ НСО «Бердская центральная городская больница»');
	await page.getByLabel('Должность').fill('старшая медицинская сестра');
	await page.getByLabel('Стаж наставничества, лет').fill('12');
	await page.getByLabel('Телефон').fill('+7 (913) 555-44-33');
	await page.getByRole('button', { name: 'Сохранить и продолжить' }).click();
	await page.getByLabel('Название практики').fill('Школа молодой медсестры');
	await page.getByLabel('Какую проблему решает').fill('Молодые медсёстры уходили из больницы в первый год, не выдержав нагрузки.');
	await page.getByLabel('Что делает наставничество').fill('Каждой новой медсестре назначается наставница; разборы смен, тренинги у постели больного.');
	await page.getByLabel('Команда').fill('Девять наставниц и двадцать молодых медсестёр');
	await page.getByLabel('Год начала практики').fill('2020');
	await page.getByLabel('Результаты в цифрах').fill('Уход в первый год снизился с 35% до 12% за 2021–2024 годы.');
	await page.getByRole('button', { name: 'Сохранить и продолжить' }).click();
	await page.getByLabel('Текст письма-резюме').fill('Двенадцать лет я помогаю молодым медсёстрам освоиться в отделении. '.repeat(5));
	await page.getByRole('button', { name: 'Сохранить и продолжить' }).click();
	await expect(page.getByRole('heading', { name: '4. Видеовизитка' })).toBeVisible();
	await uploadVideo(page.request, applicationId, input);
	await page.goto(`/cabinet/applications/${applicationId}/submit`);
	await page.getByLabel(/Я даю согласие на обработку персональных данных/).check();
	await page.getByRole('button', { name: 'Отправить заявку' }).click();
	await expect(page.getByText(/Заявка НС-2026-\d{5} принята/)).toBeVisible();
	const number = (await page.getByRole('heading', { level: 1 }).textContent())!.replace('Заявка ', '').trim();

	// The organizer routes the late entry.
	const org = await (await browser.newContext()).newPage();
	await loginDemo(org, 'org@nastavnik.demo');
	await org.goto('/admin/jury/nastavnichestvo-2026/rounds/1');
	await expect(org.getByText(/Поданы позже создания тура и ещё не распределены: 1 заявка/)).toBeVisible();
	await org.getByRole('button', { name: 'Предпросмотр распределения', exact: true }).click();
	await org.getByRole('button', { name: 'Применить распределение' }).click();
	await expect(org.getByRole('status').filter({ hasText: 'Распределение применено' })).toBeVisible();

	// One of its jurors opens it: the player plays the web rendition with its poster.
	let juror: Page | null = null;
	for (let i = 1; i <= 8 && !juror; i++) {
		const p = await (await browser.newContext()).newPage();
		await loginDemo(p, `jury${i}@nastavnik.demo`);
		await p.goto('/jury');
		const link = p.getByRole('link', { name: new RegExp(number) });
		if (await link.count()) {
			await link.first().click();
			juror = p;
		} else await p.context().close();
	}
	expect(juror, 'кому-то из экспертов назначена новая заявка').not.toBeNull();
	const j = juror!;
	await expect(j.getByRole('heading', { name: 'Оценка' })).toBeVisible();
	// The worker transcodes the .mov; the screen plays the rendition once it is ready.
	await expect
		.poll(
			async () => {
				await j.reload();
				return (await j.locator('figure.player video source').getAttribute('src')) ?? '';
			},
			{ timeout: 90_000, intervals: [1000, 2000, 3000] }
		)
		.toMatch(/\.web\.mp4\?/);
	expect(await j.locator('figure.player video').getAttribute('poster')).toMatch(/\.poster\.jpg\?/);
	const played = await j.locator('figure.player video').evaluate(async (v: HTMLVideoElement) => {
		v.muted = true;
		await v.play();
		await new Promise<void>((resolve) => {
			const check = () => (v.currentTime > 0.5 ? resolve() : setTimeout(check, 50));
			check();
		});
		v.pause();
		return { time: v.currentTime, width: v.videoWidth, error: v.error?.code ?? null };
	});
	expect(played.error).toBeNull();
	expect(played.time).toBeGreaterThan(0.5);
	expect(played.width).toBeGreaterThan(0);
	await j.screenshot({ path: 'test-results/screens/jury-player-rendition.png', fullPage: false });
	const player = j.locator('figure.player video');
	await expect(player).toHaveAttribute('data-quality', 'web');

	// On a slow link (1 Mbit/s, 150 ms) «Авто» starts with the light rendition (480p); the juror
	// can switch to 720p, and the screen remembers the choice.
	const cdp = await j.context().newCDPSession(j);
	await cdp.send('Network.enable');
	await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 150, downloadThroughput: 125_000, uploadThroughput: 62_500 });
	await j.reload();
	await expect(player).toHaveAttribute('data-quality', 'light', { timeout: 30_000 });
	expect(await j.locator('figure.player video source').getAttribute('src')).toMatch(/\.light\.mp4\?/);
	const quality = j.getByLabel('Качество');
	await expect(quality.locator('option')).toHaveText(['Авто (480p)', '720p', '480p']);
	// How long the light rendition takes to start playing at 1 Mbit/s.
	const startMs = await player.evaluate(async (v: HTMLVideoElement) => {
		const t0 = performance.now();
		v.muted = true;
		await v.play();
		await new Promise<void>((resolve) => {
			const check = () => (v.currentTime > 0 ? resolve() : setTimeout(check, 20));
			check();
		});
		v.pause();
		return Math.round(performance.now() - t0);
	});
	console.log(`[video] light rendition starts playing at 1 Mbit/s in ${startMs} ms`);
	await j.screenshot({ path: 'test-results/screens/jury-player-light.png', fullPage: false });
	await quality.selectOption({ label: '720p' });
	await expect(player).toHaveAttribute('data-quality', 'web');
	expect(await j.locator('figure.player video source').getAttribute('src')).toMatch(/\.web\.mp4\?/);
	await j.reload();
	await expect(player).toHaveAttribute('data-quality', 'web');
	await expect(j.getByLabel('Качество')).toHaveValue('web');
});
