import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
	S3Client,
	CreateMultipartUploadCommand,
	UploadPartCommand,
	ListPartsCommand,
	AbortMultipartUploadCommand,
	CompleteMultipartUploadCommand,
	HeadObjectCommand,
	GetBucketCorsCommand,
	GetObjectCommand,
	PutObjectCommand,
	CopyObjectCommand,
	DeleteObjectCommand,
	ListObjectsV2Command
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { createHash } from 'node:crypto';
import { startEmbeddedS3 } from './embedded';
import { randomS3Keys } from '../keys';
import { SIGNED_CONTENT_TYPE, presignGet } from './presign';
import { EXTERNAL_S3, EMBEDDED_ONLY, createExternalBucket, dropExternalBucket, externalClient, uniqueBucket } from '../../../../tests/helpers/s3';

// The S3 behaviour the portal relies on. It runs against the embedded s3rver (with the project's
// patches) and, when TEST_S3_ENDPOINT is set, against that store (e.g. Ceph radosgw): the same
// assertions hold for both, except the ones about the embedded store's files on disk.
let s3srv: { endpoint: string; close(): Promise<void> };
let client: S3Client;
let dir: string;
const Bucket = EXTERNAL_S3 ? uniqueBucket('embedded') : 'test-bucket';
const region = EXTERNAL_S3?.region ?? 'ru-central1';
const keys = EXTERNAL_S3 ? { accessKeyId: EXTERNAL_S3.accessKeyId, secretAccessKey: EXTERNAL_S3.secretAccessKey } : randomS3Keys();

beforeAll(async () => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3-'));
	if (EXTERNAL_S3) {
		await createExternalBucket(Bucket, ['http://localhost:3000']);
		s3srv = { endpoint: EXTERNAL_S3.endpoint, close: () => dropExternalBucket(Bucket) };
		client = externalClient();
		return;
	}
	s3srv = await startEmbeddedS3({ dir, port: 0, bucket: Bucket, origins: ['http://localhost:3000'], credentials: keys });
	client = new S3Client({
		endpoint: s3srv.endpoint,
		region,
		forcePathStyle: true,
		credentials: keys,
		requestChecksumCalculation: 'WHEN_REQUIRED',
		responseChecksumValidation: 'WHEN_REQUIRED'
	});
});
afterAll(async () => {
	await s3srv.close();
	fs.rmSync(dir, { recursive: true, force: true });
});

