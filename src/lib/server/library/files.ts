/**
 * Files of the library that an organizer sends: documents of a practice (положение, программы,
 * чек-листы), a video of a practice entered directly, and CSV/XLSX files to import. The browser
 * PUTs the bytes straight to S3 by a presigned URL (no request body limit of the app server
 * applies, and video bytes never pass through it); then the server checks the size with HEAD and
 * the real type from the first bytes, and only then keeps the file.
 */
import { and, eq, ne } from 'drizzle-orm';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { fileTypeFromBuffer } from 'file-type';
import type { DbOrTx } from '../db/client';
import { assets, practices, type Asset } from '../db/schema';
import { audit } from '../audit';
import { DomainError, forbidden, notFound } from '../errors';
import { newId } from '../ids';
import { bucket, s3, s3Presign } from '../storage/s3';
import { SIGNED_CONTENT_TYPE } from '../storage/presign';
import type { Actor } from '../actor';
import { requireOwner } from '../auth/access';

export const PRACTICE_FILE_KINDS = ['document', 'video', 'import'] as const;
export type PracticeFileKind = (typeof PRACTICE_FILE_KINDS)[number];

const MB = 1024 * 1024;
export const FILE_RULES: Record<PracticeFileKind, { exts: string[]; maxBytes: number; title: string }> = {
	document: { exts: ['pdf', 'docx', 'xlsx', 'pptx', 'odt', 'ods'], maxBytes: 20 * MB, title: 'Документ' },
	video: { exts: ['mp4', 'webm', 'mov', 'm4v'], maxBytes: 1024 * MB, title: 'Видео' },
	import: { exts: ['csv', 'xlsx'], maxBytes: 10 * MB, title: 'Файл импорта' }
};

const MIME_BY_EXT: Record<string, string> = {
	pdf: 'application/pdf',
	docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
	xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
	pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
	odt: 'application/vnd.oasis.opendocument.text',
	ods: 'application/vnd.oasis.opendocument.spreadsheet',
	mp4: 'video/mp4',
	m4v: 'video/mp4',
	webm: 'video/webm',
	mov: 'video/quicktime',
	csv: 'text/csv'
};

export function extOf(filename: string): string {
	const m = /\.([a-z0-9]{1,5})$/i.exec(filename.trim());
	return m ? m[1].toLowerCase() : '';
}

function fmtMb(n: number) {
	return n >= 1024 * MB ? `${(n / 1024 / MB).toFixed(0)} ГБ` : `${Math.round(n / MB)} МБ`;
}

/** Checks what the browser declares before anything is signed. */
export function checkDeclared(kind: PracticeFileKind, filename: string, size: number): string {
	const rule = FILE_RULES[kind];
	const ext = extOf(filename);
	if (!rule.exts.includes(ext)) throw new DomainError(400, 'bad_type', `${rule.title}: принимаются файлы ${rule.exts.map((e) => e.toUpperCase()).join(', ')}; «${filename.slice(0, 100)}» не подходит`);
	if (!Number.isInteger(size) || size <= 0) throw new DomainError(400, 'empty', 'Файл пустой');
	if (size > rule.maxBytes) throw new DomainError(400, 'too_big', `${rule.title} больше ${fmtMb(rule.maxBytes)}`);
	return ext;
}

export interface StartedUpload {
	/** The asset id (documents, videos) or the import id. */
	id: string;
	key: string;
	url: string;
	headers: Record<string, string>;
}

/**
 * Starts an upload: records the asset as `uploading` (documents, videos) and signs one PUT of the
 * declared length. Import files are not assets: their key lives under `imports/`.
 */
export async function startPracticeUpload(
	db: DbOrTx,
	actor: Actor,
	req: { kind: PracticeFileKind; practiceId?: string | null; filename: string; size: number },
	now = new Date()
): Promise<StartedUpload> {
	if (actor.role !== 'organizer') throw forbidden('Загружать файлы библиотеки могут только организаторы');
	const ext = checkDeclared(req.kind, req.filename, req.size);
	const id = newId();
	let key: string;
	if (req.kind === 'import') {
		key = `imports/${actor.id}/${id}.${ext}`;
	} else {
		if (!req.practiceId) throw new DomainError(400, 'no_practice', 'Не указана практика');
		const p = db.select({ id: practices.id }).from(practices).where(eq(practices.id, req.practiceId)).get();
		if (!p) throw notFound('Практика не найдена');
		key = `practices/${p.id}/${req.kind === 'video' ? 'video' : 'documents'}/${id}.${ext}`;
		db.insert(assets)
			.values({ id, ownerId: actor.id, practiceId: p.id, kind: req.kind, status: 'uploading', key, originalName: req.filename.slice(0, 255), declaredType: MIME_BY_EXT[ext], declaredSize: req.size, createdAt: now, updatedAt: now })
			.run();
	}
	const ContentType = MIME_BY_EXT[ext] ?? 'application/octet-stream';
	// Content type and length are signed: S3 refuses a PUT that carries others.
	const url = await getSignedUrl(s3Presign(), new PutObjectCommand({ Bucket: bucket(), Key: key, ContentType, ContentLength: req.size }), { expiresIn: 3600, signableHeaders: SIGNED_CONTENT_TYPE });
	return { id, key, url, headers: { 'content-type': ContentType } };
}

