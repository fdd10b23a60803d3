/**
 * Time to the first playable rendition of a remuxable source only (the job is stopped once the
 * remux is in S3): the remux uploaded after ffmpeg (`after`), while ffmpeg writes it with one part
 * in flight (`stream1`) and with four (`stream4`), in rounds A B C A B C… side by side, so the
 * neighbours' load falls on all three alike.
 *   BENCH_MEDIA_SECONDS=180 BENCH_ROUNDS=2 npx tsx bench/remux-upload.ts
 */
import os from 'node:os';
import { ensureInput } from './media';
import { addVideo, seedApplication, startTestStorage } from '../tests/helpers/media';
import { tempDb } from '../tests/helpers/db';
import { ENCODE, ffmpegAvailable } from '../src/lib/server/media/ffmpeg';
import { executeMedia } from '../src/lib/server/media/process';

const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 2) || 2);
const VARIANTS = { after: { on: false, c: 1 }, stream1: { on: true, c: 1 }, stream4: { on: true, c: 4 } };

class Stop extends Error {}

async function main() {
	if (!(await ffmpegAvailable())) return console.log(JSON.stringify({ name: 'remux-upload', skipped: 'ffmpeg unavailable' }));
	const src = await ensureInput('h264', 1080);
	const storage = await startTestStorage();
	const t = tempDb();
	const sec: Record<string, number[]> = { after: [], stream1: [], stream4: [] };
	try {
		const app = seedApplication(t.db, { videoMaxSeconds: 3600 });
		const asset = await addVideo(t.db, app, src);
		let duration = 0;
		for (let r = 0; r < ROUNDS; r++)
			for (const [name, v] of Object.entries(VARIANTS)) {
				ENCODE.remuxWhileUploading = v.on;
				ENCODE.remuxUploadConcurrency = v.c;
				const t0 = performance.now();
				let first = 0;
				await executeMedia(
					{ assetId: asset.id, key: asset.key, limits: { maxDurationSec: 3600, maxSizeBytes: 10 * 1024 ** 3 } },
					{
						report: async (p) => {
							if (p.outcome !== 'partial') return;
							first = (performance.now() - t0) / 1000;
							duration = p.facts.durationSec;
							throw new Stop();
						}
					}
				).catch((e) => {
					if (!(e instanceof Stop)) throw e;
				});
				sec[name].push(Math.round(first * 10) / 10);
				console.error('[bench:remux-upload]', name, first.toFixed(1), 's, load', os.loadavg()[0].toFixed(1));
			}
		const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
		console.log(
			JSON.stringify({
				name: 'remux-upload',
				durationSec: duration,
				loadavg: os.loadavg()[0],
				seconds: sec,
				medianRatio: Object.fromEntries(Object.entries(sec).map(([k, a]) => [k, Math.round((med(a) / duration) * 1000) / 1000]))
			})
		);
	} finally {
		t.cleanup();
		await storage.close();
	}
}

main().catch((e) => {
	console.error(e);
	process.exit(1);
});
