import { test, expect, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeFixtures } from '../fixtures/make-fixtures';
import { lastMail } from './outbox';
import { newApplicant } from './people';
import { PART_CONCURRENCY, partBytes } from '../../src/lib/upload';

let fx: Record<string, string>;
let bigVideo: string;
let partsVideo: string;

test.beforeAll(async () => {
	fx = await makeFixtures();
	// A 3-second 720p clip of about 8 MB, so that the progress of the upload can be seen.
	bigVideo = path.join(os.tmpdir(), 'e2e-visitka-720p.mp4');
	if (!fs.existsSync(bigVideo))
		execFileSync('ffmpeg', ['-y', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30', '-f', 'lavfi', '-i', 'sine=frequency=440', '-t', '3', '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '20M', '-c:a', 'aac', '-shortest', bigVideo]);
	// About 45 MB of noisy video: six parts of 8 MiB, more than go up at once.
	partsVideo = path.join(os.tmpdir(), 'e2e-visitka-40mb.mp4');
	if (!fs.existsSync(partsVideo))
		execFileSync('ffmpeg', ['-y', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30', '-t', '4', '-vf', 'noise=alls=14:allf=t+u', '-c:v', 'libx264', '-preset', 'ultrafast', '-qp', '18', '-an', partsVideo]);
});

async function startApplication(page: Page, nomination: RegExp) {
	await page.goto('/contests/nastavnichestvo-2026');
	await expect(page.getByText('До окончания приёма заявок')).toBeVisible();
	await page.getByRole('link', { name: 'Подать заявку' }).first().click();
	await page.getByRole('radio', { name: nomination }).check();
	await page.getByRole('button', { name: 'Начать заполнение' }).click();
	await expect(page.getByRole('heading', { name: '1. О себе' })).toBeVisible();
}

test('an applicant fills the whole wizard, uploads a video and a PDF with progress, submits and sees the number', async ({ page }) => {
	test.setTimeout(120_000);
	const email = await newApplicant(page);
	await startApplication(page, /Наставник в образовании/);

	// 1. About me — first with a mistake: the error names the field, the values stay.
	await page.getByLabel('Регион').selectOption({ label: 'Республика Татарстан' });
	await page.getByLabel('Муниципальное образование').fill('г. Казань');
	await page.getByLabel('Организация').fill('МБОУ «Лицей № 131»');
	await page.getByLabel('Должность').fill('учитель математики');
	await page.getByLabel('Стаж наставничества, лет').fill('9');
	await page.getByLabel('Телефон').fill('12345');
	await page.getByRole('button', { name: 'Сохранить и продолжить' }).click();
	await expect(page.getByText('Телефон в формате +7 (999) 123-45-67')).toBeVisible();
	await expect(page.getByLabel('Организация')).toHaveValue('МБОУ «Лицей № 131»');
	await page.getByLabel('Телефон').fill('+7 (917) 555-12-34');
	await page.getByRole('button', { name: 'Сохранить и продолжить' }).click();

	// 2. The practice.
	await expect(page.getByRole('heading', { name: '2. Практика' })).toBeVisible();
	await page.getByLabel('Название практики').fill('Школа молодого учителя');
	await page.getByLabel('Какую проблему решает').fill('Молодые учителя уходили из школы в первый год работы, не получив поддержки.');
	await page.getByLabel('Что делает наставничество').fill('Каждому молодому учителю назначается наставник; еженедельные встречи, открытые уроки, разбор трудных ситуаций.');
	await page.getByLabel('Команда').fill('Шесть наставников, четырнадцать молодых учителей, завуч');
	await page.getByLabel('Год начала практики').fill('2019');
	await page.getByLabel('Результаты в цифрах').fill('Текучесть в первый год снизилась с 28% до 7% (2021–2024, данные отдела кадров).');
	await page.getByRole('button', { name: 'Сохранить и продолжить' }).click();

	// 3. The letter: live counter and a PDF uploaded straight to S3.
	await expect(page.getByRole('heading', { name: '3. Письмо-резюме' })).toBeVisible();
	const letter = 'Я учитель математики и девять лет помогаю молодым коллегам войти в профессию. '.repeat(4);
	await page.getByLabel('Текст письма-резюме').fill(letter);
	await expect(page.getByText(`${letter.length} из 5000 символов`)).toBeVisible();
	await page.getByLabel('Выберите файл').setInputFiles(fx.pdf);
	await expect(page.getByText('Файл загружен и проверен.')).toBeVisible();
	await expect(page.getByRole('link', { name: /\.pdf$/ })).toBeVisible();
	await page.getByRole('button', { name: 'Сохранить и продолжить' }).click();

	// 4. The video, on a slow link: the progress, the speed and the time left are visible.
	await expect(page.getByRole('heading', { name: '4. Видеовизитка' })).toBeVisible();
	const cdp = await page.context().newCDPSession(page);
	await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 40, downloadThroughput: -1, uploadThroughput: 1.5 * 1024 * 1024 });
	await page.getByLabel('Выберите видеофайл').setInputFiles(bigVideo);
	const bar = page.getByRole('progressbar');
	await expect(bar).toBeVisible();
	await expect.poll(async () => Number(await bar.getAttribute('aria-valuenow')), { timeout: 20_000 }).toBeGreaterThan(0);
	await expect(page.getByText(/осталось ≈/)).toBeVisible();
	await page.screenshot({ path: 'test-results/screens/upload-progress.png', fullPage: true });
	await expect(page.getByText('Видео загружено и проверено.')).toBeVisible({ timeout: 60_000 });
	await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
	await expect(page.getByRole('region', { name: 'Состояние видеовизитки' })).toBeVisible();

	// 5. Consent, preview and submit.
	await page.getByRole('link', { name: 'Дальше: согласие и отправка' }).click();
	await expect(page.getByText('Школа молодого учителя')).toBeVisible();
	// The letter typed before the PDF upload survived it.
	await expect(page.getByText(`текст, ${letter.trim().length} символов · файл «letter.pdf»`)).toBeVisible();
	await page.getByLabel(/Я даю согласие на обработку персональных данных/).check();
	await page.screenshot({ path: 'test-results/screens/wizard-submit.png', fullPage: true });
	await page.getByRole('button', { name: 'Отправить заявку' }).click();
	await expect(page.getByText(/Заявка НС-2026-\d{5} принята/)).toBeVisible();
	const number = (await page.getByRole('heading', { level: 1 }).textContent())!.replace('Заявка ', '').trim();
	expect(number).toMatch(/^НС-2026-\d{5}$/);
	const mail = await lastMail(email, /принята/);
	expect(mail.text).toContain(number);

	await page.goto('/cabinet');
	const row = page.getByRole('row', { name: new RegExp(number) });
	await expect(row).toContainText('Подана');
	await expect(row).toContainText('Школа молодого учителя');
	await page.screenshot({ path: 'test-results/screens/cabinet-submitted.png', fullPage: true });
});

