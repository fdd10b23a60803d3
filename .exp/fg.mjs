import fs from 'node:fs';
const rows = fs.readFileSync('.exp/full.tsv', 'utf8').trim().split('\n').map(l => l.split('\t'));
for (const w of process.argv.slice(2)) {
  const re = new RegExp(w, 'i');
  const out = [];
  for (const r of rows) { const fs_ = r.slice(1).filter(x => re.test(x.toLowerCase().replace(/ё/g, 'е'))).map(x => x.split(' ')[0]); if (fs_.length) out.push(`${r[0]}(${fs_.join(',')})`); }
  console.log(`== ${w}: ${out.join(' ')}`);
}
