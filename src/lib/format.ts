/** Formatting shared by server and browser: Moscow time, Russian plurals and numbers. */
export const TZ = 'Europe/Moscow';

export function fmtDateTime(d: Date | string | number | null | undefined): string {
	if (d == null) return '—';
	return new Intl.DateTimeFormat('ru-RU', { timeZone: TZ, day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit' }).format(new Date(d)) + ' МСК';
}

export function fmtDate(d: Date | string | number | null | undefined): string {
	if (d == null) return '—';
	return new Intl.DateTimeFormat('ru-RU', { timeZone: TZ, day: 'numeric', month: 'long', year: 'numeric' }).format(new Date(d));
}

/** plural(5, ['заявка', 'заявки', 'заявок']) → 'заявок' */
export function plural(n: number, forms: [string, string, string]): string {
	const a = Math.abs(n) % 100;
	const b = a % 10;
	if (a > 10 && a < 20) return forms[2];
	if (b > 1 && b < 5) return forms[1];
	if (b === 1) return forms[0];
	return forms[2];
}

export function fmtNumber(n: number, digits = 0): string {
	return new Intl.NumberFormat('ru-RU', { maximumFractionDigits: digits }).format(n);
}

export function fmtBytes(n: number): string {
	if (n < 1024) return `${n} Б`;
	if (n < 1024 ** 2) return `${fmtNumber(n / 1024, 1)} КБ`;
	if (n < 1024 ** 3) return `${fmtNumber(n / 1024 ** 2, 1)} МБ`;
	return `${fmtNumber(n / 1024 ** 3, 2)} ГБ`;
}

/** «3 дня 4 часа», «12 минут» until the moment. */
export function fmtCountdown(ms: number): string {
	if (ms <= 0) return 'срок истёк';
	const d = Math.floor(ms / 86400_000);
	const h = Math.floor((ms % 86400_000) / 3600_000);
	const m = Math.floor((ms % 3600_000) / 60_000);
	const s = Math.floor((ms % 60_000) / 1000);
	if (d > 0) return `${d} ${plural(d, ['день', 'дня', 'дней'])} ${h} ${plural(h, ['час', 'часа', 'часов'])}`;
	if (h > 0) return `${h} ${plural(h, ['час', 'часа', 'часов'])} ${m} ${plural(m, ['минута', 'минуты', 'минут'])}`;
	return `${m} ${plural(m, ['минута', 'минуты', 'минут'])} ${s} ${plural(s, ['секунда', 'секунды', 'секунд'])}`;
}
