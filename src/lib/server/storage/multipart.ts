/**
 * Presigned write requests a browser sends straight to S3: one PUT of a known length (small
 * files), or the steps of a multipart upload (create, part, list, complete, abort) that Uppy asks
 * the server to sign one by one. Reads go through `presignGet` (presign.ts) only. No domain here:
 * who may sign what is decided by the caller (applications/uploads.ts, library/files.ts).
 */
import {
	AbortMultipartUploadCommand,
	CompleteMultipartUploadCommand,
	CreateMultipartUploadCommand,
	ListPartsCommand,
	PutObjectCommand,
	UploadPartCommand,
	type Part
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { bucket, s3, s3Presign } from './s3';
import { SIGNED_CONTENT_TYPE } from './presign';

/**
 * One PUT of exactly `length` bytes of type `contentType`: both are signed, so S3 refuses a
 * request that carries another type or length.
 */
export function presignPut(key: string, contentType: string, length: number, expiresIn: number): Promise<string> {
	return getSignedUrl(s3Presign(), new PutObjectCommand({ Bucket: bucket(), Key: key, ContentType: contentType, ContentLength: length }), {
		expiresIn,
		signableHeaders: SIGNED_CONTENT_TYPE
	});
}

export type MultipartStep =
	| { step: 'create'; contentType: string }
	| { step: 'part'; uploadId: string; partNumber: number }
	| { step: 'list'; uploadId: string }
	| { step: 'complete'; uploadId: string }
	| { step: 'abort'; uploadId: string };

/** Signs one request of a multipart upload of `key`. The content type of `create` is signed too. */
export function presignMultipart(key: string, s: MultipartStep, expiresIn: number): Promise<string> {
	const Bucket = bucket();
	const Key = key;
	switch (s.step) {
		case 'create':
			// The presigner leaves the content type out by default: signed, S3 refuses a create
			// request that carries another one (e.g. text/html for `letter.pdf`).
			return getSignedUrl(s3Presign(), new CreateMultipartUploadCommand({ Bucket, Key, ContentType: s.contentType }), { expiresIn, signableHeaders: SIGNED_CONTENT_TYPE });
		case 'part':
			return getSignedUrl(s3Presign(), new UploadPartCommand({ Bucket, Key, UploadId: s.uploadId, PartNumber: s.partNumber }), { expiresIn });
		case 'list':
			return getSignedUrl(s3Presign(), new ListPartsCommand({ Bucket, Key, UploadId: s.uploadId }), { expiresIn });
		case 'complete':
			return getSignedUrl(s3Presign(), new CompleteMultipartUploadCommand({ Bucket, Key, UploadId: s.uploadId }), { expiresIn });
		case 'abort':
			return getSignedUrl(s3Presign(), new AbortMultipartUploadCommand({ Bucket, Key, UploadId: s.uploadId }), { expiresIn });
	}
}

/** Every part stored so far of an unfinished multipart upload (ListParts pages through). */
export async function listAllParts(key: string, uploadId: string): Promise<Part[]> {
	const out: Part[] = [];
	let marker: string | undefined;
	for (;;) {
		const r = await s3().send(new ListPartsCommand({ Bucket: bucket(), Key: key, UploadId: uploadId, PartNumberMarker: marker }));
		out.push(...(r.Parts ?? []));
		if (!r.IsTruncated || !r.NextPartNumberMarker) return out;
		marker = String(r.NextPartNumberMarker);
	}
}

export async function abortMultipartQuietly(key: string, uploadId: string): Promise<void> {
	try {
		await s3().send(new AbortMultipartUploadCommand({ Bucket: bucket(), Key: key, UploadId: uploadId }));
	} catch {
		/* already gone */
	}
}
