import { openDatabase } from '../src/lib/server/db/client';
import { libraryIndex, dropLibraryIndex, indexBytes } from '../src/lib/server/library/library-index';
const db = openDatabase(process.argv[2]);
for (let i = 0; i < 3; i++) { dropLibraryIndex(db); const c = process.cpuUsage(); let t = performance.now(); const ix = libraryIndex(db); const u = process.cpuUsage(c); console.log('build wall', Math.round(performance.now() - t), 'cpu', Math.round((u.user + u.system) / 1000), ix.liveCount, indexBytes(ix) / 1e6); }
const c = process.cpuUsage();
const rows = db.$client.prepare('SELECT stems, fields, lengths, tags FROM library_doc_index').raw().all(); console.log('read only cpu', Math.round(process.cpuUsage(c).user / 1000));
