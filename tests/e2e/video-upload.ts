import { expect, type APIRequestContext, type Page } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';

async function sign(api: APIRequestContext, body: Record<string, unknown>): Promise<{ url: string; headers?: Record<string, string> }> {
	const r = await api.post('/api/uploads/sign', { data: body });
	expect(r.status(), await r.text()).toBe(200);
	return r.json();
}

/** The browser's multipart upload (what Uppy does), driven from the test; one part. Returns the asset id. */
export async function uploadVideo(api: APIRequestContext, applicationId: string, file: string, type = 'video/quicktime'): Promise<string> {
	const bytes = fs.readFileSync(file);
	const start = await api.post('/api/uploads', { data: { applicationId, kind: 'video', filename: path.basename(file), type, size: bytes.length } });
	expect(start.status(), await start.text()).toBe(200);
	// Both the asset id and its key name the upload (the sign endpoint accepts either shape).
	const { assetId, key } = (await start.json()) as { assetId: string; key: string };
	const create = await sign(api, { assetId, key, method: 'POST' });
	const created = await fetch(create.url, { method: 'POST', headers: create.headers });
	const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(await created.text())![1];
	const part = await sign(api, { assetId, key, method: 'PUT', uploadId, partNumber: 1 });
	const put = await fetch(part.url, { method: 'PUT', body: bytes });
	expect(put.status).toBe(200);
	const etag = put.headers.get('etag')!;
	const complete = await sign(api, { assetId, key, method: 'POST', uploadId });
	const done = await fetch(complete.url, {
		method: 'POST',
		body: `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${etag}</ETag></Part></CompleteMultipartUpload>`
	});
	expect(done.status).toBe(200);
	const fin = await api.post(`/api/uploads/${assetId}/complete`);
	expect(fin.status(), await fin.text()).toBe(200);
	expect(await fin.json()).toMatchObject({ status: 'uploaded', rejected: null });
	return assetId;
}

/** A new application of the demo contest for the signed-in applicant; returns its id. */
export async function startApplication(page: Page): Promise<string> {
	await page.goto('/cabinet/apply/nastavnichestvo-2026');
	await page.locator('input[name="nomination"]').first().check();
	await page.getByRole('button', { name: 'Начать заполнение' }).click();
	await page.waitForURL(/\/cabinet\/applications\/[a-z0-9]+/);
	return /\/cabinet\/applications\/([a-z0-9]+)/.exec(page.url())![1];
}
