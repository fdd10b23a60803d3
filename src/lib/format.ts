/** Formatting shared by server and browser: Moscow time, Russian plurals and numbers. */
export const TZ = 'Europe/Moscow';

// Formatters are built once: a results table or an export formats thousands of values, and
// building an Intl formatter costs far more than using one.
const dateTimeFormat = new Intl.DateTimeFormat('ru-RU', { timeZone: TZ, day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit' });
const dateFormat = new Intl.DateTimeFormat('ru-RU', { timeZone: TZ, day: 'numeric', month: 'long', year: 'numeric' });
const numberFormats = new Map<number, Intl.NumberFormat>();

export function fmtDateTime(d: Date | string | number | null | undefined): string {
	if (d == null) return '—';
	return dateTimeFormat.format(new Date(d)) + ' МСК';
}

export function fmtDate(d: Date | string | number | null | undefined): string {
	if (d == null) return '—';
	return dateFormat.format(new Date(d));
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
	// Whole numbers below a thousand read the same in every form: skip Intl (a library page
	// formats some 150 facet counts).
	if (Number.isInteger(n) && n >= 0 && n < 1000 && !Object.is(n, -0)) return String(n);
	let f = numberFormats.get(digits);
	if (!f) numberFormats.set(digits, (f = new Intl.NumberFormat('ru-RU', { maximumFractionDigits: digits })));
	return f.format(n);
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

/** Moscow is UTC+3 all year round (no daylight saving since 2014). */
const MSK_OFFSET_MS = 3 * 3600_000;

/**
 * A `<input type="datetime-local">` value, read as Moscow wall-clock time («2026-03-31T23:59»),
 * → the UTC instant. null when the text is not a real date and time.
 */
export function fromMoscowInput(s: string): Date | null {
	const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(s.trim());
	if (!m) return null;
	const [y, mo, d, h, mi, sec] = m.slice(1).map((x) => Number(x ?? 0));
	const wall = Date.UTC(y, mo - 1, d, h, mi, sec);
	const back = new Date(wall);
	// Date.UTC rolls 31 February over into March: refuse such dates instead.
	if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || sec > 59) return null;
	return new Date(wall - MSK_OFFSET_MS);
}

/** The UTC instant → the Moscow wall-clock value for `<input type="datetime-local">`. */
export function toMoscowInput(d: Date | number | null | undefined): string {
	if (d == null) return '';
	return new Date(new Date(d).getTime() + MSK_OFFSET_MS).toISOString().slice(0, 16);
}
