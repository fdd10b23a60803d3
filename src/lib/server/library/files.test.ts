/**
 * Library files take the one upload pipeline (media/intake.ts) against a real S3: a document is
 * checked by its first bytes and shown at once; a practice's own video is checked like an
 * applicant's, queued for media processing and gets its poster and web rendition, which the
 * practice page then plays.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import { and, eq } from 'drizzle-orm';
import { tempDb } from '../../../../tests/helpers/db';
import { listKeys, startTestStorage, type TestStorage } from '../../../../tests/helpers/media';
import { defaultFixturesDir, makeFixtures } from '../../../../tests/fixtures/make-fixtures';
import type { DB } from '../db/client';
import { assets, jobs, practices } from '../db/schema';
import { DomainError } from '../errors';
import { ffmpegAvailable } from '../media/ffmpeg';
import { derivedKeys, MEDIA_PROCESS_KIND, processVideo } from '../media/process';
import { completePracticeUpload, startPracticeUpload } from './files';
import { editorMedia, practiceMedia } from './media';
import { createPractice } from './practices';
import { ORG, addUsers, input } from './test-helpers';

const available = await ffmpegAvailable();
let storage: TestStorage;
let fx: Record<string, string>;
let t: ReturnType<typeof tempDb>;
let db: DB;

beforeAll(async () => {
	fx = await makeFixtures(defaultFixturesDir());
	storage = await startTestStorage();
});
afterAll(async () => storage?.close());
beforeEach(() => {
	t = tempDb();
	db = t.db;
	addUsers(db);
});
afterEach(() => t.cleanup());

/** What FileUpload.svelte does: start, PUT the bytes to the presigned URL, complete. */
async function upload(practiceId: string, kind: 'document' | 'video', filename: string, bytes: Uint8Array) {
	const s = await startPracticeUpload(db, ORG, { kind, practiceId, filename, size: bytes.length });
	const put = await fetch(s.url, { method: 'PUT', body: new Uint8Array(bytes), headers: s.headers });
	expect(put.status).toBe(200);
	return s;
}

const reload = (id: string) => db.select().from(assets).where(eq(assets.id, id)).get()!;

describe('library files through the one upload pipeline', () => {
	it('a document: kept with its sniffed type and shown at once; a renamed text file is refused and removed', async () => {
		const p = createPractice(db, ORG, input(), { publish: true });
		const pdf = fs.readFileSync(fx.pdf);
		const s = await upload(p.id, 'document', 'Положение.pdf', pdf);
		const a = await completePracticeUpload(db, ORG, s.id);
		expect(a).toMatchObject({ status: 'ready', mime: 'application/pdf', size: pdf.length, kind: 'document' });
		const m = await practiceMedia(db, db.select().from(practices).where(eq(practices.id, p.id)).get()!);
		expect(m.documents.map((d) => d.name)).toEqual(['Положение.pdf']);
		expect((await fetch(m.documents[0].url)).headers.get('content-disposition')).toMatch(/^attachment/);

		const fake = new TextEncoder().encode('это не pdf, а текст');
		const f = await upload(p.id, 'document', 'fake.pdf', fake);
		const e = await completePracticeUpload(db, ORG, f.id).catch((x) => x);
		expect(e).toBeInstanceOf(DomainError);
		expect((e as DomainError).message).toMatch(/не соответствует формату PDF/);
		expect(reload(f.id).status).toBe('rejected');
		expect(await listKeys(f.key)).toEqual([]);
	});

	it.skipIf(!available)('a practice’s own video is checked, queued for processing, and gets a poster and a web rendition the page plays', async () => {
		const p = createPractice(db, ORG, input(), { publish: true });
		db.update(practices).set({ videoConsent: true }).where(eq(practices.id, p.id)).run();
		const mp4 = fs.readFileSync(fx.mp4);
		const s = await upload(p.id, 'video', 'Фильм о практике.mp4', mp4);
		const a = await completePracticeUpload(db, ORG, s.id);
		// Same path as an applicant's video: facts from ffprobe, `uploaded`, the media job queued.
		expect(a).toMatchObject({ status: 'uploaded', mime: 'video/mp4', size: mp4.length });
		expect((a.facts as { durationSec: number }).durationSec).toBeCloseTo(2, 0);
		expect(db.select().from(jobs).where(and(eq(jobs.kind, MEDIA_PROCESS_KIND), eq(jobs.dedupeKey, `${MEDIA_PROCESS_KIND}:${a.id}`))).get()).toBeDefined();
		expect(db.select().from(practices).where(eq(practices.id, p.id)).get()!.videoAssetId).toBe(a.id);

		// Before processing the page plays the original.
		let page = await practiceMedia(db, db.select().from(practices).where(eq(practices.id, p.id)).get()!);
		expect(page.video).toMatchObject({ status: 'uploaded', renditions: [{ id: 'original' }] });
		expect(page.posterIsGenerated).toBe(true);

		expect(await processVideo(db, a.id)).toMatchObject({ outcome: 'ready' });
		const keys = derivedKeys(a.key);
		const kids = db.select().from(assets).where(eq(assets.parentId, a.id)).all();
		expect(kids.map((k) => [k.kind, k.status, k.key]).sort()).toEqual([
			['poster', 'ready', keys.poster],
			['rendition', 'ready', keys.light],
			['rendition', 'ready', keys.rendition]
		]);
		page = await practiceMedia(db, db.select().from(practices).where(eq(practices.id, p.id)).get()!);
		expect(page.video).toMatchObject({ status: 'ready' });
		// The web rendition first; the light one (issue 15) is offered after it when it is smaller.
		expect(page.video!.renditions[0]).toMatchObject({ id: 'web', type: 'video/mp4' });
		expect(page.video!.renditions.slice(1).every((r) => r.id === 'light')).toBe(true);
		expect(page.video!.renditions[0].url).toContain(keys.rendition);
		expect(page.poster).toContain(keys.poster);
		expect(page.video!.poster).toBe(page.poster);
		expect(page.posterIsGenerated).toBe(false);
		expect((await fetch(page.video!.renditions[0].url, { headers: { Range: 'bytes=0-99' } })).status).toBe(206);
		const editor = await editorMedia(db, db.select().from(practices).where(eq(practices.id, p.id)).get()!);
		expect(editor.video).toMatchObject({ status: 'ready', fromApplication: false, playback: { renditions: [{ id: 'web' }] } });

		// A second video replaces the first: its row and its object go.
		const s2 = await upload(p.id, 'video', 'второй.mp4', mp4);
		const b = await completePracticeUpload(db, ORG, s2.id);
		expect(reload(a.id).status).toBe('replaced');
		expect(await listKeys(a.key)).toEqual([]);
		expect(db.select().from(practices).where(eq(practices.id, p.id)).get()!.videoAssetId).toBe(b.id);
	});

	it('a file named .mp4 that is not a video is refused', async () => {
		const p = createPractice(db, ORG, input());
		const bytes = fs.readFileSync(fx.fakeMp4);
		const s = await upload(p.id, 'video', 'clip.mp4', bytes);
		await expect(completePracticeUpload(db, ORG, s.id)).rejects.toThrow(/не соответствует формату MP4/);
		expect(db.select().from(practices).where(eq(practices.id, p.id)).get()!.videoAssetId).toBeNull();
	});
});
