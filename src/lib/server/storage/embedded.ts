import fs from 'node:fs';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
// s3rver ships no types.
// @ts-expect-error no declaration file
import S3rver from 's3rver';

/* eslint-disable @typescript-eslint/no-explicit-any */
type KoaCtx = any;

let patched = false;
/**
 * s3rver 3.7 implements multipart create/upload/complete but not ListParts and
 * AbortMultipartUpload, which resumable browser uploads need (Uppy lists the parts already
 * stored after a reload, and abort must clean up). We add both to s3rver's router, after its
 * signature check, reading the parts from its filesystem store.
 */
function patchS3rver() {
	if (patched) return;
	patched = true;
	const require = createRequire(import.meta.url);
	const router = require('s3rver/lib/routes');
	const S3Error = require('s3rver/lib/models/error');
	const uploadDir = (ctx: KoaCtx) => path.join(ctx.store.getResourcePath(ctx.params.bucket, undefined, 'uploads'), String(ctx.query.uploadId));
	const handle = async (ctx: KoaCtx, next: () => Promise<void>) => {
		if (!('uploadId' in ctx.query) || 'partNumber' in ctx.query) return next();
		if (!/^[0-9a-f]{32}$/.test(String(ctx.query.uploadId))) throw new S3Error('NoSuchUpload', 'The specified upload does not exist.');
		const dir = uploadDir(ctx);
		if (!fs.existsSync(dir)) throw new S3Error('NoSuchUpload', 'The specified upload does not exist.');
		if (ctx.method === 'DELETE') {
			await fs.promises.rm(dir, { recursive: true, force: true });
			ctx.status = 204;
			return;
		}
		if (ctx.method !== 'GET') return next();
		const parts = fs
			.readdirSync(dir)
			.filter((f) => /^\d+$/.test(f))
			.map(Number)
			.sort((a, b) => a - b)
			.map((n) => {
				const file = path.join(dir, String(n));
				const md5 = fs.existsSync(`${file}.md5`) ? fs.readFileSync(`${file}.md5`, 'utf8') : '';
				const st = fs.statSync(file);
				return { PartNumber: n, LastModified: st.mtime.toISOString(), ETag: JSON.stringify(md5), Size: st.size };
			})
			// A part still being written has no checksum yet.
			.filter((p) => p.ETag !== '""');
		ctx.body = {
			ListPartsResult: {
				Bucket: ctx.params.bucket,
				Key: ctx.params.key,
				UploadId: ctx.query.uploadId,
				PartNumberMarker: 0,
				NextPartNumberMarker: parts.length ? parts[parts.length - 1].PartNumber : 0,
				MaxParts: 10000,
				IsTruncated: false,
				...(parts.length ? { Part: parts } : {})
			}
		};
	};
	patchMultipartObjects(S3Error);
	router.get('/:bucket/:key+', handle);
	router.delete('/:bucket/:key+', handle);
	// Move the two new layers right after the authentication/response-header layers, before
	// s3rver's own object routes (which answer MethodNotAllowed for these).
	const added = router.stack.splice(router.stack.length - 2, 2);
	const authIdx = router.stack.findIndex((l: any) => l.stack?.some((fn: any) => fn.name === 'responseHeaderOverride'));
	router.stack.splice(authIdx >= 0 ? authIdx + 1 : 0, 0, ...added);
}

/**
 * Completing a multipart upload: s3rver re-reads every part through an MD5 and writes the whole
 * object again, which costs a gigabyte video a full copy after its last byte arrived. Like MinIO,
 * which keeps the parts and lists them in the object's metadata, the embedded store keeps them:
 * the upload's directory becomes the object's `._S3rver_parts` directory (one rename), with the
 * parts named `p0…pN` in order and their sizes in `manifest.json`; the object file itself becomes
 * a sparse file of the object's size, so that s3rver's listing, HEAD and metadata (all based on
 * `stat`) stay right; reads, ranged or whole, stream through the parts. Writing, copying and
 * deleting the key keep the parts in step. The ETag is S3's multipart ETag (MD5 of the parts'
 * MD5s, "-N").
 */
