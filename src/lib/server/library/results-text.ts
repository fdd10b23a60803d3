/**
 * The «Результаты в цифрах» of an application is free text («Текучесть в первый год снизилась с
 * 28% до 7% (2021–2024, данные отдела кадров)»). A library practice keeps its results as a table
 * (indicator, was, became, unit, period, source). This reads the sentences of the form
 * «<показатель> [глагол] с <было> до <стало> [(период, источник)]» into rows; everything else is
 * returned as `rest`, for the editor to carry over by hand. Pure.
 */
import { parseNumber, type ResultInput } from '../../schemas/library';

const NUM = String.raw`[−-]?\d[\d\s\u00a0\u202f]*(?:[.,]\d+)?`;
/** «с 28% до 7%», «с 12 до 3 случаев», «с 4,5 до 2 месяцев». */
const FROM_TO = new RegExp(String.raw`^(.*?)\s+с\s+(${NUM})\s*([^\s\d()]{0,20}?)\s+до\s+(${NUM})\s*([^()]*?)\s*(?:\(([^()]*)\))?\s*[.;]?\s*$`, 'iu');
/** Verbs of change left at the end of the indicator («снизилась», «выросло», «сократились»). */
const VERB = /\s+(?:(?:с|у|по|вы|воз)?(?:низил|рос|рост|рос|кратил|величил|меньшил|высил|явил|пал|тал|менял)\S*|(?:снизил|вырос|вырос|сократил|увеличил|уменьшил|повысил|понизил|упал|возрос|стал|изменил)\S*)$/iu;
const PERIOD = /^(?:за\s+)?((?:19|20)\d{2}(?:\s*[–—-]\s*(?:19|20)?\d{2,4})?(?:\s*(?:гг?\.?|годы|год))?)$/iu;

function clean(s: string) {
	return s.replace(/\s+/g, ' ').trim();
}

/** Splits the text into sentences: lines, «;», and «. » before a capital letter or a digit. */
export function sentences(text: string): string[] {
	return text
		.split(/\r?\n|;\s+|(?<=[.!?])\s+(?=[А-ЯЁA-Z0-9«])/u)
		.map((x) => clean(x.replace(/^[-•*–—]\s*/, '')))
		.filter(Boolean);
}

export function parseResultSentence(sentence: string): ResultInput | null {
	const m = FROM_TO.exec(sentence);
	if (!m) return null;
	let indicator = clean(m[1]).replace(/[,:—–-]+$/, '').trim();
	for (let i = 0; i < 2 && VERB.test(indicator); i++) indicator = indicator.replace(VERB, '').trim();
	const baseline = parseNumber(m[2]);
	const value = parseNumber(m[4]);
	if (baseline === null || value === null || Number.isNaN(baseline) || Number.isNaN(value)) return null;
	if (indicator.length < 3 || indicator.length > 200) return null;
	// The unit is written after either number («с 28% до 7%», «с 12 до 3 случаев»); a period may
	// follow without brackets («… до 8% за 2021–2024 годы»).
	let tail = clean(m[5] ?? '').replace(/[.,;]+$/, '');
	let period = '';
	const inTail = /(?:^|\s)(?:за\s+)?((?:19|20)\d{2}.*)$/iu.exec(tail);
	if (inTail && PERIOD.test(inTail[0].trim())) {
		period = PERIOD.exec(inTail[0].trim())![1];
		tail = tail.slice(0, inTail.index).trim();
	}
	const unit = (tail || clean(m[3] ?? '')).replace(/[.,;]+$/, '');
	let source = '';
	for (const part of (m[6] ?? '').split(',').map(clean).filter(Boolean)) {
		const p = PERIOD.exec(part);
		if (p && !period) period = p[1];
		else source = source ? `${source}, ${part}` : part;
	}
	if (unit.length > 40) return null;
	return { indicator, baseline, value, unit, period: period.slice(0, 60), source: source.slice(0, 200) };
}

export function resultsFromText(text: string, max: number): { rows: ResultInput[]; rest: string[] } {
	const rows: ResultInput[] = [];
	const rest: string[] = [];
	for (const s of sentences(text)) {
		const r = rows.length < max ? parseResultSentence(s) : null;
		if (r) rows.push(r);
		else rest.push(s);
	}
	return { rows, rest };
}
