/**
 * Test setup for the media pipeline: a real S3 — s3rver on loopback (port 0, temp folder), or
 * TEST_S3_ENDPOINT (tests/helpers/s3.ts) — with the process configuration pointing at it, and an
 * application with an uploaded video.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { startEmbeddedS3, type EmbeddedS3 } from '../../src/lib/server/storage/embedded';
import { parseConfig, setConfig } from '../../src/lib/server/config';
import { bucket, s3 } from '../../src/lib/server/storage/s3';
import { putFile } from '../../src/lib/server/storage/put-file';
import type { DbOrTx } from '../../src/lib/server/db/client';
import { applications, assets, contests, nominations, users } from '../../src/lib/server/db/schema';
import { newId } from '../../src/lib/server/ids';
import { randomS3Keys } from '../../src/lib/server/keys';
import { EXTERNAL_S3, createExternalBucket, dropExternalBucket, externalEnv, uniqueBucket } from './s3';

export const TEST_BUCKET = 'media-test';

export interface TestStorage {
	/** The embedded s3rver, or null when the tests run against TEST_S3_ENDPOINT. */
	s3: EmbeddedS3 | null;
	dataDir: string;
	/** Env that points another process at the same S3 and data folder. */
	env: Record<string, string>;
	close(): Promise<void>;
}

/** A real S3 (embedded s3rver, or TEST_S3_ENDPOINT with a bucket of its own) and a data folder. */
export async function startTestStorage(extraEnv: Record<string, string> = {}): Promise<TestStorage> {
	const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'media-job-'));
	let srv: EmbeddedS3 | null = null;
	let s3env: Record<string, string>;
	let drop = async () => {};
	if (EXTERNAL_S3) {
		const bucket = uniqueBucket('media');
		await createExternalBucket(bucket, ['http://localhost:3999']);
		s3env = externalEnv(bucket);
		drop = () => dropExternalBucket(bucket);
	} else {
		const keys = randomS3Keys();
		srv = await startEmbeddedS3({ dir: path.join(dataDir, 's3'), port: 0, bucket: TEST_BUCKET, origins: ['http://localhost:3999'], credentials: keys });
		s3env = { S3_ENDPOINT: srv.endpoint, S3_ACCESS_KEY_ID: keys.accessKeyId, S3_SECRET_ACCESS_KEY: keys.secretAccessKey, S3_BUCKET: TEST_BUCKET };
	}
	const env = {
		NODE_ENV: 'test',
		DATA_DIR: dataDir,
		ORIGIN: 'http://localhost:3999',
		...s3env,
		...extraEnv
	};
	setConfig(parseConfig(env));
	return {
		s3: srv,
		dataDir,
		env,
		async close() {
			setConfig(undefined);
			await srv?.close();
			await drop();
			fs.rmSync(dataDir, { recursive: true, force: true });
		}
	};
}

export async function listKeys(prefix: string): Promise<string[]> {
	const r = await s3().send(new ListObjectsV2Command({ Bucket: bucket(), Prefix: prefix }));
	return (r.Contents ?? []).map((o) => o.Key!).sort();
}

/** An applicant with a draft application in an open contest with the given settings. */
export function seedApplication(db: DbOrTx, settings: Record<string, unknown> = {}) {
	const userId = newId();
	const contestId = newId();
	const nominationId = newId();
	const applicationId = newId();
	const now = Date.now();
	db.insert(users).values({ id: userId, email: `a-${userId.slice(0, 6)}@example.ru`, fio: 'Иванова Светлана Петровна', role: 'applicant', emailVerifiedAt: new Date() }).run();
	db.insert(contests)
		.values({
			id: contestId,
			slug: `c-${contestId.slice(0, 6)}`,
			title: 'Наставничество-2026',
			year: 2026,
			phase: 'open',
			openAt: new Date(now - 86400_000),
			closeAt: new Date(now + 86400_000),
			reviewEndAt: new Date(now + 2 * 86400_000),
			resultsAt: new Date(now + 3 * 86400_000),
			settings
		})
		.run();
	db.insert(nominations).values({ id: nominationId, contestId, slug: 'n', title: 'Наставник года', track: 'mentor' }).run();
	db.insert(applications).values({ id: applicationId, contestId, nominationId, applicantId: userId }).run();
	return { userId, contestId, applicationId };
}

/** Stores a local file as the application's uploaded video (what completeUpload leaves behind). */
export async function addVideo(db: DbOrTx, app: { userId: string; applicationId: string }, file: string, ext = path.extname(file).slice(1) || 'mp4') {
	const id = newId();
	const key = `applications/${app.applicationId}/video/${id}.${ext}`;
	const { size } = await putFile(key, file, 'video/mp4');
	return db
		.insert(assets)
		.values({ id, ownerId: app.userId, applicationId: app.applicationId, kind: 'video', status: 'uploaded', key, originalName: `видео.${ext}`, size, mime: 'video/mp4' })
		.returning()
		.get();
}
