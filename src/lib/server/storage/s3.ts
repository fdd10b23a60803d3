import { S3Client, HeadBucketCommand, CreateBucketCommand, PutBucketCorsCommand } from '@aws-sdk/client-s3';
import { config } from '../config';
import { embeddedS3Keys } from '../keys';

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

function makeClient(s: S3Settings, endpoint: string) {
	return new S3Client({
		endpoint,
		region: s.region,
		forcePathStyle: s.forcePathStyle,
		credentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey },
		// S3-compatible stores (MinIO, Yandex, s3rver) do not all speak the new default checksums.
		requestChecksumCalculation: 'WHEN_REQUIRED',
		responseChecksumValidation: 'WHEN_REQUIRED',
		maxAttempts: 3
	});
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
		await client.send(new CreateBucketCommand({ Bucket: bucket() }));
	}
	try {
		await client.send(new PutBucketCorsCommand({ Bucket: bucket(), CORSConfiguration: { CORSRules: corsRules(origins) } }));
	} catch (e) {
		console.warn('[s3] не удалось задать CORS бакета:', (e as Error).message);
	}
}
