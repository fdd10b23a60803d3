/**
 * Server-side writes of finished local files to S3, streamed from disk (never buffered whole).
 * Small files: one PutObject with a file stream and its ContentLength. Large files: a multipart
 * upload of fixed-size parts, each streamed from its byte range; a failure aborts the upload, so
 * S3 never shows a half-written object (an object appears only when PutObject or
 * CompleteMultipartUpload succeed). Writing the same key again replaces the object.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import {
	AbortMultipartUploadCommand,
	CompleteMultipartUploadCommand,
	CreateMultipartUploadCommand,
	PutObjectCommand,
	UploadPartCommand,
	type S3Client
} from '@aws-sdk/client-s3';
import { bucket, s3 } from './s3';

export const MULTIPART_THRESHOLD = 64 * 1024 * 1024;
export const PART_SIZE = 16 * 1024 * 1024;

export async function putFile(
	key: string,
	file: string,
	contentType: string,
	o: { signal?: AbortSignal; threshold?: number; partSize?: number; cacheControl?: string; client?: S3Client; bucket?: string } = {}
): Promise<{ size: number; multipart: boolean }> {
	const { size } = await stat(file);
	const Bucket = o.bucket ?? bucket();
	const client = o.client ?? s3();
	const threshold = o.threshold ?? MULTIPART_THRESHOLD;
	const send = { abortSignal: o.signal };
	if (size <= threshold) {
		await client.send(
			new PutObjectCommand({ Bucket, Key: key, Body: createReadStream(file), ContentLength: size, ContentType: contentType, CacheControl: o.cacheControl }),
			send
		);
		return { size, multipart: false };
	}
	const partSize = Math.max(5 * 1024 * 1024, o.partSize ?? PART_SIZE);
	const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket, Key: key, ContentType: contentType, CacheControl: o.cacheControl }), send);
	try {
		const parts: { PartNumber: number; ETag: string }[] = [];
		for (let start = 0, n = 1; start < size; start += partSize, n++) {
			const end = Math.min(size, start + partSize) - 1;
			const r = await client.send(
				new UploadPartCommand({ Bucket, Key: key, UploadId, PartNumber: n, Body: createReadStream(file, { start, end }), ContentLength: end - start + 1 }),
				send
			);
			parts.push({ PartNumber: n, ETag: r.ETag! });
		}
		await client.send(new CompleteMultipartUploadCommand({ Bucket, Key: key, UploadId, MultipartUpload: { Parts: parts } }), send);
		return { size, multipart: true };
	} catch (e) {
		await client
			.send(new AbortMultipartUploadCommand({ Bucket, Key: key, UploadId }))
			.catch(() => undefined);
		throw e;
	}
}
