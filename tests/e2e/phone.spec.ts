import { test, expect, type Browser, type Page } from '@playwright/test';
import { makeFixtures } from '../fixtures/make-fixtures';
import { APPLICANT_PASSWORD, newApplicant } from './people';
import { PHONES, expectAccessible, expectNoSideScroll, expectTakesTap } from './checks';

/**
 * Every page group of the portal on a phone (360×740 and 390×844): no page scrolls sideways, and
 * the main buttons take the tap (document.elementFromPoint at the centre is the button or inside
 * it). The applicant's pages are checked with every wizard step filled in (the step strip is then
 * at its widest). axe-core runs over every page at 390 px. Screenshots: test-results/screens/phone-*.
 */

let fx: Record<string, string>;
let applicant = '';
let appId = '';
let practiceSlug = '';



async function login(page: Page, email: string, password = 'nastavnik2026') {
	await page.goto('/login');
	await page.getByLabel('Электронная почта').fill(email);
	await page.getByLabel('Пароль').fill(password);
	await page.getByRole('button', { name: 'Войти' }).click();
	await expect(page).not.toHaveURL(/\/login/);
}

test.beforeAll(async ({ browser }) => {
	test.setTimeout(120_000);
	fx = await makeFixtures();
	// An applicant whose application has every step filled in (made on a desktop, read on phones).
	const ctx = await browser.newContext();
	const page = await ctx.newPage();
	applicant = await newApplicant(page, 'Телефонова Анна Сергеевна');
	await page.goto('/contests/nastavnichestvo-2026');
	await page.getByRole('link', { name: 'Подать заявку', exact: true }).click();
	await page.getByRole('radio', { name: /Наставник на производстве/ }).check();
	await page.getByRole('button', { name: 'Начать заполнение' }).click();
	await expect(page.getByRole('heading', { name: '1. О себе' })).toBeVisible();
	appId = /applications\/([^/]+)\//.exec(page.url())![1];
	await page.getByLabel('Регион').selectOption({ label: 'Самарская область' });
	await page.getByLabel('Муниципальное образование').fill('г. Тольятти');
	await page.getByLabel('Организация').fill('ПАО «Тольяттиазот» — цех подготовки производства');
	await page.getByLabel('Должность').fill('мастер участка');
	await page.getByLabel('Стаж наставничества, лет').fill('12');
	await page.getByLabel('Телефон').fill('+7 (927) 555-12-34');
	await page.getByRole('button', { name: 'Сохранить и продолжить' }).click();
	await page.getByLabel('Название практики').fill('Наставничество для операторов установок с длинным названием');
	await page.getByLabel('Какую проблему решает').fill('Новые операторы долго осваивали установку и ошибались в первые месяцы.');
	await page.getByLabel('Что делает наставничество').fill('Наставник ведёт оператора три месяца: смены вместе, разбор ошибок, допуск по шагам.');
	await page.getByLabel('Команда').fill('Восемь наставников и двадцать операторов');
	await page.getByLabel('Год начала практики').fill('2020');
	await page.getByLabel('Результаты в цифрах').fill('Срок допуска к самостоятельной работе сократился с 6 до 3 месяцев (2021–2024, данные цеха).');
	await page.getByRole('button', { name: 'Сохранить и продолжить' }).click();
	await page.getByLabel('Текст письма-резюме').fill('Я мастер участка и двенадцать лет учу молодых операторов. '.repeat(5));
	await page.getByLabel('Выберите файл').setInputFiles(fx.pdf);
	await expect(page.getByText('Файл загружен и проверен.')).toBeVisible();
	await page.getByRole('button', { name: 'Сохранить и продолжить' }).click();
	await page.getByLabel('Выберите видеофайл').setInputFiles(fx.mp4);
	await expect(page.getByText('Видео загружено и проверено.')).toBeVisible({ timeout: 30_000 });
	await page.goto('/library');
	practiceSlug = (await page.locator('.results h3 a').first().getAttribute('href'))!.replace('/library/', '');
	await ctx.close();
});

