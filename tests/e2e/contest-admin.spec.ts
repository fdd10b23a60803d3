import { test, expect, type Page } from '@playwright/test';
import { fmtDateTime, toMoscowInput } from '../../src/lib/format';

const DAY = 86400_000;

async function loginAsOrganizer(page: Page) {
	await page.goto('/login');
	await page.getByLabel('Электронная почта').fill('org@nastavnik.demo');
	await page.getByLabel('Пароль').fill('nastavnik2026');
	await page.getByRole('button', { name: 'Войти' }).click();
	await expect(page).not.toHaveURL(/\/login/);
}

test('the organizer sets up a contest with two nominations and limits, opens it, and the public page shows it', async ({ page }) => {
	const slug = `e2e-${Date.now()}`;
	// Deadline in ten days at 18:00 Moscow time, whatever the clock of the machine.
	const close = new Date(Math.floor((Date.now() + 10 * DAY) / DAY) * DAY + 15 * 3600_000);
	await loginAsOrganizer(page);

	await page.goto('/admin');
	await page.getByRole('link', { name: 'Создать конкурс' }).click();
	await expect(page.getByRole('heading', { name: 'Новый конкурс' })).toBeVisible();

	// Mistakes first: the same schema as the server answers with named fields, the values stay.
	await page.getByLabel('Название', { exact: true }).fill('Наставничество-2031 (проверка)');
	await page.getByLabel('Адрес (slug)').fill('наставничество');
	await page.getByLabel('Начало приёма заявок').fill(toMoscowInput(Date.now() - DAY));
	await page.getByLabel('Окончание приёма заявок').fill(toMoscowInput(Date.now() - 2 * DAY));
	await page.getByRole('button', { name: 'Создать конкурс' }).click();
	const summary = page.getByRole('alert');
	await expect(summary).toContainText('«Адрес (slug)»: только латинские строчные буквы');
	await expect(summary).toContainText('«Окончание приёма заявок» должно быть позже, чем «Начало приёма заявок»');
	await expect(summary).toContainText('Укажите «Окончание экспертизы»');
	await expect(summary).toBeFocused();
	await expect(page.getByLabel('Название', { exact: true })).toHaveValue('Наставничество-2031 (проверка)');

	await page.getByLabel('Адрес (slug)').fill(slug);
	await page.getByLabel('Год').fill('2031');
	await page.getByLabel('Окончание приёма заявок').fill(toMoscowInput(close));
	await page.getByLabel('Окончание экспертизы').fill(toMoscowInput(close.getTime() + 30 * DAY));
	await page.getByLabel('Объявление итогов').fill(toMoscowInput(close.getTime() + 45 * DAY));
	await page.getByLabel('Текст положения').fill('# Общие положения\n\nКонкурс проводится среди наставников.\n\n- Приём заявок онлайн\n- Экспертиза в два тура');
	await expect(page.getByRole('heading', { name: 'Общие положения' })).toBeVisible(); // the live preview
	await page.getByLabel('Максимальный размер видео').fill('500');
	await page.getByLabel('Единица размера видео').selectOption('MB');
	await page.getByLabel('Максимальная длительность видео').fill('2');
	await page.getByLabel('MOV').uncheck();
	await page.getByLabel('M4V').uncheck();
	await page.getByLabel('Максимальный размер файла письма').fill('5');
	await page.getByLabel('Максимальная длина письма').fill('3000');
	await page.getByLabel('Льготный период загрузки').fill('15');
	await page.getByLabel('Экспертов на заявку').fill('2');
	await page.screenshot({ path: 'test-results/screens/admin-contest-new.png', fullPage: true });
	await page.getByRole('button', { name: 'Создать конкурс' }).click();

	await expect(page.getByRole('heading', { name: 'Наставничество-2031 (проверка)', level: 1 })).toBeVisible();
	await expect(page.getByRole('status').first()).toContainText('Конкурс создан черновиком');
	// Opening is refused while there are no nominations: the reason is shown beside the button.
	await expect(page.getByText('Добавьте хотя бы одну номинацию')).toBeVisible();

	// Two nominations.
	const add = async (title: string, nslug: string, track: string, description: string) => {
		const details = page.locator('details', { has: page.getByText('Добавить номинацию', { exact: true }) }).first();
		if (!(await details.evaluate((d) => (d as HTMLDetailsElement).open))) await details.locator('summary').click();
		const form = page.locator('form[action="?/addNomination"]');
		await form.getByLabel('Название номинации').fill(title);
		await form.getByLabel('Адрес номинации (slug)').fill(nslug);
		await form.getByLabel('Описание номинации').fill(description);
		await form.getByLabel(track).check();
		await form.getByRole('button', { name: 'Добавить номинацию' }).click();
		await expect(page.getByRole('status').filter({ hasText: `Номинация «${title}» добавлена` })).toBeVisible();
	};
	await add('Наставник года в образовании', 'mentor-education', 'Наставник', 'Педагоги-наставники школ и колледжей.');
	await add('Лучшая практика на производстве', 'practice-production', 'Командная практика', 'Командные практики наставничества на предприятиях.');
	await expect(page.getByRole('heading', { level: 3 })).toHaveText(['1. Наставник года в образовании', '2. Лучшая практика на производстве']);

	// Reorder with the keyboard: the focus stays on the moved nomination's buttons.
	await page.getByRole('button', { name: 'Переместить «Лучшая практика на производстве» выше' }).focus();
	await page.keyboard.press('Enter');
	await expect(page.getByRole('heading', { level: 3 })).toHaveText(['1. Лучшая практика на производстве', '2. Наставник года в образовании']);
	await expect(page.getByRole('button', { name: 'Переместить «Лучшая практика на производстве» ниже' })).toBeFocused();

	// Open the contest: one press asks, the second confirms.
	await page.getByRole('button', { name: 'Открыть приём заявок' }).click();
	const dialog = page.getByRole('alertdialog');
	await expect(dialog).toContainText(`до ${fmtDateTime(close)}`);
	await expect(dialog.getByRole('button', { name: 'Да, открыть приём заявок' })).toBeFocused();
	await page.keyboard.press('Enter');
	await expect(page.getByRole('status').filter({ hasText: 'Этап изменён: «Приём заявок»' })).toBeVisible();
	await expect(page.locator('[aria-current="step"]')).toHaveText('Приём заявок');
	const history = page.locator('section', { has: page.getByRole('heading', { name: 'История изменений' }) });
	await expect(history).toContainText('Этап: «Черновик» → «Приём заявок»');
	await expect(history).toContainText('Номинация «Лучшая практика на производстве» перемещена: 2 → 1 место');
	await expect(history).toContainText('Конкурс создан');
	await page.screenshot({ path: 'test-results/screens/admin-contest-overview.png', fullPage: true });

	// The public page: nominations in the organizer's order, the Moscow-time deadline, the countdown, the limits.
	await page.getByRole('link', { name: 'Публичная страница' }).click();
	await expect(page).toHaveURL(new RegExp(`/contests/${slug}$`));
	await expect(page.getByRole('heading', { level: 3 })).toHaveText(['Лучшая практика на производстве', 'Наставник года в образовании', 'Общие положения']);
	const deadline = page.getByRole('complementary', { name: 'Срок подачи заявок' });
	await expect(deadline).toContainText(`Приём до ${fmtDateTime(close)}`);
	await expect(deadline).toContainText('МСК');
	await expect(deadline.locator('.countdown')).toHaveText(/^(9|10) (дней|дня|день) \d+ (час|часа|часов)$/);
	await expect(page.getByText('Видеовизитка: до 2 минут, до 500 МБ, форматы MP4, WEBM.')).toBeVisible();
	await expect(page.getByText('текст до 3000 символов и/или файл PDF или DOCX до 5 МБ', { exact: false })).toBeVisible();
	await page.screenshot({ path: 'test-results/screens/public-contest-new.png', fullPage: true });
});

test('the contest console works on a phone', async ({ browser }) => {
	const ctx = await browser.newContext({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
	const page = await ctx.newPage();
	await loginAsOrganizer(page);
	await page.goto('/admin/contests');
	await page.getByRole('link', { name: 'Наставничество-2026' }).click();
	await expect(page.getByRole('heading', { name: 'Номинации' })).toBeVisible();
	const width = await page.evaluate(() => document.documentElement.scrollWidth);
	expect(width).toBeLessThanOrEqual(375);
	await page.screenshot({ path: 'test-results/screens/admin-contest-phone.png' });
	await page.getByRole('heading', { name: 'Номинации' }).scrollIntoViewIfNeeded();
	await page.screenshot({ path: 'test-results/screens/admin-contest-phone-nominations.png' });
	await page.goto(page.url() + '/edit');
	await page.getByRole('heading', { name: 'Ограничения загрузки' }).or(page.getByText('Ограничения загрузки')).first().scrollIntoViewIfNeeded();
	await page.screenshot({ path: 'test-results/screens/admin-contest-phone-edit.png' });
	await ctx.close();
});
