import { DEMO_PRACTICES } from '../src/lib/server/db/demo-content';
import { generatePractices } from '../src/lib/server/library/generate';
const out: string[] = [];
const f = (k: string, p: any) => out.push(`${k}\tTITLE ${p.title}\tSUM ${p.summary}\tTAGS ${p.tags.join(', ')}\tPROB ${p.problem}\tACT ${p.actions}\tTEAM ${p.team}\tRES ${p.results.map((r: any) => r.indicator).join('; ')}\tPLACE ${p.municipality} ${p.organization}`);
DEMO_PRACTICES.forEach((p, i) => f('D' + i, p));
generatePractices(60, 17).forEach((p, i) => f('G' + i, p));
console.log(out.join('\n'));
