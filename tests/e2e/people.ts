import { expect, type Page } from '@playwright/test';
import { lastMail, linkIn } from './outbox';

export const APPLICANT_PASSWORD = 'Nastavnik-2026';

/** A new applicant: registers, confirms the email by the mailed link, logs in. */
export async function newApplicant(page: Page, fio = 'Соколова Мария Андреевна'): Promise<string> {
	const email = `applicant-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.ru`;
	await page.goto('/register');
	await page.getByLabel('Фамилия, имя, отчество').fill(fio);
	await page.getByLabel('Электронная почта').fill(email);
	await page.getByLabel('Пароль', { exact: true }).fill(APPLICANT_PASSWORD);
	await page.getByLabel('Пароль ещё раз').fill(APPLICANT_PASSWORD);
	await page.getByLabel(/Я принимаю правила портала/).check();
	await page.getByRole('button', { name: 'Зарегистрироваться' }).click();
	await expect(page.getByRole('heading', { name: 'Проверьте почту' })).toBeVisible();
	// The confirmation link logs the person in.
	await page.goto(linkIn((await lastMail(email, /Подтвердите/)).text, '/verify/'));
	await expect(page).toHaveURL(/\/cabinet/);
	return email;
}

/** Logs a demo account in through the login form (every demo account has the same password). */
export async function loginDemo(page: Page, email: string) {
	await page.goto('/login');
	await page.getByLabel('Электронная почта').fill(email);
	await page.getByLabel('Пароль').fill('nastavnik2026');
	await page.getByRole('button', { name: 'Войти' }).click();
	await expect(page).not.toHaveURL(/\/login/);
}
