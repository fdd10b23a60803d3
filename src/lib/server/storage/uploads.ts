/**
 * Direct-to-S3 uploads (DESIGN.md, flow 2). The browser asks for an upload of one kind for one of
 * its applications; the server checks role, ownership, the phase, the declared size and type,
 * chooses the key, and records an asset `uploading`. Uppy then asks the server to sign every S3
 * request (create multipart, parts, list, complete, abort) through one endpoint; the server signs
 * only requests for that asset's key. After completion the server checks the size with HEAD, the
 * real type from the first bytes and, for videos, duration and streams with ffprobe on a
 * short-lived presigned URL. Video bytes never pass through the app server.
 */
import { and, eq, inArray, lt, ne } from 'drizzle-orm';
import {
	AbortMultipartUploadCommand,
	CompleteMultipartUploadCommand,
	CreateMultipartUploadCommand,
	DeleteObjectCommand,
	GetObjectCommand,
	HeadObjectCommand,
	ListPartsCommand,
	UploadPartCommand,
	type Part
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { DbOrTx } from '../db/client';
import { applications, assets, contests, type Asset } from '../db/schema';
import { newId } from '../ids';
import { DomainError, forbidden, notFound } from '../errors';
import { contestSettings } from '../contests/settings';
import { loadOwned, acceptsEdits, graceEnd } from '../applications/service';
import type { Actor } from '../actor';
import { bucket, s3, s3Presign, isUnavailable } from './s3';
import { presignGet, SIGNED_CONTENT_TYPE } from './presign';
import { uploads } from '../ops/metrics';
import { sniffType, isAllowedVideo, isAllowedLetter, SNIFF_HEAD_BYTES } from '../media/sniff';
import { probe, validateFacts, MediaError, ffmpegAvailable } from '../media/ffmpeg';
import { enqueueMediaProcess } from '../media/process';
import { fmtBytes } from '../../format';
import { requireOwner } from '../auth/access';

export const PART_URL_TTL_SEC = 15 * 60;

export const STORAGE_UNAVAILABLE = 'Хранилище недоступно, повторите через минуту';

/** Runs S3 work of an upload; a store that cannot be reached becomes a 503 the browser can retry. */
async function storage<T>(kind: string, fn: () => Promise<T>): Promise<T> {
	try {
		return await fn();
	} catch (e) {
		if (e instanceof DomainError || !isUnavailable(e)) throw e;
		uploads.inc({ kind, event: 'unavailable' });
		throw new DomainError(503, 'storage_unavailable', STORAGE_UNAVAILABLE, { retryAfterSec: 60 });
	}
}
export const LETTER_EXTS = ['pdf', 'docx'];

function extOf(filename: string): string {
	const m = /\.([a-z0-9]{1,5})$/i.exec(filename.trim());
	return m ? m[1].toLowerCase() : '';
}

export interface UploadRequest {
	applicationId: string;
	kind: 'video' | 'letter';
	filename: string;
	type: string;
	size: number;
}

/** Starts an upload: validates what the browser declares and records the asset. */
export function createUpload(db: DbOrTx, actor: Actor, req: UploadRequest, now = new Date()): Asset {
	const { app, contest } = loadOwned(db, actor, req.applicationId);
	if (app.status !== 'draft' && app.status !== 'submitted') throw new DomainError(409, 'not_editable', 'Эту заявку уже нельзя изменить');
	if (!acceptsEdits(contest, now)) throw new DomainError(409, 'closed', 'Приём заявок завершён: загрузка файлов закрыта');
	const s = contestSettings(contest.settings);
	const ext = extOf(req.filename);
	if (req.kind === 'video') {
		if (!s.videoFormats.includes(ext))
			throw new DomainError(400, 'bad_type', `Видео должно быть в формате ${s.videoFormats.map((f) => f.toUpperCase()).join(', ')}; файл «${req.filename}» не подходит`);
		if (req.type && !req.type.startsWith('video/')) throw new DomainError(400, 'bad_type', `Файл «${req.filename}» не похож на видео`);
		if (req.size > s.videoMaxBytes) throw new DomainError(400, 'too_big', `Видео больше ${fmtBytes(s.videoMaxBytes)}: сохраните его в меньшем разрешении`);
	} else {
		if (!LETTER_EXTS.includes(ext)) throw new DomainError(400, 'bad_type', `Письмо-резюме принимается в формате PDF или DOCX; файл «${req.filename}» не подходит`);
		if (req.size > s.letterMaxBytes) throw new DomainError(400, 'too_big', `Файл письма больше ${fmtBytes(s.letterMaxBytes)}`);
	}
	const id = newId();
	// The key is the server's: nothing of it comes from the client but the checked extension.
	const key = `applications/${app.id}/${req.kind}/${id}.${ext}`;
	uploads.inc({ kind: req.kind, event: 'started' });
	return db
		.insert(assets)
		.values({
			id,
			ownerId: actor.id,
			applicationId: app.id,
			kind: req.kind,
			status: 'uploading',
			key,
			originalName: req.filename.slice(0, 255),
			declaredType: req.type.slice(0, 100),
			declaredSize: req.size,
			createdAt: now,
			updatedAt: now
		})
		.returning()
		.get();
}

function loadOwnedAsset(db: DbOrTx, actor: Actor, assetId: string, byKey = false) {
	const asset = db.select().from(assets).where(byKey ? eq(assets.key, assetId) : eq(assets.id, assetId)).get();
	if (!asset || !asset.applicationId) throw notFound('Загрузка не найдена');
	requireOwner(actor, asset.ownerId, 'Нет доступа к этой загрузке');
	const { app, contest } = loadOwned(db, actor, asset.applicationId);
	return { asset, app, contest };
}

/** Uploads begun before the deadline may go on during the grace period. */
function assertUploadWindow(asset: Asset, contest: { closeAt: Date; settings: unknown; phase: string }, now: Date) {
	if (asset.status !== 'uploading') throw new DomainError(409, 'not_uploading', 'Эта загрузка уже завершена или отменена');
	const end = graceEnd(contest as never).getTime();
	if (asset.createdAt.getTime() >= contest.closeAt.getTime() || now.getTime() >= end)
		throw new DomainError(409, 'closed', 'Срок загрузки истёк: приём заявок завершён');
}

export interface SignRequest {
	method: 'POST' | 'PUT' | 'GET' | 'DELETE';
	key: string;
	uploadId?: string;
	partNumber?: number;
}

/**
 * Signs one S3 request of Uppy's multipart flow. The key names the upload: it must be the key of
 * an asset of this user, chosen by the server when the upload was started.
 */
export async function signUploadRequest(db: DbOrTx, actor: Actor, req: SignRequest, now = new Date()): Promise<{ url: string; key: string; headers?: Record<string, string> }> {
	const { asset, contest } = loadOwnedAsset(db, actor, req.key, true);
	const Bucket = bucket();
	const Key = asset.key;
	const expiresIn = PART_URL_TTL_SEC;
	if (req.method === 'DELETE' && req.uploadId) {
		// Abort is always allowed (it only cleans up).
		const url = await getSignedUrl(s3Presign(), new AbortMultipartUploadCommand({ Bucket, Key, UploadId: req.uploadId }), { expiresIn });
		return { url, key: Key };
	}
	assertUploadWindow(asset, contest, now);
	if (req.method === 'POST' && !req.uploadId) {
		db.update(assets).set({ uploadId: null, updatedAt: now }).where(eq(assets.id, asset.id)).run();
		const ContentType = asset.kind === 'video' ? 'video/' + (asset.key.endsWith('.mov') ? 'quicktime' : asset.key.endsWith('.webm') ? 'webm' : 'mp4') : asset.key.endsWith('.pdf') ? 'application/pdf' : 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
		// The content type is part of the signature (the presigner leaves it out by default): S3
		// refuses a create request that carries another one, e.g. text/html for `letter.pdf`.
		const url = await getSignedUrl(s3Presign(), new CreateMultipartUploadCommand({ Bucket, Key, ContentType }), { expiresIn, signableHeaders: SIGNED_CONTENT_TYPE });
		return { url, key: Key, headers: { 'content-type': ContentType } };
	}
	if (!req.uploadId) throw new DomainError(400, 'bad_request', 'Поддерживается только составная загрузка');
	if (asset.uploadId && asset.uploadId !== req.uploadId) throw forbidden('Идентификатор загрузки не совпадает');
	if (!asset.uploadId) db.update(assets).set({ uploadId: req.uploadId, updatedAt: now }).where(eq(assets.id, asset.id)).run();
	const UploadId = req.uploadId;
	if (req.method === 'PUT') {
		if (!req.partNumber) throw new DomainError(400, 'bad_request', 'Не указан номер части');
		const url = await getSignedUrl(s3Presign(), new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: req.partNumber }), { expiresIn });
		return { url, key: Key };
	}
	if (req.method === 'GET') {
		const url = await getSignedUrl(s3Presign(), new ListPartsCommand({ Bucket, Key, UploadId }), { expiresIn });
		return { url, key: Key };
	}
	// POST with uploadId: complete. The parts already stored must fit the declared size and the
	// limit before the object is assembled.
	const parts = await storage(asset.kind, () => listAllParts(Key, UploadId));
	const total = parts.reduce((s, p) => s + (p.Size ?? 0), 0);
	const limit = limitFor(asset, contest.settings);
	if (total > (asset.declaredSize ?? 0) || total > limit) {
		await abortQuietly(Key, UploadId);
		uploads.inc({ kind: asset.kind, event: 'refused' });
		db.update(assets).set({ status: 'rejected', error: `Файл больше заявленного размера или лимита ${fmtBytes(limit)}`, updatedAt: now }).where(eq(assets.id, asset.id)).run();
		throw new DomainError(400, 'too_big', `Файл больше допустимого (${fmtBytes(limit)}) или заявленного размера — загрузка отменена`);
	}
	const url = await getSignedUrl(s3Presign(), new CompleteMultipartUploadCommand({ Bucket, Key, UploadId }), { expiresIn });
	return { url, key: Key };
}

