import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import { eq } from 'drizzle-orm';
import { HeadObjectCommand, ListPartsCommand } from '@aws-sdk/client-s3';
import { dbPerTest } from '../../../../tests/helpers/db';
import { startTestS3 } from '../../../../tests/helpers/s3';
import { makeContest, makeApplicant, GOOD_ABOUT, GOOD_PRACTICE, GOOD_LETTER } from '../../../../tests/helpers/contest';
import { makeFixtures } from '../../../../tests/fixtures/make-fixtures';
import { createUpload, signUploadRequest, completeUpload, abortUpload, currentFiles, sweepStaleUploads, STALE_UPLOAD_MS } from './uploads';
import { startApplication, saveStep, submitApplication } from './service';
import type { Actor } from '../actor';
import { assets, applications } from '../db/schema';
import { bucket, s3 } from '../storage/s3';
import type { DB } from '../db/client';
import { DomainError } from '../errors';

let s3srv: Awaited<ReturnType<typeof startTestS3>>;
let fx: Record<string, string>;
let db: DB;

beforeAll(async () => {
	s3srv = await startTestS3();
	fx = await makeFixtures();
});
afterAll(async () => s3srv.stop());
dbPerTest((d) => (db = d));

/** What the browser does with the signed URLs: create, PUT parts, complete. */
async function browserUpload(actor: Actor, key: string, bytes: Buffer, partSize = 5 * 1024 * 1024) {
	const create = await signUploadRequest(db, actor, { method: 'POST', key });
	const r = await fetch(create.url, { method: 'POST', headers: create.headers });
	expect(r.status).toBe(200);
	const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(await r.text())![1];
	const parts: { n: number; etag: string }[] = [];
	for (let i = 0, n = 1; i < bytes.length; i += partSize, n++) {
		const s = await signUploadRequest(db, actor, { method: 'PUT', key, uploadId, partNumber: n });
		const put = await fetch(s.url, { method: "PUT", body: new Uint8Array(bytes.subarray(i, i + partSize)) });
		expect(put.status).toBe(200);
		parts.push({ n, etag: put.headers.get('etag')! });
	}
	const done = await signUploadRequest(db, actor, { method: 'POST', key, uploadId });
	const xml = `<CompleteMultipartUpload>${parts.map((p) => `<Part><PartNumber>${p.n}</PartNumber><ETag>${p.etag}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
	const c = await fetch(done.url, { method: 'POST', body: xml });
	expect(c.status).toBe(200);
	return uploadId;
}

async function code(p: Promise<unknown> | (() => unknown)): Promise<string> {
	try {
		await (typeof p === 'function' ? p() : p);
		return 'ok';
	} catch (e) {
		if (e instanceof DomainError) return `${e.status}:${e.code}`;
		throw e;
	}
}

async function setup(settings: Record<string, unknown> = {}, now = new Date()) {
	const { contest, mentor } = makeContest(db, now, settings);
	const user = await makeApplicant(db);
	const app = startApplication(db, user, contest, mentor.slug, now);
	return { contest, user, app };
}

/** Starts a multipart upload of `key` with a signed request, as the browser does; returns its UploadId. */
async function startMultipart(user: Parameters<typeof signUploadRequest>[1], key: string): Promise<string> {
	const create = await signUploadRequest(db, user, { method: 'POST', key });
	return /<UploadId>([^<]+)</.exec(await (await fetch(create.url, { method: 'POST', headers: create.headers })).text())![1];
}

/** A 6 MB video upload left half-way: started, its first 5 MB part sent, never completed. */
async function halfUploadedVideo(user: Actor, applicationId: string, filename: string) {
	const asset = createUpload(db, user, { applicationId, kind: 'video', filename, type: 'video/mp4', size: 6 * 1024 * 1024 });
	const uploadId = await startMultipart(user, asset.key);
	const part = await signUploadRequest(db, user, { method: 'PUT', key: asset.key, uploadId, partNumber: 1 });
	await fetch(part.url, { method: 'PUT', body: new Uint8Array(5 * 1024 * 1024) });
	return { asset, uploadId };
}