function patchMultipartObjects(S3Error: any) {
	const require = createRequire(import.meta.url);
	const Store = require('s3rver/lib/stores/filesystem');
	const S3Object = require('s3rver/lib/models/object');
	type Manifest = { sizes: number[] };
	const partsDir = (store: any, bucket: string, key: string): string => store.getResourcePath(bucket, key, 'parts');
	async function readManifest(dir: string): Promise<Manifest | null> {
		try {
			return JSON.parse(await fs.promises.readFile(path.join(dir, 'manifest.json'), 'utf8')) as Manifest;
		} catch (e) {
			if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
			throw e;
		}
	}
	/** Bytes start..end (inclusive) of the object, read from the parts that hold them. */
	async function* readParts(files: string[], sizes: number[], start: number, end: number) {
		let offset = 0;
		for (let i = 0; i < sizes.length && offset <= end; offset += sizes[i], i++) {
			const from = Math.max(start, offset);
			const to = Math.min(end, offset + sizes[i] - 1);
			if (from > to) continue;
			yield* fs.createReadStream(files[i], { start: from - offset, end: to - offset, highWaterMark: 1 << 20 });
		}
	}
	/** A sparse file of `size` bytes: no blocks on disk, the right size for `stat`. */
	async function sparse(file: string, size: number) {
		await fs.promises.mkdir(path.dirname(file), { recursive: true });
		const fh = await fs.promises.open(file, 'w');
		try {
			await fh.truncate(size);
		} finally {
			await fh.close();
		}
	}

	// A part: hashed as it streams to its file, written in 1 MiB slices (s3rver's own putPart
	// writes 16 KiB at a time and creates the directory of an upload that does not exist).
	Store.prototype.putPart = async function (bucket: string, uploadId: string, partNumber: string | number, content: NodeJS.ReadableStream) {
		const dir = path.join(this.getResourcePath(bucket, undefined, 'uploads'), String(uploadId));
		if (!fs.existsSync(path.join(dir, 'key'))) throw new S3Error('NoSuchUpload', 'The specified upload does not exist.');
		const file = path.join(dir, String(Number(partNumber)));
		const hash = createHash('md5');
		let size = 0;
		await pipeline(
			content,
			async function* (source: AsyncIterable<Buffer | string>) {
				for await (const part of source) {
					const chunk = typeof part === 'string' ? Buffer.from(part) : part;
					hash.update(chunk);
					size += chunk.length;
					yield chunk;
				}
			},
			fs.createWriteStream(file, { highWaterMark: 1 << 20 })
		);
		const md5 = hash.digest('hex');
		// The checksum file last: ListParts shows a part only once it is complete.
		await fs.promises.writeFile(`${file}.md5`, md5);
		return { size, md5 };
	};

	Store.prototype.putObjectMultipart = async function (bucket: string, uploadId: string, parts: { number: number; etag: string }[]) {
		const dir = path.join(this.getResourcePath(bucket, undefined, 'uploads'), uploadId);
		const key = await fs.promises.readFile(path.join(dir, 'key'), 'utf8');
		const metadata = JSON.parse(await fs.promises.readFile(path.join(dir, 'metadata'), 'utf8'));
		const sorted = [...parts].sort((a, b) => a.number - b.number);
		const md5s: Buffer[] = [];
		for (const [i, p] of sorted.entries()) {
			if (i > 0 && sorted[i - 1].number === p.number) throw new S3Error('InvalidPartOrder', 'The list of parts was not in ascending order.');
			const md5 = await fs.promises.readFile(path.join(dir, `${p.number}.md5`), 'utf8').catch(() => '');
			if (!md5 || md5 !== p.etag) throw new S3Error('InvalidPart', 'One or more of the specified parts could not be found.');
			md5s.push(Buffer.from(md5, 'hex'));
		}
		// The listed parts, in order, as p0…pN; parts not listed are dropped, as S3 drops them.
		const sizes: number[] = [];
		for (const [i, p] of sorted.entries()) {
			const file = path.join(dir, `p${i}`);
			await fs.promises.rename(path.join(dir, String(p.number)), file);
			sizes.push((await fs.promises.stat(file)).size);
		}
		for (const f of await fs.promises.readdir(dir)) if (!/^p\d+$/.test(f)) await fs.promises.rm(path.join(dir, f), { force: true });
		await fs.promises.writeFile(path.join(dir, 'manifest.json'), JSON.stringify({ sizes } satisfies Manifest));
		const size = sizes.reduce((a, b) => a + b, 0);
		const target = partsDir(this, bucket, key);
		await fs.promises.mkdir(path.dirname(target), { recursive: true });
		await fs.promises.rm(target, { recursive: true, force: true });
		await fs.promises.rename(dir, target);
		await sparse(this.getResourcePath(bucket, key, 'object'), size);
		const md5 = `${createHash('md5').update(Buffer.concat(md5s)).digest('hex')}-${sorted.length}`;
		await this.putMetadata(bucket, key, metadata, md5);
		return { size, md5 };
	};

	// Reads of every object, kept parts or one file. (s3rver's own getObject also reads
	// `bytes=0-0` as the whole object: `end || Infinity`.)
	Store.prototype.getObject = async function (bucket: string, key: string, options?: { start?: number; end?: number }) {
		const dir = partsDir(this, bucket, key);
		const manifest = await readManifest(dir);
		let metadata: Record<string, unknown>;
		try {
			metadata = await this.getMetadata(bucket, key);
		} catch (e) {
			if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
			throw e;
		}
		const size = Number(metadata['content-length']);
		const files = manifest ? manifest.sizes.map((_, i) => path.join(dir, `p${i}`)) : [this.getResourcePath(bucket, key, 'object')];
		const range = { start: options?.start ?? 0, end: Math.min(options?.end ?? Infinity, Math.max(0, size - 1)) };
		const ranged = options && (options.start !== undefined || options.end !== undefined);
		if (range.start < 0 || range.end < range.start || (ranged && range.start >= size)) {
			const object = new S3Object(bucket, key, null, metadata);
			if (ranged) object.range = range;
			return object;
		}
		const content = Readable.from(readParts(files, manifest ? manifest.sizes : [size], range.start, range.end), { objectMode: false });
		const object = new S3Object(bucket, key, content, metadata);
		if (ranged) object.range = range;
		return object;
	};

	const putObject = Store.prototype.putObject;
	Store.prototype.putObject = async function (object: { bucket: string; key: string }) {
		await fs.promises.rm(partsDir(this, object.bucket, object.key), { recursive: true, force: true });
		return putObject.call(this, object);
	};

	const deleteObject = Store.prototype.deleteObject;
	Store.prototype.deleteObject = async function (bucket: string, key: string) {
		await fs.promises.rm(partsDir(this, bucket, key), { recursive: true, force: true });
		return deleteObject.call(this, bucket, key);
	};

	const copyObject = Store.prototype.copyObject;
	Store.prototype.copyObject = async function (srcBucket: string, srcKey: string, destBucket: string, destKey: string, replacementMetadata?: unknown) {
		const src = partsDir(this, srcBucket, srcKey);
		const dest = partsDir(this, destBucket, destKey);
		if (src === dest) return copyObject.call(this, srcBucket, srcKey, destBucket, destKey, replacementMetadata);
		await fs.promises.rm(dest, { recursive: true, force: true });
		const manifest = await readManifest(src);
		if (!manifest) return copyObject.call(this, srcBucket, srcKey, destBucket, destKey, replacementMetadata);
		// Parts never change once stored: the copy shares them by hard links.
		await fs.promises.mkdir(dest, { recursive: true });
		for (const f of await fs.promises.readdir(src)) await fs.promises.link(path.join(src, f), path.join(dest, f));
		await sparse(this.getResourcePath(destBucket, destKey, 'object'), manifest.sizes.reduce((a, b) => a + b, 0));
		if (replacementMetadata) {
			await this.putMetadata(destBucket, destKey, replacementMetadata, await fs.promises.readFile(this.getResourcePath(srcBucket, srcKey, 'object.md5'), 'utf8'));
		} else {
			await fs.promises.copyFile(this.getResourcePath(srcBucket, srcKey, 'metadata.json'), this.getResourcePath(destBucket, destKey, 'metadata.json'));
			await fs.promises.copyFile(this.getResourcePath(srcBucket, srcKey, 'object.md5'), this.getResourcePath(destBucket, destKey, 'object.md5'));
		}
		return this.getMetadata(destBucket, destKey);
	};
}

