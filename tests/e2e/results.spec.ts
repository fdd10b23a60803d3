import { test, expect } from '@playwright/test';
import ExcelJS from 'exceljs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { openDatabase, type DB } from '../../src/lib/server/db/client';
import { rounds } from '../../src/lib/server/db/schema';
import { scoreRound, seedResultsContest, type SeededResults } from '../helpers/results-data';
import { lastMail } from './outbox';
import { loginDemo } from './people';

/**
 * Scored data: the jury screens belong to another part of the portal, so this test writes its
 * contest (round 1 scored by four jurors, see tests/helpers/results-data.ts) and later the
 * finals scores straight into the portal's SQLite file — the server uses WAL and reads nothing
 * ahead, so a second process can write to it while it runs. No test-only route in the portal.
 */
let db: DB;
let s: SeededResults;

test.describe.configure({ mode: 'serial' });

test.beforeAll(() => {
	db = openDatabase(path.join(process.env.E2E_DATA_DIR!, 'portal.db'));
	s = seedResultsContest(db, { applicantEmail: 'applicant1@nastavnik.demo', title: 'Наставничество-2025 (итоги)', prefix: 'НИ' });
});
test.afterAll(() => db?.$client.close());

test('the organizer goes from scores to winners; the applicant sees the outcome; the audit log shows it', async ({ page, browser }) => {
	test.setTimeout(120_000);
	await loginDemo(page, 'org@nastavnik.demo');

	// Dashboard with charts (and their tables).
	await page.getByRole('link', { name: 'Консоль', exact: true }).click();
	await page.getByRole('navigation', { name: 'Разделы консоли организатора' }).getByRole('link', { name: 'Дашборд' }).click();
	await page.getByLabel('Конкурс').selectOption({ label: 'Наставничество-2025 (итоги)' });
	await page.getByRole('button', { name: 'Показать' }).click();
	await expect(page.getByRole('heading', { name: 'Работа экспертов: Первый тур' })).toBeVisible();
	await expect(page.locator('canvas[data-ready="true"]')).toHaveCount(7);
	for (const c of await page.locator('canvas').all()) expect((await c.boundingBox())!.height).toBeGreaterThan(100);
	await expect(page.getByRole('table', { name: 'Прогресс и оценки экспертов' }).getByRole('row', { name: /Дёмина Елена Юрьевна/ })).toContainText('2'); // overdue
	await page.screenshot({ path: 'test-results/screens/results-dashboard.png', fullPage: true });

	// Results of round 1: the flagged entry gets one more juror.
	await page.goto('/admin/results');
	await page.getByRole('region', { name: 'Наставничество-2025 (итоги)' }).getByRole('link', { name: 'Первый тур' }).click();
	await expect(page.getByRole('heading', { name: 'Первый тур', level: 1 })).toBeVisible();
	const m2 = page.getByRole('row', { name: new RegExp(s.numbers.M2) });
	await expect(m2).toContainText('расхождение');
	await expect(page.getByRole('row', { name: new RegExp(s.numbers.M4) })).toContainText('не хватает 1');
	await page.getByRole('button', { name: `Назначить ещё эксперта на заявку ${s.numbers.M2}` }).click();
	await expect(page.getByRole('status').filter({ hasText: 'назначен ещё один эксперт — Егоров Жан Маратович' })).toBeVisible();
	await page.getByRole('group', { name: 'Метод нормализации:' }).getByRole('link', { name: 'Z-оценка по жюри', exact: true }).click();
	await expect(page.getByText('Официальный метод (настройка конкурса): Без нормализации')).toBeVisible();
	await page.screenshot({ path: 'test-results/screens/results-table.png', fullPage: true });

	// Juror quality signals.
	await page.getByRole('navigation', { name: 'Разделы тура' }).getByRole('link', { name: 'Эксперты' }).click();
	await expect(page.getByRole('table', { name: 'Сигналы качества оценок по экспертам' }).getByRole('row', { name: /Дёмина Елена Юрьевна/ })).toContainText('слишком быстро');
	await expect(page.locator('canvas[data-ready="true"]')).toHaveCount(1);
	await page.screenshot({ path: 'test-results/screens/results-jurors.png', fullPage: true });

	// Finals: the top 2 of each nomination, a final jury of three, two reviews each.
	await page.getByRole('navigation', { name: 'Разделы тура' }).getByRole('link', { name: 'Финал' }).click();
	await page.getByLabel('N — сколько лучших из каждой номинации').fill('2');
	await page.getByRole('checkbox', { name: 'Антонов Борис Ильич' }).check();
	await page.getByRole('checkbox', { name: 'Белова Вера Павловна' }).check();
	await page.getByRole('checkbox', { name: 'Егоров Жан Маратович' }).check();
	await page.getByLabel('Экспертов на заявку').fill('2');
	await page.getByRole('button', { name: 'Сформировать финал' }).click();
	await expect(page.getByText('Финал сформирован')).toBeVisible();
	await expect(page.getByRole('heading', { name: 'Финал', level: 1 })).toBeVisible();
	await page.getByRole('button', { name: 'Распределить по экспертам' }).click();
	await expect(page.getByRole('status').filter({ hasText: 'Добавлено назначений: 8' })).toBeVisible();
	await page.getByRole('button', { name: 'Открыть оценку финала' }).click();
	await expect(page.getByRole('status').filter({ hasText: 'Оценка финала открыта' })).toBeVisible();
	await page.screenshot({ path: 'test-results/screens/results-finals.png', fullPage: true });

	// The final jury scores (written directly: the scoring screen is the jury's part).
	const finals = db.select().from(rounds).where(eq(rounds.contestId, s.contestId)).all().find((r) => r.number === 2)!;
	const v: Record<string, number> = { [s.apps.M1]: 9, [s.apps.M3]: 7, [s.apps.P1]: 8, [s.apps.P2]: 6 };
	scoreRound(db, finals.id, (a) => v[a]);

	// Winners of the finals: one per nomination (the contest setting).
	await page.goto(`/admin/results/${finals.id}/winners`);
	await expect(page.getByRole('checkbox', { name: `Победитель: заявка ${s.numbers.M1}` })).toBeChecked();
	await expect(page.getByRole('checkbox', { name: `Победитель: заявка ${s.numbers.M3}` })).not.toBeChecked();
	await page.getByRole('button', { name: 'Утвердить победителей' }).click();
	await expect(page.getByRole('alert')).toContainText('Подтвердите решение');
	await page.getByLabel(/Подтверждаю решение/).check();
	await page.getByRole('button', { name: 'Утвердить победителей' }).click();
	await expect(page.getByRole('status').filter({ hasText: 'Решение принято: победителей — 2' })).toBeVisible();
	await expect(page.getByRole('heading', { name: 'География победителей' })).toBeVisible();
	await expect(page.getByText(/из 2 регионов/)).toBeVisible();
	await page.screenshot({ path: 'test-results/screens/results-winners.png', fullPage: true });

	// The XLSX of the finals opens with the expected rows.
	await page.getByRole('navigation', { name: 'Разделы тура' }).getByRole('link', { name: 'Таблица' }).click();
	const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Заявки с баллами, XLSX' }).click()]);
	const file = await download.path();
	const wb = new ExcelJS.Workbook();
	await wb.xlsx.readFile(file);
	const ws = wb.getWorksheet('Заявки')!;
	expect(ws.rowCount).toBe(5);
	const head = (ws.getRow(1).values as string[]).slice(1);
	const rows = [2, 3, 4, 5].map((i) => (ws.getRow(i).values as unknown[]).slice(1));
	const col = (h: string) => head.indexOf(h);
	expect(rows.map((r) => r[col('Номер')])).toEqual([s.numbers.M1, s.numbers.M3, s.numbers.P1, s.numbers.P2]);
	expect(rows.map((r) => r[col('Статус')])).toEqual(['Победитель', 'Не прошла отбор', 'Победитель', 'Не прошла отбор']);
	expect(rows[0][col('Балл')]).toBe(90);
	expect(rows[0][col('Ранг')]).toBe(1);

	await page.getByRole('navigation', { name: 'Разделы тура' }).getByRole('link', { name: 'Протокол' }).click();
	await expect(page.getByRole('heading', { name: 'Протокол подведения итогов' })).toBeVisible();
	await expect(page.getByRole('table', { name: 'Рейтинг номинации «Наставник года»' })).toContainText('Победитель');
	await page.screenshot({ path: 'test-results/screens/results-protocol.png', fullPage: true });

	// Feedback released to the applicants.
	await page.getByRole('navigation', { name: 'Разделы тура' }).getByRole('link', { name: 'Решения и рассылка' }).click();
	await page.getByLabel(/Показать заявителям отзывы/).check();
	await page.getByRole('button', { name: 'Сохранить настройки' }).click();
	await expect(page.getByRole('status').filter({ hasText: 'Настройки итогов сохранены' })).toBeVisible();
	// Results-relevant settings are refused now that the finals have started.
	await page.getByLabel('Порог расхождения (баллов из 100)').fill('30');
	await page.getByRole('button', { name: 'Сохранить настройки' }).click();
	await expect(page.getByRole('alert')).toContainText('Финал уже начался');
	await expect(page.getByLabel('Порог расхождения (баллов из 100)')).toHaveValue('30');
	// Decision mails: queued once; the durable job queue sends them with a per-recipient status.
	await page.getByRole('button', { name: 'Поставить письма в рассылку' }).click();
	await expect(page.getByRole('status').filter({ hasText: 'В рассылку добавлено писем: 8' })).toBeVisible();
	await expect
		.poll(
			async () => {
				await page.reload();
				return page.getByRole('progressbar', { name: 'Отправлено писем' }).getAttribute('aria-valuenow');
			},
			{ timeout: 30_000 }
		)
		.toBe('8');
	const letter = await lastMail('applicant1@nastavnik.demo', new RegExp(`${s.numbers.M1}: вы победитель`));
	expect(letter.text).toContain('стала победителем конкурса «Наставничество-2025 (итоги)»');
	await page.screenshot({ path: 'test-results/screens/results-contest.png', fullPage: true });

	// The applicant sees the outcome and the anonymized feedback.
	const ctx = await browser.newContext();
	const ap = await ctx.newPage();
	await loginDemo(ap, 'applicant1@nastavnik.demo');
	await ap.goto(`/cabinet/applications/${s.apps.M1}`);
	const timeline = ap.getByRole('list', { name: 'Этапы рассмотрения заявки' });
	await expect(timeline).toContainText('Победитель');
	await expect(timeline.locator('li.reached')).toHaveCount(4);
	await expect(ap.getByRole('heading', { name: 'Отзывы экспертов' })).toBeVisible();
	await expect(ap.getByRole('table', { name: /Средние оценки по критериям: Первый тур/ })).toContainText('8,67'); // (9 + 8 + 9) / 3
	await expect(ap.getByText('Эксперт 1:').first()).toBeVisible();
	await expect(ap.getByText('Антонов')).toHaveCount(0);
	await ap.screenshot({ path: 'test-results/screens/results-applicant.png', fullPage: true });
	await ctx.close();

	// The audit log shows the events.
	await page.goto('/admin/audit');
	for (const a of ['Решение: победители', 'Отбор в финал', 'Назначение эксперта', 'Смена статуса заявки', 'Настройки конкурса'])
		await expect(page.getByRole('table', { name: /События журнала/ }).getByText(a, { exact: true }).first()).toBeVisible();
	await page.getByLabel('Действие').selectOption({ label: 'Решение: победители' });
	// Other specs decide their own contests (the whole-contest walk): this contest's decision only.
	await page.getByLabel('Идентификатор объекта').fill(s.contestId);
	await page.getByRole('button', { name: 'Найти' }).click();
	await expect(page.getByRole('table', { name: /События журнала/ }).getByRole('row')).toHaveCount(2);
	await expect(page.getByRole('table', { name: /События журнала/ })).toContainText(s.numbers.M1);
	await page.screenshot({ path: 'test-results/screens/results-audit.png', fullPage: true });
});

test('the results table is usable on a phone', async ({ browser }) => {
	const ctx = await browser.newContext({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
	const page = await ctx.newPage();
	await loginDemo(page, 'org@nastavnik.demo');
	await page.goto(`/admin/results/${s.roundId}`);
	await expect(page.getByRole('heading', { name: 'Первый тур', level: 1 })).toBeVisible();
	await expect(page.getByRole('group', { name: 'Метод нормализации:' }).getByRole('link', { name: 'Без нормализации', exact: true })).toBeVisible();
	await page.screenshot({ path: 'test-results/screens/results-phone.png', fullPage: true });
	await ctx.close();
});