async function head(key: string): Promise<number | null> {
	try {
		const h = await s3().send(new HeadObjectCommand({ Bucket: bucket(), Key: key }));
		return h.ContentLength ?? 0;
	} catch {
		return null;
	}
}

export async function readObject(key: string, range?: string): Promise<Uint8Array> {
	const r = await s3().send(new GetObjectCommand({ Bucket: bucket(), Key: key, Range: range }));
	return r.Body!.transformToByteArray();
}

export async function deleteObjectQuietly(key: string) {
	try {
		await s3().send(new DeleteObjectCommand({ Bucket: bucket(), Key: key }));
	} catch {
		/* already gone */
	}
}

/** The real type of a file from its first bytes: the extension it deserves, or null. */
export async function sniffExt(bytes: Uint8Array): Promise<string | null> {
	try {
		const t = await fileTypeFromBuffer(bytes);
		if (!t) return null;
		if (t.ext === 'mp4' || t.ext === 'f4v' || t.ext === 'm4v') return 'mp4';
		return String(t.ext);
	} catch {
		return null;
	}
}

function sameFamily(kind: PracticeFileKind, declared: string, sniffed: string | null): boolean {
	if (!sniffed) return false;
	if (kind === 'video') return ['mp4', 'mov', 'webm'].includes(sniffed) && (sniffed === declared || (declared === 'm4v' && sniffed === 'mp4') || (declared === 'mp4' && sniffed === 'mov') || (declared === 'mov' && sniffed === 'mp4'));
	return sniffed === declared;
}

/**
 * Finishes a document or video upload: the object must exist with the declared size and be what
 * its name says. A video becomes the practice's video (published with the organizer's
 * confirmation of consent, like a video from an application).
 */
export async function completePracticeUpload(db: DbOrTx, actor: Actor, assetId: string, now = new Date()): Promise<Asset> {
	if (actor.role !== 'organizer') throw forbidden('Загружать файлы библиотеки могут только организаторы');
	const a = db.select().from(assets).where(and(eq(assets.id, assetId))).get();
	if (!a || !a.practiceId || (a.kind !== 'document' && a.kind !== 'video')) throw notFound('Загрузка не найдена');
	if (a.status === 'ready') return a;
	if (a.status !== 'uploading') throw new DomainError(409, 'not_uploading', 'Эта загрузка уже завершена или отменена');
	const reject = async (reason: string): Promise<never> => {
		await deleteObjectQuietly(a.key);
		db.update(assets).set({ status: 'rejected', error: reason, updatedAt: now }).where(eq(assets.id, a.id)).run();
		throw new DomainError(400, 'rejected', reason);
	};
	const size = await head(a.key);
	if (size === null) throw new DomainError(409, 'not_uploaded', 'Файл ещё не загружен в хранилище: дождитесь окончания загрузки');
	if (size === 0) return reject('Файл пустой');
	if (size !== a.declaredSize) return reject('Размер загруженного файла не совпадает с заявленным — загрузите файл ещё раз');
	const declared = extOf(a.key);
	const sniffed = await sniffExt(await readObject(a.key, `bytes=0-${Math.min(size, 65536) - 1}`));
	if (!sameFamily(a.kind as PracticeFileKind, declared, sniffed))
		return reject(`Содержимое файла «${a.originalName}» не соответствует формату ${declared.toUpperCase()} — проверьте, что выбран правильный файл`);
	const replaced: string[] = [];
	const done = db.transaction(() => {
		const row = db.update(assets).set({ status: 'ready', size, mime: MIME_BY_EXT[declared] ?? a.declaredType, updatedAt: now }).where(eq(assets.id, a.id)).returning().get();
		if (a.kind === 'video') {
			// The practice's previous own video is replaced (a video of an application is not touched).
			const prev = db.select().from(assets).where(and(eq(assets.practiceId, a.practiceId!), eq(assets.kind, 'video'), eq(assets.status, 'ready'), ne(assets.id, a.id))).all();
			for (const p of prev) {
				db.update(assets).set({ status: 'replaced', updatedAt: now }).where(eq(assets.id, p.id)).run();
				replaced.push(p.key);
			}
			db.update(practices).set({ videoAssetId: a.id, posterAssetId: null, updatedAt: now }).where(eq(practices.id, a.practiceId!)).run();
		}
		audit(db, { actorId: actor.id, action: a.kind === 'video' ? 'practice.video_upload' : 'practice.document_add', entity: 'practice', entityId: a.practiceId, after: { asset: a.id, name: a.originalName, size } }, now);
		return row;
	});
	for (const k of replaced) await deleteObjectQuietly(k);
	return done;
}

/** Reads an uploaded import file (it must be the actor's own and within the limits). */
export async function readImportUpload(actor: Actor, key: string): Promise<{ name: string; bytes: Uint8Array }> {
	const m = /^imports\/([a-z0-9]+)\/([a-z0-9]+)\.(csv|xlsx)$/.exec(key) ?? [];
	requireOwner(actor, m[1], 'Файл импорта не найден');
	const size = await head(key);
	if (size === null) throw new DomainError(404, 'not_found', 'Файл импорта не найден в хранилище: загрузите его ещё раз');
	if (size > FILE_RULES.import.maxBytes) throw new DomainError(400, 'too_big', 'Файл импорта больше 10 МБ');
	return { name: `import.${m[3]}`, bytes: await readObject(key) };
}
