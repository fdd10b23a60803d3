/**
 * The applicant's uploads (DESIGN.md, flow 2): the use case around the one upload pipeline
 * (media/intake.ts). The browser asks for an upload of one kind for one of its applications; this
 * module checks role, ownership, the phase and the deadline, the declared size and type, chooses
 * the key and records an asset `uploading`. Uppy then asks the server to sign every S3 request
 * (create multipart, parts, list, complete, abort) through one endpoint; only requests for that
 * asset's key are signed, and the parts are summed against the limit before the completion is
 * signed. Completion goes through `finishUpload` (size, real type, video facts, the media job).
 * Video bytes never pass through the app server.
 */
import { and, eq, inArray, lt } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { applications, assets, contests, type Asset } from '../db/schema';
import { newId } from '../ids';
import { DomainError, forbidden, notFound } from '../errors';
import { contestSettings } from '../contests/settings';
import { loadOwned } from './service';
import { acceptsEdits, graceEnd } from '../contests/deadline';
import type { Actor } from '../actor';
import { requireOwner } from '../auth/access';
import { abortMultipartQuietly, listAllParts, presignMultipart } from '../storage/multipart';
import { deleteObjectQuietly } from '../storage/objects';
import { uploads } from '../ops/metrics';
import { extOf, isAllowedLetter, isAllowedVideo } from '../media/sniff';
import { finishUpload, recordUploading, storageStep, type Finished } from '../media/intake';
import { fmtBytes } from '../../format';

export { STORAGE_UNAVAILABLE } from '../media/intake';

export const PART_URL_TTL_SEC = 15 * 60;
export const LETTER_EXTS = ['pdf', 'docx'];

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
	return recordUploading(
		db,
		{ id, ownerId: actor.id, applicationId: app.id, kind: req.kind, key, originalName: req.filename, declaredType: req.type, declaredSize: req.size },
		now
	);
}

function loadOwnedAsset(db: DbOrTx, actor: Actor, assetId: string, byKey = false) {
	const asset = db.select().from(assets).where(byKey ? eq(assets.key, assetId) : eq(assets.id, assetId)).get();
	if (!asset || !asset.applicationId) throw notFound('Загрузка не найдена');
	requireOwner(actor, asset.ownerId, 'Нет доступа к этой загрузке');
	const { app, contest } = loadOwned(db, actor, asset.applicationId);
	return { asset, app, contest };
}

/** Uploads begun before the deadline may go on during the grace period. */
function withinUploadWindow(asset: Asset, contest: { closeAt: Date; settings: unknown }, now: Date): boolean {
	const end = graceEnd(contest as never).getTime();
	return asset.createdAt.getTime() < contest.closeAt.getTime() && now.getTime() < end;
}

function assertUploadWindow(asset: Asset, contest: { closeAt: Date; settings: unknown }, now: Date) {
	if (asset.status !== 'uploading') throw new DomainError(409, 'not_uploading', 'Эта загрузка уже завершена или отменена');
	if (!withinUploadWindow(asset, contest, now)) throw new DomainError(409, 'closed', 'Срок загрузки истёк: приём заявок завершён');
}

export interface SignRequest {
	method: 'POST' | 'PUT' | 'GET' | 'DELETE';
	key: string;
	uploadId?: string;
	partNumber?: number;
}

/** The type the multipart object is created with (signed): from the server-chosen extension. */
function createType(asset: Asset): string {
	const ext = extOf(asset.key);
	if (asset.kind === 'video') return ext === 'mov' ? 'video/quicktime' : ext === 'webm' ? 'video/webm' : 'video/mp4';
	return ext === 'pdf' ? 'application/pdf' : 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
}

/**
 * Signs one S3 request of Uppy's multipart flow. The key names the upload: it must be the key of
 * an asset of this user, chosen by the server when the upload was started.
 */
