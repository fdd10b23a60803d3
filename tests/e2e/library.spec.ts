import { test, expect } from '@playwright/test';

const results = '.results h3';

test('a visitor searches a word form, narrows by a federal district, opens a practice and plays its video; the shared URL reproduces the search', async ({ page, browser }) => {
	await page.goto('/');
	await page.getByRole('navigation', { name: 'Основная навигация' }).getByRole('link', { name: 'Библиотека практик' }).click();
	await expect(page.getByRole('heading', { name: 'Библиотека лучших практик' })).toBeVisible();
	await expect(page.getByRole('heading', { name: 'Найдено 40 практик' })).toBeVisible();

	// Search as you type: a word form; the URL follows the box.
	const box = page.getByLabel('Поиск по практикам');
	await box.pressSequentially('наставника', { delay: 30 });
	await page.waitForURL((u) => u.searchParams.get('q') === 'наставника');
	await expect(box).toBeFocused();
	const marks = page.locator('.results mark');
	await expect(marks.first()).toBeVisible();
	// Other forms of the word are found and highlighted too.
	const forms = new Set((await marks.allTextContents()).map((t) => t.toLowerCase()));
	expect([...forms].some((f) => f !== 'наставника' && f.startsWith('наставни'))).toBe(true);

	// Narrow by a federal district.
	await page.getByRole('navigation', { name: 'Фильтры библиотеки' }).getByRole('link', { name: /^Приволжский/ }).click();
	await page.waitForURL((u) => u.searchParams.get('district') === 'pfd');
	await expect(page.getByRole('link', { name: /Приволжский.*снять фильтр/ })).toBeVisible();
	const titles = await page.locator(results).allTextContents();
	expect(titles.length).toBeGreaterThan(0);
	expect(titles.length).toBeLessThanOrEqual(10);
	await page.screenshot({ path: 'test-results/screens/library-search.png', fullPage: true });

	// The shared URL reproduces the search in another browser.
	const shared = page.url();
	const other = await browser.newContext({ locale: 'ru-RU' });
	const o = await other.newPage();
	await o.goto(shared);
	await expect(o.getByLabel('Поиск по практикам')).toHaveValue('наставника');
	await expect(o.getByRole('navigation', { name: 'Фильтры библиотеки' }).getByRole('link', { name: /^Приволжский/ })).toHaveAttribute('aria-current', 'true');
	expect(await o.locator(results).allTextContents()).toEqual(titles);
	await other.close();

	// Open a practice and play its video.
	await page.getByRole('link', { name: /Первый год без потерь/ }).click();
	await expect(page.getByRole('heading', { level: 1, name: /Первый год без потерь/ })).toBeVisible();
	await expect(page.getByRole('heading', { name: 'Результаты в цифрах' })).toBeVisible();
	await expect(page.getByRole('link', { name: 'Чек-лист первых 90 дней.xlsx' })).toBeVisible();
	const video = page.locator('video');
	await video.scrollIntoViewIfNeeded();
	await expect(video).toBeVisible();
	await video.click();
	await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 15_000 }).toBeGreaterThan(0.3);
	expect(await video.evaluate((v: HTMLVideoElement) => v.error)).toBeNull();
	await page.screenshot({ path: 'test-results/screens/library-practice.png', fullPage: true });

	// Back to the search: the same results.
	await page.goBack();
	await expect(page.getByLabel('Поиск по практикам')).toHaveValue('наставника');
	expect(await page.locator(results).allTextContents()).toEqual(titles);
});

test('on a phone the filters fold away and the results read well', async ({ browser }) => {
	const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'ru-RU', isMobile: true, hasTouch: true });
	const page = await ctx.newPage();
	await page.goto('/library?q=адаптация');
	const filters = page.locator('details.filters');
	await expect(filters).not.toHaveAttribute('open', '');
	await page.getByText('Фильтры', { exact: true }).click();
	await expect(filters).toHaveAttribute('open', '');
	await page.getByRole('link', { name: /^Образование/ }).click();
	await page.waitForURL((u) => u.searchParams.get('sphere') === 'education');
	// After a choice the filters fold again and the results are right there.
	await expect(filters).not.toHaveAttribute('open', '');
	await expect(page.getByRole('heading', { name: /Найдено \d+ практик/ })).toBeInViewport();
	const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
	expect(overflow).toBeLessThanOrEqual(1);
	await page.screenshot({ path: 'test-results/screens/library-phone.png', fullPage: true });
	await ctx.close();
});

