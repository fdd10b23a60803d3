import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import Database from 'better-sqlite3';
import {
	editDistance,
	highlight,
	matcherOf,
	normalize,
	parseQuery,
	segmentsToHtml,
	slugify,
	snippet,
	stem,
	stemText,
	synonymsOf,
	trigramExpression,
	MAX_QUERY_TERMS
} from './text';

const marked = (segs: { t: string; hit?: true }[]) => segs.filter((s) => s.hit).map((s) => s.t);

describe('normalization and stems', () => {
	it('lower case, ё → е, soft hyphens gone', () => {
		expect(normalize('Молодёжь ЁЛКА на\u00ADставник')).toBe('молодежь елка наставник');
	});

	it.each([
		[['наставник', 'наставника', 'наставники', 'наставнику', 'наставником', 'наставников']],
		[['адаптация', 'адаптации', 'адаптацию', 'адаптацией']],
		[['муниципальный', 'муниципальных', 'муниципального', 'муниципальной', 'муниципальные']],
		[['наставничество', 'наставничества', 'наставничеству']],
		[['молодёжь', 'молодежь']]
	])('word forms share one stem: %j', (forms) => {
		const stems = new Set(forms.map((w) => stem(normalize(w))));
		expect(stems.size).toBe(1);
	});

	it('stems the text stored in the index', () => {
		expect(stemText('Наставники помогают адаптации, 2024!')).toBe('наставник помога адаптац 2024');
	});

	it('synonyms: наставничество ↔ наставник ↔ ментор', () => {
		const s = synonymsOf(stem('наставник'));
		expect(s).toContain(stem('ментор'));
		expect(s).toContain(stem('наставничество'));
		expect(synonymsOf(stem('ментор'))).toContain(stem('наставник'));
		expect(synonymsOf('совсемнеизвестное')).toEqual(['совсемнеизвестное']);
	});
});

describe('parseQuery and the trigram expression of the typo fallback', () => {
	it('drops stop words, keeps the order and marks the last word as a prefix', () => {
		const p = parseQuery('Наставники в школе для молодых');
		expect(p.terms.map((t) => t.word)).toEqual(['наставники', 'школе', 'молодых']);
		expect(p.terms.map((t) => t.prefix)).toEqual([false, false, true]);
		expect(parseQuery('наставники ').terms[0].prefix).toBe(false);
	});

	it('query syntax is only text: words are letters and digits, trigrams are quoted', () => {
		const p = parseQuery('"адаптация" NEAR(школа*) -мусор AND (ЖКХ OR)');
		expect(p.terms.map((t) => t.word)).toEqual(['адаптация', 'near', 'школа', 'мусор', 'and', 'жкх', 'or']);
		for (const t of p.terms) expect(t.word).toMatch(/^[\p{L}\p{N}]+$/u);
		for (const part of trigramExpression('адаптация')!.split(' OR ')) expect(part).toMatch(/^"[^"]{3}"$/);
	});

	it('keeps only stop words when there is nothing else', () => {
		expect(parseQuery('и в на').terms.length).toBe(3);
	});

	it('empty and punctuation-only queries have no words', () => {
		for (const q of ['', '   ', '"""', '*', '-', '()', '«»', '\u0000']) expect(parseQuery(q).terms).toEqual([]);
		expect(parseQuery('NEAR(').terms.map((t) => t.word)).toEqual(['near']);
		expect(trigramExpression('ab')).toBeNull();
	});

	it('very long queries are cut and say so', () => {
		const p = parseQuery('наставник '.repeat(2000) + 'адаптация');
		expect(p.truncated).toBe(true);
		const many = parseQuery(Array.from({ length: 30 }, (_, i) => `слово${i}`).join(' '));
		expect(many.terms.length).toBe(MAX_QUERY_TERMS);
		expect(many.truncated).toBe(true);
	});

	it('no query text ever makes the trigram FTS5 query throw (property)', () => {
		const db = new Database(':memory:');
		db.exec(`CREATE VIRTUAL TABLE t USING fts5(word, tokenize='trigram', detail='none')`);
		db.prepare('INSERT INTO t (word) VALUES (?)').run('наставник');
		const stmt = db.prepare('SELECT rowid FROM t WHERE t MATCH ? ORDER BY rank LIMIT 60');
		const hostile = fc.oneof(
			fc.string({ maxLength: 200 }),
			fc.string({ unit: 'grapheme', maxLength: 100 }),
			fc.array(fc.constantFrom('"', '*', '-', '(', ')', 'NEAR', 'AND', 'OR', 'NOT', '^', ':', '{', '}', '+', 'наставник', ' ', 'а'), { maxLength: 40 }).map((a) => a.join(''))
		);
		fc.assert(
			fc.property(hostile, (q) => {
				for (const t of parseQuery(q).terms) {
					const e = trigramExpression(t.word);
					if (e) stmt.all(e);
				}
			}),
			{ numRuns: 500 }
		);
		db.close();
	});
});

