import { test, expect, type Page } from '@playwright/test';
import path from 'node:path';
import { openDatabase, type DB } from '../../src/lib/server/db/client';
import { assignments, scores } from '../../src/lib/server/db/schema';
import { newId } from '../../src/lib/server/ids';
import { seedResultsContest, type SeededResults } from '../helpers/results-data';
import { expectAccessible, expectNoSideScroll } from './checks';
import { loginDemo } from './people';

/**
 * Issue 16, the results side: the organizer switches the official method to the juror-bias model
 * and reads, on the results page and the jurors tab, how strict and how consistent each juror is.
 * The contest is written straight into the portal's SQLite (tests/helpers/results-data.ts), plus
 * one juror (J5) with a single review — the model says it cannot judge them.
 */
let db: DB;
let s: SeededResults;

test.describe.configure({ mode: 'serial' });

test.beforeAll(() => {
	db = openDatabase(path.join(process.env.E2E_DATA_DIR!, 'portal.db'));
	s = seedResultsContest(db, { title: 'Наставничество-2025 (модель)', prefix: 'НМ' });
	const a = newId();
	db.insert(assignments).values({ id: a, roundId: s.roundId, applicationId: s.apps.P3, jurorId: s.jurors.J5, status: 'submitted', submittedAt: new Date() }).run();
	db.insert(scores)
		.values([
			{ assignmentId: a, criterionId: s.c1, value: 9 },
			{ assignmentId: a, criterionId: s.c2, value: 9 }
		])
		.run();
});
test.afterAll(() => db?.$client.close());

async function chooseModel(page: Page) {
	await page.goto(`/admin/results/contest/${s.contestId}`);
	const method = page.getByRole('group', { name: 'Метод нормализации оценок (официальный рейтинг)' });
	await expect(method.getByRole('radio', { name: /Без нормализации/ })).toBeChecked();
	await expect(method).toContainText('Строгость и шкала каждого эксперта оцениваются по работам');
	await expectAccessible(page, 'настройки итогов');
	await method.getByRole('radio', { name: /Модель строгости жюри/ }).check();
	await page.getByRole('button', { name: 'Сохранить настройки' }).click();
	await expect(page.getByRole('status').filter({ hasText: 'Настройки итогов сохранены' })).toBeVisible();
	await page.reload();
	await expect(page.getByRole('group', { name: 'Метод нормализации оценок (официальный рейтинг)' }).getByRole('radio', { name: /Модель строгости жюри/ })).toBeChecked();
}

