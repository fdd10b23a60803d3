/**
 * Russian text for the library search: normalization (lower case, ё → е), words, the Snowball
 * Russian stemmer of `@orama/stemmers`, stop words, a small synonym list, the parsed query (any
 * syntax in it is only text: words are letters and digits), highlighted
 * snippets mapped back to the original words, slugs by transliteration and an edit distance for
 * the typo-tolerant fallback. Pure functions, no database.
 */
import { stemmer as snowballRu } from '@orama/stemmers/russian';

/** Lower case, ё → е, composed characters, no soft hyphens. */
export function normalize(s: string): string {
	return s.normalize('NFC').replace(/\u00AD/g, '').toLowerCase().replace(/ё/g, 'е');
}

const WORD_RE = /[\p{L}\p{N}]+/gu;
const CYRILLIC_RE = /[а-я]/;

/** The words of a text after normalization (letters and digits; everything else separates). */
export function words(s: string): string[] {
	return normalize(s).match(WORD_RE) ?? [];
}

const stemCache = new Map<string, string>();
const STEM_CACHE_MAX = 200_000;

/** The stem of one normalized word: Snowball for Cyrillic words, the word itself otherwise. */
export function stem(word: string): string {
	let s = stemCache.get(word);
	if (s !== undefined) return s;
	s = CYRILLIC_RE.test(word) && word.length > 2 ? snowballRu(word) || word : word;
	if (stemCache.size >= STEM_CACHE_MAX) stemCache.clear();
	stemCache.set(word, s);
	return s;
}

/** The stemmed text of a field: stems separated by spaces. */
export function stemText(s: string): string {
	const w = words(s);
	let out = '';
	for (let i = 0; i < w.length; i++) out += (i ? ' ' : '') + stem(w[i]);
	return out;
}

/** Snowball's Russian stop list (the usual function words), applied to queries only. */
export const STOP_WORDS = new Set(
	(
		'и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее мне было вот от меня еще нет о из ему ' +
		'теперь когда даже ну вдруг ли если уже или ни быть был него до вас нибудь опять уж вам ведь там потом себя ничего ей может они тут ' +
		'где есть надо ней для мы тебя их чем была сам чтоб без будто чего раз тоже себе под будет ж тогда кто этот того потому этого какой ' +
		'совсем ним здесь этом один почти мой тем чтобы нее сейчас были куда зачем всех никогда можно при наконец два об другой хоть после ' +
		'над больше тот через эти нас про всего них какая много разве три эту моя впрочем хорошо свою этой перед иногда лучше чуть том нельзя ' +
		'такой им более всегда конечно всю между это'
	).split(' ')
);

/**
 * Words that find each other. Each group is a list of words in any form; the search expands a
 * query word whose stem is in a group to the stems of the whole group.
 */
export const SYNONYM_GROUPS: string[][] = [
	['наставничество', 'наставник', 'наставница', 'наставнический', 'ментор', 'менторство', 'менторинг'],
	['адаптация', 'адаптационный', 'онбординг'],
	['молодежь', 'молодежный'],
	['муниципалитет', 'муниципальный'],
	['учитель', 'педагог', 'преподаватель'],
	['врач', 'медик'],
	['сотрудник', 'работник'],
	['жкх', 'коммунальный', 'жилищный'],
	['отходы', 'мусор', 'тко'],
	// Snowball keeps the fleeting vowel of «доброволец» but not of «добровольцы»: both forms are listed.
	['волонтер', 'доброволец', 'добровольцы', 'волонтерство', 'добровольчество'],
	['инвестиции', 'инвестиционный', 'инвестор'],
	['завод', 'предприятие', 'фабрика', 'комбинат']
];

const SYNONYMS = new Map<string, string[]>();
for (const group of SYNONYM_GROUPS) {
	const stems = [...new Set(group.map((w) => stem(normalize(w))))];
	for (const s of stems) SYNONYMS.set(s, [...new Set([...(SYNONYMS.get(s) ?? []), ...stems])]);
}

/** The stems a stem stands for: itself and its synonyms. */
export function synonymsOf(s: string): string[] {
	return SYNONYMS.get(s) ?? [s];
}

