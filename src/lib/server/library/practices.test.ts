import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { dbPerTest } from '../../../../tests/helpers/db';
import type { DB } from '../db/client';
import { applications, assets, auditEvents, contests, nominations, practices, users } from '../db/schema';
import { DomainError } from '../errors';
import {
	createFromApplication,
	createPractice,
	deletePractice,
	listAdoptions,
	listWinners,
	publishPractice,
	publishProblems,
	recordAdoption,
	unpublishPractice,
	updatePractice,
	withdrawAdoption,
	addDocument,
	uniqueSlug
} from './practices';
import { publicVideoAsset } from './media';
import { searchLibrary } from './search';
import { APPLICANT, ORG, addUsers, input, params } from './test-helpers';
import { parsePracticeInput, practiceToRaw, type PracticeInput } from '../../schemas/library';

let db: DB;
dbPerTest((d) => addUsers((db = d)));

const refused = (fn: () => unknown, code: string) => {
	try {
		fn();
	} catch (e) {
		expect(e).toBeInstanceOf(DomainError);
		expect((e as DomainError).code).toBe(code);
		return e as DomainError;
	}
	throw new Error(`expected a refusal ${code}`);
};

describe('the practice form', () => {
	it('parses results as numbers, tags as a list, names errors by field', () => {
		const r = parsePracticeInput({
			title: 'Тестовая практика',
			summary: 'Достаточно длинное краткое описание практики.',
			region: 'Татарстан',
			sphere: 'ЖКХ',
			year: '2024',
			tags: 'адаптация; кадры, адаптация',
			result1_indicator: 'Текучесть кадров',
			result1_baseline: '33,5',
			result1_value: '1 200',
			result1_unit: '%',
			result3_indicator: 'Без значения',
			result4_value: 'много'
		});
		expect(r.ok).toBe(false);
		if (r.ok) return;
		expect(Object.keys(r.errors).sort()).toEqual(['result3_value', 'result4_indicator', 'result4_value']);
		const ok = parsePracticeInput({ title: 'Тестовая практика', summary: 'Достаточно длинное краткое описание практики.', region: 'Татарстан', sphere: 'ЖКХ', year: '2024', tags: 'адаптация; кадры, адаптация', result1_indicator: 'Текучесть кадров', result1_baseline: '33,5', result1_value: '1 200', result1_unit: '%' });
		expect(ok.ok && ok.data).toMatchObject({ region: '16', sphere: 'housing', year: 2024, tags: ['адаптация', 'кадры'], results: [{ indicator: 'Текучесть кадров', baseline: 33.5, value: 1200, unit: '%' }] });
	});

	it('contacts only with the author\u2019s consent', () => {
		const r = parsePracticeInput({ ...raw(), contacts: 'Иванова, +7 900 000-00-00' });
		expect(!r.ok && r.errors.contacts_consent).toMatch(/согласия автора/);
		expect(parsePracticeInput({ ...raw(), contacts: 'Иванова', contacts_consent: 'on' }).ok).toBe(true);
	});

	it('rejects an unknown region or sphere, a wrong year, a bad address', () => {
		const r = parsePracticeInput({ ...raw(), region: 'Атлантида', sphere: 'космос', year: '20x4', slug: 'Не латиница' });
		expect(!r.ok && Object.keys(r.errors).sort()).toEqual(['region', 'slug', 'sphere', 'year']);
	});
});

function raw() {
	return { title: 'Тестовая практика', summary: 'Достаточно длинное краткое описание практики.', region: '16', sphere: 'education', year: '2024' };
}