test('the organizer switches to the juror-bias model and reads each juror in plain words', async ({ page }) => {
	test.setTimeout(240_000); // six pages with axe and full-page screenshots on a shared 2-core machine
	await loginDemo(page, 'org@nastavnik.demo');
	await chooseModel(page);
	await page.screenshot({ path: 'test-results/screens/model-settings.png', fullPage: true });

	// The results page: the official method, the model's score ± its uncertainty, the notes, the jurors.
	await page.goto(`/admin/results/${s.roundId}`);
	const methods = page.getByRole('group', { name: 'Метод нормализации:' });
	await expect(methods.getByRole('link', { name: 'Модель строгости жюри', exact: true })).toHaveAttribute('aria-current', 'true');
	await expect(page.getByText('Официальный метод (настройка конкурса): Модель строгости жюри')).toBeVisible();
	await expect(page.getByRole('row', { name: new RegExp(s.numbers.M1) })).toContainText('±');
	const model = page.getByTestId('model-jurors');
	await expect(model.getByRole('heading', { name: 'Строгость экспертов по модели' })).toBeVisible();
	await expect(model.getByRole('note').filter({ hasText: 'по одной оценке' })).toContainText('Егоров Жан Маратович');
	await expect(model.getByRole('note').filter({ hasText: 'меньше 3 оценок' })).toContainText(s.numbers.M4);
	await model.getByText(/Каждый эксперт: строгость и согласованность/).click();
	const table = model.getByRole('table', { name: 'Строгость и согласованность каждого эксперта по модели' });
	await expect(table.getByRole('row', { name: /Белова Вера Павловна/ })).toContainText(/мягче среднего на \d+(,\d)? балл/);
	await expect(table.getByRole('row', { name: /Белова Вера Павловна/ })).toContainText('оценки сжаты уже обычного');
	await expect(table.getByRole('row', { name: /Дёмина Елена Юрьевна/ })).toContainText(/строже среднего на/);
	await expect(table.getByRole('row', { name: /Дёмина Елена Юрьевна/ })).toContainText('мало общих работ с другими');
	await expect(table.getByRole('row', { name: /Егоров Жан Маратович/ })).toContainText('одна оценка — строгость не оценить');
	await expectAccessible(page, 'итоги тура в режиме модели');
	await page.screenshot({ path: 'test-results/screens/model-results.png', fullPage: true });

	// Compared with the z-score: the column shows the places by that method.
	await page.getByRole('link', { name: 'Показать места по методу «Z-оценка по жюри»' }).click();
	await expect(page.getByRole('columnheader', { name: 'Место: Z-оценка по жюри' }).first()).toBeVisible();

	// The jurors tab: the same words, open.
	await page.getByRole('navigation', { name: 'Разделы тура' }).getByRole('link', { name: 'Эксперты' }).click();
	const tab = page.getByTestId('model-jurors');
	await expect(tab.getByRole('heading', { name: /модель строгости жюри — официальный метод/ })).toBeVisible();
	await expect(tab.getByRole('row', { name: /Антонов Борис Ильич/ })).toContainText(/строже среднего на|мягче среднего на|строгость как у большинства/);
	await expect(tab.getByRole('row', { name: /Антонов Борис Ильич/ })).toContainText('с коллегами согласуется');
	await expectAccessible(page, 'эксперты тура: модель строгости');
	await page.screenshot({ path: 'test-results/screens/model-jurors.png', fullPage: true });

	// The protocol names the method and shows the model's uncertainty.
	await page.getByRole('navigation', { name: 'Разделы тура' }).getByRole('link', { name: 'Протокол' }).click();
	await expect(page.getByTestId('method')).toContainText('Метод нормализации: Модель строгости жюри — модель строгости экспертов');
	await expect(page.getByRole('table', { name: 'Рейтинг номинации «Наставник года»' }).getByRole('columnheader', { name: '± (модель)' })).toBeVisible();
	await page.screenshot({ path: 'test-results/screens/model-protocol.png', fullPage: true });
});

test('on a 360 px phone: the method switch, the notes and the juror words fit the screen', async ({ browser }) => {
	test.setTimeout(180_000);
	const ctx = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
	const page = await ctx.newPage();
	await loginDemo(page, 'org@nastavnik.demo');
	await page.goto(`/admin/results/contest/${s.contestId}`);
	await expect(page.getByRole('radio', { name: /Модель строгости жюри/ })).toBeChecked();
	await expectNoSideScroll(page, 'настройки итогов на телефоне');
	await page.screenshot({ path: 'test-results/screens/model-settings-phone.png', fullPage: true });
	await page.goto(`/admin/results/${s.roundId}`);
	await expect(page.getByRole('group', { name: 'Метод нормализации:' }).getByRole('link', { name: 'Модель строгости жюри', exact: true })).toBeVisible();
	const model = page.getByTestId('model-jurors');
	await model.getByText(/Каждый эксперт: строгость и согласованность/).click();
	await expect(model.getByRole('row', { name: /Дёмина Елена Юрьевна/ })).toContainText('мало общих работ с другими');
	await expectNoSideScroll(page, 'итоги в режиме модели на телефоне');
	await expectAccessible(page, 'итоги в режиме модели на телефоне');
	await page.screenshot({ path: 'test-results/screens/model-results-phone.png', fullPage: true });
	await page.goto(`/admin/results/${s.roundId}/jurors`);
	await expect(page.getByTestId('model-jurors').getByRole('row', { name: /Егоров Жан Маратович/ })).toContainText('одна оценка');
	await expectNoSideScroll(page, 'эксперты на телефоне');
	await page.screenshot({ path: 'test-results/screens/model-jurors-phone.png', fullPage: true });
	await ctx.close();
});
