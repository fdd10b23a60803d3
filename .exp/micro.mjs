import Database from 'better-sqlite3';
const db = new Database(process.argv[2]);
const rows = db.prepare('SELECT stems, fields FROM library_doc_index').raw().all();
for (let rep = 0; rep < 3; rep++) {
  let c = process.cpuUsage(); let n = 0;
  const m = new Map(); const arr = [];
  for (const [s] of rows) { const parts = s.split(' '); for (const p of parts) { let id = m.get(p); if (id === undefined) { id = arr.length; arr.push(p); m.set(p, id); } n += id; } }
  console.log('split+map', (process.cpuUsage(c).user / 1000) | 0, m.size);
  c = process.cpuUsage();
  for (const [s] of rows) { let st = 0; for (let i = 0; i <= s.length; i++) { if (i === s.length || s.charCodeAt(i) === 32) { const p = s.slice(st, i); let id = m.get(p); n += id; st = i + 1; } } }
  console.log('manual', (process.cpuUsage(c).user / 1000) | 0);
}
