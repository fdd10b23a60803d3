import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { startTestS3 } from '../../../../tests/helpers/s3';
import { bucket, s3 } from './s3';
import { contentDisposition, presignGet, servedAs } from './presign';

let s3srv: Awaited<ReturnType<typeof startTestS3>>;
beforeAll(async () => {
	s3srv = await startTestS3();
});
afterAll(async () => s3srv.stop());

const HTML = '%PDF-1.4\n<html><script>alert(1)</script></html>';

describe('servedAs: the sniffed type decides the disposition', () => {
	it('videos, raster images and PDF inline; everything else an attachment', () => {
		expect(servedAs('video/mp4')).toEqual({ contentType: 'video/mp4', disposition: 'inline' });
		expect(servedAs('video/quicktime').disposition).toBe('inline');
		expect(servedAs('image/jpeg').disposition).toBe('inline');
		expect(servedAs('image/png').disposition).toBe('inline');
		expect(servedAs('application/pdf')).toEqual({ contentType: 'application/pdf', disposition: 'inline' });
		for (const t of ['text/html', 'image/svg+xml', 'application/xhtml+xml', 'text/xml', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'text/csv'])
			expect(servedAs(t).disposition, t).toBe('attachment');
		// Unknown or malformed types are plain bytes to download.
		for (const t of [null, undefined, '', 'text/html; charset=utf-8', 'garbage', 'text/html\r\nX: y'])
			expect(servedAs(t), String(t)).toEqual({ contentType: 'application/octet-stream', disposition: 'attachment' });
	});

	it('names the file for both old and new browsers', () => {
		expect(contentDisposition('attachment', 'Письмо (итог).docx')).toBe(`attachment; filename="______ (____).docx"; filename*=UTF-8''%D0%9F%D0%B8%D1%81%D1%8C%D0%BC%D0%BE%20%28%D0%B8%D1%82%D0%BE%D0%B3%29.docx`);
		expect(contentDisposition('inline', 'a"b\\c\r\n.pdf')).toBe(`inline; filename="a_b_c.pdf"; filename*=UTF-8''a%22b%5Cc.pdf`);
		expect(contentDisposition('inline')).toBe('inline');
	});
});

describe('presignGet against the embedded S3', () => {
	it('forces the sniffed type over what S3 stored; non-media files are attachments', async () => {
		const Key = 'applications/x/letter/1.pdf';
		await s3().send(new PutObjectCommand({ Bucket: bucket(), Key, Body: HTML, ContentType: 'text/html' }));
		const pdf = await fetch(await presignGet(Key, { type: 'application/pdf', filename: 'letter.pdf' }));
		expect(pdf.headers.get('content-type')).toBe('application/pdf');
		expect(pdf.headers.get('content-disposition')).toMatch(/^inline; filename="letter.pdf"/);
		const docx = await fetch(await presignGet(Key, { type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', filename: 'letter.docx' }));
		expect(docx.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
		expect(docx.headers.get('content-disposition')).toMatch(/^attachment/);
		const unknown = await fetch(await presignGet(Key, { type: null }));
		expect(unknown.headers.get('content-type')).toBe('application/octet-stream');
		expect(unknown.headers.get('content-disposition')).toBe('attachment');
		const download = await fetch(await presignGet(Key, { type: 'application/pdf', filename: 'letter.pdf', download: true }));
		expect(download.headers.get('content-disposition')).toMatch(/^attachment/);
		expect(await download.text()).toBe(HTML);
	});

	it('internal URLs go to the internal endpoint without overrides', async () => {
		const u = new URL(await presignGet('k', { internal: true, expiresIn: 60 }));
		expect(u.host).toBe(`127.0.0.1:${s3srv.port}`);
		expect(u.searchParams.has('response-content-type')).toBe(false);
	});
});