describe(`S3 the portal relies on (${EXTERNAL_S3 ? EXTERNAL_S3.kind : 'embedded s3rver on loopback'})`, () => {
	it('creates the bucket with CORS that exposes ETag', async () => {
		const cors = await client.send(new GetBucketCorsCommand({ Bucket }));
		expect(cors.CORSRules?.[0].ExposeHeaders).toContain('ETag');
	});

	it('multipart: presigned part PUT, ListParts, complete', async () => {
		const Key = 'a/video.mp4';
		const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket, Key, ContentType: 'video/mp4' }));
		const part1 = Buffer.alloc(5 * 1024 * 1024, 1);
		const url = await getSignedUrl(client, new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1 }), { expiresIn: 60 });
		const put = await fetch(url, { method: 'PUT', body: part1 });
		expect(put.status).toBe(200);
		const etag = put.headers.get('etag')!;
		await client.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 2, Body: Buffer.from('tail') }));
		const listed = await client.send(new ListPartsCommand({ Bucket, Key, UploadId }));
		expect(listed.Parts?.map((p) => [p.PartNumber, p.Size])).toEqual([
			[1, part1.length],
			[2, 4]
		]);
		expect(listed.Parts?.[0].ETag).toBe(etag);
		await client.send(
			new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: listed.Parts!.map((p) => ({ PartNumber: p.PartNumber, ETag: p.ETag })) } })
		);
		const head = await client.send(new HeadObjectCommand({ Bucket, Key }));
		expect(head.ContentLength).toBe(part1.length + 4);
		// S3's multipart ETag: MD5 of the parts' MD5s, then the number of parts.
		expect(head.ETag).toMatch(/^"[0-9a-f]{32}-2"$/);
		const body = Buffer.from(await (await client.send(new GetObjectCommand({ Bucket, Key }))).Body!.transformToByteArray());
		expect(body.subarray(0, part1.length).equals(part1)).toBe(true);
		expect(body.subarray(part1.length).toString()).toBe('tail');
	});

	it('verifies signatures and expiry like S3: forged, expired and unsigned requests are refused', async () => {
		const Key = 'c/secret.pdf';
		await client.send(new PutObjectCommand({ Bucket, Key, Body: 'тайна' }));
		const url = await getSignedUrl(client, new GetObjectCommand({ Bucket, Key }), { expiresIn: 60 });
		expect(await (await fetch(url)).text()).toBe('тайна');
		expect((await fetch(url.replace(/X-Amz-Signature=[0-9a-f]+/, 'X-Amz-Signature=' + '0'.repeat(64)))).status).toBe(403);
		expect((await fetch(`${s3srv.endpoint}/${Bucket}/${Key}`)).status).toBe(403);
		// Another key with the same signature.
		expect((await fetch(url.replace('secret.pdf', 'other.pdf'))).status).toBe(403);
		const old = await getSignedUrl(client, new GetObjectCommand({ Bucket, Key }), { expiresIn: 1, signingDate: new Date(Date.now() - 10_000) });
		const expired = await fetch(old);
		expect(expired.status).toBe(403);
		// The wording is the embedded store's (and AWS's «Request has expired»); radosgw answers a bare AccessDenied.
		if (!EXTERNAL_S3) expect(await expired.text()).toContain('expired');
		const wrongKey = new S3Client({ endpoint: s3srv.endpoint, region, forcePathStyle: true, credentials: { accessKeyId: keys.accessKeyId, secretAccessKey: 'wrong' } });
		await expect(wrongKey.send(new GetObjectCommand({ Bucket, Key }))).rejects.toThrow();
	});

	it('accepts only its own key pair: the well-known S3RVER/S3RVER is refused', async () => {
		const wellKnown = new S3Client({ endpoint: s3srv.endpoint, region: 'ru-central1', forcePathStyle: true, maxAttempts: 1, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
		await expect(wellKnown.send(new ListObjectsV2Command({ Bucket }))).rejects.toThrow();
		const other = new S3Client({ endpoint: s3srv.endpoint, region: 'ru-central1', forcePathStyle: true, maxAttempts: 1, credentials: randomS3Keys() });
		await expect(other.send(new ListObjectsV2Command({ Bucket }))).rejects.toThrow();
		expect((await client.send(new ListObjectsV2Command({ Bucket }))).$metadata.httpStatusCode).toBe(200);
	});

	it('enforces a signed content-type header like S3: another type is refused, the signed one is stored', async () => {
		const Key = 'd/letter.pdf';
		const url = await getSignedUrl(client, new CreateMultipartUploadCommand({ Bucket, Key, ContentType: 'application/pdf' }), { expiresIn: 60, signableHeaders: SIGNED_CONTENT_TYPE });
		expect(new URL(url).searchParams.get('X-Amz-SignedHeaders')).toBe('content-type;host');
		for (const headers of [{ 'content-type': 'text/html' }, { 'content-type': 'application/pdf; charset=utf-8' }, {} as Record<string, string>]) {
			const r = await fetch(url, { method: 'POST', headers });
			expect(r.status, JSON.stringify(headers)).toBe(403);
			expect(await r.text()).toContain('SignatureDoesNotMatch');
		}
		const ok = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/pdf' } });
		expect(ok.status).toBe(200);
		const UploadId = /<UploadId>([^<]+)</.exec(await ok.text())![1];
		const put = await client.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: Buffer.from('%PDF-1.4 <script>alert(1)</script>') }));
		await client.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: put.ETag }] } }));
		expect((await client.send(new HeadObjectCommand({ Bucket, Key }))).ContentType).toBe('application/pdf');
	});

	it('abort removes the upload', async () => {
		const Key = 'b/video.mp4';
		const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket, Key }));
		await client.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: Buffer.from('x') }));
		await client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId }));
		await expect(client.send(new ListPartsCommand({ Bucket, Key, UploadId }))).rejects.toThrow();
	});

	describe('objects completed from parts keep their parts (no copy on completion)', () => {
		// Three parts with distinct bytes, so that every offset says where it came from.
		const parts = [Buffer.alloc(5 * 1024 * 1024), Buffer.alloc(5 * 1024 * 1024), Buffer.from('хвост видео')];
		parts[0].forEach((_, i) => (parts[0][i] = i % 251));
		parts[1].forEach((_, i) => (parts[1][i] = (i * 7) % 253));
		const whole = Buffer.concat(parts);
		const get = async (Key: string, Range?: string) =>
			Buffer.from(await (await client.send(new GetObjectCommand({ Bucket, Key, Range }))).Body!.transformToByteArray());
		async function multipart(Key: string, numbers = [1, 2, 3], send = numbers) {
			const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket, Key, ContentType: 'video/mp4' }));
			const etags: Record<number, string> = {};
			for (const n of send) etags[n] = (await client.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: n, Body: parts[n - 1] }))).ETag!;
			await client.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: numbers.map((n) => ({ PartNumber: n, ETag: etags[n] })) } }));
		}
		const filesUnder = (p: string): string[] =>
			fs.readdirSync(p, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(p, e.name)) : [path.join(p, e.name)]));

		it('reads whole and by ranges across part boundaries, with the right size, ETag and listing', async () => {
			await multipart('m/whole.mp4');
			expect((await get('m/whole.mp4')).equals(whole)).toBe(true);
			const b = parts[0].length;
			for (const [from, to] of [
				[0, 0],
				[b - 3, b + 2],
				[b - 1, 2 * b],
				[2 * b + 3, whole.length - 1],
				[17, 2 * b + 5]
			])
				expect((await get('m/whole.mp4', `bytes=${from}-${to}`)).equals(whole.subarray(from, to + 1))).toBe(true);
			expect((await get('m/whole.mp4', `bytes=${whole.length - 10}-`)).equals(whole.subarray(whole.length - 10))).toBe(true);
			const head = await client.send(new HeadObjectCommand({ Bucket, Key: 'm/whole.mp4' }));
			expect(head.ContentLength).toBe(whole.length);
			const md5 = (b: Buffer) => createHash('md5').update(b).digest();
			expect(head.ETag).toBe(`"${createHash('md5').update(Buffer.concat(parts.map(md5))).digest('hex')}-3"`);
			const listed = await client.send(new ListObjectsV2Command({ Bucket, Prefix: 'm/' }));
			expect(listed.Contents?.map((o) => [o.Key, o.Size])).toEqual([['m/whole.mp4', whole.length]]);
		});

		it.skipIf(!!EXTERNAL_S3)(`the embedded object file is sparse: the bytes live once, in the parts${EXTERNAL_S3 ? ` (пропущен: ${EMBEDDED_ONLY})` : ''}`, async () => {
			await multipart('m/sparse.mp4');
			const objectFile = filesUnder(dir).find((f) => f.endsWith('sparse.mp4._S3rver_object'))!;
			expect(fs.statSync(objectFile).blocks * 512).toBeLessThan(64 * 1024);
		});

		// AWS S3 and the embedded store complete with a subset of the uploaded parts; Ceph radosgw 16
		// refuses that (InvalidPart). The portal never does it (the browser lists every part it sent).
		const subsetRefused = EXTERNAL_S3?.kind === 'radosgw';
		it.skipIf(subsetRefused)(`drops parts that were sent but not listed in the completion${subsetRefused ? ' (пропущен: radosgw 16 не завершает загрузку с частью загруженных частей — InvalidPart, в отличие от AWS S3; портал так не делает)' : ''}`, async () => {
			await multipart('m/subset.mp4', [1, 3], [1, 2, 3]);
			expect((await get('m/subset.mp4')).equals(Buffer.concat([parts[0], parts[2]]))).toBe(true);
		});

		it('copy, overwrite and delete keep the bytes and leave nothing behind', async () => {
			await multipart('m/src.mp4');
			await client.send(new CopyObjectCommand({ Bucket, Key: 'm/copy.mp4', CopySource: `${Bucket}/m/src.mp4` }));
			await client.send(new DeleteObjectCommand({ Bucket, Key: 'm/src.mp4' }));
			expect((await get('m/copy.mp4')).equals(whole)).toBe(true);
			// A plain PUT over a multipart object replaces it.
			await client.send(new PutObjectCommand({ Bucket, Key: 'm/copy.mp4', Body: 'новое' }));
			expect((await get('m/copy.mp4')).toString()).toBe('новое');
			// A multipart upload over a plain object replaces it too.
			await multipart('m/copy.mp4');
			expect((await get('m/copy.mp4')).equals(whole)).toBe(true);
			await client.send(new DeleteObjectCommand({ Bucket, Key: 'm/copy.mp4' }));
			await expect(client.send(new HeadObjectCommand({ Bucket, Key: 'm/copy.mp4' }))).rejects.toThrow();
			// Nothing of the deleted objects stays on the embedded store's disk (an outside store's disk is its own).
			if (!EXTERNAL_S3) expect(filesUnder(dir).filter((f) => /[/\\](src|copy)\.mp4\./.test(f))).toEqual([]);
		});

		it('refuses a completion that names a part never sent, and keeps the upload', async () => {
			const Key = 'm/bad.mp4';
			const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket, Key }));
			const e1 = (await client.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: parts[0] }))).ETag!;
			await expect(
				client.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: e1 }, { PartNumber: 2, ETag: e1 }] } }))
			).rejects.toThrow();
			expect((await client.send(new ListPartsCommand({ Bucket, Key, UploadId }))).Parts).toHaveLength(1);
			await expect(client.send(new HeadObjectCommand({ Bucket, Key }))).rejects.toThrow();
		});
	});
});