describe('direct-to-S3 uploads', () => {
	it('start → sign → PUT parts → complete: the server verifies size, type and duration', async () => {
		const { user, app } = await setup();
		const bytes = fs.readFileSync(fx.mp4);
		const a = createUpload(db, user, { applicationId: app.id, kind: 'video', filename: 'Визитка.MP4', type: 'video/mp4', size: bytes.length });
		expect(a.key).toBe(`applications/${app.id}/video/${a.id}.mp4`);
		expect(a.status).toBe('uploading');
		await browserUpload(user, a.key, bytes);
		const r = await completeUpload(db, user, a.id);
		expect(r.rejected).toBeUndefined();
		expect(r.asset.status).toBe('uploaded');
		expect(r.asset.size).toBe(bytes.length);
		expect(r.asset.mime).toBe('video/mp4');
		expect((r.asset.facts as { durationSec: number }).durationSec).toBeCloseTo(2, 0);
		// Completing twice is harmless.
		expect((await completeUpload(db, user, a.id)).asset.status).toBe('uploaded');
	});

	it('multipart with several parts assembles the object', async () => {
		const { user, app } = await setup();
		const pdf = fs.readFileSync(fx.pdf);
		const bytes = Buffer.concat([pdf, Buffer.alloc(9 * 1024 * 1024 - pdf.length, 32)]);
		const a = createUpload(db, user, { applicationId: app.id, kind: 'letter', filename: 'письмо.pdf', type: 'application/pdf', size: bytes.length });
		await browserUpload(user, a.key, bytes);
		const head = await s3().send(new HeadObjectCommand({ Bucket: bucket(), Key: a.key }));
		expect(head.ContentLength).toBe(bytes.length);
		const r = await completeUpload(db, user, a.id);
		expect(r.asset.status).toBe('uploaded');
		expect(r.asset.mime).toBe('application/pdf');
		// A video renamed .pdf is not a letter: refused and removed.
		const mp4 = fs.readFileSync(fx.mp4);
		const b = createUpload(db, user, { applicationId: app.id, kind: 'letter', filename: 'письмо.pdf', type: 'application/pdf', size: mp4.length });
		await browserUpload(user, b.key, mp4);
		expect((await completeUpload(db, user, b.id)).rejected).toMatch(/PDF или DOCX/);
		await expect(s3().send(new HeadObjectCommand({ Bucket: bucket(), Key: b.key }))).rejects.toThrow();
	});

	it('refuses a renamed text file, an over-long video, an audio-only file', async () => {
		const { user, app } = await setup({ videoMaxSeconds: 3 });
		for (const [file, reason] of [
			[fx.fakeMp4, /не является видео/],
			[fx.longClip, /длится/],
			[fx.audioOnly, /./]
		] as const) {
			const bytes = fs.readFileSync(file);
			const name = file.endsWith('.m4a') ? 'audio.mp4' : 'clip.mp4';
			const a = createUpload(db, user, { applicationId: app.id, kind: 'video', filename: name, type: 'video/mp4', size: bytes.length });
			await browserUpload(user, a.key, bytes);
			const r = await completeUpload(db, user, a.id);
			expect(r.rejected, file).toMatch(reason);
			expect(r.asset.status).toBe('rejected');
			await expect(s3().send(new HeadObjectCommand({ Bucket: bucket(), Key: a.key }))).rejects.toThrow();
		}
	});

	it('refuses declared types and sizes out of the rules, and a client that lies about the size', async () => {
		const { user, app } = await setup({ videoMaxBytes: 1024 * 1024 });
		expect(await code(() => createUpload(db, user, { applicationId: app.id, kind: 'video', filename: 'a.avi', type: 'video/x-msvideo', size: 10 }))).toBe('400:bad_type');
		expect(await code(() => createUpload(db, user, { applicationId: app.id, kind: 'video', filename: 'a.mp4', type: 'video/mp4', size: 2 * 1024 * 1024 }))).toBe('400:too_big');
		expect(await code(() => createUpload(db, user, { applicationId: app.id, kind: 'letter', filename: 'a.exe', type: '', size: 10 }))).toBe('400:bad_type');
		// Declares 1000 bytes, sends the whole mp4: the completion is refused before assembly.
		const bytes = fs.readFileSync(fx.mp4);
		const a = createUpload(db, user, { applicationId: app.id, kind: 'video', filename: 'a.mp4', type: 'video/mp4', size: 1000 });
		const uploadId = await startMultipart(user, a.key);
		const part = await signUploadRequest(db, user, { method: 'PUT', key: a.key, uploadId, partNumber: 1 });
		await fetch(part.url, { method: 'PUT', body: new Uint8Array(bytes) });
		expect(await code(signUploadRequest(db, user, { method: 'POST', key: a.key, uploadId }))).toBe('400:too_big');
		expect(db.select().from(assets).where(eq(assets.id, a.id)).get()!.status).toBe('rejected');
		await expect(s3().send(new ListPartsCommand({ Bucket: bucket(), Key: a.key, UploadId: uploadId }))).rejects.toThrow();
	});

	it('signs only for the owner and only the key the server chose', async () => {
		const { user, app } = await setup();
		const other = await makeApplicant(db);
		const a = createUpload(db, user, { applicationId: app.id, kind: 'video', filename: 'a.mp4', type: 'video/mp4', size: 100 });
		expect(await code(signUploadRequest(db, other, { method: 'POST', key: a.key }))).toBe('403:forbidden');
		expect(await code(signUploadRequest(db, user, { method: 'POST', key: a.key.replace(app.id, 'someone-else') }))).toBe('404:not_found');
		expect(await code(signUploadRequest(db, user, { method: 'POST', key: '../../etc/passwd' }))).toBe('404:not_found');
		expect(await code(() => createUpload(db, other, { applicationId: app.id, kind: 'video', filename: 'a.mp4', type: 'video/mp4', size: 100 }))).toBe('403:forbidden');
		expect(await code(completeUpload(db, other, a.id))).toBe('403:forbidden');
		expect(await code(abortUpload(db, other, a.id))).toBe('403:forbidden');
		// A simple PUT (not multipart) is not signed.
		expect(await code(signUploadRequest(db, user, { method: 'PUT', key: a.key }))).toBe('400:bad_request');
		// Another upload id for the same key after the first was recorded is refused.
		const uploadId = await startMultipart(user, a.key);
		await signUploadRequest(db, user, { method: 'PUT', key: a.key, uploadId, partNumber: 1 });
		expect(await code(signUploadRequest(db, user, { method: 'PUT', key: a.key, uploadId: 'f'.repeat(32), partNumber: 1 }))).toBe('403:forbidden');
	});

	it('abort cleans up the multipart upload and forgets the asset', async () => {
		const { user, app } = await setup();
		const { asset: a, uploadId } = await halfUploadedVideo(user, app.id, 'a.mp4');
		// Resume after a reload lists what is already there.
		const list = await signUploadRequest(db, user, { method: 'GET', key: a.key, uploadId });
		expect(await (await fetch(list.url)).text()).toContain('<PartNumber>1</PartNumber>');
		await abortUpload(db, user, a.id);
		expect(db.select().from(assets).where(eq(assets.id, a.id)).get()).toBeUndefined();
		await expect(s3().send(new ListPartsCommand({ Bucket: bucket(), Key: a.key, UploadId: uploadId }))).rejects.toThrow();
	});

	it('replacing a video removes the old one cleanly', async () => {
		const { user, app } = await setup();
		const bytes = fs.readFileSync(fx.mp4);
		const first = createUpload(db, user, { applicationId: app.id, kind: 'video', filename: 'one.mp4', type: 'video/mp4', size: bytes.length });
		await browserUpload(user, first.key, bytes);
		await completeUpload(db, user, first.id);
		const second = createUpload(db, user, { applicationId: app.id, kind: 'video', filename: 'two.mp4', type: 'video/mp4', size: bytes.length });
		await browserUpload(user, second.key, bytes);
		await completeUpload(db, user, second.id);
		const current = currentFiles(db, app.id).filter((f) => f.kind === 'video');
		expect(current.map((f) => f.id)).toEqual([second.id]);
		expect(db.select().from(assets).where(eq(assets.id, first.id)).get()!.status).toBe('replaced');
		await expect(s3().send(new HeadObjectCommand({ Bucket: bucket(), Key: first.key }))).rejects.toThrow();
	});

	it('deadline: no new uploads after close; one begun before may finish in the grace period and the entry be submitted', async () => {
		const HOUR = 3600_000;
		const start = new Date();
		const { contest, mentor } = makeContest(db, start, { uploadGraceMinutes: 30 }, HOUR);
		const user = await makeApplicant(db);
		const app = startApplication(db, user, contest, mentor.slug, start);
		let v = saveStep(db, user, app.id, 'about', GOOD_ABOUT, app.version, start).app.version;
		v = saveStep(db, user, app.id, 'practice', GOOD_PRACTICE, v, start).app.version;
		v = saveStep(db, user, app.id, 'letter', { letterText: GOOD_LETTER }, v, start).app.version;
		const bytes = fs.readFileSync(fx.mp4);
		const a = createUpload(db, user, { applicationId: app.id, kind: 'video', filename: 'a.mp4', type: 'video/mp4', size: bytes.length }, start);
		await browserUpload(user, a.key, bytes);
		const afterClose = new Date(start.getTime() + HOUR + 10 * 60_000);
		const afterGrace = new Date(start.getTime() + HOUR + 31 * 60_000);
		expect(await code(() => createUpload(db, user, { applicationId: app.id, kind: 'video', filename: 'b.mp4', type: 'video/mp4', size: 10 }, afterClose))).toBe('409:closed');
		expect(await code(completeUpload(db, user, a.id, afterGrace))).toBe('409:closed');
		expect((await completeUpload(db, user, a.id, afterClose)).asset.status).toBe('uploaded');
		expect(await code(() => submitApplication(db, user, app.id, { consent: true, version: v }, afterGrace))).toBe('409:deadline');
		const sub = submitApplication(db, user, app.id, { consent: true, version: v }, afterClose);
		expect(sub.status).toBe('submitted');
		expect(db.select().from(applications).where(eq(applications.id, app.id)).get()!.number).toMatch(/^НС-2026-\d{5}$/);
	});

	it('the sweep aborts uploads abandoned for two days and keeps recent ones', async () => {
		const { user, app } = await setup();
		const { asset: old, uploadId } = await halfUploadedVideo(user, app.id, 'old.mp4');
		const fresh = createUpload(db, user, { applicationId: app.id, kind: 'letter', filename: 'new.pdf', type: 'application/pdf', size: 1000 });
		db.update(assets).set({ updatedAt: new Date(Date.now() - STALE_UPLOAD_MS - 60_000) }).where(eq(assets.id, old.id)).run();
		expect(await sweepStaleUploads(db)).toEqual({ aborted: 1 });
		expect(db.select().from(assets).where(eq(assets.id, old.id)).get()).toBeUndefined();
		expect(db.select().from(assets).where(eq(assets.id, fresh.id)).get()?.status).toBe('uploading');
		await expect(s3().send(new ListPartsCommand({ Bucket: bucket(), Key: old.key, UploadId: uploadId }))).rejects.toThrow();
	});
});
