import { test, expect } from '@playwright/test';
import { lastMail, linkIn } from './outbox';

test('a new user registers, confirms the email by the link and lands in the cabinet logged in; the link works once', async ({ page }) => {
	const email = `mentor-${Date.now()}@example.ru`;
	await page.goto('/');
	await page.getByRole('link', { name: 'Регистрация' }).first().click();
	await expect(page.getByRole('heading', { name: 'Регистрация' })).toBeVisible();

	// A mistake first: the typed values stay, the field names its error.
	await page.getByLabel('Фамилия, имя, отчество').fill('Смирнова Ольга Николаевна');
	await page.getByLabel('Электронная почта').fill(email);
	await page.getByLabel('Пароль', { exact: true }).fill('short1');
	await page.getByLabel('Пароль ещё раз').fill('short1');
	await page.getByRole('button', { name: 'Зарегистрироваться' }).click();
	await expect(page.getByText('Пароль должен быть не короче 10 символов')).toBeVisible();
	await expect(page.getByText('Необходимо согласие с правилами портала')).toBeVisible();
	await expect(page.getByLabel('Электронная почта')).toHaveValue(email);
	await expect(page.getByLabel('Фамилия, имя, отчество')).toHaveValue('Смирнова Ольга Николаевна');

	await page.getByLabel('Пароль', { exact: true }).fill('Nastavnik-2026');
	await page.getByLabel('Пароль ещё раз').fill('Nastavnik-2026');
	await page.getByLabel(/Я принимаю правила портала/).check();
	await page.getByRole('button', { name: 'Зарегистрироваться' }).click();
	await expect(page.getByRole('heading', { name: 'Проверьте почту' })).toBeVisible();

	// The confirmation link (single use) logs the person in and lands in the cabinet.
	const mail = await lastMail(email, /Подтвердите/);
	const link = linkIn(mail.text, '/verify/');
	await page.goto(link);
	await expect(page).toHaveURL(/\/cabinet\?verified=1$/);
	await expect(page.getByRole('status').filter({ hasText: 'Почта подтверждена' })).toBeVisible();
	await expect(page.getByRole('heading', { name: 'Личный кабинет' })).toBeVisible();
	await expect(page.getByText('Смирнова Ольга Николаевна')).toBeVisible();
	await page.screenshot({ path: 'test-results/screens/cabinet.png', fullPage: true });

	await page.getByRole('button', { name: 'Выйти' }).click();
	await expect(page.getByRole('link', { name: 'Войти' })).toBeVisible();
	// The link does not log in a second time.
	await page.goto(link);
	await expect(page.getByRole('heading', { name: 'Ссылка не сработала' })).toBeVisible();
	await expect(page.getByRole('alert')).toContainText('уже использована');
});

test('an applicant opening the admin console is refused', async ({ page }) => {
	await page.goto('/login');
	await page.getByLabel('Электронная почта').fill('applicant1@nastavnik.demo');
	await page.getByLabel('Пароль').fill('nastavnik2026');
	await page.getByRole('button', { name: 'Войти' }).click();
	await expect(page).toHaveURL(/\/cabinet/);
	const r = await page.goto('/admin');
	expect(r?.status()).toBe(403);
	await expect(page.getByRole('heading', { name: 'Доступ запрещён' })).toBeVisible();
	await page.screenshot({ path: 'test-results/screens/403.png' });
});

test('wrong password gets a Russian message and keeps the email', async ({ page }) => {
	await page.goto('/login');
	await page.getByLabel('Электронная почта').fill('jury2@nastavnik.demo');
	await page.getByLabel('Пароль').fill('not-the-password-1');
	await page.getByRole('button', { name: 'Войти' }).click();
	await expect(page.getByRole('alert')).toContainText('Неверная почта или пароль');
	await expect(page.getByLabel('Электронная почта')).toHaveValue('jury2@nastavnik.demo');
});

test('the home page works on a phone', async ({ browser }) => {
	const ctx = await browser.newContext({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
	const page = await ctx.newPage();
	await page.goto('/');
	await expect(page.getByRole('heading', { name: 'Наставничество', level: 1 })).toBeVisible();
	await page.getByRole('button', { name: 'Меню' }).click();
	await expect(page.getByRole('link', { name: 'Конкурсы' })).toBeVisible();
	await page.screenshot({ path: 'test-results/screens/home-phone.png', fullPage: true });
	await ctx.close();
});
