import { openDatabase } from '../src/lib/server/db/client';
import { libraryIndex, indexBytes } from '../src/lib/server/library/library-index';
const db = openDatabase(process.argv[2]);
let t = performance.now(); const ix = libraryIndex(db); console.log('build', performance.now() - t, ix.liveCount, indexBytes(ix) / 1e6, 'stems', ix.stems.length);
