import { describe, expect, it } from 'vitest';
import { fmtBytes, fmtDate, fmtDateTime, fmtNumber, plural } from './format';

const sp = (s: string) => s.replace(/\s/g, ' ');
describe('format', () => {
	it('numbers in Russian, each precision with its own formatter', () => {
		expect(sp(fmtNumber(1234567.891))).toBe('1 234 568');
		expect(sp(fmtNumber(1234567.891, 1))).toBe('1 234 567,9');
		expect(sp(fmtNumber(0.5, 2))).toBe('0,5');
		expect(sp(fmtNumber(2.345, 2))).toBe('2,35');
		expect(sp(fmtNumber(1234567.891))).toBe('1 234 568');
	});
	it('the shortcut for whole numbers below a thousand gives what Intl gives', () => {
		const f = new Intl.NumberFormat('ru-RU', { maximumFractionDigits: 0 });
		for (const n of [0, -0, 1, 7, 42, 999, 1000, 1001, -1, -999, 0.4, 999.5, 12_345]) expect(fmtNumber(n)).toBe(f.format(n));
	});
	it('sizes', () => {
		expect(fmtBytes(512)).toBe('512 Б');
		expect(fmtBytes(1536)).toBe('1,5 КБ');
		expect(fmtBytes(45 * 1024 * 1024)).toBe('45 МБ');
		expect(fmtBytes(1.5 * 1024 ** 3)).toBe('1,5 ГБ');
	});
	it('dates in Moscow time', () => {
		const t = Date.UTC(2026, 11, 22, 20, 59); // 23:59 in Moscow
		expect(fmtDateTime(t)).toBe('22 декабря 2026 г. в 23:59 МСК');
		expect(fmtDate(Date.UTC(2026, 11, 31, 22, 0))).toBe('1 января 2027 г.');
		expect(fmtDateTime(null)).toBe('—');
	});
	it('plurals', () => {
		expect([1, 2, 5, 11, 21, 22, 25, 111].map((n) => plural(n, ['заявка', 'заявки', 'заявок']))).toEqual(['заявка', 'заявки', 'заявок', 'заявок', 'заявка', 'заявки', 'заявок', 'заявок']);
	});
});
