/**
 * Object primitives the upload pipeline and the media jobs share: the size of an object (HEAD),
 * its first bytes (a ranged GET, for content sniffing) and a quiet delete. No domain here.
 */
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { bucket, isUnavailable, s3 } from './s3';

/** The object's length, or null when it does not exist; a store that cannot be reached throws. */
export async function headSize(key: string): Promise<number | null> {
	try {
		const h = await s3().send(new HeadObjectCommand({ Bucket: bucket(), Key: key }));
		return h.ContentLength ?? 0;
	} catch (e) {
		if (isUnavailable(e)) throw e;
		return null;
	}
}

/** The whole object, or the bytes of an HTTP range such as `bytes=0-65535`. */
export async function readObject(key: string, range?: string): Promise<Uint8Array> {
	const r = await s3().send(new GetObjectCommand({ Bucket: bucket(), Key: key, Range: range }));
	return r.Body!.transformToByteArray();
}

/** The first `bytes` bytes of the object (fewer when it is shorter). */
export async function readHead(key: string, bytes: number): Promise<Uint8Array> {
	return (await readObject(key, `bytes=0-${bytes - 1}`)).subarray(0, bytes);
}

export async function deleteObjectQuietly(key: string): Promise<void> {
	try {
		await s3().send(new DeleteObjectCommand({ Bucket: bucket(), Key: key }));
	} catch {
		/* already gone */
	}
}
