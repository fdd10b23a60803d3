/**
 * How the browser sends a file to S3 (shared by the uploader component and `bench/upload.ts`, so
 * the benchmark measures what applicants get).
 *
 * Parts of 8 MiB for files up to 512 MiB: big enough that the per-part signing round trip is small
 * against the bytes, small enough that a part cut off on a slow municipal link costs little to
 * send again (the parts already stored are kept: a retry or a resume sends only the rest). Bigger
 * files are cut into about 64 parts (16 MiB for 1 GiB, at most 64 MiB), so that a fast link does
 * not spend its time on per-part requests.
 *
 * Four parts in flight at once: the signing request and the ramp-up of one part overlap with the
 * bytes of the others, and four stay under a browser's six connections per origin.
 */
const MiB = 1024 * 1024;
export const PART_BYTES_MIN = 8 * MiB;
export const PART_BYTES_MAX = 64 * MiB;
export const PART_CONCURRENCY = 4;

export function partBytes(fileSize: number): number {
	const even = Math.ceil(fileSize / 64 / MiB) * MiB;
	return Math.min(PART_BYTES_MAX, Math.max(PART_BYTES_MIN, even));
}
