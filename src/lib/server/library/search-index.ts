/**
 * The search index of the library, as stored: one `library_docs` row per PUBLISHED practice and
 * its entry in `library_doc_index` (the facet values, the distinct Snowball stems of the practice,
 * the fields each occurs in, the number of words of each field — migration 0007), and the practice's normalized
 * words in the vocabulary `library_words`, whose FTS5 trigram index `library_trigram` serves the
 * typo-tolerant fallback. Stemming happens here, in JS, inside the transaction of the change that
 * needs it. A changed practice gets a NEW docid (library_docs is AUTOINCREMENT), so a docid's
 * terms never change and the in-memory index (library-index.ts) follows the library by adding the
 * new docids and dropping the vanished ones. Every change bumps `library_state.generation`,
 * which the in-memory index and the search caches compare.
 */
import { eq, sql } from 'drizzle-orm';
import type Database from 'better-sqlite3';
import type { DB } from '../db/client';
import { practices, type Practice } from '../db/schema';
import { regionByCode, districtOf } from '../../data/regions';
import { SPHERE_TITLE } from '../../schemas/library';
import { stem, words } from './text';

/** The indexed fields, in the order of their bits in `library_doc_index.fields`. */
export const FIELDS = ['title', 'summary', 'body', 'tags', 'place'] as const;
export type Field = (typeof FIELDS)[number];

/** What a practice contributes to the index, field by field (original text). */
export function docFields(p: Practice): Record<Field, string> {
	const region = p.regionCode ? regionByCode(p.regionCode) : undefined;
	const district = p.regionCode ? districtOf(p.regionCode) : undefined;
	const results = p.results.map((r) => [r.indicator, r.unit, r.period, r.source].filter(Boolean).join(' ')).join('\n');
	return {
		title: p.title,
		summary: p.summary,
		body: [p.problem, p.actions, p.team, results, p.nominationTitle, p.sphere ? SPHERE_TITLE[p.sphere] : '', p.source].filter(Boolean).join('\n'),
		tags: p.tags.join('\n'),
		place: [region?.name, district?.name, p.municipality, p.organization].filter(Boolean).join('\n')
	};
}

/** The term list of a practice as stored: distinct stems, their field masks, words per field. */
export function termList(f: Record<Field, string>): { stems: string; fields: string; lengths: string; words: Set<string> } {
	const masks = new Map<string, number>();
	const lengths: number[] = [];
	const all = new Set<string>();
	FIELDS.forEach((field, bit) => {
		const ws = words(f[field]);
		lengths.push(ws.length);
		for (const w of ws) {
			all.add(w);
			const s = stem(w);
			masks.set(s, (masks.get(s) ?? 0) | (1 << bit));
		}
	});
	let fields = '';
	for (const m of masks.values()) fields += String.fromCharCode(97 + m);
	return { stems: [...masks.keys()].join(' '), fields, lengths: lengths.join(' '), words: all };
}

/** The largest relative change of a result with a non-zero baseline (0.3 = 30 %). */
export function impactOf(results: Practice['results']): number | null {
	let best: number | null = null;
	for (const r of results) {
		if (r.baseline == null || r.baseline === 0 || !Number.isFinite(r.value)) continue;
		const rel = Math.abs(r.value - r.baseline) / Math.abs(r.baseline);
		if (best === null || rel > best) best = rel;
	}
	return best === null ? null : Math.round(best * 10000) / 10000;
}

function bump(db: DB) {
	db.run(sql`UPDATE library_state SET generation = generation + 1 WHERE id = 1`);
}

/** Current generation of the index (changes with every index write). */
export function indexGeneration(db: DB): number {
	return (statements(db).generation.get() as number | undefined) ?? 0;
}

interface Statements {
	generation: Database.Statement;
	removeDoc: Database.Statement;
	insertDoc: Database.Statement;
	insertTerms: Database.Statement;
	addWord: Database.Statement;
}
const prepared = new WeakMap<object, Statements>();

/** The write statements, prepared once per connection. */
function statements(db: DB): Statements {
	let s = prepared.get(db.$client);
	if (!s) {
		const c = db.$client;
		s = {
			generation: c.prepare('SELECT generation FROM library_state WHERE id = 1').pluck(),
			removeDoc: c.prepare('DELETE FROM library_docs WHERE practice_id = ?'),
			insertDoc: c.prepare('INSERT INTO library_docs (practice_id, impact, indexed_at) VALUES (?, ?, ?) RETURNING docid').pluck(),
			insertTerms: c.prepare(
				`INSERT INTO library_doc_index (docid, practice_id, published_at, impact, region, sphere, nomination, year, source, tags, stems, fields, lengths)
				 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
			),
			addWord: c.prepare('INSERT OR IGNORE INTO library_words (word) VALUES (?)')
		};
		prepared.set(c, s);
	}
	return s;
}

/**
 * Writes (or rewrites) the search document of a practice under a new docid. Call inside the
 * change's transaction. `knownWords` (bulk loads) skips words already added in the same transaction.
 */
export function indexPractice(db: DB, p: Practice, now = new Date(), knownWords?: Set<string>) {
	const st = statements(db);
	// The old document goes (its term list by cascade; the trigger bumps the generation).
	st.removeDoc.run(p.id);
	const impact = impactOf(p.results);
	const docid = st.insertDoc.get(p.id, impact, now.getTime()) as number;
	const t = termList(docFields(p));
	st.insertTerms.run(docid, p.id, p.publishedAt?.getTime() ?? null, impact, p.regionCode, p.sphere, p.nominationTitle ?? '', p.year, p.source ?? '', JSON.stringify(p.tags), t.stems, t.fields, t.lengths);
	// New words join the vocabulary of the typo-tolerant fallback (its trigram index follows by
	// trigger). Words of edited or removed practices stay until a rebuild: a correction is only
	// ever used when the index still finds it.
	for (const w of t.words) {
		if (w.length < 4 || /^\d+$/.test(w) || knownWords?.has(w)) continue;
		knownWords?.add(w);
		st.addWord.run(w);
	}
	bump(db);
	return docid;
}

/** Removes the search document of a practice (its term list goes by cascade, the trigger bumps the generation). */
export function unindexPractice(db: DB, practiceId: string) {
	statements(db).removeDoc.run(practiceId);
}

/** Rebuilds the whole index from the published practices (maintenance, benchmarks). */
export function rebuildIndex(db: DB, now = new Date()): number {
	return db.transaction(() => {
		db.run(sql`DELETE FROM library_docs`);
		db.run(sql`DELETE FROM library_words`);
		const rows = db.select().from(practices).where(eq(practices.status, 'published')).all();
		const known = new Set<string>();
		for (const p of rows) indexPractice(db, p, now, known);
		bump(db);
		return rows.length;
	});
}

/**
 * Writes the term lists of published practices that have none (a library published before
 * migration 0007). Returns how many were written.
 */
export function indexMissing(db: DB, now = new Date()): number {
	const ids = db.$client
		.prepare(
			`SELECT d.practice_id FROM library_docs d LEFT JOIN library_doc_index t ON t.docid = d.docid
			  WHERE t.docid IS NULL`
		)
		.pluck()
		.all() as string[];
	if (!ids.length) return 0;
	return db.transaction(() => {
		const known = new Set<string>();
		let n = 0;
		for (const id of ids) {
			const p = db.select().from(practices).where(eq(practices.id, id)).get();
			if (p?.status === 'published') {
				indexPractice(db, p, now, known);
				n++;
			} else unindexPractice(db, id);
		}
		return n;
	});
}
