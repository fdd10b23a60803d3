import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { appendFile, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { listKeys, startTestStorage, type TestStorage } from '../../../../tests/helpers/media';
import { tempDb } from '../../../../tests/helpers/db';
import { addVideo, seedApplication } from '../../../../tests/helpers/media';
import { defaultFixturesDir, makeFixtures } from '../../../../tests/fixtures/make-fixtures';
import { bucket, s3 } from '../storage/s3';
import { uploadGrowingFile } from './upload-growing';
import { ffmpegAvailable, makeRendition, moovFirst, moovReserveBytes, probe } from './ffmpeg';
import { derivedKeys, processVideo } from './process';

/**
 * Issue 15, time to the first playable rendition: the remux is uploaded while ffmpeg writes it.
 * The object in S3 must be the finished file byte for byte (the part the muxer patches at the end
 * is sent last), a failed writer leaves no object, and a remux whose reserved index space is too
 * small falls back to the usual +faststart way.
 */
const MB = 1024 * 1024;
let storage: TestStorage;
let dir: string;
beforeAll(async () => {
	storage = await startTestStorage();
	dir = await mkdtemp(path.join(os.tmpdir(), 'upload-growing-'));
});
afterAll(async () => {
	await storage?.close();
	if (dir) await rm(dir, { recursive: true, force: true });
});

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
async function objectBytes(key: string) {
	const r = await s3().send(new GetObjectCommand({ Bucket: bucket(), Key: key }));
	return Buffer.from(await r.Body!.transformToByteArray());
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('uploadGrowingFile', () => {
	it('sends the parts behind the writer while it writes and the first part last: the object is the finished file', async () => {
		const file = path.join(dir, 'grow.bin');
		await writeFile(file, Buffer.alloc(64, 0));
		const writer = (async () => {
			for (let i = 0; i < 9; i++) {
				await appendFile(file, Buffer.alloc(2 * MB, i + 1));
				await sleep(60);
			}
			// The muxer's last word: the header at the start is patched (the moov index, the mdat size).
			const fh = await open(file, 'r+');
			await fh.write(Buffer.from('patched header!!'), 0, 16, 0);
			await fh.close();
		})();
		const r = await uploadGrowingFile('grow/one.bin', file, 'video/mp4', writer, { partSize: 5 * MB, pollMs: 20 });
		expect(r).toMatchObject({ multipart: true, size: 18 * MB + 64 });
		expect(r.partsWhileWriting).toBeGreaterThanOrEqual(1);
		expect(sha(await objectBytes('grow/one.bin'))).toBe(sha(await readFile(file)));
	});

	it('a writer that fails leaves no object (the multipart upload is aborted)', async () => {
		const file = path.join(dir, 'fail.bin');
		await writeFile(file, Buffer.alloc(0));
		const writer = (async () => {
			for (let i = 0; i < 7; i++) {
				await appendFile(file, Buffer.alloc(2 * MB, 7));
				await sleep(40);
			}
			throw new Error('ffmpeg died');
		})();
		await expect(uploadGrowingFile('grow/failed.bin', file, 'video/mp4', writer, { partSize: 5 * MB, pollMs: 20 })).rejects.toThrow('ffmpeg died');
		expect(await listKeys('grow/failed')).toEqual([]);
	});

	it('a file no larger than one part is sent with one PutObject', async () => {
		const file = path.join(dir, 'small.bin');
		await writeFile(file, Buffer.alloc(3 * MB, 3));
		const r = await uploadGrowingFile('grow/small.bin', file, 'video/mp4', Promise.resolve(), { partSize: 5 * MB });
		expect(r).toMatchObject({ multipart: false, size: 3 * MB });
		expect(sha(await objectBytes('grow/small.bin'))).toBe(sha(await readFile(file)));
	});
});

const available = await ffmpegAvailable();

describe.skipIf(!available)('the remux written in place and uploaded while written (real ffmpeg)', () => {
	it('a 20 MB remux: the index is at the front, S3 holds the finished file, it plays from the start', async () => {
		// 12 s of 720p at ~12 Mbit/s: four 5 MiB parts.
		const src = path.join(dir, 'phone.mp4');
		execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30:duration=12', '-f', 'lavfi', '-i', 'sine=duration=12', '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '12M', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', src]);
		const facts = await probe(src);
		const out = path.join(dir, 'remux.mp4');
		const made = makeRendition(src, out, facts, { profile: 'high', reserveMoovBytes: moovReserveBytes(facts) });
		const r = await uploadGrowingFile('grow/remux.mp4', out, 'video/mp4', made, { partSize: 5 * MB, pollMs: 10 });
		expect(await made).toEqual({ mode: 'remux' });
		expect(r.multipart).toBe(true);
		expect(await moovFirst(out)).toBe(true);
		const stored = await objectBytes('grow/remux.mp4');
		expect(sha(stored)).toBe(sha(await readFile(out)));
		const back = path.join(dir, 'back.mp4');
		await writeFile(back, stored);
		expect(await moovFirst(back)).toBe(true);
		expect(await probe(back)).toMatchObject({ video: { codec: 'h264', width: 1280, height: 720 }, audio: { codec: 'aac' }, durationSec: expect.closeTo(12, 0) });
	});

	it('too little space reserved: no index at the front (moovFirst says so) and processing falls back to +faststart', async () => {
		const fx = await makeFixtures(defaultFixturesDir());
		const facts = await probe(fx.mp4);
		const out = path.join(dir, 'tight.mp4');
		await makeRendition(fx.mp4, out, facts, { profile: 'high', reserveMoovBytes: 64 }).catch(() => undefined);
		expect(await moovFirst(out).catch(() => false)).toBe(false);

		const t = tempDb();
		try {
			const app = seedApplication(t.db, { videoMaxSeconds: 3 });
			const asset = await addVideo(t.db, app, fx.mp4);
			const reserved: number[] = [];
			const res = await processVideo(t.db, asset.id, {
				deps: {
					makeRendition: (input, file, f, o = {}) => {
						if (o.reserveMoovBytes) reserved.push(o.reserveMoovBytes);
						return makeRendition(input, file, f, o.reserveMoovBytes ? { ...o, reserveMoovBytes: 64 } : o);
					}
				}
			});
			expect(res).toMatchObject({ outcome: 'ready', mode: 'remux' });
			expect(reserved).toHaveLength(1);
			const back = path.join(dir, 'fallback.mp4');
			await writeFile(back, await objectBytes(derivedKeys(asset.key).rendition));
			expect(await moovFirst(back)).toBe(true);
		} finally {
			t.cleanup();
		}
	});
});
