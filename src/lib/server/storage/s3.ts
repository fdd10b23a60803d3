import { S3Client, HeadBucketCommand, CreateBucketCommand, PutBucketCorsCommand, GetBucketLocationCommand } from '@aws-sdk/client-s3';
import { config } from '../config';
import { embeddedS3Keys } from '../keys';
import { s3Errors } from '../ops/metrics';
import { logFor } from '../ops/log';

export interface S3Settings {
	endpoint: string;
	publicEndpoint: string;
	region: string;
	bucket: string;
	accessKeyId: string;
	secretAccessKey: string;
	forcePathStyle: boolean;
}

export function s3Settings(): S3Settings {
	const c = config();
	const endpoint = c.S3_ENDPOINT ?? `http://127.0.0.1:${c.EMBEDDED_S3_PORT}`;
	// The embedded S3 uses this installation's own random key pair (DATA_DIR/keys), never a
	// well-known one.
	const keys = c.embeddedS3 ? embeddedS3Keys(c.dataDir) : { accessKeyId: c.S3_ACCESS_KEY_ID!, secretAccessKey: c.S3_SECRET_ACCESS_KEY! };
	return {
		endpoint,
		// What browsers use for presigned URLs: the embedded store is reached as localhost.
		publicEndpoint: c.S3_PUBLIC_ENDPOINT ?? (c.S3_ENDPOINT ? endpoint : `http://localhost:${c.EMBEDDED_S3_PORT}`),
		region: c.S3_REGION,
		bucket: c.S3_BUCKET,
		accessKeyId: keys.accessKeyId,
		secretAccessKey: keys.secretAccessKey,
		forcePathStyle: c.S3_FORCE_PATH_STYLE
	};
}

/** Answers that are part of normal work (a missing object, a finished upload), not failures. */
const EXPECTED = new Set(['NotFound', 'NoSuchKey', 'NoSuchUpload', 'NoSuchBucket']);

/** True when the error means the store could not be reached or failed (not a 4xx answer). */
export function isUnavailable(e: unknown): boolean {
	const status = (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
	if (status !== undefined) return status >= 500;
	return e instanceof Error && e.name !== 'AbortError';
}

export function makeClient(s: S3Settings, endpoint: string) {
	const client = new S3Client({
		endpoint,
		region: s.region,
		forcePathStyle: s.forcePathStyle,
		credentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey },
		// S3-compatible stores (MinIO, Yandex, s3rver) do not all speak the new default checksums.
		requestChecksumCalculation: 'WHEN_REQUIRED',
		responseChecksumValidation: 'WHEN_REQUIRED',
		maxAttempts: 3
	});
	// Counted once per command, after the SDK's own retries.
	client.middlewareStack.add(
		(next, context) => async (args) => {
			try {
				return await next(args);
			} catch (e) {
				const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
				if (!(EXPECTED.has((e as Error).name) || status === 404)) s3Errors.inc({ operation: context.commandName ?? 'unknown' });
				throw e;
			}
		},
		{ step: 'initialize', name: 'portalS3ErrorMetrics' }
	);
	return client;
}

/** What svelte.config.js writes into the CSP where the S3 origin belongs. */
export const CSP_S3_PLACEHOLDER = 'https://s3-public-endpoint.invalid';

/**
 * The origin of the presigned links browsers get: the public endpoint, with the bucket as a
 * subdomain when the store is addressed virtual-host style.
 */
export function s3PublicOrigin(): string {
	const s = s3Settings();
	const u = new URL(s.publicEndpoint);
	return s.forcePathStyle ? u.origin : `${u.protocol}//${s.bucket}.${u.host}`;
}

let clients: { key: string; internal: S3Client; presign: S3Client } | undefined;

function ensure() {
	const s = s3Settings();
	const key = JSON.stringify(s);
	if (!clients || clients.key !== key) clients = { key, internal: makeClient(s, s.endpoint), presign: makeClient(s, s.publicEndpoint) };
	return clients;
}

/** The client the server uses itself. */
export function s3(): S3Client {
	return ensure().internal;
}
/** The client whose presigned URLs are handed to browsers. */
export function s3Presign(): S3Client {
	return ensure().presign;
}
export function bucket(): string {
	return s3Settings().bucket;
}

export async function s3Reachable(timeoutMs = 2000): Promise<boolean> {
	try {
		await s3().send(new HeadBucketCommand({ Bucket: bucket() }), { abortSignal: AbortSignal.timeout(timeoutMs) });
		return true;
	} catch {
		return false;
	}
}

/** CORS rules that let the browser PUT parts straight to the bucket and read the ETag back. */
export function corsRules(origins: string[]) {
	return [
		{
			AllowedOrigins: origins,
			AllowedMethods: ['GET', 'HEAD', 'PUT', 'POST', 'DELETE'],
			AllowedHeaders: ['*'],
			ExposeHeaders: ['ETag', 'Content-Length', 'Content-Range', 'Accept-Ranges'],
			MaxAgeSeconds: 3600
		}
	];
}

/** Creates the bucket if needed and sets its CORS (used for real stores too when allowed). */
export async function ensureBucket(origins: string[]) {
	const client = s3();
	try {
		await client.send(new HeadBucketCommand({ Bucket: bucket() }));
	} catch {
		try {
			await client.send(new CreateBucketCommand({ Bucket: bucket() }));
		} catch (e) {
			if ((e as Error).name === 'InvalidLocationConstraint')
				throw new Error(
					`Хранилище S3 отклонило регион S3_REGION=${s3Settings().region} при создании бакета «${bucket()}»: укажите регион этого хранилища (у Ceph radosgw это имя zonegroup, обычно default)`,
					{ cause: e }
				);
			throw e;
		}
	}
	try {
		await client.send(new PutBucketCorsCommand({ Bucket: bucket(), CORSConfiguration: { CORSRules: corsRules(origins) } }));
	} catch (e) {
		logFor('s3').warn({ err: e }, 'не удалось задать CORS бакета');
	}
}

/**
 * The bucket's region, where the store reports one, must be S3_REGION: a wrong region breaks
 * signatures on AWS-like stores. Returns the Russian explanation of a mismatch, or null.
 */
export async function checkBucketRegion(): Promise<string | null> {
	let reported: string | undefined;
	try {
		reported = (await s3().send(new GetBucketLocationCommand({ Bucket: bucket() }))).LocationConstraint;
	} catch {
		return null; // not every store answers GetBucketLocation
	}
	const region = s3Settings().region;
	// An empty constraint is the store's default region: nothing to compare.
	if (!reported || reported === region) return null;
	return `S3_REGION=${region}, а бакет «${bucket()}» находится в регионе «${reported}». Укажите S3_REGION=${reported} (или другой бакет).`;
}
