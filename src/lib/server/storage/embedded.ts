import fs from 'node:fs';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';
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
	// Completing a multipart upload: s3rver re-reads every part through an MD5 and writes the
	// whole object again. Like S3, take the parts as they are: move the first part into place,
	// append the others, and use S3's multipart ETag (MD5 of the parts' MD5s, "-N").
	const Store = require('s3rver/lib/stores/filesystem');
	Store.prototype.putObjectMultipart = async function (bucket: string, uploadId: string, parts: { number: number; etag: string }[]) {
		const dir = path.join(this.getResourcePath(bucket, undefined, 'uploads'), uploadId);
		const key = await fs.promises.readFile(path.join(dir, 'key'), 'utf8');
		const metadata = JSON.parse(await fs.promises.readFile(path.join(dir, 'metadata'), 'utf8'));
		const sorted = [...parts].sort((a, b) => a.number - b.number);
		const md5s: Buffer[] = [];
		for (const p of sorted) {
			const md5 = await fs.promises.readFile(path.join(dir, `${p.number}.md5`), 'utf8').catch(() => '');
			if (!md5 || md5 !== p.etag) throw new S3Error('InvalidPart', 'One or more of the specified parts could not be found.');
			md5s.push(Buffer.from(md5, 'hex'));
		}
		const objectPath = this.getResourcePath(bucket, key, 'object');
		await fs.promises.mkdir(path.dirname(objectPath), { recursive: true });
		const tmp = path.join(dir, 'assembled');
		await fs.promises.rename(path.join(dir, String(sorted[0].number)), tmp);
		for (const p of sorted.slice(1)) {
			await pipeline(fs.createReadStream(path.join(dir, String(p.number)), { highWaterMark: 1 << 20 }), fs.createWriteStream(tmp, { flags: 'a', highWaterMark: 1 << 20 }));
		}
		await fs.promises.rename(tmp, objectPath);
		const size = (await fs.promises.stat(objectPath)).size;
		const md5 = `${createHash('md5').update(Buffer.concat(md5s)).digest('hex')}-${sorted.length}`;
		await this.putMetadata(bucket, key, metadata, md5);
		await fs.promises.rm(dir, { recursive: true, force: true });
		return { size, md5 };
	};
	router.get('/:bucket/:key+', handle);
	router.delete('/:bucket/:key+', handle);
	// Move the two new layers right after the authentication/response-header layers, before
	// s3rver's own object routes (which answer MethodNotAllowed for these).
	const added = router.stack.splice(router.stack.length - 2, 2);
	const authIdx = router.stack.findIndex((l: any) => l.stack?.some((fn: any) => fn.name === 'responseHeaderOverride'));
	router.stack.splice(authIdx >= 0 ? authIdx + 1 : 0, 0, ...added);
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
export async function startEmbeddedS3(opts: { dir: string; port: number; bucket: string; origins: string[]; host?: string }): Promise<EmbeddedS3> {
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
	const server = await startEmbeddedS3({
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