describe('highlight and snippet', () => {
	it('marks the matched forms of the words, ё included', () => {
		const m = matcherOf(parseQuery('наставник молодежь'));
		const segs = highlight('Наставниками стали опытные мастера; молодёжь ценит наставника.', m);
		expect(marked(segs)).toEqual(['Наставниками', 'молодёжь', 'наставника']);
		expect(segs.map((s) => s.t).join('')).toBe('Наставниками стали опытные мастера; молодёжь ценит наставника.');
	});

	it('marks synonyms and prefixes', () => {
		const m = matcherOf(parseQuery('ментор адапт'));
		expect(marked(highlight('Наставничество помогает адаптационному периоду', m))).toEqual(['Наставничество', 'адаптационному']);
	});

	it('chooses the window with the most distinct matched words', () => {
		const filler = 'слово '.repeat(80);
		const text = `Адаптация в начале. ${filler} Здесь адаптация и наставники рядом. ${filler}`;
		const s = snippet(text, matcherOf(parseQuery('адаптация наставник')));
		expect(s.distinct).toBe(2);
		expect(marked(s.segments)).toEqual(['адаптация', 'наставники']);
		expect(s.segments[0].t).toBe('… ');
		expect(s.segments.at(-1)!.t).toBe(' …');
	});

	it('text without matches gives its beginning', () => {
		const s = snippet('Первая фраза. '.repeat(40), matcherOf(parseQuery('жкх')));
		expect(s.hits).toBe(0);
		expect(s.segments[0].t.startsWith('Первая фраза.')).toBe(true);
	});

	it('the lower-cased matching marks exactly the words the case-insensitive look-behind expression marks (property)', () => {
		// The reference: what highlight did before (one case-insensitive Unicode expression with a
		// look-behind over the text as it is; each candidate's stem decides).
		const reference = (text: string, q: string) => {
			const p = parseQuery(q);
			const m = matcherOf(p);
			const starts = [...new Set(p.terms.flatMap((t) => [...t.alts, ...(t.prefix ? [t.stem] : [])]))];
			if (!starts.length) return [];
			const re = new RegExp(`(?<![\\p{L}\\p{N}])(?:${starts.map((x) => x.replace(/е/g, '[её]')).join('|')})[\\p{L}\\p{N}]*`, 'giu');
			const t = text.normalize('NFC');
			return [...t.matchAll(re)].filter((x) => m.test(stem(x[0].toLowerCase().replace(/ё/g, 'е')))).map((x) => [x.index, x[0]]);
		};
		const actual = (text: string, q: string) => {
			let pos = 0;
			const out: [number, string][] = [];
			for (const s of highlight(text, matcherOf(parseQuery(q)))) {
				if (s.hit) out.push([pos, s.t]);
				pos += s.t.length;
			}
			return out;
		};
		const pieces = [
			'Наставник', 'наставника', 'НАСТАВНИКИ', 'переНаставник', 'наставничество', 'Ментор', 'ментор2', '2ментор', 'молодёжь', 'МОЛОДЁЖНЫЙ',
			'адаптация', 'Адаптационный', 'ёлка', 'Ёж', 'mentor', 'Mentor', 'İstanbul', 'Straße', 'ǅ', '𝐀наставник', 'на𝐀ставник', 'ⅫНаставник',
			'жкх', 'ЖКХ', 'tko', '-', ' ', ', ', '.', '«', '»', '\n', '\u00A0', '1', 'é', 'éнаставник'
		];
		const queries = ['наставник', 'ментор адапт', 'молодежь', 'ёж', 'жкх', 'наст', 'mentor', 'istanbul', 'strasse', 'адаптация молодых специалистов'];
		fc.assert(
			fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 30 }), fc.constantFrom(...queries), (parts, q) => {
				const text = parts.join('');
				expect(actual(text, q)).toEqual(reference(text, q));
			}),
			{ numRuns: 3000 }
		);
	});

	it('HTML of the API escapes the text and wraps hits in <mark>', () => {
		const m = matcherOf(parseQuery('наставник'));
		expect(segmentsToHtml(highlight('<b>наставник</b> & "ученик"', m))).toBe('&lt;b&gt;<mark>наставник</mark>&lt;/b&gt; &amp; &quot;ученик&quot;');
	});
});

describe('slugs and typos', () => {
	it('transliterates Russian titles', () => {
		expect(slugify('Первый год без потерь: адаптация новых сотрудников исполкома Казани')).toBe('pervyy-god-bez-poter-adaptatsiya-novykh-sotrudnikov-ispolkoma-kazani');
		expect(slugify('«Школа мастеров» — ЖКХ и щи, 2024!')).toBe('shkola-masterov-zhkkh-i-shchi-2024');
		expect(slugify('!!!')).toBe('praktika');
		const long = slugify('наставничество '.repeat(20));
		expect(long.length).toBeLessThanOrEqual(80);
		expect(long).not.toMatch(/-$/);
	});

	it('edit distance counts substitutions, insertions, deletions and transpositions', () => {
		expect(editDistance('наставнек', 'наставник')).toBe(1);
		expect(editDistance('адаптацыя', 'адаптация')).toBe(1);
		expect(editDistance('насатвник', 'наставник')).toBe(1);
		expect(editDistance('кот', 'коты')).toBe(1);
		expect(editDistance('абвгд', 'ежзий', 2)).toBe(3);
	});
});
