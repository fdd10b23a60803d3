/**
 * Russian number formatting with the formatters made once: a list page shows a hundred numbers,
 * and an Intl.NumberFormat per call is the costliest part of rendering it.
 */
const formatters = new Map<number, Intl.NumberFormat>();

export function num(n: number, digits = 0): string {
	let f = formatters.get(digits);
	if (!f) formatters.set(digits, (f = new Intl.NumberFormat('ru-RU', { maximumFractionDigits: digits })));
	return f.format(n);
}
