import { generatePractices } from '../src/lib/server/library/generate';
import { stemText } from '../src/lib/server/library/text';
import { docFields } from '../src/lib/server/library/search-index';
const ps = generatePractices(10000);
const fields = ['title','summary','body','tags','place'] as const;
const uniq: Record<string, number> = {}; const vocab: Record<string, Map<string, number>> = {};
let chars = 0;
for (const f of fields) { uniq[f] = 0; vocab[f] = new Map(); }
for (const p of ps) {
  const d = docFields({ ...p, regionCode: p.region, nominationTitle: p.nomination } as any);
  for (const f of fields) { const st = stemText((d as any)[f]); chars += st.length; const s = new Set(st.split(' ')); uniq[f] += s.size; for (const x of s) vocab[f].set(x, (vocab[f].get(x) ?? 0) + 1); }
}
for (const f of fields) console.log(f, 'avg uniq', uniq[f] / ps.length, 'vocab', vocab[f].size, 'df>1%', [...vocab[f].values()].filter(v => v > 100).length);
console.log('stemmed chars/doc', chars / ps.length);