export const MAX_QUERY_CHARS = 300;
export const MAX_QUERY_TERMS = 8;

export interface QueryTerm {
	/** The normalized word as typed. */
	word: string;
	stem: string;
	/** The stem and its synonyms, matched exactly. */
	alts: string[];
	/** The last word of a query is also matched as a prefix (search while typing). */
	prefix: boolean;
}

export interface ParsedQuery {
	/** What was searched for, trimmed (and shortened when too long). */
	text: string;
	terms: QueryTerm[];
	/** The query was longer than the limits and was shortened. */
	truncated: boolean;
}

/**
 * Parses a user's query. Anything that is not a letter or a digit separates words, so quotes,
 * `*`, `-`, parentheses, `NEAR`, `AND`/`OR`/`NOT` are plain words or nothing. Stop words are
 * dropped unless the query has nothing else; repeated stems are kept once.
 */
export function parseQuery(q: string | null | undefined): ParsedQuery {
	const raw = String(q ?? '');
	let truncated = raw.length > MAX_QUERY_CHARS;
	const text = raw.slice(0, MAX_QUERY_CHARS).replace(/\s+/g, ' ').trim();
	const all = words(text);
	const content = all.filter((w) => !STOP_WORDS.has(w));
	const chosen = content.length ? content : all;
	const seen = new Set<string>();
	const terms: QueryTerm[] = [];
	for (const w of chosen) {
		const s = stem(w);
		if (seen.has(s)) continue;
		seen.add(s);
		if (terms.length >= MAX_QUERY_TERMS) {
			truncated = true;
			break;
		}
		terms.push({ word: w, stem: s, alts: synonymsOf(s), prefix: false });
	}
	const last = terms.at(-1);
	// The last word is matched as a prefix while it is being typed: not after a space, not
	// for one-letter words.
	if (last && last.word === all.at(-1) && last.word.length >= 2 && !/\s$/.test(raw.slice(0, MAX_QUERY_CHARS))) {
		last.prefix = true;
	}
	return { text, terms, truncated };
}

/**
 * The FTS5 expression that finds the vocabulary words sharing trigrams with a word (the typo
 * fallback's candidates): every trigram a quoted string, so nothing of the query is FTS5 syntax.
 */
export function trigramExpression(word: string): string | null {
	const tris = trigrams(word);
	return tris.length ? tris.map((x) => `"${x.replace(/"/g, '""')}"`).join(' OR ') : null;
}

/**
 * Finds the words of a text that match a query. Snowball only cuts endings, so a matching word
 * always starts with one of the query's stems: a regular expression finds those candidates and
 * each candidate's own stem decides.
 *
 * The expression runs on the text lower-cased with ё → е (the same length, so positions hold),
 * without the `i` flag and without a look-behind: a candidate that starts inside a word is
 * skipped by looking at the character before it. Case-insensitive Unicode matching with a
 * look-behind made V8 try the whole alternation at every position of every field (the
 * snippets were a sixth of an uncached library page's CPU). A text whose lower case has another
 * length (a few letters outside Russian and Latin) goes the careful way: `reCareful`.
 */
export interface Matcher {
	/** Does a stem match the query? */
	test(stem: string): boolean;
	/** Candidate words in lower case with ё → е (starting with a query stem); null when the query is empty. */
	re: RegExp | null;
	/** The same on text as it is (case-insensitive, ё or е, with a look-behind). */
	reCareful: RegExp | null;
}

const escapeRe = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function matcherOf(p: ParsedQuery): Matcher {
	const exact = new Set<string>();
	const prefixes: string[] = [];
	for (const t of p.terms) {
		for (const a of t.alts) exact.add(a);
		if (t.prefix) prefixes.push(t.stem);
	}
	const starts = [...new Set([...exact, ...prefixes])].sort((a, b) => b.length - a.length);
	const re = starts.length ? new RegExp(`(?:${starts.map(escapeRe).join('|')})[\\p{L}\\p{N}]*`, 'gu') : null;
	const reCareful = starts.length
		? new RegExp(`(?<![\\p{L}\\p{N}])(?:${starts.map((x) => escapeRe(x).replace(/е/g, '[её]')).join('|')})[\\p{L}\\p{N}]*`, 'giu')
		: null;
	return { test: (s) => exact.has(s) || prefixes.some((pre) => s.startsWith(pre)), re, reCareful };
}

