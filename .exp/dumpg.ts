import { generatePractices } from '../src/lib/server/library/generate';
import { regionByCode } from '../src/lib/data/regions';
generatePractices(60, 17).forEach((p, i) => {
  console.log(`#G${i} ${p.title}\n  S: ${p.summary}\n  T: ${p.tags.join(', ')} | ${regionByCode(p.region)?.name} / ${p.municipality} | ${p.sphere}`);
});