describe('create, edit, publish, unpublish, delete', () => {
	it('makes slugs from Russian titles, unique and not reserved', () => {
		const a = createPractice(db, ORG, input({ title: 'Школа наставников' }));
		const b = createPractice(db, ORG, input({ title: 'Школа наставников' }));
		expect(a.slug).toBe('shkola-nastavnikov');
		expect(b.slug).toBe('shkola-nastavnikov-2');
		expect(uniqueSlug(db, 'Overview')).toBe('overview-2');
		refused(() => createPractice(db, ORG, input({ title: 'Другая практика', slug: 'shkola-nastavnikov' })), 'slug_taken');
		refused(() => createPractice(db, ORG, input({ title: 'Другая практика', slug: 'overview' })), 'bad_slug');
	});

	it('only organizers manage the library', () => {
		expect(() => createPractice(db, APPLICANT, input())).toThrow(DomainError);
		const p = createPractice(db, ORG, input());
		expect(() => publishPractice(db, APPLICANT, p.id)).toThrow(/организаторы/);
		expect(() => deletePractice(db, APPLICANT, p.id)).toThrow(DomainError);
	});

	it('publishes, unpublishes and deletes with audit events, in step with the search', () => {
		const p = createPractice(db, ORG, input({ title: 'Наставники в депо' }));
		expect(p.status).toBe('draft');
		expect(searchLibrary(db, params({ q: 'депо' })).total).toBe(0);
		const pub = publishPractice(db, ORG, p.id, new Date('2025-03-01T10:00:00Z'));
		expect(pub.status).toBe('published');
		expect(pub.publishedAt?.toISOString()).toBe('2025-03-01T10:00:00.000Z');
		expect(searchLibrary(db, params({ q: 'депо' })).total).toBe(1);
		unpublishPractice(db, ORG, p.id);
		refused(() => unpublishPractice(db, ORG, p.id), 'not_published');
		// Publishing again keeps the first publication date.
		expect(publishPractice(db, ORG, p.id).publishedAt?.toISOString()).toBe('2025-03-01T10:00:00.000Z');
		updatePractice(db, ORG, p.id, input({ title: 'Наставники в трамвайном депо' }));
		expect(searchLibrary(db, params({ q: 'трамвайном' })).total).toBe(1);
		const { keys } = deletePractice(db, ORG, p.id);
		expect(keys).toEqual([]);
		expect(db.select().from(practices).all()).toHaveLength(0);
		const actions = db.select({ a: auditEvents.action }).from(auditEvents).where(eq(auditEvents.entityId, p.id)).all().map((r) => r.a);
		expect(actions).toEqual(['practice.create', 'practice.publish', 'practice.unpublish', 'practice.publish', 'practice.update', 'practice.delete']);
	});

	it('deletes its documents (and returns their keys to remove from S3)', () => {
		const p = createPractice(db, ORG, input());
		addDocument(db, ORG, p.id, { id: 'doc-0000000000000000000001', key: `practices/${p.id}/documents/a.pdf`, name: 'Положение.pdf', mime: 'application/pdf', size: 10 });
		expect(deletePractice(db, ORG, p.id).keys).toEqual([`practices/${p.id}/documents/a.pdf`]);
		expect(db.select().from(assets).all()).toHaveLength(0);
	});

	it('a failed edit changes nothing', () => {
		const p = createPractice(db, ORG, input({ title: 'Первая практика' }), { publish: true });
		const q = createPractice(db, ORG, input({ title: 'Вторая практика' }), { publish: true });
		refused(() => updatePractice(db, ORG, q.id, input({ title: 'Вторая, переименованная', slug: p.slug })), 'slug_taken');
		expect(db.select().from(practices).where(eq(practices.id, q.id)).get()?.title).toBe('Вторая практика');
		expect(searchLibrary(db, params({ q: 'переименованная' })).total).toBe(0);
	});
});