const rfc3986 = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/**
 * AWS Signature Version 4, checked the way S3 checks it: s3rver accepts any V4-looking request
 * without verifying it, so the embedded store verifies presigned URLs (query) and signed
 * requests (Authorization header) itself, including expiry. Unsigned requests are refused, so
 * objects are reachable only through short-lived presigned URLs, as on a real S3.
 */
export function verifySigV4(
	req: { method: string; rawPath: string; query: URLSearchParams; headers: Record<string, string | string[] | undefined> },
	creds: { accessKeyId: string; secretAccessKey: string },
	now = Date.now()
): string | null {
	const header = (n: string) => {
		const v = req.headers[n];
		return Array.isArray(v) ? v.join(',') : (v ?? '');
	};
	let credential: string, signedHeaders: string, signature: string, amzDate: string, payload: string;
	let query: [string, string][] = [...req.query.entries()];
	if (req.query.has('X-Amz-Signature')) {
		credential = req.query.get('X-Amz-Credential') ?? '';
		signedHeaders = req.query.get('X-Amz-SignedHeaders') ?? '';
		signature = req.query.get('X-Amz-Signature') ?? '';
		amzDate = req.query.get('X-Amz-Date') ?? '';
		payload = 'UNSIGNED-PAYLOAD';
		const expires = Number(req.query.get('X-Amz-Expires') ?? '0');
		const t = Date.parse(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
		if (!Number.isFinite(t) || !(expires > 0) || now > t + expires * 1000) return 'Request has expired';
		query = query.filter(([k]) => k !== 'X-Amz-Signature');
	} else {
		const auth = header('authorization');
		const m = /^AWS4-HMAC-SHA256 Credential=([^,]+), ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]+)$/.exec(auth);
		if (!m) return 'Anonymous access is denied';
		[, credential, signedHeaders, signature] = m;
		amzDate = header('x-amz-date');
		payload = header('x-amz-content-sha256') || 'UNSIGNED-PAYLOAD';
		const t = Date.parse(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
		if (!Number.isFinite(t) || Math.abs(now - t) > 15 * 60_000) return 'The difference between the request time and the server time is too large';
	}
	const [akid, date, region, service, term] = credential.split('/');
	if (akid !== creds.accessKeyId || !date || !region || service !== 's3' || term !== 'aws4_request') return 'Invalid credential';
	const canonicalQuery = query
		.map(([k, v]) => [rfc3986(k), rfc3986(v)])
		.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
		.map(([k, v]) => `${k}=${v}`)
		.join('&');
	const names = signedHeaders.split(';');
	const canonicalHeaders = names.map((n) => `${n}:${header(n).trim().replace(/\s+/g, ' ')}\n`).join('');
	const canonical = [req.method, req.rawPath, canonicalQuery, canonicalHeaders, signedHeaders, payload].join('\n');
	const scope = `${date}/${region}/s3/aws4_request`;
	const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonical, 'utf8').digest('hex')].join('\n');
	const key = hmac(hmac(hmac(hmac(`AWS4${creds.secretAccessKey}`, date), region), 's3'), 'aws4_request');
	const expected = createHmac('sha256', key).update(toSign, 'utf8').digest();
	const given = Buffer.from(signature, 'hex');
	return given.length === expected.length && timingSafeEqual(given, expected) ? null : 'The request signature we calculated does not match the signature you provided';
}

