import { test, expect, type Page } from '@playwright/test';
import { lastMail, linkIn } from './outbox';

const PASSWORD = 'nastavnik2026';

async function login(page: Page, email: string, password = PASSWORD) {
	await page.goto('/login');
	await page.getByLabel('Электронная почта').fill(email);
	await page.getByLabel('Пароль').fill(password);
	await page.getByRole('button', { name: 'Войти' }).click();
	await expect(page).not.toHaveURL(/\/login/);
}

async function logout(page: Page) {
	await page.getByRole('button', { name: 'Выйти' }).click();
	await expect(page.getByRole('link', { name: 'Войти' })).toBeVisible();
}

test('organizer invites a juror and routes; the juror scores with the keyboard; the organizer sees progress; another juror is refused', async ({ page, browser }) => {
	test.setTimeout(120_000);
	const email = `expert-${Date.now()}@example.ru`;
	const fio = 'Новикова Вера Андреевна';

	// --- the organizer invites a juror
	await login(page, 'org@nastavnik.demo');
	await page.getByRole('link', { name: 'Жюри', exact: true }).click();
	// With several contests (other specs add some) the console first asks which one.
	await page.waitForURL(/\/admin\/jury/);
	if (new URL(page.url()).pathname === '/admin/jury') await page.getByRole('link', { name: 'Наставничество-2026', exact: true }).click();
	await expect(page.getByRole('heading', { name: /Экспертиза: Наставничество-2026/ })).toBeVisible();
	await page.screenshot({ path: 'test-results/screens/jury-admin-overview.png', fullPage: true });
	await page.getByRole('navigation', { name: 'Разделы экспертизы' }).getByRole('link', { name: 'Эксперты' }).click();
	await page.getByLabel('ФИО').fill(fio);
	await page.getByLabel('Электронная почта').fill(email);
	await page.getByLabel('Регион').selectOption({ label: 'Кемеровская область — Кузбасс' });
	await page.getByLabel('Организация').fill('Независимый эксперт');
	await page.getByLabel('Ёмкость, заявок за тур').fill('20');
	for (const box of await page.getByRole('group', { name: 'Номинации экспертизы' }).getByRole('checkbox').all()) await box.check();
	await page.getByRole('button', { name: 'Пригласить' }).click();
	await expect(page.getByRole('status')).toContainText(`Приглашение отправлено на ${email}`);
	await expect(page.getByRole('link', { name: fio })).toBeVisible();
	await page.screenshot({ path: 'test-results/screens/jury-admin-jurors.png', fullPage: true });

	// --- routes round 1 with a preview: the newcomer gets a fair share
	await page.getByRole('navigation', { name: 'Разделы экспертизы' }).getByRole('link', { name: 'Обзор и туры' }).click();
	await page.getByRole('link', { name: '1. Заочный тур' }).click();
	// the preview runs as a job (issue 18): the page shows its progress, then the result
	await page.getByRole('button', { name: 'Предпросмотр с выравниванием нагрузки' }).click();
	await expect(page).toHaveURL(/preview=1&rebalance=1/);
	await expect(page.getByTestId('routing-progress').or(page.getByRole('heading', { name: 'Предпросмотр с выравниванием нагрузки' }))).toBeVisible();
	await expect(page.getByRole('heading', { name: 'Предпросмотр с выравниванием нагрузки' })).toBeVisible();
	await expect(page.getByTestId('routing-progress')).toHaveCount(0);
	const row = page.getByRole('table', { name: 'Нагрузка экспертов до и после распределения' }).getByRole('row', { name: new RegExp(fio) });
	const after = Number(await row.getByRole('cell').nth(2).innerText());
	expect(after).toBeGreaterThan(5);
	await page.screenshot({ path: 'test-results/screens/jury-admin-preview.png', fullPage: true });
	await page.getByRole('button', { name: 'Применить распределение' }).click();
	await expect(page.getByRole('status').filter({ hasText: 'Распределение применено' })).toBeVisible();
	await expect(page.getByText('Изменений нет')).toBeVisible();
	await logout(page);

	// --- the juror accepts the invitation and lands in the jury area
	const mail = await lastMail(email, /Приглашение в жюри/);
	await page.goto(linkIn(mail.text, '/invite/'));
	await page.getByLabel('Новый пароль').fill('Ekspert-2026');
	await page.getByLabel('Пароль ещё раз').fill('Ekspert-2026');
	await page.getByRole('button', { name: 'Сохранить пароль' }).click();
	await expect(page).toHaveURL(/\/jury$/);
	await expect(page.getByTestId('queue-progress')).toHaveText(`0 из ${after}`);
	await page.screenshot({ path: 'test-results/screens/jury-queue.png', fullPage: true });

	// --- scores an entry with the keyboard only and submits
	await page.getByRole('link', { name: 'Продолжить оценку' }).click();
	await expect(page.getByRole('heading', { name: /Заявка НС-2026-/ })).toBeVisible();
	const url = page.url();
	await page.keyboard.press('8');
	await expect(page.getByRole('radio', { name: '8 баллов' }).first()).toBeFocused();
	await page.keyboard.press('ArrowDown');
	await page.keyboard.press('7');
	await page.keyboard.press('ArrowDown');
	await page.keyboard.press('1');
	await page.keyboard.press('0');
	await page.keyboard.press('ArrowDown');
	await page.keyboard.press('6');
	await page.keyboard.press('ArrowRight'); // 6 → 7
	await page.keyboard.press('ArrowDown');
	await page.keyboard.press('9');
	await expect(page.getByText('Заполнено 5 из 5')).toBeVisible();
	const checked = await page.locator('.criterion input:checked').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
	expect(checked).toEqual(['8', '7', '10', '7', '9']);
	await page.screenshot({ path: 'test-results/screens/jury-scoring.png', fullPage: true });
	await page.keyboard.press('Control+Enter');
	await expect(page.getByRole('status').filter({ hasText: 'Оценка отправлена' })).toBeVisible();
	await expect(page.getByTestId('status')).toHaveText('Оценка отправлена');
	await page.goto('/jury');
	await expect(page.getByTestId('queue-progress')).toHaveText(`1 из ${after}`);
	await logout(page);

	// --- the organizer sees the progress
	await login(page, 'org@nastavnik.demo');
	await page.goto('/admin/jury/nastavnichestvo-2026/rounds/1');
	const progress = page.getByRole('table', { name: 'Прогресс экспертов' }).getByRole('row', { name: new RegExp(fio) });
	await expect(progress.getByTestId('scored')).toHaveText(`1 / ${after}`);
	await page.screenshot({ path: 'test-results/screens/jury-admin-progress.png', fullPage: true });

	// --- another juror opening that entry's URL is refused
	const ctx = await browser.newContext();
	const other = await ctx.newPage();
	await login(other, 'jury2@nastavnik.demo');
	const r = await other.goto(url);
	expect(r?.status()).toBe(403);
	await expect(other.getByRole('heading', { name: 'Доступ запрещён' })).toBeVisible();
	await expect(other.getByText('назначена другому эксперту')).toBeVisible();
	await ctx.close();
});

