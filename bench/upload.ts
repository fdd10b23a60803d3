// One ~1 GiB video through the real upload endpoints into the embedded S3, against a direct PUT
// of the same bytes to the same S3, in the same run. Reports the app server's RSS growth during
// the uploads and the throughput ratio. The client does what the uploader component does in the
// browser (Uppy 6 with our parallel-parts patch): start the upload at the app, ask the app to sign
// every S3 request, PUT Blob slices of the file straight to S3 with the part size and the number
// of parts in flight of src/lib/upload.ts (BENCH_UPLOAD_PART_MB and BENCH_UPLOAD_PARALLEL override them),
// complete; then ask the app to verify the object (HEAD, type sniffing, ffprobe; reported apart,
// it is not part of the transfer). The direct PUT sends the whole file Blob in one request.
// Direct and through-the-app uploads alternate for BENCH_UPLOAD_ROUNDS rounds (default 5); the
// ratio compares their medians, since one loopback PUT varies by ±30% on a busy 2-core machine.
//   npx tsx bench/upload.ts            (BENCH_UPLOAD_MB=1024 by default)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { S3Client, PutObjectCommand, DeleteObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { ensureBuilt, startBuiltPortal, rssMB, round1 } from './_portal';
import { partBytes, PART_CONCURRENCY } from '../src/lib/upload';

const TARGET = Number(process.env.BENCH_UPLOAD_MB ?? 1024) * 1024 * 1024;
const PARALLEL = Number(process.env.BENCH_UPLOAD_PARALLEL ?? PART_CONCURRENCY);
const ROUNDS = Number(process.env.BENCH_UPLOAD_ROUNDS ?? 5);

