import { DEMO_PRACTICES, DEMO_NOMINATIONS } from '../src/lib/server/db/demo-content';
import { regionByCode } from '../src/lib/data/regions';
DEMO_PRACTICES.forEach((p, i) => {
  console.log(`#D${i} ${p.title}\n  S: ${p.summary}\n  T: ${p.tags.join(', ')} | ${regionByCode(p.region)?.name} / ${p.municipality} / ${p.organization} | ${p.sphere} | ${p.year}\n  R: ${p.results.map(r => r.indicator).join('; ')}`);
});
