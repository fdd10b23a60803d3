/**
 * Uploads a file to S3 while ffmpeg is still writing it (issue 15: the remux of a 3-minute 1080p
 * phone video is ~350 MB; uploading it after the remux doubled the time to the first playable
 * rendition). A multipart upload of fixed-size parts: every part but the first is sent as soon as
 * the file has grown past its end (the MP4 muxer writes sequentially and never goes back there);
 * the first part — where the muxer patches the `mdat` size and writes the `moov` index into the
 * space reserved for it (`-moov_size`) — and the tail are sent when ffmpeg has finished. A failure
 * (of ffmpeg or of S3) aborts the upload: S3 never shows a half-written object. A file that ends
 * up no larger than one part is sent with one PutObject instead.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import {
	AbortMultipartUploadCommand,
	CompleteMultipartUploadCommand,
	CreateMultipartUploadCommand,
	UploadPartCommand,
	type S3Client
} from '@aws-sdk/client-s3';
import { bucket, s3 } from '../storage/s3';
import { putFile, PART_SIZE } from '../storage/put-file';

export async function uploadGrowingFile(
	key: string,
	file: string,
	contentType: string,
	/** Resolves when the writer has finished the file (and nothing will change in it); rejects when it failed. */
	finished: Promise<unknown>,
	o: { signal?: AbortSignal; partSize?: number; pollMs?: number; concurrency?: number; client?: S3Client; bucket?: string } = {}
): Promise<{ size: number; multipart: boolean; partsWhileWriting: number }> {
	const Bucket = o.bucket ?? bucket();
	const client = o.client ?? s3();
	const partSize = Math.max(5 * 1024 * 1024, o.partSize ?? PART_SIZE);
	const send = { abortSignal: o.signal };
	let done = false;
	let failure: unknown = null;
	const writer = finished.then(
		() => void (done = true),
		(e) => void ((failure = e), (done = true))
	);
	let uploadId: string | undefined;
	const parts: { PartNumber: number; ETag: string }[] = [];
	const sendPart = async (n: number, size: number) => {
		const start = (n - 1) * partSize;
		const end = Math.min(size, start + partSize) - 1;
		const r = await client.send(
			new UploadPartCommand({ Bucket, Key: key, UploadId: uploadId!, PartNumber: n, Body: createReadStream(file, { start, end }), ContentLength: end - start + 1 }),
			send
		);
		parts.push({ PartNumber: n, ETag: r.ETag! });
	};
	// Up to `concurrency` parts in flight (one S3 connection each): one stream is slower than a
	// remux on a local disk.
	const inflight = new Set<Promise<void>>();
	let partError: unknown = null;
	const launch = (n: number, size: number) => {
		const p = sendPart(n, size).catch((e) => void (partError ??= e));
		inflight.add(p);
		void p.finally(() => inflight.delete(p));
	};
	const concurrency = Math.max(1, o.concurrency ?? 4);
	try {
		// While the file grows: parts 2, 3, … once the file is past their end (part 1 waits).
		let next = 2;
		let whileWriting = 0;
		while (!done) {
			if (partError) throw partError;
			const size = (await stat(file).catch(() => null))?.size ?? 0;
			if (size > next * partSize && inflight.size < concurrency) {
				uploadId ??= (await client.send(new CreateMultipartUploadCommand({ Bucket, Key: key, ContentType: contentType }), send)).UploadId!;
				launch(next++, size);
				whileWriting++;
				continue;
			}
			await Promise.race([writer, ...inflight, new Promise((r) => setTimeout(r, o.pollMs ?? 200))]);
		}
		if (failure) throw failure;
		o.signal?.throwIfAborted();
		const { size } = await stat(file);
		if (size <= partSize) {
			await Promise.all(inflight);
			if (uploadId) await client.send(new AbortMultipartUploadCommand({ Bucket, Key: key, UploadId: uploadId })).catch(() => undefined);
			uploadId = undefined;
			const r = await putFile(key, file, contentType, { signal: o.signal, threshold: partSize, client, bucket: Bucket });
			return { size: r.size, multipart: false, partsWhileWriting: 0 };
		}
		// The rest: the tail parts and part 1 (its bytes are final only now).
		uploadId ??= (await client.send(new CreateMultipartUploadCommand({ Bucket, Key: key, ContentType: contentType }), send)).UploadId!;
		const rest = [1];
		for (; (next - 1) * partSize < size; next++) rest.push(next);
		for (const n of rest) {
			while (inflight.size >= concurrency) await Promise.race(inflight);
			if (partError) throw partError;
			launch(n, size);
		}
		await Promise.all(inflight);
		if (partError) throw partError;
		parts.sort((a, b) => a.PartNumber - b.PartNumber);
		await client.send(new CompleteMultipartUploadCommand({ Bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } }), send);
		return { size, multipart: true, partsWhileWriting: whileWriting };
	} catch (e) {
		await Promise.all(inflight);
		if (uploadId) await client.send(new AbortMultipartUploadCommand({ Bucket, Key: key, UploadId: uploadId })).catch(() => undefined);
		throw e;
	}
}