/** A real H.264 video of about TARGET bytes and under 3 minutes: a lossless segment repeated by stream copy. */
function makeVideo(): string {
	const dir = path.join(os.tmpdir(), 'bench-upload');
	fs.mkdirSync(dir, { recursive: true });
	const out = path.join(dir, `video-${TARGET}.mp4`);
	if (fs.existsSync(out)) return out;
	const seg = path.join(dir, 'segment.mp4');
	if (!fs.existsSync(seg))
		execFileSync('ffmpeg', ['-y', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=30', '-f', 'lavfi', '-i', 'sine=frequency=440', '-t', '1', '-vf', 'noise=alls=30:allf=t+u', '-c:v', 'libx264', '-preset', 'ultrafast', '-qp', '0', '-c:a', 'aac', '-shortest', seg]);
	const segSize = fs.statSync(seg).size;
	const n = Math.max(1, Math.floor(TARGET / segSize));
	if (n > 175) throw new Error(`segment too small (${segSize} B): ${n} copies would exceed 3 minutes`);
	const list = path.join(dir, 'list.txt');
	fs.writeFileSync(list, Array.from({ length: n }, () => `file '${seg}'`).join('\n'));
	execFileSync('ffmpeg', ['-y', '-loglevel', 'error', '-f', 'concat', '-safe', '0', '-i', list, '-c', 'copy', '-movflags', '+faststart', out]);
	return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
	ensureBuilt();
	const file = makeVideo();
	const size = fs.statSync(file).size;
	const PART = process.env.BENCH_UPLOAD_PART_MB ? Number(process.env.BENCH_UPLOAD_PART_MB) * 1024 * 1024 : partBytes(size);
	const blob = await fs.openAsBlob(file, { type: 'video/mp4' });
	// No job worker: each verified upload would start the processing of a 1 GiB video (ffmpeg,
	// bench/processing.ts measures it), which would weigh on the next round's transfer.
	const portal = await startBuiltPortal({ RATE_LIMIT_PER_IP: '1000', JOB_WORKER: 'false' });
	const pid = portal.proc.pid!;
	try {
		// Log in as the demo applicant and start an application.
		const login = await fetch(`${portal.url}/login`, {
			method: 'POST',
			redirect: 'manual',
			headers: { 'content-type': 'application/x-www-form-urlencoded', origin: portal.url, accept: 'text/html' },
			body: new URLSearchParams({ email: 'applicant1@nastavnik.demo', password: 'nastavnik2026' })
		});
		const cookie = login.headers.getSetCookie().find((c) => c.startsWith('session='))!.split(';')[0];
		const headers = { cookie, origin: portal.url };
		const start = await fetch(`${portal.url}/cabinet/apply/nastavnichestvo-2026`, {
			method: 'POST',
			redirect: 'manual',
			headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
			body: new URLSearchParams({ nomination: 'mentor-education' })
		});
		const applicationId = /applications\/([^/]+)\//.exec(start.headers.get('location') ?? '')![1];
		const api = async (p: string, body?: unknown) => {
			const r = await fetch(`${portal.url}${p}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
			if (!r.ok) throw new Error(`${p}: ${r.status} ${await r.text()}`);
			return (await r.json()) as Record<string, unknown>;
		};
		const s3 = new S3Client({ endpoint: `http://127.0.0.1:${portal.s3Port}`, region: 'ru-central1', forcePathStyle: true, credentials: JSON.parse(fs.readFileSync(path.join(portal.dataDir, 'keys', 'embedded-s3.json'), 'utf8')), requestChecksumCalculation: 'WHEN_REQUIRED' });

		/** The baseline: the same bytes in one presigned PUT to the same S3. */
		async function direct(): Promise<number> {
			const url = await getSignedUrl(s3, new PutObjectCommand({ Bucket: 'portal', Key: 'bench/direct.mp4' }), { expiresIn: 3600 });
			const t0 = performance.now();
			const put = await fetch(url, { method: 'PUT', body: blob });
			if (put.status !== 200) throw new Error(`direct PUT ${put.status}`);
			const sec = (performance.now() - t0) / 1000;
			await s3.send(new DeleteObjectCommand({ Bucket: 'portal', Key: 'bench/direct.mp4' }));
			return sec;
		}

		/** Through the app's endpoints, as the browser does it. */
		async function throughApp() {
			const timing = { sign: 0, put: 0 };
			const t0 = performance.now();
			const created = await api('/api/uploads', { applicationId, kind: 'video', filename: 'visitka.mp4', type: 'video/mp4', size });
			const key = String(created.key);
			const c = await api('/api/uploads/sign', { method: 'POST', key });
			const cr = await fetch(String(c.url), { method: 'POST', headers: c.headers as Record<string, string> });
			const uploadId = /<UploadId>([^<]+)</.exec(await cr.text())![1];
			const parts: { n: number; etag: string }[] = [];
			const count = Math.ceil(size / PART);
			let next = 0;
			async function worker() {
				for (;;) {
					const i = next++;
					if (i >= count) return;
					const n = i + 1;
					const ts0 = performance.now();
					const s = await api('/api/uploads/sign', { method: 'PUT', key, uploadId, partNumber: n });
					const ts1 = performance.now();
					const r = await fetch(String(s.url), { method: 'PUT', body: blob.slice(i * PART, Math.min(size, (i + 1) * PART)) });
					timing.sign += ts1 - ts0;
					timing.put += performance.now() - ts1;
					if (r.status !== 200) throw new Error(`part ${n}: ${r.status}`);
					parts.push({ n, etag: r.headers.get('etag')! });
				}
			}
			await Promise.all(Array.from({ length: PARALLEL }, worker));
			const partsSec = (performance.now() - t0) / 1000;
			parts.sort((a, b) => a.n - b.n);
			const done = await api('/api/uploads/sign', { method: 'POST', key, uploadId });
			const xml = `<CompleteMultipartUpload>${parts.map((p) => `<Part><PartNumber>${p.n}</PartNumber><ETag>${p.etag}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
			const fin = await fetch(String(done.url), { method: 'POST', body: xml });
			if (fin.status !== 200) throw new Error(`complete ${fin.status}`);
			const uploadSec = (performance.now() - t0) / 1000;
			const verified = await api(`/api/uploads/${created.assetId}/complete`);
			const verifySec = (performance.now() - t0) / 1000 - uploadSec;
			return { uploadSec, partsSec, assembleSec: uploadSec - partsSec, verifySec, signMs: timing.sign, putMs: timing.put, count, verified };
		}

		// Warm-up: load the upload routes and the presigner once, so that the RSS baseline is the
		// running server's, not a cold one's.
		const warm = await api('/api/uploads', { applicationId, kind: 'letter', filename: 'warm.pdf', type: 'application/pdf', size: 1000 });
		await api('/api/uploads/sign', { method: 'POST', key: warm.key });
		await fetch(`${portal.url}/api/uploads/${warm.assetId}`, { method: 'DELETE', headers });
		await new Promise((r) => setTimeout(r, 500));

		const rssBefore = rssMB(pid);
		let rssPeak = rssBefore;
		const directs: number[] = [];
		const apps: Awaited<ReturnType<typeof throughApp>>[] = [];
		const measureApp = async () => {
			const poll = setInterval(() => (rssPeak = Math.max(rssPeak, rssMB(pid))), 100);
			apps.push(await throughApp());
			clearInterval(poll);
			rssPeak = Math.max(rssPeak, rssMB(pid));
		};
		for (let round = 0; round < ROUNDS; round++) {
			// Each upload starts with the previous one's bytes flushed to disk, and the order
			// alternates, so that neither side pays for the other's writeback.
			for (const side of round % 2 ? ['app', 'direct'] : ['direct', 'app']) {
				execFileSync('sync');
				if (side === 'direct') directs.push(await direct());
				else await measureApp();
			}
			console.error(`round ${round + 1}: direct PUT ${round1(directs[round])} s, through the app ${round1(apps[round].uploadSec)} s`);
		}

		const directSec = median(directs);
		const uploadSec = median(apps.map((a) => a.uploadSec));
		const mid = apps.find((a) => a.uploadSec === uploadSec)!;
		const mbps = (sec: number) => round1(size / 1024 / 1024 / sec);
		const result = {
			name: 'upload',
			bytes: size,
			parts: mid.count,
			partMiB: PART / 1024 / 1024,
			parallelParts: PARALLEL,
			rounds: ROUNDS,
			directPutSec: directs.map(round1),
			endpointsUploadSec: apps.map((a) => round1(a.uploadSec)),
			directMBps: mbps(directSec),
			endpointsMBps: mbps(uploadSec),
			partsPhaseSec: round1(mid.partsSec),
			assembleSec: round1(mid.assembleSec),
			signMsTotal: Math.round(mid.signMs),
			putMsTotal: Math.round(mid.putMs),
			throughputRatio: Math.round((directSec / uploadSec) * 100) / 100,
			verifySec: round1(mid.verifySec),
			verified: apps.every((a) => a.verified.status === 'uploaded') ? 'uploaded' : apps.map((a) => a.verified.status).join(','),
			durationSec: mid.verified.durationSec,
			appRssBeforeMB: round1(rssBefore),
			appRssPeakMB: round1(rssPeak),
			appRssGrowthMB: round1(rssPeak - rssBefore)
		};
		console.log(JSON.stringify(result));
		const ok = result.verified === 'uploaded' && result.appRssGrowthMB <= 50 && result.throughputRatio >= 0.8;
		if (!ok) {
			console.error('upload bench: targets not met (verified, RSS growth ≤ 50 MB, throughput ≥ 80% of a direct PUT)');
			process.exitCode = 1;
		}
	} finally {
		await portal.stop();
	}
}

await main();
