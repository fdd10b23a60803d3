/**
 * The S3 of a test: the embedded s3rver on loopback (default), or any S3 given by
 * TEST_S3_ENDPOINT (+ TEST_S3_ACCESS_KEY_ID, TEST_S3_SECRET_ACCESS_KEY, TEST_S3_REGION, and
 * TEST_S3_BUCKET as the prefix of bucket names) — e.g. Ceph radosgw started by
 * scripts/ci/radosgw.sh. Against an outside store every start gets its own new bucket (created with
 * the portal's CORS, emptied and deleted at the end), so test files running at once never meet.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import {
	AbortMultipartUploadCommand,
	CreateBucketCommand,
	DeleteBucketCommand,
	DeleteObjectCommand,
	ListMultipartUploadsCommand,
	ListObjectsV2Command,
	PutBucketCorsCommand,
	S3Client
} from '@aws-sdk/client-s3';
import { startEmbeddedS3, type EmbeddedS3 } from '../../src/lib/server/storage/embedded';
import { parseConfig, setConfig } from '../../src/lib/server/config';
import { embeddedS3Keys } from '../../src/lib/server/keys';
import { corsRules } from '../../src/lib/server/storage/s3';

export interface ExternalS3 {
	endpoint: string;
	accessKeyId: string;
	secretAccessKey: string;
	region: string;
	/** What it is, for messages and skip reasons (radosgw, minio…). */
	kind: string;
}

/** The outside S3 of this run, or null for the embedded one. */
export const EXTERNAL_S3: ExternalS3 | null = process.env.TEST_S3_ENDPOINT
	? {
			endpoint: process.env.TEST_S3_ENDPOINT,
			accessKeyId: process.env.TEST_S3_ACCESS_KEY_ID ?? '',
			secretAccessKey: process.env.TEST_S3_SECRET_ACCESS_KEY ?? '',
			region: process.env.TEST_S3_REGION ?? 'us-east-1',
			kind: process.env.TEST_S3_KIND ?? 'внешнее S3'
		}
	: null;

/** Reason used by tests that check what only the embedded store does (its files on disk, its patches). */
export const EMBEDDED_ONLY = `проверяет устройство встроенного s3rver (файлы на диске), а тесты идут против ${EXTERNAL_S3?.kind ?? 'внешнего S3'}`;

export function externalClient(s = EXTERNAL_S3!): S3Client {
	return new S3Client({
		endpoint: s.endpoint,
		region: s.region,
		forcePathStyle: true,
		credentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey },
		requestChecksumCalculation: 'WHEN_REQUIRED',
		responseChecksumValidation: 'WHEN_REQUIRED'
	});
}

/** A bucket name of its own for one test start. */
export function uniqueBucket(tag = 't'): string {
	const prefix = (process.env.TEST_S3_BUCKET ?? 'portal-test').toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 30);
	return `${prefix}-${tag.toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 12)}-${randomBytes(4).toString('hex')}`.replace(/-+/g, '-');
}

export async function createExternalBucket(bucket: string, origins: string[]) {
	const c = externalClient();
	await c.send(new CreateBucketCommand({ Bucket: bucket }));
	await c.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: corsRules(origins) } }));
	c.destroy();
}

/** Empties (objects and unfinished multipart uploads) and deletes a bucket of a test. */
export async function dropExternalBucket(bucket: string) {
	const c = externalClient();
	try {
		for (;;) {
			const r = await c.send(new ListObjectsV2Command({ Bucket: bucket }));
			if (!r.Contents?.length) break;
			for (const o of r.Contents) await c.send(new DeleteObjectCommand({ Bucket: bucket, Key: o.Key! }));
		}
		const ups = await c.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
		for (const u of ups.Uploads ?? []) await c.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.Key!, UploadId: u.UploadId! }));
		await c.send(new DeleteBucketCommand({ Bucket: bucket }));
	} catch (e) {
		if ((e as Error).name !== 'NoSuchBucket') console.warn(`[s3] бакет ${bucket} не удалён: ${(e as Error).message}`);
	} finally {
		c.destroy();
	}
}

/** Env that points a portal process (or the configuration) at the outside S3 with its own bucket. */
export function externalEnv(bucket: string): Record<string, string> {
	const s = EXTERNAL_S3!;
	return { S3_ENDPOINT: s.endpoint, S3_ACCESS_KEY_ID: s.accessKeyId, S3_SECRET_ACCESS_KEY: s.secretAccessKey, S3_REGION: s.region, S3_BUCKET: bucket };
}

export type TestS3 = Pick<EmbeddedS3, 'endpoint' | 'port'> & { dir: string; bucket: string; external: boolean; stop(): Promise<void> };

/** A real S3 (embedded s3rver or TEST_S3_ENDPOINT) and the process configuration pointing at it. */
export async function startTestS3(env: Record<string, string> = {}): Promise<TestS3> {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-s3-'));
	if (EXTERNAL_S3) {
		const bucket = uniqueBucket('unit');
		await createExternalBucket(bucket, ['http://localhost:3000']);
		setConfig(parseConfig({ NODE_ENV: 'test', DATA_DIR: dir, ...externalEnv(bucket), ...env }));
		return {
			endpoint: EXTERNAL_S3.endpoint,
			port: Number(new URL(EXTERNAL_S3.endpoint).port),
			dir,
			bucket,
			external: true,
			async stop() {
				await dropExternalBucket(bucket);
				setConfig(undefined);
				fs.rmSync(dir, { recursive: true, force: true });
			}
		};
	}
	// The installation's own key pair under DATA_DIR/keys, as the portal would make it.
	const server = await startEmbeddedS3({ dir: path.join(dir, 's3'), port: 0, bucket: 'portal', origins: ['http://localhost:3000'], credentials: embeddedS3Keys(dir) });
	setConfig(parseConfig({ NODE_ENV: 'test', DATA_DIR: dir, EMBEDDED_S3_PORT: String(server.port), S3_BUCKET: 'portal', ...env }));
	return {
		endpoint: server.endpoint,
		port: server.port,
		dir,
		bucket: 'portal',
		external: false,
		async stop() {
			await server.close();
			setConfig(undefined);
			fs.rmSync(dir, { recursive: true, force: true });
		}
	};
}