export async function signUploadRequest(db: DbOrTx, actor: Actor, req: SignRequest, now = new Date()): Promise<{ url: string; key: string; headers?: Record<string, string> }> {
	const { asset, contest } = loadOwnedAsset(db, actor, req.key, true);
	const key = asset.key;
	const ttl = PART_URL_TTL_SEC;
	if (req.method === 'DELETE' && req.uploadId) {
		// Abort is always allowed (it only cleans up).
		return { url: await presignMultipart(key, { step: 'abort', uploadId: req.uploadId }, ttl), key };
	}
	assertUploadWindow(asset, contest, now);
	if (req.method === 'POST' && !req.uploadId) {
		db.update(assets).set({ uploadId: null, updatedAt: now }).where(eq(assets.id, asset.id)).run();
		const contentType = createType(asset);
		return { url: await presignMultipart(key, { step: 'create', contentType }, ttl), key, headers: { 'content-type': contentType } };
	}
	if (!req.uploadId) throw new DomainError(400, 'bad_request', 'Поддерживается только составная загрузка');
	if (asset.uploadId && asset.uploadId !== req.uploadId) throw forbidden('Идентификатор загрузки не совпадает');
	if (!asset.uploadId) db.update(assets).set({ uploadId: req.uploadId, updatedAt: now }).where(eq(assets.id, asset.id)).run();
	const uploadId = req.uploadId;
	if (req.method === 'PUT') {
		if (!req.partNumber) throw new DomainError(400, 'bad_request', 'Не указан номер части');
		return { url: await presignMultipart(key, { step: 'part', uploadId, partNumber: req.partNumber }, ttl), key };
	}
	if (req.method === 'GET') return { url: await presignMultipart(key, { step: 'list', uploadId }, ttl), key };
	// POST with uploadId: complete. The parts already stored must fit the declared size and the
	// limit before the object is assembled.
	const parts = await storageStep(asset.kind, () => listAllParts(key, uploadId));
	const total = parts.reduce((s, p) => s + (p.Size ?? 0), 0);
	const limit = limitFor(asset, contest.settings);
	if (total > (asset.declaredSize ?? 0) || total > limit) {
		await abortMultipartQuietly(key, uploadId);
		uploads.inc({ kind: asset.kind, event: 'refused' });
		db.update(assets).set({ status: 'rejected', error: `Файл больше заявленного размера или лимита ${fmtBytes(limit)}`, updatedAt: now }).where(eq(assets.id, asset.id)).run();
		throw new DomainError(400, 'too_big', `Файл больше допустимого (${fmtBytes(limit)}) или заявленного размера — загрузка отменена`);
	}
	return { url: await presignMultipart(key, { step: 'complete', uploadId }, ttl), key };
}

function limitFor(asset: Asset, settings: unknown): number {
	const s = contestSettings(settings);
	return asset.kind === 'video' ? s.videoMaxBytes : s.letterMaxBytes;
}

/**
 * Called by the browser after S3 completed the multipart upload: verifies the object and keeps
 * it, or removes it with a clear reason. A replaced file of the same kind is removed.
 */
export async function completeUpload(db: DbOrTx, actor: Actor, assetId: string, now = new Date()): Promise<Finished> {
	const { asset, contest } = loadOwnedAsset(db, actor, assetId);
	if (asset.status === 'uploaded' || asset.status === 'processing' || asset.status === 'ready') return { asset };
	if (asset.status !== 'uploading') throw new DomainError(409, 'not_uploading', 'Эта загрузка отменена');
	if (!withinUploadWindow(asset, contest, now)) throw new DomainError(409, 'closed', 'Срок загрузки истёк: приём заявок завершён');
	const s = contestSettings(contest.settings);
	return finishUpload(
		db,
		asset,
		{
			maxBytes: limitFor(asset, contest.settings),
			checkType:
				asset.kind === 'video'
					? (t) => (isAllowedVideo(t) ? null : 'Файл не является видео в формате MP4, MOV, WEBM или M4V — проверьте, что выбран правильный файл')
					: (t) => (isAllowedLetter(t) ? null : 'Файл не является документом PDF или DOCX — сохраните письмо в одном из этих форматов'),
			video: asset.kind === 'video' ? { maxDurationSec: s.videoMaxSeconds, maxSizeBytes: s.videoMaxBytes } : undefined,
			replaces: (tx, kept) =>
				tx
					.select()
					.from(assets)
					.where(and(eq(assets.applicationId, kept.applicationId!), eq(assets.kind, kept.kind), inArray(assets.status, ['uploaded', 'processing', 'ready', 'failed'])))
					.all()
		},
		now
	);
}

/** Cancels an upload: aborts the multipart upload and forgets the asset. */
export async function abortUpload(db: DbOrTx, actor: Actor, assetId: string): Promise<void> {
	const { asset } = loadOwnedAsset(db, actor, assetId);
	if (asset.status !== 'uploading' && asset.status !== 'rejected') throw new DomainError(409, 'not_uploading', 'Эта загрузка уже завершена');
	if (asset.uploadId) await abortMultipartQuietly(asset.key, asset.uploadId);
	await deleteObjectQuietly(asset.key);
	db.delete(assets).where(eq(assets.id, asset.id)).run();
}

/** Removes an uploaded file of a draft (the applicant changed their mind). */
export async function deleteUploaded(db: DbOrTx, actor: Actor, assetId: string, now = new Date()): Promise<void> {
	const { asset, contest } = loadOwnedAsset(db, actor, assetId);
	if (!acceptsEdits(contest, now)) throw new DomainError(409, 'closed', 'Приём заявок завершён: файлы больше нельзя изменить');
	await deleteObjectQuietly(asset.key);
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
		if (r.asset.uploadId) await abortMultipartQuietly(r.asset.key, r.asset.uploadId);
		await deleteObjectQuietly(r.asset.key);
		db.delete(assets).where(and(eq(assets.id, r.asset.id), eq(assets.status, 'uploading'))).run();
		aborted++;
	}
	return { aborted };
}
