import Database from 'better-sqlite3';
import { stem, parseQuery, ftsExpression } from '/work/wt-17s/src/lib/server/library/text';
const db = new Database('/tmp/exp10k.db');
for (const q of ['текучесть кадров', 'инвестиции', 'наставник']) {
  const e = ftsExpression(parseQuery(q + ' '))!;
  console.log(q, e);
  let t = performance.now();
  const r = db.prepare(`SELECT rowid, bm25(library_fts,10,4,1,3,2) r FROM library_fts WHERE library_fts MATCH ? ORDER BY r LIMIT 5`).all(e);
  console.log(performance.now() - t, r);
  t = performance.now();
  const n = db.prepare(`SELECT count(*) FROM library_fts WHERE library_fts MATCH ?`).pluck().get(e);
  console.log('count', n, performance.now() - t);
}
