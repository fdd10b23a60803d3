import { describe, expect, it } from 'vitest';
import { partBytes, PART_BYTES_MIN, PART_BYTES_MAX } from './upload';

const MiB = 1024 * 1024;
describe('partBytes', () => {
	it('keeps 8 MiB parts for the usual video and letter', () => {
		for (const size of [0, 1, 5 * MiB, 100 * MiB, 512 * MiB]) expect(partBytes(size)).toBe(PART_BYTES_MIN);
	});
	it('cuts big files into about 64 whole-MiB parts, within S3 limits', () => {
		expect(partBytes(1024 * MiB)).toBe(16 * MiB);
		expect(Math.ceil(1061787797 / partBytes(1061787797))).toBeLessThanOrEqual(64);
		expect(partBytes(513 * MiB) % MiB).toBe(0);
		expect(partBytes(50 * 1024 * MiB)).toBe(PART_BYTES_MAX);
		// S3: at least 5 MiB per part but the last, at most 10,000 parts for the 1 GiB limit and far beyond.
		for (const size of [600 * MiB, 2048 * MiB, 100 * 1024 * MiB]) {
			expect(partBytes(size)).toBeGreaterThanOrEqual(5 * MiB);
			expect(Math.ceil(size / partBytes(size))).toBeLessThanOrEqual(10_000);
		}
	});
});