test('the scoring screen works on a phone', async ({ browser }) => {
	const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
	const page = await ctx.newPage();
	await login(page, 'jury1@nastavnik.demo');
	await page.getByRole('link', { name: 'Продолжить оценку' }).click();
	await expect(page.getByRole('heading', { name: 'Оценка' })).toBeVisible();
	await page.screenshot({ path: 'test-results/screens/jury-scoring-phone.png', fullPage: true });
	await ctx.close();
});

test('import reports bad rows by line and adds nothing; the rubric and an entry page work', async ({ page }) => {
	await login(page, 'org@nastavnik.demo');
	await page.goto('/admin/jury/nastavnichestvo-2026/jurors');
	const good = `import-${Date.now()}@example.ru`;
	const csv = ['ФИО;email;регион;организация;номинации;ёмкость', `Импортов Иван Петрович;${good};16;;все;10`, 'Без Почты Человек;;16;;все;10', 'Кто То Такой;who@example.ru;Атлантида;;Космос;10'].join('\n');
	await page.getByLabel('Файл со списком экспертов').setInputFiles({ name: 'jury.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
	await page.getByRole('button', { name: 'Импортировать' }).click();
	const alert = page.getByRole('alert');
	await expect(alert).toContainText('ни одна строка не добавлена');
	await expect(alert).toContainText('Строка 3:');
	await expect(alert).toContainText('Строка 4:');
	await expect(alert).toContainText('регион «Атлантида» не найден');
	await expect(page.getByText(good)).toHaveCount(0);
	await page.screenshot({ path: 'test-results/screens/jury-import-errors.png', fullPage: true });
	await page.getByLabel('Файл со списком экспертов').setInputFiles({ name: 'jury.csv', mimeType: 'text/csv', buffer: Buffer.from(csv.split('\n').slice(0, 2).join('\n')) });
	await page.getByLabel('Сразу отправить приглашения').uncheck();
	await page.getByRole('button', { name: 'Импортировать' }).click();
	await expect(page.getByRole('status')).toContainText('Импортировано экспертов: 1');
	await expect(page.getByText(good)).toBeVisible();

	await page.getByRole('navigation', { name: 'Разделы экспертизы' }).getByRole('link', { name: 'Критерии' }).click();
	await expect(page.getByText('Оценивание уже началось')).toBeVisible();
	await page.screenshot({ path: 'test-results/screens/jury-rubric.png', fullPage: true });

	await page.goto('/admin/jury/nastavnichestvo-2026/rounds/1');
	await page.getByRole('link', { name: 'НС-2026-00001' }).click();
	await expect(page.getByRole('heading', { name: 'Заявка НС-2026-00001' })).toBeVisible();
	await expect(page.getByRole('heading', { name: /Эксперты заявки: 3 из 3/ })).toBeVisible();
	await page.screenshot({ path: 'test-results/screens/jury-admin-entry.png', fullPage: true });
});

test('two tabs: the later save of a stale tab is refused and shows what is stored', async ({ browser }) => {
	const ctx = await browser.newContext();
	const a = await ctx.newPage();
	await login(a, 'jury1@nastavnik.demo');
	await a.getByRole('link', { name: 'Продолжить оценку' }).click();
	await expect(a.getByRole('heading', { name: 'Оценка' })).toBeVisible();
	const b = await ctx.newPage();
	await b.goto(a.url());
	await a.keyboard.press('3');
	// The key sets the criterion in focus (the first one); other criteria may hold any demo values.
	await expect(a.locator('fieldset.criterion.current').getByRole('radio', { name: '3 балла' })).toBeChecked();
	await a.getByRole('button', { name: 'Сохранить черновик' }).click();
	await expect(a.getByRole('status').filter({ hasText: 'Черновик сохранён' })).toBeVisible();
	await b.keyboard.press('9');
	await b.getByRole('button', { name: 'Сохранить черновик' }).click();
	await expect(b.getByRole('alert')).toContainText('уже сохранены в другой вкладке');
	await expect(b.getByText('Сохранено в другой вкладке')).toBeVisible();
	// the typed value stays on screen
	await expect(b.locator('fieldset.criterion.current').getByRole('radio', { name: '9 баллов' })).toBeChecked();
	await b.screenshot({ path: 'test-results/screens/jury-conflict.png', fullPage: false });
	await b.getByRole('button', { name: 'Оставить мои' }).click();
	await b.getByRole('button', { name: 'Сохранить черновик' }).click();
	await expect(b.getByRole('status').filter({ hasText: 'Черновик сохранён' })).toBeVisible();
	await ctx.close();
});
