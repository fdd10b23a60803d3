/**
 * The search index of the library: one `library_docs` row per PUBLISHED practice, its stemmed
 * text in the FTS5 table `library_fts` (under the same docid) and its normalized words in the
 * vocabulary `library_words`, whose FTS5 trigram index `library_trigram` serves the
 * typo-tolerant fallback. Stemming happens here, in JS, so the index is
 * written by these functions — always inside the transaction of the change that needs it.
 * Every change bumps `library_state.generation`, which the search caches compare.
 */
import { eq, sql } from 'drizzle-orm';
import type { DB } from '../db/client';
import { libraryDocs, practices, type Practice } from '../db/schema';
import { regionByCode, districtOf } from '../../data/regions';
import { SPHERE_TITLE } from '../../schemas/library';
import { stemText, words } from './text';

/** What a practice contributes to the index, field by field (original text). */
export function docFields(p: Practice) {
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
	const r = db.$client.prepare('SELECT generation FROM library_state WHERE id = 1').pluck().get() as number | undefined;
	return r ?? 0;
}

/** Writes (or rewrites) the search document of a practice. Call inside the change's transaction. */
export function indexPractice(db: DB, p: Practice, now = new Date()) {
	const f = docFields(p);
	const impact = impactOf(p.results);
	const existing = db.select({ docid: libraryDocs.docid }).from(libraryDocs).where(eq(libraryDocs.practiceId, p.id)).get();
	let docid: number;
	if (existing) {
		docid = existing.docid;
		db.$client.prepare('DELETE FROM library_fts WHERE rowid = ?').run(docid);
		db.update(libraryDocs).set({ impact, indexedAt: now }).where(eq(libraryDocs.docid, docid)).run();
	} else {
		docid = db.insert(libraryDocs).values({ practiceId: p.id, impact, indexedAt: now }).returning({ docid: libraryDocs.docid }).get().docid;
	}
	db.$client
		.prepare('INSERT INTO library_fts (rowid, title, summary, body, tags, place) VALUES (?, ?, ?, ?, ?, ?)')
		.run(docid, stemText(f.title), stemText(f.summary), stemText(f.body), stemText(f.tags), stemText(f.place));
	// New words join the vocabulary of the typo-tolerant fallback (its trigram index follows by
	// trigger). Words of edited or removed practices stay until a rebuild: a correction is only
	// ever used when the index still finds it.
	const add = db.$client.prepare('INSERT OR IGNORE INTO library_words (word) VALUES (?)');
	for (const w of new Set(words([f.title, f.summary, f.body, f.tags, f.place].join('\n')))) if (w.length >= 4 && !/^\d+$/.test(w)) add.run(w);
	bump(db);
	return docid;
}

/** Removes the search document of a practice (its FTS rows go with it: trigger library_docs_ad). */
export function unindexPractice(db: DB, practiceId: string) {
	db.delete(libraryDocs).where(eq(libraryDocs.practiceId, practiceId)).run();
}

/** Rebuilds the whole index from the published practices (maintenance, benchmarks). */
export function rebuildIndex(db: DB, now = new Date()): number {
	return db.transaction(() => {
		db.run(sql`DELETE FROM library_docs`);
		db.run(sql`DELETE FROM library_words`);
		const rows = db.select().from(practices).where(eq(practices.status, 'published')).all();
		for (const p of rows) indexPractice(db, p, now);
		bump(db);
		return rows.length;
	});
}