test('the wizard refuses a file that is not what it claims, with a clear message', async ({ page }) => {
	await newApplicant(page);
	await startApplication(page, /Наставник на производстве/);
	await page.goto(page.url().replace(/\/about$/, '/video'));
	const fake = path.join(os.tmpdir(), 'e2e-not-a-video.mp4');
	fs.copyFileSync(fx.fakeMp4, fake);
	await page.getByLabel('Выберите видеофайл').setInputFiles(fake);
	await expect(page.getByRole('alert').filter({ hasText: 'не является видео' }).first()).toBeVisible();
	// A wrong extension is refused before anything is sent.
	const txt = path.join(os.tmpdir(), 'e2e-letter.txt');
	fs.writeFileSync(txt, 'просто текст');
	await page.getByLabel(/Выберите видеофайл|Заменить видео/).setInputFiles(txt);
	await expect(page.getByText(/не подходит: нужен формат MP4, MOV, WEBM, M4V/)).toBeVisible();
	await page.screenshot({ path: 'test-results/screens/upload-refused.png', fullPage: true });
});

test('a video goes up in parallel parts, and an upload interrupted by a reload resumes where it stopped', async ({ page }) => {
	test.setTimeout(150_000);
	const video = partsVideo;
	const size = fs.statSync(video).size;
	const partCount = Math.ceil(size / partBytes(size));
	expect(partCount).toBeGreaterThan(PART_CONCURRENCY);
	await newApplicant(page);
	await startApplication(page, /Наставник в социальной сфере/);
	await page.goto(page.url().replace(/\/about$/, '/video'));

	// Watch the part PUTs that go to S3: how many are in flight at once, and which are stored.
	const isPart = (url: string, method: string) => method === 'PUT' && /[?&]partNumber=\d+/.test(url);
	const partOf = (url: string) => Number(/[?&]partNumber=(\d+)/.exec(url)![1]);
	let inFlight = 0;
	let maxInFlight = 0;
	const stored: number[] = [];
	page.on('request', (r) => {
		if (isPart(r.url(), r.method())) maxInFlight = Math.max(maxInFlight, ++inFlight);
	});
	const settled = (r: import('@playwright/test').Request) => {
		if (isPart(r.url(), r.method())) inFlight--;
	};
	page.on('requestfailed', settled);
	page.on('requestfinished', settled);
	page.on('response', (r) => {
		if (isPart(r.url(), r.request().method()) && r.status() === 200) stored.push(partOf(r.url()));
	});

	const cdp = await page.context().newCDPSession(page);
	await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 4 * 1024 * 1024 });
	await page.getByLabel('Выберите видеофайл').setInputFiles(video);
	// Reload as soon as the first part is stored, while the others are still on their way.
	await expect.poll(() => stored.length, { timeout: 60_000 }).toBeGreaterThan(0);
	expect(maxInFlight).toBeGreaterThanOrEqual(2);
	expect(maxInFlight).toBeLessThanOrEqual(PART_CONCURRENCY);
	await page.reload();
	const before = [...stored];
	stored.length = 0;
	// The browser keeps the multipart state, not 45 MB of video: the page asks for the same file.
	await expect(page.getByText(/Незавершённая загрузка «e2e-visitka-40mb\.mp4»: выберите этот же файл ещё раз/)).toBeVisible({ timeout: 20_000 });
	const restoredAt = Number(await page.getByRole('progressbar').getAttribute('aria-valuenow'));
	expect(restoredAt).toBeGreaterThan(0);
	await page.screenshot({ path: 'test-results/screens/upload-restored.png', fullPage: true });
	await page.getByLabel(/Выберите видеофайл|Заменить видео/).setInputFiles(video);
	await expect(page.getByText('Видео загружено и проверено.')).toBeVisible({ timeout: 60_000 });
	await expect(page.getByRole('region', { name: 'Состояние видеовизитки' })).toBeVisible();
	// The resumed upload sent only the parts S3 did not have yet, and all of them are there.
	expect(stored.filter((n) => before.includes(n))).toEqual([]);
	expect(new Set([...before, ...stored])).toEqual(new Set(Array.from({ length: partCount }, (_, i) => i + 1)));
});

