/**
 * The one path of an uploaded file, whoever sent it — an applicant's video or letter
 * (applications/uploads.ts) or an organizer's library document or video (library/files.ts):
 *
 *   recordUploading()  an asset `uploading` under a key the server chose; the browser then sends
 *                      the bytes straight to S3 (storage/multipart.ts) — they never pass through
 *                      the app server
 *   finishUpload()     HEAD: not empty, within the limit, exactly the declared size
 *                      → the real type from the first bytes (sniff.ts; the declared type and the
 *                        name are never trusted)
 *                      → a video: ffprobe facts within the limits (when ffmpeg is installed)
 *                      → one transaction: the files it replaces marked `replaced`, the asset kept
 *                        with its sniffed type, size and facts, the caller's own records, and for
 *                        a video the `media.process` job (poster + web rendition, process.ts)
 *                      → the replaced objects deleted
 *
 * A refused file is deleted from S3 and its asset marked `rejected` with the reason in Russian.
 * The callers decide who may upload what (ownership, phase, deadline) and what is accepted
 * (`IntakeRules`); this module decides nothing about applications or practices.
 */
import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { assets, type Asset } from '../db/schema';
import { DomainError } from '../errors';
import { isUnavailable } from '../storage/s3';
import { deleteObjectQuietly, headSize, readHead } from '../storage/objects';
import { presignGet } from '../storage/presign';
import { uploads } from '../ops/metrics';
import { fmtBytes } from '../../format';
import { sniffType, SNIFF_HEAD_BYTES, type SniffedType } from './sniff';
import { ffmpegAvailable, MediaError, probe, validateFacts } from './ffmpeg';
import { enqueueMediaProcess } from './process';

export const STORAGE_UNAVAILABLE = 'Хранилище недоступно, повторите через минуту';

/** Runs S3 work of an upload; a store that cannot be reached becomes a 503 the browser can retry. */
export async function storageStep<T>(kind: string, fn: () => Promise<T>): Promise<T> {
	try {
		return await fn();
	} catch (e) {
		if (e instanceof DomainError || !isUnavailable(e)) throw e;
		uploads.inc({ kind, event: 'unavailable' });
		throw new DomainError(503, 'storage_unavailable', STORAGE_UNAVAILABLE, { retryAfterSec: 60 });
	}
}

export interface Uploading {
	id: string;
	ownerId: string;
	kind: 'video' | 'letter' | 'document';
	key: string;
	originalName: string;
	declaredType: string;
	declaredSize: number;
	applicationId?: string;
	practiceId?: string;
}

/** Records an upload that is about to start (its key is the server's choice). */
export function recordUploading(db: DbOrTx, u: Uploading, now = new Date()): Asset {
	uploads.inc({ kind: u.kind, event: 'started' });
	return db
		.insert(assets)
		.values({
			id: u.id,
			ownerId: u.ownerId,
			applicationId: u.applicationId ?? null,
			practiceId: u.practiceId ?? null,
			kind: u.kind,
			status: 'uploading',
			key: u.key,
			originalName: u.originalName.slice(0, 255),
			declaredType: u.declaredType.slice(0, 100),
			declaredSize: u.declaredSize,
			createdAt: now,
			updatedAt: now
		})
		.returning()
		.get();
}

export interface IntakeRules {
	/** The largest accepted object, in bytes. */
	maxBytes: number;
	/** Null when the sniffed type is right for this upload, else the reason (Russian). */
	checkType(sniffed: SniffedType | null): string | null;
	/** For a video: the limits its ffprobe facts must keep (duration, size). */
	video?: { maxDurationSec: number; maxSizeBytes: number };
	/**
	 * The status of a kept file: `uploaded` (default; a video then goes on to `processing` and
	 * `ready`), or `ready` for a file nothing processes and that is shown at once.
	 */
	keptAs?: 'uploaded' | 'ready';
	/** The files this one replaces, read inside the transaction (marked `replaced`, then deleted). */
	replaces?(tx: DbOrTx, kept: Asset): Asset[];
	/** The caller's own records, in the same transaction (the practice's video, an audit event). */
	onKept?(tx: DbOrTx, kept: Asset): void;
}

export type Finished = { asset: Asset; rejected?: undefined } | { asset: Asset; rejected: string };

/** Deletes a refused object and records why. */
export async function rejectUpload(db: DbOrTx, asset: Asset, reason: string, now = new Date()): Promise<Finished> {
	uploads.inc({ kind: asset.kind, event: 'refused' });
	await deleteObjectQuietly(asset.key);
	const a = db.update(assets).set({ status: 'rejected', error: reason, updatedAt: now }).where(eq(assets.id, asset.id)).returning().get();
	return { asset: a, rejected: reason };
}

/**
 * After the browser's last request to S3: verifies the object and keeps it, or removes it with
 * the reason. The caller has checked who may finish this upload and that it is `uploading`.
 */
export async function finishUpload(db: DbOrTx, asset: Asset, rules: IntakeRules, now = new Date()): Promise<Finished> {
	const reject = (reason: string) => rejectUpload(db, asset, reason, now);
	const size = await storageStep(asset.kind, () => headSize(asset.key));
	if (size === null) throw new DomainError(409, 'not_found', 'Файл ещё не загружен в хранилище: дождитесь окончания загрузки');
	if (size === 0) return reject('Файл пустой');
	if (size > rules.maxBytes) return reject(`Файл больше допустимого: ${fmtBytes(size)} при лимите ${fmtBytes(rules.maxBytes)}`);
	if (asset.declaredSize && size !== asset.declaredSize) return reject('Размер загруженного файла не совпадает с заявленным — загрузите файл ещё раз');
	const sniffed = await sniffType(await storageStep(asset.kind, () => readHead(asset.key, Math.min(SNIFF_HEAD_BYTES, size))));
	const wrongType = rules.checkType(sniffed);
	if (wrongType || !sniffed) return reject(wrongType ?? 'Формат файла не распознан');
	let facts: Record<string, unknown> | null = null;
	if (rules.video && (await ffmpegAvailable())) {
		try {
			const f = await probe(await presignGet(asset.key, { internal: true, expiresIn: 600 }), { timeoutMs: 60_000 });
			const bad = validateFacts(f, rules.video);
			if (bad) return reject(bad.messageRu);
			facts = f as unknown as Record<string, unknown>;
		} catch (e) {
			if (e instanceof MediaError) return reject(e.messageRu);
			throw e;
		}
	}
	let replaced: Asset[] = [];
	const kept = db.transaction((tx) => {
		const done = tx
			.update(assets)
			.set({ status: rules.keptAs ?? 'uploaded', size, mime: sniffed.mime, facts, uploadId: null, error: null, uploadedAt: now, updatedAt: now })
			.where(eq(assets.id, asset.id))
			.returning()
			.get();
		replaced = rules.replaces?.(tx, done).filter((p) => p.id !== done.id) ?? [];
		for (const p of replaced) tx.update(assets).set({ status: 'replaced', updatedAt: now }).where(eq(assets.id, p.id)).run();
		rules.onKept?.(tx, done);
		// Poster and web rendition (media/process.ts), queued in the same transaction.
		if (done.kind === 'video') enqueueMediaProcess(tx, done.id, now);
		return done;
	});
	for (const p of replaced) await deleteObjectQuietly(p.key);
	uploads.inc({ kind: asset.kind, event: 'completed' });
	return { asset: kept };
}
