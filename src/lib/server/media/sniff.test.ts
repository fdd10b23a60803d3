import { open } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultFixturesDir, makeFixtures } from '../../../../tests/fixtures/make-fixtures';
import { ffmpegAvailable } from './ffmpeg';
import { isAllowedLetter, isAllowedVideo, SNIFF_HEAD_BYTES, sniffType, VIDEO_EXTS } from './sniff';

async function head(file: string, n = SNIFF_HEAD_BYTES): Promise<Uint8Array> {
	const fh = await open(file, 'r');
	try {
		const buf = Buffer.alloc(n);
		const { bytesRead } = await fh.read(buf, 0, n, 0);
		return buf.subarray(0, bytesRead);
	} finally {
		await fh.close();
	}
}

/** An ISO-BMFF `ftyp` box with the given major brand, followed by a `free` box. */
function ftyp(brand: string): Uint8Array {
	const b = Buffer.alloc(32);
	b.writeUInt32BE(24, 0);
	b.write('ftyp', 4, 'latin1');
	b.write(brand.padEnd(4, ' '), 8, 'latin1');
	b.writeUInt32BE(0x200, 12);
	b.write('isom', 16, 'latin1');
	b.write('mp41', 20, 'latin1');
	b.writeUInt32BE(8, 24);
	b.write('free', 28, 'latin1');
	return b;
}

describe('sniff (synthetic heads)', () => {
	it('VIDEO_EXTS', () => {
		expect(VIDEO_EXTS).toEqual(['mp4', 'mov', 'webm', 'm4v']);
	});

	it('maps ISO-BMFF brands sensibly', async () => {
		expect(await sniffType(ftyp('isom'))).toEqual({ mime: 'video/mp4', ext: 'mp4' });
		expect(await sniffType(ftyp('mp42'))).toEqual({ mime: 'video/mp4', ext: 'mp4' });
		expect(await sniffType(ftyp('qt'))).toEqual({ mime: 'video/quicktime', ext: 'mov' });
		expect(await sniffType(ftyp('M4V'))).toEqual({ mime: 'video/mp4', ext: 'm4v' });
		for (const b of ['isom', 'mp42', 'qt', 'M4V']) expect(isAllowedVideo(await sniffType(ftyp(b)))).toBe(true);
		// audio-only and still-image ISO-BMFF are not videos
		expect(isAllowedVideo(await sniffType(ftyp('M4A')))).toBe(false);
		expect(isAllowedVideo(await sniffType(ftyp('heic')))).toBe(false);
		expect(isAllowedVideo(await sniffType(ftyp('3gp4')))).toBe(false);
	});

	it('unknown / empty / text → null, not allowed', async () => {
		expect(await sniffType(new Uint8Array())).toBeNull();
		const t = await sniffType(new TextEncoder().encode('just some text pretending to be a video\n'.repeat(10)));
		expect(t).toBeNull();
		expect(isAllowedVideo(t)).toBe(false);
		expect(isAllowedLetter(t)).toBe(false);
		expect(isAllowedVideo(null)).toBe(false);
	});

	it('images and other documents are not letters', async () => {
		const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
		const t = await sniffType(png);
		expect(t?.ext).toBe('png');
		expect(isAllowedLetter(t)).toBe(false);
		expect(isAllowedVideo(t)).toBe(false);
	});
});

const available = await ffmpegAvailable();

describe.skipIf(!available)('sniff (fixtures)', () => {
	let fx: Record<string, string>;
	beforeAll(async () => {
		fx = await makeFixtures(defaultFixturesDir());
	});

	it('real videos are allowed', async () => {
		const mp4 = await sniffType(await head(fx.mp4));
		expect(mp4).toEqual({ mime: 'video/mp4', ext: 'mp4' });
		expect(isAllowedVideo(mp4)).toBe(true);
		const mov = await sniffType(await head(fx.hevcMov));
		expect(mov).toEqual({ mime: 'video/quicktime', ext: 'mov' });
		expect(isAllowedVideo(mov)).toBe(true);
		for (const k of ['vp9Webm', 'streamedWebm']) {
			const webm = await sniffType(await head(fx[k]));
			expect(webm).toEqual({ mime: 'video/webm', ext: 'webm' });
			expect(isAllowedVideo(webm)).toBe(true);
		}
		expect(isAllowedVideo(await sniffType(await head(fx.portraitRotated)))).toBe(true);
		// only the first bytes are needed
		expect(isAllowedVideo(await sniffType(await head(fx.mp4, 4100)))).toBe(true);
	});

	it('fake / empty mp4 → null, not allowed', async () => {
		for (const k of ['fakeMp4', 'empty']) {
			const t = await sniffType(await head(fx[k]));
			expect(t).toBeNull();
			expect(isAllowedVideo(t)).toBe(false);
		}
	});

	it('audio-only m4a is not a video', async () => {
		const t = await sniffType(await head(fx.audioOnly));
		expect(isAllowedVideo(t)).toBe(false);
	});

	it('PDF and DOCX are allowed letters, not videos', async () => {
		const pdf = await sniffType(await head(fx.pdf));
		expect(pdf).toEqual({ mime: 'application/pdf', ext: 'pdf' });
		expect(isAllowedLetter(pdf)).toBe(true);
		expect(isAllowedVideo(pdf)).toBe(false);
		const docx = await sniffType(await head(fx.docx));
		expect(docx?.ext).toBe('docx');
		expect(isAllowedLetter(docx)).toBe(true);
		expect(isAllowedLetter(await sniffType(await head(fx.mp4)))).toBe(false);
	});
});