test('on a phone the list page does not jump when its script folds the filters (no layout shift); without scripts the filters show', async ({ browser }) => {
	const phone = { viewport: { width: 390, height: 844 }, locale: 'ru-RU', isMobile: true, hasTouch: true };
	const ctx = await browser.newContext(phone);
	const page = await ctx.newPage();
	// The page's only script arrives late (a slow phone link): the page is painted before it runs.
	await page.route(/\/library-list\.[\w-]+\.js$/, async (route) => {
		await new Promise((r) => setTimeout(r, 700));
		await route.continue();
	});
	await page.goto('/library');
	const filters = page.locator('details.filters');
	await expect(filters).toHaveAttribute('data-ready', '');
	await expect(filters).not.toHaveAttribute('open', '');
	const cls = await page.evaluate(
		() =>
			new Promise<number>((resolve) => {
				let sum = 0;
				new PerformanceObserver((l) => {
					for (const e of l.getEntries() as (PerformanceEntry & { value: number; hadRecentInput: boolean })[]) if (!e.hadRecentInput) sum += e.value;
				}).observe({ type: 'layout-shift', buffered: true });
				setTimeout(() => resolve(sum), 300);
			})
	);
	expect(cls).toBeLessThan(0.01);
	await page.getByText('Фильтры', { exact: true }).click();
	await expect(page.getByRole('link', { name: /^Образование/ })).toBeVisible();
	await ctx.close();

	const noJs = await browser.newContext({ ...phone, javaScriptEnabled: false });
	const plain = await noJs.newPage();
	await plain.goto('/library');
	await expect(plain.getByRole('link', { name: /^Образование/ })).toBeVisible();
	await noJs.close();
});

test('an organizer publishes a practice, finds it, previews it after unpublishing; the public gets 404', async ({ page, browser }) => {
	await page.goto('/login');
	await page.getByLabel('Электронная почта').fill('org@nastavnik.demo');
	await page.getByLabel('Пароль').fill('nastavnik2026');
	await page.getByRole('button', { name: 'Войти' }).click();
	await expect(page).toHaveURL(/\/(cabinet|admin)/);

	await page.goto('/library');
	await page.getByRole('link', { name: 'Управление библиотекой' }).click();
	await page.getByRole('link', { name: 'Новая практика' }).click();
	// The list's search box («Название или организация») matches the label too: fill the new form only once it is there.
	await expect(page.getByRole('heading', { name: 'Новая практика' })).toBeVisible();
	await page.getByLabel('Название').fill('Наставники для речных лоцманов');
	await page.getByRole('button', { name: 'Сохранить и опубликовать' }).click();
	await expect(page.getByText('Поле «Кратко»: не короче 20 символов')).toBeVisible();
	await expect(page.getByLabel('Название')).toHaveValue('Наставники для речных лоцманов');

	await page.getByLabel(/^Кратко/).fill('Опытные лоцманы сопровождают молодых коллег на сложных участках реки.');
	await page.getByLabel('Регион').selectOption({ label: 'Нижегородская область' });
	await page.getByLabel('Сфера').selectOption({ label: 'Транспорт' });
	await page.getByLabel('Год', { exact: true }).fill('2025');
	await page.getByLabel('Что измеряли').first().fill('Аварийные ситуации у новичков');
	await page.getByLabel('Было').first().fill('12');
	await page.getByLabel('Стало').first().fill('3');
	await page.getByLabel('Единица').first().fill('случаев');
	await page.getByRole('button', { name: 'Сохранить и опубликовать' }).click();
	await expect(page.getByText('Практика создана.')).toBeVisible();
	await expect(page.getByText('Опубликована', { exact: true })).toBeVisible();

	await page.goto('/library?q=лоцманов');
	await expect(page.getByRole('heading', { name: 'Найдено 1 практика' })).toBeVisible();
	await page.getByRole('link', { name: /речных лоцманов/ }).click();
	await page.waitForURL(/\/library\/nastavniki-dlya-rechnykh-lotsmanov$/);
	const url = page.url();
	await expect(page.getByText('12 случаев')).toBeVisible();

	await page.getByRole('link', { name: 'Редактировать практику' }).click();
	await page.getByRole('button', { name: 'Снять с публикации' }).click();
	await expect(page.getByText('снята с публикации и больше не видна')).toBeVisible();

	const anon = await browser.newContext();
	const a = await anon.newPage();
	const r = await a.goto(url);
	expect(r?.status()).toBe(404);
	await a.goto('/library?q=лоцманов');
	await expect(a.getByRole('heading', { name: 'Ничего не найдено' })).toBeVisible();
	await anon.close();

	const preview = await page.goto(url);
	expect(preview?.status()).toBe(200);
	await expect(page.getByText(/Предпросмотр: практика снята с публикации/)).toBeVisible();
});
