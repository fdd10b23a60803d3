/**
 * Zod speaks Russian everywhere: one error map, set once for the process (hooks.server.ts), the
 * browser (hooks.client.ts) and every schema module (they import this file), so a message that
 * a schema does not name itself — a JSON body of the wrong shape sent to an endpoint, say — still
 * reaches the user or the client in Russian. Zod's own Russian locale is the base; the most
 * frequent messages are said in plain Russian without English type names.
 */
import { z } from 'zod';

const TYPE: Record<string, string> = {
	string: 'строка',
	number: 'число',
	int: 'целое число',
	bigint: 'целое число',
	boolean: 'логическое значение',
	object: 'объект',
	array: 'список',
	date: 'дата',
	null: 'пустое значение (null)',
	undefined: 'пропущенное значение',
	nan: 'не число',
	symbol: 'символ',
	function: 'функция',
	file: 'файл',
	map: 'словарь',
	set: 'множество'
};
const typeOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'number' && Number.isNaN(v) ? 'nan' : typeof v);
const plural = (n: number, one: string, few: string, many: string) => {
	const a = Math.abs(n) % 100;
	const b = a % 10;
	return a >= 11 && a <= 19 ? many : b === 1 ? one : b >= 2 && b <= 4 ? few : many;
};
/** Genitive after «не больше / не меньше N»: 1 символа, 3 символов, 21 символа. */
const UNIT: Record<string, [string, string, string]> = {
	string: ['символа', 'символов', 'символов'],
	array: ['элемента', 'элементов', 'элементов'],
	set: ['элемента', 'элементов', 'элементов'],
	file: ['байта', 'байт', 'байт']
};

const base = z.locales.ru().localeError!;

type Issue = Parameters<typeof base>[0];

export function russianError(issue: Issue): string {
	const i = issue as Issue & Record<string, unknown>;
	switch (issue.code) {
		case 'invalid_type': {
			if (i.input === undefined) return 'Заполните это поле';
			const expected = TYPE[String(i.expected)] ?? 'другое значение';
			return `Неверное значение: ожидается ${expected}, получено ${TYPE[typeOf(i.input)] ?? 'другое'}`;
		}
		case 'too_big': {
			const unit = UNIT[String(i.origin)];
			const max = Number(i.maximum);
			if (unit) return `Слишком длинно: не больше ${max} ${plural(max, ...unit)}`;
			return `Слишком большое значение: не больше ${max}`;
		}
		case 'too_small': {
			const unit = UNIT[String(i.origin)];
			const min = Number(i.minimum);
			if (unit) return min <= 1 && i.origin === 'string' ? 'Заполните это поле' : `Слишком коротко: не меньше ${min} ${plural(min, ...unit)}`;
			return `Слишком маленькое значение: не меньше ${min}`;
		}
		case 'invalid_value':
			return 'Недопустимое значение: выберите один из предложенных вариантов';
		case 'unrecognized_keys':
			return 'Неизвестные поля в запросе';
		default: {
			const m = base(issue);
			return typeof m === 'string' ? m : (m?.message ?? 'Неверное значение');
		}
	}
}

z.config({ localeError: russianError });