function limitFor(asset: Asset, settings: unknown): number {
	const s = contestSettings(settings);
	return asset.kind === 'video' ? s.videoMaxBytes : s.letterMaxBytes;
}

async function listAllParts(Key: string, UploadId: string): Promise<Part[]> {
	const out: Part[] = [];
	let marker: string | undefined;
	for (;;) {
		const r = await s3().send(new ListPartsCommand({ Bucket: bucket(), Key, UploadId, PartNumberMarker: marker }));
		out.push(...(r.Parts ?? []));
		if (!r.IsTruncated || !r.NextPartNumberMarker) return out;
		marker = String(r.NextPartNumberMarker);
	}
}

async function abortQuietly(Key: string, UploadId: string) {
	try {
		await s3().send(new AbortMultipartUploadCommand({ Bucket: bucket(), Key, UploadId }));
	} catch {
		/* already gone */
	}
}

async function deleteQuietly(Key: string) {
	try {
		await s3().send(new DeleteObjectCommand({ Bucket: bucket(), Key }));
	} catch {
		/* already gone */
	}
}

async function readHead(key: string, bytes: number): Promise<Uint8Array> {
	const r = await s3().send(new GetObjectCommand({ Bucket: bucket(), Key: key, Range: `bytes=0-${bytes - 1}` }));
	const buf = await r.Body!.transformToByteArray();
	return buf.subarray(0, bytes);
}