/** A matcher that matches nothing. */
export const NO_MATCH: Matcher = { test: () => false, re: null, reCareful: null };

/** A piece of text; `hit` pieces are the words that matched the query. */
export interface Segment {
	t: string;
	hit?: true;
}

interface Hit {
	start: number;
	end: number;
	stem: string;
}

const WORD_CHAR_RE = /[\p{L}\p{N}]/u;

/** Is the code point that ends right before `i` a letter or a digit? */
function wordCharBefore(s: string, i: number): boolean {
	if (i <= 0) return false;
	const c = s.charCodeAt(i - 1);
	if (c < 0x80) return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
	if (c >= 0x430 && c <= 0x44f) return true; // а–я
	const from = c >= 0xdc00 && c <= 0xdfff && i >= 2 ? i - 2 : i - 1;
	return WORD_CHAR_RE.test(String.fromCodePoint(s.codePointAt(from)!));
}

function findHits(text: string, m: Matcher): Hit[] {
	const out: Hit[] = [];
	if (!m.re || !m.reCareful) return out;
	const low = text.toLowerCase();
	if (low.length !== text.length) {
		for (const x of text.matchAll(m.reCareful)) {
			const s = stem(x[0].toLowerCase().replace(/ё/g, 'е'));
			if (m.test(s)) out.push({ start: x.index, end: x.index + x[0].length, stem: s });
		}
		return out;
	}
	const t = low.includes('ё') ? low.replace(/ё/g, 'е') : low;
	const re = m.re;
	re.lastIndex = 0;
	for (let x = re.exec(t); x; x = re.exec(t)) {
		if (wordCharBefore(t, x.index)) continue;
		const s = stem(x[0]);
		if (m.test(s)) out.push({ start: x.index, end: x.index + x[0].length, stem: s });
	}
	return out;
}

function segmentsOf(text: string, hits: Hit[], from: number, to: number): Segment[] {
	const out: Segment[] = [];
	let pos = from;
	for (const h of hits) {
		if (h.start < from || h.end > to) continue;
		if (h.start > pos) out.push({ t: text.slice(pos, h.start) });
		out.push({ t: text.slice(h.start, h.end), hit: true });
		pos = h.end;
	}
	if (pos < to) out.push({ t: text.slice(pos, to) });
	return out;
}

/** The whole text with the matched words marked. */
export function highlight(text: string, match: Matcher): Segment[] {
	const t = text.normalize('NFC');
	return segmentsOf(t, findHits(t, match), 0, t.length);
}

export interface SnippetScore {
	segments: Segment[];
	/** Distinct matched stems in the window. */
	distinct: number;
	hits: number;
}

/** Moves a cut to a word boundary: forward for a window's start, backward for its end. */
function snap(text: string, i: number, forward: boolean): number {
	if (i <= 0) return 0;
	if (i >= text.length) return text.length;
	if (forward) {
		const sp = text.indexOf(' ', i);
		return sp < 0 || sp - i > 20 ? i : sp + 1;
	}
	const sp = text.lastIndexOf(' ', i);
	return sp < 0 || i - sp > 20 ? i : sp;
}

/**
 * The best window of about `maxChars` characters: the most distinct matched stems, then the
 * most matched words; the beginning of the text when nothing matches.
 */
