import { openDatabase } from '../src/lib/server/db/client';
import { mulberry32 } from '../src/lib/server/random';
import { searchLibrary, searchTuning } from '../src/lib/server/library/search';
import { libraryIndex } from '../src/lib/server/library/library-index';
import { readSearchParams } from '../src/lib/schemas/library-search';
const QUERIES = [
	'наставник', 'наставника', 'наставники', 'наставничество', 'наставничества', 'ментор',
	'адаптация', 'адаптации', 'адаптация молодых специалистов', 'молодых специалистов', 'молодые педагоги',
	'муниципальный', 'муниципальных служащих', 'кадровый резерв', 'текучесть кадров', 'текучесть',
	'школа', 'школа мастеров', 'колледж', 'больница', 'медицинских сестёр', 'врачи', 'завод', 'производство',
	'ЖКХ', 'диспетчер', 'транспорт', 'водитель трамвая', 'отходы', 'раздельный сбор', 'благоустройство',
	'волонтёры', 'молодёжь', 'спорт', 'культура', 'библиотека', 'инвестиции', 'предприниматели',
	'Казань', 'Новосибирск', 'Екатеринбург', 'Татарстан', 'Пермский край', 'Дагестан',
	'наст', 'адапт', 'муниц', 'кадр', 'молод', 'обуч', 'чек-лист', 'индивидуальный план',
	'наставнек', 'адоптация', 'муниципальых', 'текучесть кадров в первый год', 'обучение наставников',
	'"NEAR(наставник', '-школа*', ''
];
const FILTERS = ['', 'district=pfd', 'district=cfd&sphere=education', 'sphere=health', 'year=2024', 'district=sfd&year=2023', 'tag=адаптация', 'region=16'];
const SORTS = ['', '', '', 'sort=newest', 'sort=impact', 'sort=year'];
const db = openDatabase(process.argv[2]);
let c0 = process.cpuUsage(); libraryIndex(db); console.log('index cpu ms', (process.cpuUsage(c0).user + process.cpuUsage(c0).system) / 1000 | 0, 'rss', process.memoryUsage().rss / 1e6 | 0);
const rnd = mulberry32(7);
const pick = <T>(a: T[]) => a[Math.floor(rnd() * a.length)];
const run = (qs: string) => { const p = readSearchParams(new URLSearchParams(qs)).params; const c = process.cpuUsage(); const s = performance.now(); searchLibrary(db, p); const u = process.cpuUsage(c); return { wall: performance.now() - s, cpu: (u.user + u.system) / 1000 }; };
for (let k = 0; k < 60; k++) run(`q=${encodeURIComponent(pick(QUERIES))}&${pick(FILTERS)}`);
searchTuning.matchCache = false;
const w: number[] = [], c: number[] = []; const slow: [number, string][] = [];
for (let k = 0; k < 800; k++) {
	const qs = [`q=${encodeURIComponent(pick(QUERIES))}`, pick(FILTERS), pick(SORTS), rnd() < 0.2 ? `page=${2 + Math.floor(rnd() * 3)}` : ''].filter(Boolean).join('&');
	const x = run(qs); w.push(x.wall); c.push(x.cpu); slow.push([Math.round(x.cpu * 10) / 10, decodeURIComponent(qs)]);
}
const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return Math.round(s[Math.floor(p / 100 * s.length)] * 100) / 100; };
console.log('wall p50', pct(w, 50), 'p95', pct(w, 95), '| cpu p50', pct(c, 50), 'p95', pct(c, 95), 'p99', pct(c, 99));
if (process.env.V) console.log(slow.sort((a, b) => b[0] - a[0]).slice(0, 20));