export interface CompleteResult {
	asset: Asset;
	rejected?: string;
}

/**
 * Called by the browser after S3 completed the multipart upload: verifies the object and keeps
 * it, or removes it with a clear reason. A replaced file of the same kind is removed.
 */
export async function completeUpload(db: DbOrTx, actor: Actor, assetId: string, now = new Date()): Promise<CompleteResult> {
	const { asset, contest } = loadOwnedAsset(db, actor, assetId);
	if (asset.status === 'uploaded' || asset.status === 'processing' || asset.status === 'ready') return { asset };
	if (asset.status !== 'uploading') throw new DomainError(409, 'not_uploading', 'Эта загрузка отменена');
	if (now.getTime() >= graceEnd(contest).getTime() || asset.createdAt.getTime() >= contest.closeAt.getTime())
		throw new DomainError(409, 'closed', 'Срок загрузки истёк: приём заявок завершён');
	const s = contestSettings(contest.settings);
	const reject = async (reason: string): Promise<CompleteResult> => {
		uploads.inc({ kind: asset.kind, event: 'refused' });
		await deleteQuietly(asset.key);
		const a = db.update(assets).set({ status: 'rejected', error: reason, updatedAt: new Date() }).where(eq(assets.id, asset.id)).returning().get();
		return { asset: a, rejected: reason };
	};
	let size: number;
	try {
		const head = await s3().send(new HeadObjectCommand({ Bucket: bucket(), Key: asset.key }));
		size = head.ContentLength ?? 0;
	} catch (e) {
		if (isUnavailable(e)) {
			uploads.inc({ kind: asset.kind, event: 'unavailable' });
			throw new DomainError(503, 'storage_unavailable', STORAGE_UNAVAILABLE, { retryAfterSec: 60 });
		}
		throw new DomainError(409, 'not_found', 'Файл ещё не загружен в хранилище: дождитесь окончания загрузки');
	}
	const limit = limitFor(asset, contest.settings);
	if (size === 0) return reject('Файл пустой');
	if (size > limit) return reject(`Файл больше допустимого: ${fmtBytes(size)} при лимите ${fmtBytes(limit)}`);
	if (asset.declaredSize && size !== asset.declaredSize) return reject('Размер загруженного файла не совпадает с заявленным — загрузите файл ещё раз');
	const sniffed = await sniffType(await storage(asset.kind, () => readHead(asset.key, Math.min(SNIFF_HEAD_BYTES, size))));
	let facts: Record<string, unknown> | null = null;
	if (asset.kind === 'video') {
		if (!isAllowedVideo(sniffed)) return reject('Файл не является видео в формате MP4, MOV, WEBM или M4V — проверьте, что выбран правильный файл');
		if (await ffmpegAvailable()) {
			try {
				const f = await probe(await presignGet(asset.key, { internal: true, expiresIn: 600 }), { timeoutMs: 60_000 });
				const bad = validateFacts(f, { maxDurationSec: s.videoMaxSeconds, maxSizeBytes: s.videoMaxBytes });
				if (bad) return reject(bad.messageRu);
				facts = f as unknown as Record<string, unknown>;
			} catch (e) {
				if (e instanceof MediaError) return reject(e.messageRu);
				throw e;
			}
		}
	} else if (!isAllowedLetter(sniffed)) {
		return reject('Файл не является документом PDF или DOCX — сохраните письмо в одном из этих форматов');
	}
	const previous = db
		.select()
		.from(assets)
		.where(and(eq(assets.applicationId, asset.applicationId!), eq(assets.kind, asset.kind), ne(assets.id, asset.id), inArray(assets.status, ['uploaded', 'processing', 'ready', 'failed'])))
		.all();
	const updated = db.transaction((tx) => {
		for (const p of previous) tx.update(assets).set({ status: 'replaced', updatedAt: now }).where(eq(assets.id, p.id)).run();
		const done = tx
			.update(assets)
			.set({ status: 'uploaded', size, mime: sniffed!.mime, facts, uploadId: null, error: null, uploadedAt: now, updatedAt: now })
			.where(eq(assets.id, asset.id))
			.returning()
			.get();
		// Poster and web rendition (jobs/, media/process.ts): queued in the same transaction.
		if (done.kind === 'video') enqueueMediaProcess(tx, done.id, now);
		return done;
	});
	for (const p of previous) await deleteQuietly(p.key);
	uploads.inc({ kind: asset.kind, event: 'completed' });
	return { asset: updated };
}

