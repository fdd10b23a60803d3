/**
 * An applicant's way through the portal over HTTP, for integration tests against the built
 * server: log in, start an application, upload a file through the real endpoints and S3, fill the
 * steps, submit. A read-only look at the portal's own SQLite file checks what was stored.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'vitest';
import { Client, type Portal } from './portal';
import { GOOD_ABOUT, GOOD_LETTER, GOOD_PRACTICE } from './contest';

export const DEMO_PASSWORD = 'nastavnik2026';

export async function login(p: Portal, email: string, password = DEMO_PASSWORD) {
	const c = new Client(p.url);
	expect((await c.post('/login', { email, password })).status, `вход ${email}`).toBe(303);
	return c;
}

export async function startApplication(c: Client, nomination: string, contest = 'nastavnichestvo-2026'): Promise<string> {
	const r = await c.post(`/cabinet/apply/${contest}`, { nomination });
	expect(r.status).toBe(303);
	return /\/cabinet\/applications\/([a-z0-9]+)/.exec(r.headers.get('location')!)![1];
}

export interface Signed {
	url: string;
	headers?: Record<string, string>;
}

/**
 * Uploads bytes as Uppy does: start, signed create / part / complete requests straight to S3,
 * then the server's check. `createHeaders` replaces the headers of the create request (to play
 * a client that sends another content type than the signed one).
 */
export async function uploadBytes(
	c: Client,
	applicationId: string,
	kind: 'video' | 'letter',
	bytes: Buffer,
	filename: string,
	o: { type?: string; createHeaders?: Record<string, string> } = {}
) {
	const start = await c.json('/api/uploads', { applicationId, kind, filename, type: o.type ?? (kind === 'video' ? 'video/mp4' : 'application/pdf'), size: bytes.length });
	expect(start.status).toBe(200);
	const { assetId, key } = (await start.json()) as { assetId: string; key: string };
	const sign = async (b: Record<string, unknown>) => (await (await c.json('/api/uploads/sign', { assetId, key, ...b })).json()) as Signed;
	const create = await sign({ method: 'POST' });
	const created = await fetch(create.url, { method: 'POST', headers: o.createHeaders ?? create.headers });
	if (created.status !== 200) return { assetId, key, createStatus: created.status, complete: null };
	const uploadId = /<UploadId>([^<]+)</.exec(await created.text())![1];
	const put = await fetch((await sign({ method: 'PUT', uploadId, partNumber: 1 })).url, { method: 'PUT', body: new Uint8Array(bytes) });
	const etag = put.headers.get('etag')!;
	const done = await fetch((await sign({ method: 'POST', uploadId })).url, {
		method: 'POST',
		body: `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${etag}</ETag></Part></CompleteMultipartUpload>`
	});
	expect(done.status).toBe(200);
	const fin = await c.json(`/api/uploads/${assetId}/complete`, {});
	expect(fin.status).toBe(200);
	return { assetId, key, createStatus: 200, complete: (await fin.json()) as { status: string; rejected?: string } };
}

export async function uploadFile(c: Client, applicationId: string, kind: 'video' | 'letter', file: string, filename = path.basename(file)) {
	const r = await uploadBytes(c, applicationId, kind, fs.readFileSync(file), filename);
	expect(r.createStatus).toBe(200);
	return { assetId: r.assetId, key: r.key, complete: r.complete! };
}

/** The portal's SQLite, read-only (WAL: sees every committed change). */
export function portalDb(p: Portal) {
	return new Database(path.join(p.dataDir, 'portal.db'), { readonly: true, fileMustExist: true });
}

export function appRow(p: Portal, id: string) {
	const d = portalDb(p);
	try {
		const r = d.prepare('SELECT status, version, number, about, practice, letter_text AS letterText FROM applications WHERE id = ?').get(id) as {
			status: string;
			version: number;
			number: string | null;
			about: string;
			practice: string;
			letterText: string;
		};
		return { ...r, about: JSON.parse(r.about) as Record<string, unknown>, practice: JSON.parse(r.practice) as Record<string, unknown> };
	} finally {
		d.close();
	}
}

/** Fills the three form steps with valid values and uploads the video: ready to submit. */
export async function fillApplication(p: Portal, c: Client, appId: string, video: string) {
	for (const [step, values] of [
		['about', GOOD_ABOUT],
		['practice', GOOD_PRACTICE],
		['letter', { letterText: GOOD_LETTER }]
	] as const) {
		const r = await c.post(`/cabinet/applications/${appId}/${step}?/save`, { ...values, version: String(appRow(p, appId).version) });
		expect(r.status, `шаг ${step}`).toBe(200);
	}
	const up = await uploadFile(c, appId, 'video', video, 'vizitka.mp4');
	expect(up.complete.status).toBe('uploaded');
}

export async function submit(c: Client, appId: string, version: number) {
	return c.post(`/cabinet/applications/${appId}/submit?/submit`, { consent: 'on', version: String(version) });
}
