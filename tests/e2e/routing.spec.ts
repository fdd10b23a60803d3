import { test, expect } from '@playwright/test';
import path from 'node:path';
import { and, eq, inArray } from 'drizzle-orm';
import { openDatabase, type DB } from '../../src/lib/server/db/client';
import { assignments, users } from '../../src/lib/server/db/schema';
import { seedResultsContest, type SeededResults } from '../helpers/results-data';
import { lastMail } from './outbox';
import { loginDemo } from './people';
import { expectAccessible, expectNoSideScroll } from './checks';

/**
 * Issue 16 in the jury console: the organizer gives a juror areas of expertise, tells the round's
 * routing how much they weigh, sees the preview's affinity / district / connectivity figures, and
 * sends extra reviews to the entries whose side of the winners' cut is unsure. The scored round is
 * written straight into the portal's SQLite file (as results.spec.ts does: WAL, no test route).
 */
let db: DB;
let s: SeededResults;

test.describe.configure({ mode: 'serial' });

test.beforeAll(() => {
	db = openDatabase(path.join(process.env.E2E_DATA_DIR!, 'portal.db'));
	s = seedResultsContest(db, { title: 'Экспертиза-2025 (маршрутизация)', prefix: 'МР' });
});
test.afterAll(() => db?.$client.close());

const activeCount = () =>
	db
		.select({ id: assignments.id })
		.from(assignments)
		.where(and(eq(assignments.roundId, s.roundId), inArray(assignments.status, ['assigned', 'draft', 'submitted'])))
		.all().length;

/** A datetime-local value (Moscow time) a week ahead. */
const weekAhead = () => new Date(Date.now() + 7 * 86400_000 + 3 * 3600_000).toISOString().slice(0, 16);

