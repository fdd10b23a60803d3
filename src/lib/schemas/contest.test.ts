import { describe, expect, it } from 'vitest';
import { contestFormSchema, contestFormValues, nominationFormSchema } from './contest';
import { fieldErrors } from './auth';
import { fromMoscowInput, toMoscowInput } from '../format';

const GOOD_FORM: Record<string, string> = {
	title: 'Наставничество-2027',
	slug: 'nastavnichestvo-2027',
	year: '2027',
	rules: '# Общие положения\r\n\r\nКонкурс проводится ежегодно.',
	openAt: '2027-02-01T10:00',
	closeAt: '2027-03-31T23:59',
	reviewEndAt: '2027-05-01T00:00',
	resultsAt: '2027-06-01T12:00',
	numberPrefix: 'нс',
	videoMaxSize: '1',
	videoMaxSizeUnit: 'GB',
	videoMaxDuration: '3',
	videoMaxDurationUnit: 'min',
	format_mp4: 'on',
	format_webm: 'on',
	letterMaxMb: '10',
	letterMaxChars: '5 000',
	uploadGraceMinutes: '30',
	jurorsPerEntry: '3',
	sameRegionConflict: 'on'
};

const errorsOf = (raw: Record<string, string>) => {
	const r = contestFormSchema.safeParse(raw);
	return r.success ? {} : fieldErrors(r.error);
};

describe('Moscow time of datetime-local inputs', () => {
	it('reads Moscow wall-clock time as UTC+3 and writes it back', () => {
		expect(fromMoscowInput('2027-03-31T23:59')?.toISOString()).toBe('2027-03-31T20:59:00.000Z');
		expect(fromMoscowInput('2027-01-01T01:30')?.toISOString()).toBe('2026-12-31T22:30:00.000Z');
		expect(toMoscowInput(new Date('2027-03-31T20:59:00Z'))).toBe('2027-03-31T23:59');
		// Summer and winter alike: Moscow has had no daylight saving since 2014.
		expect(toMoscowInput(new Date('2027-07-01T09:00:00Z'))).toBe('2027-07-01T12:00');
	});
	it('refuses dates that do not exist and other text', () => {
		for (const bad of ['2027-02-30T10:00', '2027-13-01T10:00', '2027-01-01T24:00', '31.03.2027 23:59', '', 'завтра']) expect(fromMoscowInput(bad), bad).toBeNull();
	});
});

