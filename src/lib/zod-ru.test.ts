import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import './zod-ru';

const msg = (schema: z.ZodType, v: unknown) => schema.safeParse(v).error!.issues[0].message;
const ENGLISH = /\b(Invalid|expected|received|string|object|number|array|Too)\b/;

describe('zod speaks Russian', () => {
	it('messages no schema names itself are Russian, without English type names', () => {
		const body = z.object({ applicationId: z.string().min(10).max(40), kind: z.enum(['video', 'letter']), size: z.number().int().positive(), tags: z.array(z.string()).max(2) });
		const cases: [z.ZodType, unknown][] = [
			[body, null],
			[body, 5],
			[body, []],
			[body, { applicationId: 5 }],
			[body, { applicationId: 'x', kind: 'video', size: 1, tags: [] }],
			[body, { applicationId: 'x'.repeat(41), kind: 'video', size: 1, tags: [] }],
			[body, { applicationId: 'x'.repeat(20), kind: 'exe', size: 1, tags: [] }],
			[body, { applicationId: 'x'.repeat(20), kind: 'video', size: 1.5, tags: [] }],
			[body, { applicationId: 'x'.repeat(20), kind: 'video', size: -1, tags: [] }],
			[body, { applicationId: 'x'.repeat(20), kind: 'video', size: 1, tags: ['a', 'b', 'c'] }],
			[z.email(), 'x'],
			[z.url(), 'x'],
			[z.object({}).strict(), { a: 1 }],
			[z.union([z.string(), z.number()]), null]
		];
		for (const [s, v] of cases) {
			const m = msg(s, v);
			expect(m, JSON.stringify(v)).toMatch(/[а-яё]/i);
			expect(m, JSON.stringify(v)).not.toMatch(ENGLISH);
		}
		expect(msg(body, null)).toBe('Неверное значение: ожидается объект, получено пустое значение (null)');
		expect(msg(z.string().max(3), 'abcdef')).toBe('Слишком длинно: не больше 3 символов');
	});

	it('a schema’s own message still wins', () => {
		expect(msg(z.string({ error: 'Укажите ФИО' }), undefined)).toBe('Укажите ФИО');
		expect(msg(z.string().min(5, 'Коротко'), 'a')).toBe('Коротко');
	});
});
