import { test, expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { openDatabase, type DB } from '../../src/lib/server/db/client';
import { contests, users } from '../../src/lib/server/db/schema';
import { unpublishPractice } from '../../src/lib/server/library/practices';
import { toMoscowInput } from '../../src/lib/format';
import { makeFixtures } from '../fixtures/make-fixtures';
import { lastMail, linkIn } from './outbox';
import { expectAccessible, expectNoSideScroll, expectTakesTap } from './checks';

/**
 * A whole contest walked as real people, in one spec: an organizer creates a contest with two
 * nominations and a rubric; three new applicants register from the contest page, confirm by mail
 * and apply (one on a 390×844 phone with an HEVC .mov); the organizer ends intake, invites a
 * juror, gives two more jurors the nominations in one action, routes and opens round 1; the three
 * jurors score with the keyboard; the organizer reads the results, picks winners, releases the
 * feedback and sends the decisions, prepares and publishes a winning practice; an anonymous visitor
 * finds it with another word form and with a typo; the applicants read their outcome. Every fixed
 * point of issue 12 is asserted on the way, and axe-core checks every page visited.
 *
 * The server clock decides the phases: to end intake the test moves the deadline in the portal's
 * SQLite (WAL; the server reads nothing ahead). No test-only route exists in the portal.
 */

const DAY = 86400_000;
const PASSWORD = 'Nastavnik-2026';
const stamp = Date.now();
const W = {
	slug: `walk-${stamp}`,
	title: `Прогон ${stamp}: конкурс целиком`,
	contestId: '',
	noms: [
		{ title: 'Наставник года в образовании', slug: 'mentor-education', track: 'Наставник' },
		{ title: 'Командная практика на транспорте', slug: 'practice-transport', track: 'Командная практика' }
	],
	jurorEmail: `walk-juror-${stamp}@example.ru`,
	jurorFio: 'Лоцманова Ирина Петровна',
	people: [
		{ key: 'A1', fio: 'Речникова Анна Викторовна', email: `walk-a1-${stamp}@example.ru`, nom: 0, region: 'Нижегородская область', title: 'Школа наставников для молодых судоводителей', results: 'Текучесть молодых учителей снизилась с 40% до 5% (2021–2024, данные отдела кадров). Все выпускники остались в профессии', contacts: true, video: true },
		{ key: 'A2', fio: 'Пароходов Игорь Николаевич', email: `walk-a2-${stamp}@example.ru`, nom: 1, region: 'Самарская область', title: 'Экипаж наставников речного вокзала', results: 'Срок ввода в должность сократился с 6 до 3 месяцев (2022–2024, отдел кадров).', contacts: false, video: false },
		{ key: 'A3', fio: 'Бакенова Ольга Сергеевна', email: `walk-a3-${stamp}@example.ru`, nom: 0, region: 'Пермский край', title: 'Наставничество в сельской школе у реки', results: 'Доля молодых учителей, оставшихся в школе, выросла с 50% до 90% (2020–2024).', contacts: true, video: false }
	],
	practiceId: '',
	numbers: {} as Record<string, string>,
	appIds: {} as Record<string, string>,
	feedback: (j: number, n: string) => `Отзыв эксперта ${j} по заявке ${n}: сильная практика, добавьте цифры по годам.`,
	comment: (j: number, n: string) => `Заметка ${j} по ${n} только для организаторов: знаком с организацией`
};

let db: DB;
let fx: Record<string, string>;

test.describe.configure({ mode: 'serial' });
test.beforeAll(async () => {
	db = openDatabase(path.join(process.env.E2E_DATA_DIR!, 'portal.db'));
	fx = await makeFixtures();
});
test.afterAll(() => {
	// The library specs count the demo practices: the walk's practice leaves the library again
	// (through the domain, as the organizer, so the search index follows).
	if (db && W.practiceId) {
		const org = db.select().from(users).where(eq(users.email, 'org@nastavnik.demo')).get()!;
		unpublishPractice(db, { id: org.id, role: 'organizer' }, W.practiceId);
	}
	db?.$client.close();
});

async function login(page: Page, email: string, password = 'nastavnik2026') {
	await page.goto('/login');
	await page.getByLabel('Электронная почта').fill(email);
	await page.getByLabel('Пароль').fill(password);
	await page.getByRole('button', { name: 'Войти' }).click();
	await expect(page).not.toHaveURL(/\/login/);
}

test('1. the organizer creates a contest with two nominations and a rubric and opens intake', async ({ page }) => {
	await login(page, 'org@nastavnik.demo');
	await page.goto('/admin/contests/new');
	await expect(page.getByRole('heading', { name: 'Новый конкурс' })).toBeVisible();
	await expectAccessible(page, 'новый конкурс'); // no heading-order violation any more
	await page.getByLabel('Название', { exact: true }).fill(W.title);
	await page.getByLabel('Адрес (slug)').fill(W.slug);
	await page.getByLabel('Год').fill('2026');
	// The hint under the prefix follows what is typed.
	await page.getByLabel('Префикс номера заявки').fill('ПР');
	await expect(page.getByText('Номера заявок: ПР-2026-00123')).toBeVisible();
	await page.getByLabel('Начало приёма заявок').fill(toMoscowInput(Date.now() - 3600_000));
	await page.getByLabel('Окончание приёма заявок').fill(toMoscowInput(Date.now() + 10 * DAY));
	await page.getByLabel('Окончание экспертизы').fill(toMoscowInput(Date.now() + 30 * DAY));
	await page.getByLabel('Объявление итогов').fill(toMoscowInput(Date.now() + 45 * DAY));
	await page.getByLabel('Текст положения').fill('# Общие положения\n\nКонкурс проводится среди наставников речного флота и школ.');
	await page.getByLabel('Льготный период загрузки').fill('0');
	await page.getByLabel('Экспертов на заявку').fill('3');
	await page.getByRole('button', { name: 'Создать конкурс' }).click();
	await expect(page.getByRole('heading', { name: W.title, level: 1 })).toBeVisible();
	W.contestId = /\/admin\/contests\/([^/?#]+)/.exec(page.url())![1];

	for (const n of W.noms) {
		const details = page.locator('details', { has: page.getByText('Добавить номинацию', { exact: true }) }).first();
		if (!(await details.evaluate((d) => (d as HTMLDetailsElement).open))) await details.locator('summary').click();
		const form = page.locator('form[action="?/addNomination"]');
		await form.getByLabel('Название номинации').fill(n.title);
		await form.getByLabel('Адрес номинации (slug)').fill(n.slug);
		await form.getByLabel('Описание номинации').fill(`Номинация «${n.title}» прогона.`);
		await form.getByLabel(n.track, { exact: true }).check();
		await form.getByRole('button', { name: 'Добавить номинацию' }).click();
		await expect(page.getByRole('status').filter({ hasText: `Номинация «${n.title}» добавлена` })).toBeVisible();
	}
	await expectAccessible(page, 'страница конкурса в консоли');

	// The rubric is linked from the contest page.
	await page.getByRole('link', { name: 'Критерии оценки' }).click();
	await expect(page.getByRole('heading', { name: 'Критерии оценки', level: 1 })).toBeVisible();
	for (const [title, weight] of [['Результаты наставничества', '2'], ['Тиражируемость практики', '1']]) {
		await page.locator('#new-title').fill(title);
		await page.locator('#new-weight').fill(weight);
		await page.locator('#new-levels').fill('0 — нет\n5 — есть отдельные показатели\n10 — убедительные результаты');
		await page.getByRole('button', { name: 'Добавить критерий' }).click();
		await expect(page.getByRole('heading', { name: new RegExp(title) })).toBeVisible();
	}
	await expectAccessible(page, 'критерии');

	await page.goto(`/admin/contests/${W.contestId}`);
	await page.getByRole('button', { name: 'Открыть приём заявок' }).click();
	await page.getByRole('alertdialog').getByRole('button', { name: 'Да, открыть приём заявок' }).click();
	await expect(page.getByRole('status').filter({ hasText: 'Этап изменён: «Приём заявок»' })).toBeVisible();
});

async function apply(browser: Browser, p: (typeof W.people)[number], phone: boolean) {
	const ctx: BrowserContext = await browser.newContext(phone ? { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true } : {});
	const page = await ctx.newPage();
	const nom = W.noms[p.nom];
	const fits = async (label: string, buttons: string[] = []) => {
		if (!phone) return;
		await expectNoSideScroll(page, label);
		for (const b of buttons) await expectTakesTap(page.getByRole('button', { name: b, exact: true }), `${label}: «${b}»`);
	};

	// The contest page: the rubric is public, «Подать заявку» per nomination.
	await page.goto(`/contests/${W.slug}`);
	await expect(page.getByRole('heading', { name: 'Как оценивают заявки' })).toBeVisible();
	if (p.key === 'A1') await expectAccessible(page, 'публичная страница конкурса');
	await fits('страница конкурса');
	await page.getByRole('link', { name: `Подать заявку в номинации «${nom.title}»` }).click();
	await expect(page).toHaveURL(/\/login\?next=/);
	await page.locator('main').getByRole('link', { name: 'Регистрация' }).click();
	// The chosen contest and nomination travel with the person.
	await expect(page.getByRole('note')).toContainText(`«${W.title}», номинация «${nom.title}»`);
	if (p.key === 'A1') await expectAccessible(page, 'регистрация');
	await page.getByLabel('Фамилия, имя, отчество').fill(p.fio);
	await page.getByLabel('Электронная почта').fill(p.email);
	await page.getByLabel('Пароль', { exact: true }).fill(PASSWORD);
	await page.getByLabel('Пароль ещё раз').fill(PASSWORD);
	await page.getByLabel(/Я принимаю правила портала/).check();
	await fits('регистрация', ['Зарегистрироваться']);
	await page.getByRole('button', { name: 'Зарегистрироваться' }).click();
	await expect(page.getByRole('heading', { name: 'Проверьте почту' })).toBeVisible();
	await expect(page.getByText(`к заявке на конкурс «${W.title}», номинация «${nom.title}»`)).toBeVisible();
	if (p.key === 'A1') await expectAccessible(page, 'проверьте почту');

	// The confirmation link logs in and lands on the contest's form with the nomination chosen.
	await page.goto(linkIn((await lastMail(p.email, /Подтвердите/)).text, '/verify/'));
	await expect(page).toHaveURL(new RegExp(`/cabinet/apply/${W.slug}\\?nomination=${nom.slug}&verified=1$`));
	await expect(page.getByRole('radio', { name: new RegExp(nom.title) })).toBeChecked();
	if (p.key === 'A1') await expectAccessible(page, 'выбор номинации');
	await fits('выбор номинации', ['Начать заполнение']);
	await page.getByRole('button', { name: 'Начать заполнение' }).click();

	await expect(page.getByRole('heading', { name: '1. О себе' })).toBeVisible();
	W.appIds[p.key] = /applications\/([^/]+)\//.exec(page.url())![1];
	await page.getByLabel('Регион').selectOption({ label: p.region });
	await page.getByLabel('Муниципальное образование').fill('г. Городец');
	await page.getByLabel('Организация').fill('Речное училище имени А. С. Попова');
	await page.getByLabel('Должность').fill('старший преподаватель');
	await page.getByLabel('Стаж наставничества, лет').fill('11');
	await page.getByLabel('Телефон').fill('+7 (910) 555-01-02');
	await fits('шаг «О себе»', ['Сохранить и продолжить']);
	if (p.key === 'A1') await expectAccessible(page, 'шаг «О себе»');
	await page.getByRole('button', { name: 'Сохранить и продолжить' }).click();

	await expect(page.getByRole('heading', { name: '2. Практика' })).toBeVisible();
	await page.getByLabel('Название практики').fill(p.title);
	await page.getByLabel('Какую проблему решает').fill('Молодые специалисты уходили в первый год, не получив поддержки опытных коллег.');
	await page.getByLabel('Что делает наставничество').fill('Каждому новичку — наставник на год: совместные рейсы и уроки, разбор трудных случаев.');
	await page.getByLabel('Команда').fill('Семь наставников и двадцать новичков');
	await page.getByLabel('Год начала практики').fill('2020');
	await page.getByLabel('Результаты в цифрах').fill(p.results);
	await fits('шаг «Практика»', ['Сохранить и продолжить']);
	if (p.key === 'A1') await expectAccessible(page, 'шаг «Практика»');
	await page.getByRole('button', { name: 'Сохранить и продолжить' }).click();

	await expect(page.getByRole('heading', { name: '3. Письмо-резюме' })).toBeVisible();
	// The file box comes before the main button…
	const fileBox = await page.getByRole('heading', { name: 'Файл письма (PDF или DOCX)' }).boundingBox();
	const next = await page.getByRole('button', { name: 'Сохранить и продолжить' }).boundingBox();
	expect(fileBox!.y).toBeLessThan(next!.y);
	await fits('шаг «Письмо»', ['Сохранить и продолжить']);
	if (p.key === 'A1') {
		// …and leaving the step with neither text nor file asks once.
		await page.getByRole('button', { name: 'Сохранить и продолжить' }).click();
		await expect(page.getByRole('alert').filter({ hasText: 'не приложили файл письма-резюме' })).toBeVisible();
		await expect(page).toHaveURL(/\/letter$/);
		await expectAccessible(page, 'шаг «Письмо» с вопросом');
	}
	await page.getByLabel('Текст письма-резюме').fill('Я одиннадцать лет учу молодых коллег и знаю, как удержать их в профессии. '.repeat(3));
	await page.getByLabel('Выберите файл').setInputFiles(fx.pdf);
	await expect(page.getByText('Файл загружен и проверен.')).toBeVisible();
	await page.getByRole('button', { name: 'Сохранить и продолжить' }).click();

	await expect(page.getByRole('heading', { name: '4. Видеовизитка' })).toBeVisible();
	await page.getByLabel('Выберите видеофайл').setInputFiles(phone ? fx.hevcMov : fx.mp4);
	await expect(page.getByText('Видео загружено и проверено.')).toBeVisible({ timeout: 30_000 });
	// «clip.mp4 · 13,2 КБ · 0:02»: a space on both sides of every «·».
	await expect(page.getByText(/Загружено:\s+\S+\.(mp4|mov) · [\d,]+ (Б|КБ|МБ)( · \d+:\d\d)?$/)).toBeVisible();
	await fits('шаг «Видео»');
	if (p.key === 'A1') await expectAccessible(page, 'шаг «Видео»');
	await page.getByRole('link', { name: 'Дальше: согласие и отправка' }).click();

	// Consent: personal data, and (optional) publishing the contacts and showing the video.
	await page.getByLabel(/Я даю согласие на обработку персональных данных/).check();
	if (p.contacts) await page.getByLabel(/публикацию моих контактов/).check();
	if (p.video) await page.getByLabel(/показ моей видеовизитки/).check();
	await fits('шаг «Согласие и отправка»', ['Отправить заявку']);
	if (p.key === 'A1') await expectAccessible(page, 'шаг «Согласие и отправка»');
	await page.getByRole('button', { name: 'Отправить заявку' }).click();
	await expect(page.getByText(/Заявка ПР-2026-\d{5} принята/)).toBeVisible();
	W.numbers[p.key] = /ПР-2026-\d{5}/.exec((await page.getByRole('heading', { level: 1 }).textContent())!)![0];
	if (phone) {
		await page.screenshot({ path: 'test-results/screens/walk-phone-submitted.png', fullPage: true });
		await fits('заявка после отправки');
		await page.goto(`/cabinet/applications/${W.appIds[p.key]}/submit`);
		await fits('шаг «Согласие и отправка» после отправки', ['Сохранить изменения в заявке']);
		await page.screenshot({ path: 'test-results/screens/walk-phone-submit-step.png', fullPage: true });
	}
	await ctx.close();
}

test('2. three new applicants register from the contest page, confirm by mail and apply — one on a phone', async ({ browser }) => {
	test.setTimeout(240_000);
	await apply(browser, W.people[0], false);
	await apply(browser, W.people[1], true);
	await apply(browser, W.people[2], false);
	expect(Object.values(W.numbers).sort()).toEqual(['ПР-2026-00001', 'ПР-2026-00002', 'ПР-2026-00003']);
});

test('3. the organizer ends intake, invites a juror, gives jurors nominations in one action, routes and opens round 1', async ({ page }) => {
	test.setTimeout(120_000);
	// The server clock decides: the deadline moves into the past.
	db.update(contests).set({ closeAt: new Date(Date.now() - 60_000) }).where(eq(contests.id, W.contestId)).run();
	await login(page, 'org@nastavnik.demo');
	await page.goto(`/admin/contests/${W.contestId}`);
	await page.getByRole('button', { name: 'Завершить приём и начать экспертизу' }).click();
	await page.getByRole('alertdialog').getByRole('button', { name: /^Да, завершить приём/ }).click();
	await expect(page.getByRole('status').filter({ hasText: 'Этап изменён: «Экспертиза»' })).toBeVisible();

	await page.goto(`/admin/jury/${W.slug}/jurors`);
	await page.getByLabel('ФИО').fill(W.jurorFio);
	await page.getByLabel('Электронная почта').fill(W.jurorEmail);
	await page.getByLabel('Регион').selectOption({ label: 'Республика Карелия' });
	await page.getByLabel('Организация').fill('Независимый эксперт');
	await page.getByLabel('Ёмкость, заявок за тур').fill('20');
	for (const box of await page.getByRole('group', { name: 'Номинации экспертизы' }).getByRole('checkbox').all()) await box.check();
	await page.getByRole('button', { name: 'Пригласить' }).click();
	await expect(page.getByRole('status')).toContainText(`Приглашение отправлено на ${W.jurorEmail}`);

	// Two demo jurors get both nominations of this contest in one action.
	await page.getByRole('checkbox', { name: 'Отметить: Ермаков Алексей Викторович' }).check();
	await page.getByRole('checkbox', { name: 'Отметить: Садыкова Гульнара Ринатовна' }).check();
	const bulk = page.getByRole('group', { name: /Номинации для отмеченных экспертов \(2\)/ });
	for (const n of W.noms) await bulk.getByLabel(n.title).check();
	await page.getByRole('button', { name: 'Выдать номинации отмеченным' }).click();
	await expect(page.getByRole('status').filter({ hasText: 'Номинации выданы. Отмечено: 2 эксперта; профиль изменился у 2.' })).toBeVisible();
	await expect(page.getByRole('row', { name: /Ермаков Алексей Викторович/ }).getByRole('cell').nth(3)).toHaveText('2');
	await expectAccessible(page, 'эксперты конкурса');

	await page.goto(`/admin/jury/${W.slug}`);
	await page.getByRole('button', { name: 'Создать тур 1' }).click();
	await page.goto(`/admin/jury/${W.slug}/rounds/1`);
	await expect(page.getByText('Черновик').first()).toBeVisible(); // one name for a draft round
	await page.getByRole('button', { name: 'Предпросмотр распределения' }).click();
	await page.getByRole('button', { name: 'Применить распределение' }).click();
	await expect(page.getByRole('status').filter({ hasText: 'Распределение применено' })).toBeVisible();
	await page.getByRole('button', { name: 'Открыть тур для экспертов' }).click();
	await expect(page.getByText('Идёт оценка').first()).toBeVisible();
	await expectAccessible(page, 'тур 1');
});

/** Scores of the two criteria by juror (1: invited, 2: Ермаков, 3: Садыкова); A3 splits the jury. */
const SCORES: Record<string, [number, number][]> = {
	A1: [[9, 8], [9, 9], [8, 9]],
	A2: [[7, 7], [8, 6], [7, 8]],
	A3: [[9, 9], [2, 1], [5, 5]]
};

async function scoreAll(page: Page, j: number) {
	for (let i = 0; i < 3; i++) {
		await page.goto('/jury');
		const round = page.getByRole('region', { name: new RegExp(`${W.title}: тур 1`) });
		await round.getByRole('link', { name: 'Продолжить оценку' }).click();
		await page.waitForURL(/\/jury\/assignments\//);
		await expect(page.getByRole('heading', { level: 1, name: /ПР-2026-\d{5}/ })).toBeVisible();
		const number = /ПР-2026-\d{5}/.exec((await page.getByRole('heading', { level: 1 }).textContent())!)![0];
		const key = Object.entries(W.numbers).find(([, n]) => n === number)![0];
		const [a, b] = SCORES[key][j - 1];
		if (i === 0 && j === 1) {
			// Two fields, each saying who reads it.
			await expect(page.getByLabel('Отзыв для заявителя')).toBeVisible();
			await expect(page.locator('#feedback-hint')).toContainText('Прочтёт заявитель');
			await expect(page.getByLabel('Комментарий для организаторов')).toBeVisible();
			await expect(page.locator('#comment-hint')).toContainText('заявителю не показывается никогда');
			await expectAccessible(page, 'экран оценки');
		}
		await page.keyboard.press(String(a));
		await page.keyboard.press('ArrowDown');
		if (b === 10) {
			await page.keyboard.press('1');
			await page.keyboard.press('0');
		} else await page.keyboard.press(String(b));
		await expect(page.getByText('Заполнено 2 из 2')).toBeVisible();
		await page.getByLabel('Отзыв для заявителя').fill(W.feedback(j, number));
		await page.getByLabel('Комментарий для организаторов').fill(W.comment(j, number));
		await page.keyboard.press('Control+Enter');
		await expect(page.getByRole('status').filter({ hasText: 'Оценка отправлена' })).toBeVisible();
	}
	await page.goto('/jury');
	await expect(page.getByRole('region', { name: new RegExp(`${W.title}: тур 1`) }).getByRole('progressbar', { name: 'Оценено 3 из 3' })).toBeAttached();
}

test('4. three jurors score every entry with the keyboard', async ({ page, browser }) => {
	test.setTimeout(180_000);
	// The invited juror sets a password by the mailed link.
	await page.goto(linkIn((await lastMail(W.jurorEmail, /Приглашение в жюри/)).text, '/invite/'));
	await page.getByLabel('Новый пароль').fill('Ekspert-2026');
	await page.getByLabel('Пароль ещё раз').fill('Ekspert-2026');
	await page.getByRole('button', { name: 'Сохранить пароль' }).click();
	await expect(page).toHaveURL(/\/jury$/);
	await scoreAll(page, 1);
	for (const [j, email] of [[2, 'jury1@nastavnik.demo'], [3, 'jury2@nastavnik.demo']] as const) {
		const ctx = await browser.newContext();
		const p = await ctx.newPage();
		await login(p, email);
		await scoreAll(p, j);
		await ctx.close();
	}
});

test('5. the organizer reads the results, picks winners (only those above the floor are proposed), releases feedback and sends decisions', async ({ page }) => {
	test.setTimeout(120_000);
	await login(page, 'org@nastavnik.demo');
	await page.goto('/admin/results');
	await page.getByRole('region', { name: W.title }).getByRole('link', { name: 'Заочный тур' }).click();
	await expect(page.getByRole('row', { name: new RegExp(W.numbers.A3) })).toContainText('расхождение');
	await expectAccessible(page, 'итоги тура');

	await page.getByRole('navigation', { name: 'Разделы тура' }).getByRole('link', { name: 'Победители' }).click();
	// Five winners per nomination would take every entry: only the ones above the floor are proposed.
	await expect(page.getByRole('checkbox', { name: `Победитель: заявка ${W.numbers.A1}` })).toBeChecked();
	await expect(page.getByRole('checkbox', { name: `Победитель: заявка ${W.numbers.A2}` })).toBeChecked();
	await expect(page.getByRole('checkbox', { name: `Победитель: заявка ${W.numbers.A3}` })).not.toBeChecked();
	await expect(page.getByRole('row', { name: new RegExp(W.numbers.A3) })).toContainText('Не предложена:');
	await expect(page.getByRole('row', { name: new RegExp(W.numbers.A3) })).toContainText('расхождение оценок экспертов');
	await expect(page.getByText(/\d\(ранг/)).toHaveCount(0);
	await expectAccessible(page, 'победители');
	await page.getByLabel(/Подтверждаю решение/).check();
	await page.getByRole('button', { name: 'Утвердить победителей' }).click();
	await expect(page.getByRole('status').filter({ hasText: 'Решение принято: победителей — 2' })).toBeVisible();

	await page.getByRole('navigation', { name: 'Разделы тура' }).getByRole('link', { name: 'Решения и рассылка' }).click();
	await page.getByLabel(/Показать заявителям отзывы/).check();
	await page.getByRole('button', { name: 'Сохранить настройки' }).click();
	await expect(page.getByRole('status').filter({ hasText: 'Настройки итогов сохранены' })).toBeVisible();
	await page.getByRole('button', { name: 'Поставить письма в рассылку' }).click();
	await expect(page.getByRole('status').filter({ hasText: 'В рассылку добавлено писем: 3' })).toBeVisible();
	await expectAccessible(page, 'решения и рассылка');
	const letter = await lastMail(W.people[0].email, new RegExp(`${W.numbers.A1}: вы победитель`), 30_000);
	expect(letter.text).toContain(W.title);
});

test('6. the organizer prepares a winning practice: results in the table, contacts by consent, the editor note blocks publishing', async ({ page }) => {
	await login(page, 'org@nastavnik.demo');
	await page.goto('/admin/library/winners');
	await page.getByRole('row', { name: new RegExp(W.numbers.A1) }).getByRole('button', { name: 'Подготовить практику' }).click();
	await expect(page.getByText('Практика создана.')).toBeVisible();
	W.practiceId = /\/admin\/library\/([^/?#]+)/.exec(page.url())![1];
	// The application's results are rows of the results table, not text of the practice.
	await expect(page.getByLabel('Что измеряли').first()).toHaveValue('Текучесть молодых учителей');
	await expect(page.getByLabel('Было').first()).toHaveValue('40');
	await expect(page.getByLabel('Стало').first()).toHaveValue('5');
	await expect(page.getByLabel('Что сделали')).not.toHaveValue(/Результаты/);
	const note = page.getByLabel('Заметка редактора (не публикуется)');
	await expect(note).toHaveValue(/Все выпускники остались в профессии/);
	// The applicant consented: the contacts are there and the first «Сохранить» works.
	await expect(page.getByLabel('Контакты для коллег')).toHaveValue(new RegExp(W.people[0].email));
	await page.getByRole('button', { name: 'Сохранить', exact: true }).click();
	await expect(page.getByRole('status').filter({ hasText: 'Изменения сохранены' })).toBeVisible();
	await expectAccessible(page, 'черновик практики');
	// The note must go before the practice does.
	await page.getByRole('button', { name: 'Опубликовать' }).click();
	await expect(page.getByRole('alert')).toContainText('осталась заметка редактора');
	await note.fill('');
	await page.getByRole('button', { name: 'Сохранить', exact: true }).click();
	await expect(page.getByRole('status').filter({ hasText: 'Изменения сохранены' })).toBeVisible();
	await page.getByRole('button', { name: 'Опубликовать' }).click();
	await expect(page.getByRole('status').filter({ hasText: 'Практика опубликована' })).toBeVisible();
});

test('7. an anonymous visitor finds the practice with another word form and with a typo', async ({ page }) => {
	await page.goto('/library?q=' + encodeURIComponent('судоводитель'));
	await expect(page.getByRole('heading', { name: 'Найдено 1 практика' })).toBeVisible();
	await expect(page.locator('.results')).not.toContainText('сверьте');
	await expectAccessible(page, 'поиск в библиотеке');
	await page.goto('/library?q=' + encodeURIComponent('судаводителей'));
	await expect(page.getByText('Показаны результаты для')).toBeVisible();
	await page.getByRole('link', { name: /Школа наставников для молодых судоводителей/ }).click();
	await expect(page.getByRole('heading', { level: 1, name: /судоводителей/ })).toBeVisible();
	await expect(page.getByRole('heading', { name: 'Результаты в цифрах' })).toBeVisible();
	await expect(page.locator('main')).not.toContainText('Заметка');
	await expect(page.locator('main')).not.toContainText('перенесите');
	await expect(page.locator('main')).toContainText(W.people[0].email);
	await expectAccessible(page, 'страница практики');
});

test('8. the applicants read their outcome: only the stages they passed, the feedback written for them', async ({ browser }) => {
	for (const [key, outcome] of [['A1', 'Победитель'], ['A2', 'Победитель'], ['A3', 'Не прошла отбор']] as const) {
		const p = W.people.find((x) => x.key === key)!;
		const phone = key === 'A2';
		const ctx = await browser.newContext(phone ? { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true } : {});
		const page = await ctx.newPage();
		await login(page, p.email, PASSWORD);
		await page.goto(`/cabinet/applications/${W.appIds[key]}`);
		const timeline = page.getByRole('list', { name: 'Этапы рассмотрения заявки' }).getByRole('listitem');
		await expect(timeline).toHaveText(['Подана', 'На экспертизе', outcome]); // no «Финалист» without a final
		await expect(page.getByRole('heading', { name: 'Отзывы экспертов' })).toBeVisible();
		const fb = page.getByRole('region', { name: 'Отзывы экспертов' });
		await expect(fb).toContainText(W.feedback(1, W.numbers[key]));
		await expect(fb).not.toContainText('только для организаторов');
		await expect(fb).not.toContainText('Лоцманова');
		await expect(page.locator('main')).not.toContainText('Заметка');
		if (phone) await expectNoSideScroll(page, 'исход заявки на телефоне');
		if (key === 'A1') await expectAccessible(page, 'исход заявки');
		await page.screenshot({ path: `test-results/screens/walk-outcome-${key}.png`, fullPage: true });
		await ctx.close();
	}
});