export function snippet(text: string, match: Matcher, maxChars = 220): SnippetScore {
	const clean = text.normalize('NFC').replace(/\s+/g, ' ').trim();
	const hits = findHits(clean, match);
	let from = 0;
	let to = Math.min(clean.length, maxChars);
	let distinct = 0;
	let count = 0;
	if (hits.length) {
		let best = -1;
		for (const h of hits) {
			// A window starts a little before a hit, so that the hit has some context.
			const s = h.start <= 50 ? 0 : snap(clean, h.start - 50, true);
			const e = s + maxChars >= clean.length ? clean.length : snap(clean, s + maxChars, false);
			const stems = new Set<string>();
			let n = 0;
			for (const x of hits) {
				if (x.start >= s && x.end <= e) {
					stems.add(x.stem);
					n++;
				}
			}
			const score = stems.size * 1000 + n;
			if (score > best) {
				best = score;
				from = s;
				to = e;
				distinct = stems.size;
				count = n;
			}
		}
	} else if (to < clean.length) {
		to = snap(clean, to, false);
	}
	// Keep the punctuation right after the last word (a full stop reads better).
	if (to < clean.length && /[.!?»)]/.test(clean[to])) to++;
	const segments = segmentsOf(clean, hits, from, to);
	if (from > 0) segments.unshift({ t: '… ' });
	if (to < clean.length) segments.push({ t: ' …' });
	return { segments, distinct, hits: count };
}

/** Segments back to plain text, the hits wrapped in `<mark>` (HTML-escaped): for the JSON API. */
export function segmentsToHtml(segs: Segment[]): string {
	const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
	return segs.map((s) => (s.hit ? `<mark>${esc(s.t)}</mark>` : esc(s.t))).join('');
}

// ---------------------------------------------------------------------------
// Slugs
// ---------------------------------------------------------------------------

const TRANSLIT: Record<string, string> = {
	а: 'a', б: 'b', в: 'v', г: 'g', д: 'd', е: 'e', ё: 'e', ж: 'zh', з: 'z', и: 'i', й: 'y', к: 'k', л: 'l', м: 'm', н: 'n',
	о: 'o', п: 'p', р: 'r', с: 's', т: 't', у: 'u', ф: 'f', х: 'kh', ц: 'ts', ч: 'ch', ш: 'sh', щ: 'shch', ъ: '', ы: 'y', ь: '',
	э: 'e', ю: 'yu', я: 'ya', і: 'i', ї: 'yi', є: 'ye', ґ: 'g'
};

/** A URL slug from a Russian title: transliterated, lower case, hyphens, at most `max` characters. */
export function slugify(title: string, max = 80): string {
	const lat = title
		.normalize('NFC')
		.toLowerCase()
		.split('')
		.map((c) => TRANSLIT[c] ?? c)
		.join('')
		.normalize('NFKD')
		.replace(/[\u0300-\u036f]/g, '');
	let slug = lat.replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
	if (slug.length > max) {
		slug = slug.slice(0, max);
		const cut = slug.lastIndexOf('-');
		if (cut > max / 2) slug = slug.slice(0, cut);
		slug = slug.replace(/-+$/, '');
	}
	return slug || 'praktika';
}

// ---------------------------------------------------------------------------
// Typos
// ---------------------------------------------------------------------------

/** Optimal string alignment distance (Levenshtein with transpositions), capped at `max` + 1. */
export function editDistance(a: string, b: string, max = 3): number {
	if (Math.abs(a.length - b.length) > max) return max + 1;
	const n = a.length;
	const m = b.length;
	let prev2 = new Array<number>(m + 1).fill(0);
	let prev = Array.from({ length: m + 1 }, (_, j) => j);
	let cur = new Array<number>(m + 1).fill(0);
	for (let i = 1; i <= n; i++) {
		cur[0] = i;
		let rowMin = cur[0];
		for (let j = 1; j <= m; j++) {
			const cost = a[i - 1] === b[j - 1] ? 0 : 1;
			let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
			if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2] + 1);
			cur[j] = v;
			if (v < rowMin) rowMin = v;
		}
		if (rowMin > max) return max + 1;
		[prev2, prev, cur] = [prev, cur, prev2];
	}
	return prev[m];
}

/** How many typos a word of this length may have and still be corrected. */
export function typoBudget(word: string): number {
	return word.length <= 4 ? 0 : word.length <= 7 ? 1 : 2;
}

/** The trigrams of a normalized word (what the FTS5 trigram tokenizer indexes). */
export function trigrams(word: string): string[] {
	const out = new Set<string>();
	for (let i = 0; i + 3 <= word.length; i++) out.add(word.slice(i, i + 3));
	return [...out];
}