test('the organizer sets a juror’s expertise, weighs it in the routing, reads the preview and sends extra reviews', async ({ page }) => {
	test.setTimeout(360_000);
	await loginDemo(page, 'org@nastavnik.demo');
	const base = `/admin/jury/${s.slug}`;

	// --- the juror's card: areas of expertise
	await page.goto(`${base}/jurors/${s.jurors.J5}`);
	await expect(page.getByRole('heading', { name: 'Области экспертизы' })).toBeVisible();
	const spheres = page.getByRole('group', { name: 'Сферы практик' });
	await spheres.getByLabel('Образование').check();
	await spheres.getByLabel('Социальная поддержка').check();
	await page.getByLabel('Темы экспертизы').fill('адаптация молодых специалистов, наставничество в школе, Наставничество в школе');
	await page.getByRole('button', { name: 'Сохранить области экспертизы' }).click();
	await expect(page.getByRole('status').filter({ hasText: 'Области экспертизы сохранены' })).toBeVisible();
	await page.reload();
	await expect(page.getByRole('group', { name: 'Сферы практик' }).getByLabel('Образование')).toBeChecked();
	await expect(page.getByLabel('Темы экспертизы')).toHaveValue('адаптация молодых специалистов, наставничество в школе');
	// a tag that is too long is refused with a Russian message, nothing is lost
	await page.getByLabel('Темы экспертизы').fill('а'.repeat(70));
	await page.getByRole('button', { name: 'Сохранить области экспертизы' }).click();
	await expect(page.getByText('Каждая тема — не длиннее 60 символов')).toBeVisible();
	await expectAccessible(page, 'карточка эксперта');
	await page.screenshot({ path: 'test-results/screens/routing-juror-expertise.png', fullPage: true });

	// --- the round: routing preferences, then the preview with its figures
	await page.goto(`${base}/rounds/1`);
	await page.getByText('Как учитывать экспертизу, округа и связность').click();
	await page.getByRole('radio', { name: /Сильно/ }).check();
	await page.getByRole('checkbox', { name: /из разных федеральных округов/ }).check();
	await page.getByRole('checkbox', { name: /Связный граф совместных оценок/ }).check();
	await page.getByRole('button', { name: 'Сохранить настройки распределения' }).click();
	await expect(page.getByRole('status').filter({ hasText: 'Настройки распределения сохранены' })).toBeVisible();
	await expect(page.getByText(/Области экспертизы .* заданы у 1 из 5 экспертов тура/)).toBeVisible();
	// the preview runs as a job (issue 18): its progress, then the result
	await page.getByRole('button', { name: 'Предпросмотр распределения', exact: true }).click();
	await expect(page).toHaveURL(/preview=1/);
	const quality = page.getByRole('region', { name: 'Экспертиза, округа и связность' });
	await expect(quality).toBeVisible({ timeout: 60_000 });
	await expect(quality).toContainText('Учёт экспертизы: сильно; разные округа — да; связность — да.');
	const stats = quality.getByLabel('Качество распределения');
	await expect(stats).toContainText('Совпадение экспертизы');
	await expect(stats).toContainText('Эксперты из разных округов');
	await expect(stats).toContainText('Компоненты связности');
	await expect(quality).toContainText('группы экспертов, связанных общими работами');
	await expectAccessible(page, 'предпросмотр распределения');
	await page.screenshot({ path: 'test-results/screens/routing-preview.png', fullPage: true });

	// --- extra reviews: the round's deadline has passed, so the console first asks to extend it
	const extra = page.getByRole('region', { name: 'Дополнительные оценки у границы призёров' });
	await expect(extra.getByTestId('uncertain-count')).toHaveText(/Неуверенные места у границы призёров: \d+ работ/);
	const n = Number((await extra.getByTestId('uncertain-count').innerText()).match(/(\d+)/)![1]);
	expect(n).toBeGreaterThan(0);
	await expect(extra.getByText('Срок оценки прошёл')).toBeVisible();
	await page.getByText('Настройки тура').click();
	await page.getByLabel('Срок оценки (МСК)').fill(weekAhead());
	await page.getByRole('button', { name: 'Сохранить настройки', exact: true }).click();
	await expect(page.getByRole('status').filter({ hasText: 'Настройки тура сохранены' })).toBeVisible();

	const before = activeCount();
	await extra.getByText('Какие это работы').click();
	await expect(extra.getByRole('table', { name: 'Неуверенные работы у границы призёров' }).getByRole('row')).toHaveCount(n + 1);
	await extra.getByLabel('Сколько экспертов добавить каждой работе').selectOption('1');
	const go = extra.getByRole('button', { name: 'Назначить ещё 1 эксперта этим работам' });
	await expect(go).toBeEnabled();
	await page.screenshot({ path: 'test-results/screens/routing-extra-before.png', fullPage: true });
	// a double click sends one request: the button is off while it runs, and the server refuses a stale page anyway
	await go.dblclick();
	const done = extra.getByRole('status').filter({ hasText: 'Назначено дополнительных оценок' });
	await expect(done).toBeVisible();
	const added = Number((await done.innerText()).match(/оценок: (\d+)/)![1]);
	expect(added).toBeGreaterThan(0);
	expect(added).toBeLessThanOrEqual(n);
	expect(activeCount()).toBe(before + added);
	// the entries that got extra jurors wait for their reviews and are not offered again
	await expect(extra.getByTestId('uncertain-waiting')).toContainText(/ждут дополнительных оценок/);
	await expectAccessible(page, 'дополнительные оценки');
	await page.screenshot({ path: 'test-results/screens/routing-extra-done.png', fullPage: true });
	// the spare juror (nothing on these entries before) is among the chosen and gets a letter
	const j5 = db.select({ email: users.email }).from(users).where(eq(users.id, s.jurors.J5)).get()!;
	const mail = await lastMail(j5.email, /Дополнительные работы на оценку/);
	expect(mail.text).toContain('мнения экспертов по ним разошлись у границы призёров');
	expect(mail.text).toContain('/jury');
});

test('the round page with the preview and the extra reviews fits a 360 px phone', async ({ browser }) => {
	test.setTimeout(240_000);
	const ctx = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
	const page = await ctx.newPage();
	await loginDemo(page, 'org@nastavnik.demo');
	await page.goto(`/admin/jury/${s.slug}/rounds/1`);
	await page.getByRole('button', { name: 'Предпросмотр распределения', exact: true }).click();
	await expect(page).toHaveURL(/preview=1/);
	await expect(page.getByRole('region', { name: 'Экспертиза, округа и связность' })).toBeVisible({ timeout: 60_000 });
	await expect(page.getByTestId('uncertain-count')).toBeVisible();
	await page.getByText('Как учитывать экспертизу, округа и связность').click();
	await expectNoSideScroll(page, 'тур на телефоне');
	await expectAccessible(page, 'тур на телефоне');
	await page.screenshot({ path: 'test-results/screens/routing-round-phone.png', fullPage: true });
	await page.goto(`/admin/jury/${s.slug}/jurors/${s.jurors.J5}`);
	await expect(page.getByRole('group', { name: 'Сферы практик' })).toBeVisible();
	await expectNoSideScroll(page, 'карточка эксперта на телефоне');
	await page.screenshot({ path: 'test-results/screens/routing-juror-phone.png', fullPage: true });
	await ctx.close();
});
