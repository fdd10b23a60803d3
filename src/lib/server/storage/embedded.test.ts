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
	PutObjectCommand
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { startEmbeddedS3, type EmbeddedS3 } from './embedded';

let s3srv: EmbeddedS3;
let client: S3Client;
let dir: string;
const Bucket = 'test-bucket';

beforeAll(async () => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3-'));
	s3srv = await startEmbeddedS3({ dir, port: 0, bucket: Bucket, origins: ['http://localhost:3000'] });
	client = new S3Client({
		endpoint: s3srv.endpoint,
		region: 'ru-central1',
		forcePathStyle: true,
		credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
		requestChecksumCalculation: 'WHEN_REQUIRED',
		responseChecksumValidation: 'WHEN_REQUIRED'
	});
});
afterAll(async () => {
	await s3srv.close();
	fs.rmSync(dir, { recursive: true, force: true });
});

describe('embedded S3 (s3rver on loopback)', () => {
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
		expect(await expired.text()).toContain('expired');
		const wrongKey = new S3Client({ endpoint: s3srv.endpoint, region: 'ru-central1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'wrong' } });
		await expect(wrongKey.send(new GetObjectCommand({ Bucket, Key }))).rejects.toThrow();
	});

	it('abort removes the upload', async () => {
		const Key = 'b/video.mp4';
		const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket, Key }));
		await client.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: Buffer.from('x') }));
		await client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId }));
		await expect(client.send(new ListPartsCommand({ Bucket, Key, UploadId }))).rejects.toThrow();
	});
});