type Check = { path: string | (() => string); tap?: string[]; name: string };

const PUBLIC: Check[] = [
	{ name: 'главная', path: '/' },
	{ name: 'конкурсы', path: '/contests' },
	{ name: 'конкурс', path: '/contests/nastavnichestvo-2026', tap: ['Подать заявку'] },
	{ name: 'библиотека', path: '/library' },
	{ name: 'поиск', path: '/library?q=адаптация&sort=newest' },
	{ name: 'практика', path: () => `/library/${practiceSlug}` },
	{ name: 'обзор библиотеки', path: '/library/overview' }
];
const AUTH: Check[] = [
	{ name: 'вход', path: '/login', tap: ['Войти'] },
	{ name: 'регистрация', path: '/register?next=%2Fcabinet%2Fapply%2Fnastavnichestvo-2026', tap: ['Зарегистрироваться'] },
	{ name: 'проверьте почту', path: '/register/sent?email=someone%40example.ru&next=%2Fcabinet%2Fapply%2Fnastavnichestvo-2026' },
	{ name: 'сброс пароля', path: '/reset' }
];
const CABINET: Check[] = [
	{ name: 'кабинет', path: '/cabinet' },
	{ name: 'выбор номинации', path: '/cabinet/apply/nastavnichestvo-2026', tap: ['Начать заполнение'] },
	{ name: 'шаг «О себе»', path: () => `/cabinet/applications/${appId}/about`, tap: ['Сохранить и продолжить', 'Сохранить черновик'] },
	{ name: 'шаг «Практика»', path: () => `/cabinet/applications/${appId}/practice`, tap: ['Сохранить и продолжить'] },
	{ name: 'шаг «Письмо»', path: () => `/cabinet/applications/${appId}/letter`, tap: ['Сохранить и продолжить'] },
	{ name: 'шаг «Видео»', path: () => `/cabinet/applications/${appId}/video`, tap: ['Дальше: согласие и отправка'] },
	{ name: 'шаг «Согласие и отправка»', path: () => `/cabinet/applications/${appId}/submit`, tap: ['Отправить заявку'] },
	{ name: 'настройки', path: '/cabinet/settings' }
];
const JURY: Check[] = [
	{ name: 'очередь эксперта', path: '/jury', tap: ['Продолжить оценку'] },
	{ name: 'экран оценки', path: 'scoring', tap: ['Отправить оценку', 'Сохранить черновик'] }
];
const ADMIN: Check[] = [
	{ name: 'консоль', path: '/admin' },
	{ name: 'конкурсы', path: '/admin/contests' },
	{ name: 'новый конкурс', path: '/admin/contests/new', tap: ['Создать конкурс'] },
	{ name: 'конкурс', path: 'contest' },
	{ name: 'жюри', path: '/admin/jury/nastavnichestvo-2026' },
	{ name: 'эксперты', path: '/admin/jury/nastavnichestvo-2026/jurors', tap: ['Пригласить'] },
	{ name: 'критерии', path: '/admin/jury/nastavnichestvo-2026/rubric' },
	{ name: 'тур', path: '/admin/jury/nastavnichestvo-2026/rounds/1' },
	{ name: 'заявка тура', path: 'entry' },
	{ name: 'дашборд', path: '/admin/dashboard' },
	{ name: 'итоги', path: '/admin/results' },
	{ name: 'итоги тура', path: 'results-round' },
	{ name: 'журнал', path: '/admin/audit' },
	{ name: 'фоновые задачи', path: '/admin/jobs' },
	{ name: 'библиотека (организатор)', path: '/admin/library' },
	{ name: 'новая практика', path: '/admin/library/new', tap: ['Сохранить черновик'] },
	{ name: 'импорт практик', path: '/admin/library/import' },
	{ name: 'практики победителей', path: '/admin/library/winners' }
];

