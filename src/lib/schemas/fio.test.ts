import { describe, expect, it } from 'vitest';
import { registerSchema } from './auth';
import { aboutSchema } from './application';
import { fioField } from './jury';

const PASSWORD = 'Mentor-2026-pass';
const checks: [string, (fio: string) => boolean][] = [
	['registration', (fio) => registerSchema.safeParse({ fio, email: 'a@example.ru', password: PASSWORD, password2: PASSWORD, agree: 'on' }).success],
	['application', (fio) => !aboutSchema.safeParse({ fio }).error?.issues.some((i) => i.path[0] === 'fio')],
	['jury import', (fio) => fioField.safeParse(fio).success]
];

describe('ФИО: letters, spaces, hyphens, apostrophes and dots only (issue 11, point 10)', () => {
	for (const [where, ok] of checks) {
		it(where, () => {
			for (const good of ['Иванова Светлана Петровна', 'Салтыков-Щедрин Михаил Е.', "Д'Артаньян Шарль", 'Гусейн-заде Ф. Р.', 'O’Brien Mary Anne'])
				expect(ok(good), good).toBe(true);
			for (const bad of ['Иванов\r\nИван Иванович', 'Иванов\nИван Иванович', 'Иванов\tИван Иванович', 'Иванов\u000bИван Иванович', 'Иванов\u2028Иван Иванович', 'Иванов Иван <b>', 'Иванов Иван 2'])
				expect(ok(bad), JSON.stringify(bad)).toBe(false);
		});
	}
});