describe('a practice from a winning application', () => {
	function winner(status: 'winner' | 'submitted' = 'winner', consents: { contacts?: boolean; video?: boolean } = {}) {
		const contestId = 'contest-000000000000000001';
		db.insert(contests)
			.values({ id: contestId, slug: 'n-2025', title: 'Наставничество-2025', year: 2025, phase: 'published', openAt: new Date(0), closeAt: new Date(0), reviewEndAt: new Date(0), resultsAt: new Date(0) })
			.onConflictDoNothing()
			.run();
		db.insert(nominations).values({ id: 'nom-0000000000000000000001', contestId, slug: 'practice-education', title: 'Командная практика наставничества в образовании', track: 'practice' }).onConflictDoNothing().run();
		const id = `app-${status}-00000000000001`;
		db.insert(applications)
			.values({
				id,
				contestId,
				nominationId: 'nom-0000000000000000000001',
				applicantId: APPLICANT.id,
				number: 'НС-2025-00007',
				status,
				regionCode: '36',
				organization: 'МКОУ «Давыдовская СОШ»',
				about: { fio: 'Заявитель Тестовый', municipality: 'Лискинский район', phone: '+79510000000', position: 'Завуч' },
				practice: {
					title: 'Сельская школа наставников',
					problem: 'Молодые учителя уезжали из села в первый же год работы в школе.',
					actions: 'Каждому молодому учителю — наставник и план на год.',
					team: 'Пять педагогов',
					since: 2020,
					results: 'Текучесть молодых учителей снизилась с 40% до 0% (2020–2024, данные отдела кадров). Остались все пять молодых учителей'
				},
				contactsConsent: consents.contacts ?? false,
				videoConsent: consents.video ?? false
			})
			.run();
		db.insert(assets).values({ id: 'video-000000000000000001', applicationId: id, ownerId: APPLICANT.id, kind: 'video', status: 'ready', key: `applications/${id}/video/v.mp4`, mime: 'video/mp4' }).run();
		return id;
	}

	it('is a draft with the application\u2019s texts, place, contest and video; no consent — no contacts', () => {
		const appId = winner();
		expect(listWinners(db)).toMatchObject([{ id: appId, title: 'Сельская школа наставников', practice: null }]);
		const p = createFromApplication(db, ORG, appId);
		expect(p).toMatchObject({
			status: 'draft',
			applicationId: appId,
			title: 'Сельская школа наставников',
			regionCode: '36',
			sphere: 'education',
			year: 2025,
			since: 2020,
			source: 'Наставничество-2025',
			nominationTitle: 'Командная практика наставничества в образовании',
			videoAssetId: 'video-000000000000000001',
			videoConsent: false,
			contactsConsent: false
		});
		// The applicant did not consent to publishing contacts: the draft holds none, and it saves as prepared.
		expect(p.contacts).toBe('');
		expect(parsePracticeInput(practiceToRaw(p)).ok).toBe(true);
		expect(updatePractice(db, ORG, p.id, (parsePracticeInput(practiceToRaw(p)) as { ok: true; data: PracticeInput }).data).contacts).toBe('');
		expect(listWinners(db)[0].practice).toMatchObject({ id: p.id, status: 'draft' });
		refused(() => createFromApplication(db, ORG, appId), 'exists');

		// The application's results go to the results table, not into the public text.
		expect(p.actions).toBe('Каждому молодому учителю — наставник и план на год.');
		expect(p.results).toEqual([{ indicator: 'Текучесть молодых учителей', baseline: 40, value: 0, unit: '%', period: '2020–2024', source: 'данные отдела кадров' }]);
		// What could not be parsed waits in the editor's note, which is never public…
		expect(p.editorNote).toContain('Остались все пять молодых учителей');
		// …and publishing is refused, in Russian, while the draft still holds it.
		try {
			publishPractice(db, ORG, p.id);
			expect.unreachable();
		} catch (e) {
			expect(e).toMatchObject({ status: 400, code: 'editor_note', message: expect.stringMatching(/заметка редактора/i) });
		}
		updatePractice(db, ORG, p.id, input({ title: p.title, summary: 'Молодые учителя остаются в сельской школе благодаря наставникам.', region: '36', sphere: 'education', year: '2025' }), { editorNote: '' });
		expect(publishPractice(db, ORG, p.id).status).toBe('published');
		expect(searchLibrary(db, params({ q: 'перенесите' })).total).toBe(0);
		// Its video is shown only with the author's consent.
		const published = db.select().from(practices).where(eq(practices.id, p.id)).get()!;
		expect(publicVideoAsset(db, published)).toBeNull();
		const consented = updatePractice(db, ORG, p.id, input({ title: p.title, summary: published.summary, region: '36', sphere: 'education', year: '2025' }), { videoConsent: true });
		expect(publicVideoAsset(db, consented)?.id).toBe('video-000000000000000001');
	});

	it('contacts and the video come with the consent the applicant gave in the wizard', () => {
		const appId = winner('winner', { contacts: true, video: true });
		const p = createFromApplication(db, ORG, appId);
		expect(p).toMatchObject({ contactsConsent: true, videoConsent: true });
		expect(p.contacts).toBe('Заявитель Тестовый, Завуч, +79510000000, app@test.ru');
		// The draft saves as prepared (the first «Сохранить» used to fail on the contacts).
		const r = parsePracticeInput(practiceToRaw(p));
		expect(r.ok).toBe(true);
		expect(updatePractice(db, ORG, p.id, (r as { ok: true; data: PracticeInput }).data).contacts).toContain('app@test.ru');
		expect(publicVideoAsset(db, p)?.id).toBe('video-000000000000000001');
	});

	it('only winners become practices', () => {
		const appId = winner('submitted');
		refused(() => createFromApplication(db, ORG, appId), 'not_winner');
		refused(() => createFromApplication(db, ORG, 'no-such-application-000'), 'not_found');
	});
});

describe('«Внедрили у себя»', () => {
	it('a logged-in team records, updates and withdraws its adoption of a published practice', () => {
		const p = createPractice(db, ORG, input(), { publish: true });
		recordAdoption(db, APPLICANT, p.id, { organization: 'Администрация г. Тулы', result: '' });
		recordAdoption(db, APPLICANT, p.id, { organization: 'Администрация г. Тулы', result: 'Текучесть снизилась на 10 %' });
		expect(listAdoptions(db, p.id)).toMatchObject([{ organization: 'Администрация г. Тулы', result: 'Текучесть снизилась на 10 %' }]);
		withdrawAdoption(db, APPLICANT, p.id);
		expect(listAdoptions(db, p.id)).toHaveLength(0);
		refused(() => withdrawAdoption(db, APPLICANT, p.id), 'not_found');
	});

	it('not for drafts', () => {
		const p = createPractice(db, ORG, input());
		refused(() => recordAdoption(db, APPLICANT, p.id, { organization: 'Кто-то', result: '' }), 'not_found');
	});

	it('users keep their adoptions apart', () => {
		db.insert(users).values({ id: 'other-0000000000000000001', email: 'o@t.ru', fio: 'Другой Пользователь', role: 'jury' }).run();
		const p = createPractice(db, ORG, input(), { publish: true });
		recordAdoption(db, APPLICANT, p.id, { organization: 'Первая команда', result: '' });
		recordAdoption(db, { id: 'other-0000000000000000001', role: 'jury' }, p.id, { organization: 'Вторая команда', result: '' });
		expect(listAdoptions(db, p.id)).toHaveLength(2);
	});
});