test('a part cut off by the network is sent again automatically; parts already stored are not', async ({ page }) => {
	test.setTimeout(120_000);
	const video = partsVideo;
	const size = fs.statSync(video).size;
	const partCount = Math.ceil(size / partBytes(size));
	await newApplicant(page);
	await startApplication(page, /Наставник на производстве/);
	await page.goto(page.url().replace(/\/about$/, '/video'));
	const stored: number[] = [];
	page.on('response', (r) => {
		const m = /[?&]partNumber=(\d+)/.exec(r.url());
		if (m && r.request().method() === 'PUT' && r.status() === 200) stored.push(Number(m[1]));
	});
	// Part 2 loses its connection four times in a row: Uppy's own three quick retries of the
	// request fail too, the upload stops with a message, and our retry resumes it.
	let attempts = 0;
	await page.route(/[?&]partNumber=2(&|$)/, async (route) => {
		if (route.request().method() === 'PUT' && attempts++ < 4) return route.abort('connectionreset');
		return route.continue();
	});
	await page.getByLabel('Выберите видеофайл').setInputFiles(video);
	await expect(page.getByText(/Связь прервалась: повторим через \d+ с \(попытка 1 из 5\)/)).toBeVisible({ timeout: 45_000 });
	await page.screenshot({ path: 'test-results/screens/upload-retry.png', fullPage: true });
	await expect(page.getByText('Видео загружено и проверено.')).toBeVisible({ timeout: 60_000 });
	expect(attempts).toBe(5);
	// Every part was stored exactly once.
	expect([...stored].sort((a, b) => a - b)).toEqual(Array.from({ length: partCount }, (_, i) => i + 1));
});