export interface EmbeddedS3 {
	endpoint: string;
	port: number;
	close(): Promise<void>;
}

function corsXml(origins: string[]): string {
	const o = origins.map((x) => `<AllowedOrigin>${x}</AllowedOrigin>`).join('');
	return `<CORSConfiguration><CORSRule>${o}<AllowedMethod>GET</AllowedMethod><AllowedMethod>HEAD</AllowedMethod><AllowedMethod>PUT</AllowedMethod><AllowedMethod>POST</AllowedMethod><AllowedMethod>DELETE</AllowedMethod><AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader><ExposeHeader>Content-Length</ExposeHeader><ExposeHeader>Content-Range</ExposeHeader><MaxAgeSeconds>3600</MaxAgeSeconds></CORSRule></CORSConfiguration>`;
}

/**
 * Runs s3rver on loopback with its data in `dir` and the bucket created with CORS for the app's
 * origins. Port 0 picks a free port (tests).
 */
export async function startEmbeddedS3(opts: {
	dir: string;
	port: number;
	bucket: string;
	origins: string[];
	/** The only key pair accepted (the installation's own: keys.ts). */
	credentials: { accessKeyId: string; secretAccessKey: string };
	host?: string;
}): Promise<EmbeddedS3> {
	fs.mkdirSync(opts.dir, { recursive: true });
	patchS3rver();
	const host = opts.host ?? '127.0.0.1';
	const server = new S3rver({
		address: host,
		port: opts.port,
		silent: true,
		directory: path.resolve(opts.dir),
		vhostBuckets: false,
		configureBuckets: [{ name: opts.bucket, configs: [corsXml(opts.origins)] }]
	});
	// Signature check before anything else (s3rver does not verify SigV4); CORS preflights pass.
	const creds = opts.credentials;
	if (!creds?.accessKeyId || !creds.secretAccessKey) throw new Error('embedded S3: no key pair');
	// s3rver's own account knows only the well-known pair S3RVER/S3RVER: it gets ours instead.
	const { DUMMY_ACCOUNT } = createRequire(import.meta.url)('s3rver/lib/models/account');
	DUMMY_ACCOUNT.revokeAccessKey('S3RVER');
	DUMMY_ACCOUNT.createKeyPair(creds.accessKeyId, creds.secretAccessKey);
	server.middleware.unshift(async (ctx: KoaCtx, next: () => Promise<void>) => {
		if (ctx.method === 'OPTIONS') return next();
		const raw = String(ctx.req.url ?? '/');
		const q = raw.indexOf('?');
		const problem = verifySigV4({ method: ctx.method, rawPath: q < 0 ? raw : raw.slice(0, q), query: new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)), headers: ctx.req.headers }, creds);
		if (!problem) return next();
		const origin = ctx.get('origin');
		if (origin && opts.origins.includes(origin)) ctx.set('Access-Control-Allow-Origin', origin);
		ctx.status = 403;
		ctx.type = 'application/xml';
		ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${problem.startsWith('Request has expired') ? 'AccessDenied' : problem.startsWith('Anonymous') ? 'AccessDenied' : 'SignatureDoesNotMatch'}</Code><Message>${problem}</Message></Error>`;
	});
	// s3rver's koa app, served by our own http server so that we control the socket.
	await server.configureBuckets?.();
	const handler = server.callback();
	const httpServer = http.createServer(handler);
	httpServer.keepAliveTimeout = 65_000;
	await new Promise<void>((resolve, reject) => {
		httpServer.once('error', reject);
		httpServer.listen(opts.port, host, () => resolve());
	});
	const port = (httpServer.address() as AddressInfo).port;
	return {
		endpoint: `http://${host}:${port}`,
		port,
		close: () =>
			new Promise<void>((resolve) => {
				httpServer.closeAllConnections?.();
				httpServer.close(() => resolve());
			})
	};
}