/** Cancels an upload: aborts the multipart upload and forgets the asset. */
export async function abortUpload(db: DbOrTx, actor: Actor, assetId: string): Promise<void> {
	const { asset } = loadOwnedAsset(db, actor, assetId);
	if (asset.status !== 'uploading' && asset.status !== 'rejected') throw new DomainError(409, 'not_uploading', 'Эта загрузка уже завершена');
	if (asset.uploadId) await abortQuietly(asset.key, asset.uploadId);
	await deleteQuietly(asset.key);
	db.delete(assets).where(eq(assets.id, asset.id)).run();
}

/** Removes an uploaded file of a draft (the applicant changed their mind). */
export async function deleteUploaded(db: DbOrTx, actor: Actor, assetId: string, now = new Date()): Promise<void> {
	const { asset, contest } = loadOwnedAsset(db, actor, assetId);
	if (!acceptsEdits(contest, now)) throw new DomainError(409, 'closed', 'Приём заявок завершён: файлы больше нельзя изменить');
	await deleteQuietly(asset.key);
	db.update(assets).set({ status: 'replaced', updatedAt: now }).where(eq(assets.id, asset.id)).run();
}

/** The current files of an application, for the wizard and the jury. */
export function currentFiles(db: DbOrTx, applicationId: string) {
	return db
		.select()
		.from(assets)
		.where(and(eq(assets.applicationId, applicationId), inArray(assets.status, ['uploading', 'uploaded', 'processing', 'ready', 'failed', 'rejected'])))
		.all();
}

/** How long an unfinished upload may sit before the sweep cancels it. */
export const STALE_UPLOAD_MS = 48 * 3600_000;

/**
 * Housekeeping (run by the job worker): uploads begun and never completed — a closed tab that
 * never came back — are aborted in S3 (their stored parts cost space) and forgotten, once they are
 * older than STALE_UPLOAD_MS and past their contest's grace period. Resumable uploads within that
 * window are left alone.
 */
export async function sweepStaleUploads(db: DbOrTx, now = new Date()): Promise<{ aborted: number }> {
	const stale = db
		.select({ asset: assets, closeAt: contests.closeAt, settings: contests.settings })
		.from(assets)
		.innerJoin(applications, eq(applications.id, assets.applicationId))
		.innerJoin(contests, eq(contests.id, applications.contestId))
		.where(and(eq(assets.status, 'uploading'), lt(assets.updatedAt, new Date(now.getTime() - STALE_UPLOAD_MS))))
		.all();
	let aborted = 0;
	for (const r of stale) {
		const grace = graceEnd({ closeAt: r.closeAt, settings: r.settings } as never).getTime();
		if (now.getTime() < grace && r.asset.createdAt.getTime() < r.closeAt.getTime() && now.getTime() >= r.closeAt.getTime()) continue;
		if (r.asset.uploadId) await abortQuietly(r.asset.key, r.asset.uploadId);
		await deleteQuietly(r.asset.key);
		db.delete(assets).where(and(eq(assets.id, r.asset.id), eq(assets.status, 'uploading'))).run();
		aborted++;
	}
	return { aborted };
}