async function visit(page: Page, c: Check, size: { width: number }, resolve: (p: string) => Promise<string> = async (p) => p) {
	const path = typeof c.path === 'function' ? c.path() : await resolve(c.path);
	const r = await page.goto(path);
	expect(r?.status(), `${c.name}: ${path}`).toBeLessThan(400);
	await page.waitForLoadState('networkidle');
	await expectNoSideScroll(page, `${c.name} (${path}) при ${size.width} px`);
	for (const name of c.tap ?? []) await expectTakesTap(page.getByRole('button', { name, exact: true }).or(page.getByRole('link', { name, exact: true })).first(), `${c.name}: «${name}» при ${size.width} px`);
	await page.screenshot({ path: `test-results/screens/phone-${size.width}-${c.name.replace(/[^\p{L}\d]+/gu, '-')}.png`, fullPage: true });
	if (size.width === 390) await expectAccessible(page, `${c.name} (${path})`);
}

async function phone(browser: Browser, size: { width: number; height: number }) {
	const ctx = await browser.newContext({ viewport: size, isMobile: true, hasTouch: true, locale: 'ru-RU' });
	return { ctx, page: await ctx.newPage() };
}

for (const size of PHONES) {
	test(`public and auth pages at ${size.width}×${size.height}`, async ({ browser }) => {
		test.setTimeout(180_000);
		const { ctx, page } = await phone(browser, size);
		for (const c of [...PUBLIC, ...AUTH]) await visit(page, c, size);
		// The menu opens and its links take the tap.
		await page.goto('/');
		await page.getByRole('button', { name: 'Меню' }).click();
		await expectTakesTap(page.getByRole('link', { name: 'Библиотека практик' }).first(), 'меню: «Библиотека практик»');
		await ctx.close();
	});

	test(`the applicant's pages with every step filled in at ${size.width}×${size.height}`, async ({ browser }) => {
		test.setTimeout(120_000);
		const { ctx, page } = await phone(browser, size);
		await login(page, applicant, APPLICANT_PASSWORD);
		for (const c of CABINET) await visit(page, c, size);
		await ctx.close();
	});

	test(`the juror's queue and scoring screen at ${size.width}×${size.height}`, async ({ browser }) => {
		const { ctx, page } = await phone(browser, size);
		await login(page, 'jury1@nastavnik.demo');
		for (const c of JURY)
			await visit(page, c, size, async (p) => {
				if (p !== 'scoring') return p;
				await page.goto('/jury');
				return (await page.getByRole('link', { name: 'Продолжить оценку' }).first().getAttribute('href'))!;
			});
		await ctx.close();
	});

	// The console is visited in two halves, so axe over nineteen pages (at 390 px) on a busy
	// machine stays within one test's time.
	for (const [part, sections] of [
		['contests and jury', ADMIN.slice(0, 9)],
		['results, audit, jobs and library', ADMIN.slice(9)]
	] as const)
		test(`every section of the organizer's console at ${size.width}×${size.height}: ${part}`, async ({ browser }) => {
			test.setTimeout(300_000);
			const { ctx, page } = await phone(browser, size);
			await login(page, 'org@nastavnik.demo');
			for (const c of sections)
				await visit(page, c, size, async (p) => {
					if (p === 'contest') {
						await page.goto('/admin/contests');
						return (await page.getByRole('link', { name: 'Наставничество-2026', exact: true }).first().getAttribute('href'))!;
					}
					if (p === 'entry') {
						await page.goto('/admin/jury/nastavnichestvo-2026/rounds/1');
						return (await page.getByRole('link', { name: 'НС-2026-00001' }).first().getAttribute('href'))!;
					}
					if (p === 'results-round') {
						await page.goto('/admin/results');
						return (await page.locator('a[href^="/admin/results/"]').filter({ hasText: /тур/i }).first().getAttribute('href'))!;
					}
					return p;
				});
			await ctx.close();
		});
}