/**
 * Runs the embedded S3 in its own process (started by boot()): the S3 traffic of uploads then
 * never weighs on the app server's memory, and each can stop without the other.
 * Settings come from EMBEDDED_S3_* variables; it prints `ready <endpoint>` when listening and
 * exits when its parent closes stdin or sends SIGTERM/SIGINT.
 */
export async function runEmbeddedS3Process() {
	const origins = JSON.parse(process.env.EMBEDDED_S3_ORIGINS ?? '[]') as string[];
	const keysFile = process.env.EMBEDDED_S3_KEYS_FILE;
	if (!keysFile) throw new Error('EMBEDDED_S3_KEYS_FILE is not set');
	const credentials = JSON.parse(fs.readFileSync(keysFile, 'utf8')) as { accessKeyId: string; secretAccessKey: string };
	const server = await startEmbeddedS3({
		credentials,
		dir: process.env.EMBEDDED_S3_DIR ?? './data/s3',
		port: Number(process.env.EMBEDDED_S3_PORT ?? 4569),
		bucket: process.env.EMBEDDED_S3_BUCKET ?? 'portal',
		origins
	});
	const stop = async () => {
		await server.close();
		process.exit(0);
	};
	process.once('SIGTERM', stop);
	process.once('SIGINT', stop);
	process.stdin.on('end', stop);
	process.stdin.resume();
	process.stdout.write(`ready ${server.endpoint}\n`);
}

if ((import.meta as ImportMeta & { main?: boolean }).main) await runEmbeddedS3Process();