describe('contest form schema', () => {
	it('turns the form into typed values: UTC dates, bytes, seconds, formats', () => {
		const r = contestFormSchema.parse(GOOD_FORM);
		expect(r.slug).toBe('nastavnichestvo-2027');
		expect(r.numberPrefix).toBe('НС');
		expect(r.year).toBe(2027);
		expect(r.rules).toBe('# Общие положения\n\nКонкурс проводится ежегодно.');
		expect(r.closeAt.toISOString()).toBe('2027-03-31T20:59:00.000Z');
		expect(r.limits).toEqual({
			videoMaxBytes: 1024 ** 3,
			videoMaxSeconds: 180,
			videoFormats: ['mp4', 'webm'],
			letterMaxBytes: 10 * 1024 ** 2,
			letterMaxChars: 5000,
			uploadGraceMinutes: 30,
			jurorsPerEntry: 3,
			sameRegionConflict: true
		});
	});

	it('accepts decimal commas and other units', () => {
		const r = contestFormSchema.parse({ ...GOOD_FORM, videoMaxSize: '1,5', videoMaxSizeUnit: 'GB', videoMaxDuration: '150', videoMaxDurationUnit: 'sec', letterMaxMb: '2.5', sameRegionConflict: '' });
		expect(r.limits.videoMaxBytes).toBe(1.5 * 1024 ** 3);
		expect(r.limits.videoMaxSeconds).toBe(150);
		expect(r.limits.letterMaxBytes).toBe(2.5 * 1024 ** 2);
		expect(r.limits.sameRegionConflict).toBe(false);
	});

	it('the form values of a contest parse back to the same contest', () => {
		const r = contestFormSchema.parse(GOOD_FORM);
		const again = contestFormSchema.parse(contestFormValues({ ...r, updatedAt: 1234 }, r.limits));
		expect({ ...again, version: undefined }).toEqual({ ...r, version: undefined });
		expect(again.version).toBe(1234);
	});

	it('names the field in every message and reports all problems at once', () => {
		const e = errorsOf({
			...GOOD_FORM,
			title: 'Н'.repeat(201),
			slug: 'наставничество',
			year: '27',
			closeAt: '2027-01-15T10:00',
			reviewEndAt: '2027-01-15T10:00',
			resultsAt: '2027-02-30T10:00',
			numberPrefix: 'Н-С',
			videoMaxSize: '20',
			videoMaxDuration: '2',
			videoMaxDurationUnit: 'sec',
			format_mp4: '',
			format_webm: '',
			letterMaxMb: '100',
			letterMaxChars: '1,5',
			uploadGraceMinutes: '2000',
			jurorsPerEntry: 'три'
		});
		expect(e).toEqual({
			title: '«Название»: не длиннее 200 символов',
			slug: '«Адрес (slug)»: только латинские строчные буквы, цифры и дефисы между ними, например nastavnichestvo-2026',
			year: '«Год»: не меньше 2000',
			resultsAt: '«Объявление итогов»: неверная дата или время',
			numberPrefix: '«Префикс номера заявки»: только буквы и цифры, например НС',
			letterMaxChars: '«Максимальная длина письма»: введите целое число',
			uploadGraceMinutes: '«Льготный период загрузки»: не больше 1440',
			jurorsPerEntry: '«Экспертов на заявку»: введите число',
			closeAt: '«Окончание приёма заявок» должно быть позже, чем «Начало приёма заявок»',
			reviewEndAt: '«Окончание экспертизы» должно быть позже, чем «Окончание приёма заявок»',
			videoMaxSize: '«Максимальный размер видео»: от 1 МБ до 10 ГБ',
			videoMaxDuration: '«Максимальная длительность видео»: от 10 секунд до 60 минут',
			letterMaxMb: '«Максимальный размер файла письма»: от 0,5 до 50 МБ',
			videoFormats: '«Форматы видео»: отметьте хотя бы один формат'
		});
	});

	it('refuses missing fields, forged units and absurd numbers', () => {
		const e = errorsOf({ videoMaxSizeUnit: 'TB', videoMaxDurationUnit: 'hours', videoMaxSize: '0x10', jurorsPerEntry: '1e3' });
		expect(e.title).toBe('Заполните поле «Название»');
		expect(e.openAt).toBe('Укажите «Начало приёма заявок»');
		expect(e.videoMaxSizeUnit).toMatch(/Максимальный размер видео/);
		expect(e.videoMaxDurationUnit).toMatch(/Максимальная длительность видео/);
		expect(e.videoMaxSize).toBe('«Максимальный размер видео»: введите число');
		expect(e.jurorsPerEntry).toBe('«Экспертов на заявку»: введите число');
		expect(errorsOf({ ...GOOD_FORM, rules: 'x'.repeat(50_001) }).rules).toMatch(/Положение о конкурсе/);
		expect(errorsOf({ ...GOOD_FORM, slug: 'a--b' }).slug).toMatch(/Адрес/);
		expect(errorsOf({ ...GOOD_FORM, slug: 'ab' }).slug).toBe('«Адрес (slug)»: не короче 3 символов');
	});
});

describe('nomination form schema', () => {
	it('validates title, slug, description and track', () => {
		expect(nominationFormSchema.parse({ title: ' Наставник года ', slug: 'Mentor-Year', description: 'Описание', track: 'mentor' })).toEqual({
			title: 'Наставник года',
			slug: 'mentor-year',
			description: 'Описание',
			track: 'mentor'
		});
		const r = nominationFormSchema.safeParse({ title: 'Н', slug: 'номинация', description: 'x'.repeat(2001), track: 'team' });
		expect(r.success).toBe(false);
		expect(fieldErrors(r.error!)).toEqual({
			title: '«Название номинации»: не короче 3 символов',
			slug: '«Адрес номинации (slug)»: только латинские строчные буквы, цифры и дефисы между ними, например mentor-education',
			description: '«Описание номинации»: не длиннее 2000 символов',
			track: '«Трек»: выберите «Наставник» или «Командная практика»'
		});
	});
});
