/**
 * Files of the library that an organizer sends: documents of a practice (положение, программы,
 * чек-листы), a video of a practice entered directly, and CSV/XLSX files to import. The browser
 * PUTs the bytes straight to S3 by a presigned URL (no request body limit of the app server
 * applies, and video bytes never pass through it). Documents and videos then take the same path
 * as an applicant's files (media/intake.ts): size, real type from the first bytes, video facts,
 * and for a video the `media.process` job — so a practice's own video gets a poster and a web
 * rendition too. Import files are not assets: they are read once by the import and deleted.
 */
import { and, eq, inArray } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { assets, practices, type Asset } from '../db/schema';
import { audit } from '../audit';
import { DomainError, forbidden, notFound } from '../errors';
import { newId } from '../ids';
import { presignPut } from '../storage/multipart';
import { headSize, readObject } from '../storage/objects';
import { extOf, matchesExt } from '../media/sniff';
import { finishUpload, recordUploading } from '../media/intake';
import { LIBRARY_VIDEO_LIMITS } from '../media/process';
import type { Actor } from '../actor';
import { requireOwner } from '../auth/access';

/** Route files delete an import file or a removed document with it. */
export { deleteObjectQuietly } from '../storage/objects';

export const PRACTICE_FILE_KINDS = ['document', 'video', 'import'] as const;
export type PracticeFileKind = (typeof PRACTICE_FILE_KINDS)[number];

const MB = 1024 * 1024;
export const FILE_RULES: Record<PracticeFileKind, { exts: string[]; maxBytes: number; title: string }> = {
	document: { exts: ['pdf', 'docx', 'xlsx', 'pptx', 'odt', 'ods'], maxBytes: 20 * MB, title: 'Документ' },
	video: { exts: ['mp4', 'webm', 'mov', 'm4v'], maxBytes: LIBRARY_VIDEO_LIMITS.maxSizeBytes, title: 'Видео' },
	import: { exts: ['csv', 'xlsx'], maxBytes: 10 * MB, title: 'Файл импорта' }
};

/** The type the PUT is signed with (the kept type is the sniffed one). */
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

/** A presigned PUT of a library file stays valid this long (a large video on a slow link). */
const PUT_URL_TTL_SEC = 3600;

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

function assertOrganizer(actor: Actor) {
	if (actor.role !== 'organizer') throw forbidden('Загружать файлы библиотеки могут только организаторы');
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
	assertOrganizer(actor);
	const ext = checkDeclared(req.kind, req.filename, req.size);
	const id = newId();
	let key: string;
	const contentType = MIME_BY_EXT[ext] ?? 'application/octet-stream';
	if (req.kind === 'import') {
		key = `imports/${actor.id}/${id}.${ext}`;
	} else {
		if (!req.practiceId) throw new DomainError(400, 'no_practice', 'Не указана практика');
		const p = db.select({ id: practices.id }).from(practices).where(eq(practices.id, req.practiceId)).get();
		if (!p) throw notFound('Практика не найдена');
		key = `practices/${p.id}/${req.kind === 'video' ? 'video' : 'documents'}/${id}.${ext}`;
		recordUploading(db, { id, ownerId: actor.id, practiceId: p.id, kind: req.kind, key, originalName: req.filename, declaredType: contentType, declaredSize: req.size }, now);
	}
	return { id, key, url: await presignPut(key, contentType, req.size, PUT_URL_TTL_SEC), headers: { 'content-type': contentType } };
}

/**
 * Finishes a document or video upload through the one upload pipeline: the object must exist
 * with the declared size and be what its name says. A document is shown at once; a video becomes
 * the practice's video (published with the organizer's confirmation of consent, like a video from
 * an application) and is processed like an applicant's: poster and web rendition.
 */
export async function completePracticeUpload(db: DbOrTx, actor: Actor, assetId: string, now = new Date()): Promise<Asset> {
	assertOrganizer(actor);
	const a = db.select().from(assets).where(eq(assets.id, assetId)).get();
	if (!a || !a.practiceId || (a.kind !== 'document' && a.kind !== 'video')) throw notFound('Загрузка не найдена');
	if (a.status === 'ready' || a.status === 'uploaded' || a.status === 'processing') return a;
	if (a.status !== 'uploading') throw new DomainError(409, 'not_uploading', 'Эта загрузка уже завершена или отменена');
	const declared = extOf(a.key);
	const video = a.kind === 'video';
	const r = await finishUpload(
		db,
		a,
		{
			maxBytes: FILE_RULES[video ? 'video' : 'document'].maxBytes,
			checkType: (t) => (matchesExt(declared, t) ? null : `Содержимое файла «${a.originalName}» не соответствует формату ${declared.toUpperCase()} — проверьте, что выбран правильный файл`),
			video: video ? LIBRARY_VIDEO_LIMITS : undefined,
			keptAs: video ? 'uploaded' : 'ready',
			// The practice's previous own video is replaced (a video of an application is not touched).
			replaces: (tx, kept) =>
				video
					? tx
							.select()
							.from(assets)
							.where(and(eq(assets.practiceId, kept.practiceId!), eq(assets.kind, 'video'), inArray(assets.status, ['uploaded', 'processing', 'ready', 'failed'])))
							.all()
					: [],
			onKept: (tx, kept) => {
				if (video) tx.update(practices).set({ videoAssetId: kept.id, posterAssetId: null, updatedAt: now }).where(eq(practices.id, kept.practiceId!)).run();
				audit(db, { actorId: actor.id, action: video ? 'practice.video_upload' : 'practice.document_add', entity: 'practice', entityId: kept.practiceId, after: { asset: kept.id, name: kept.originalName, size: kept.size } }, now);
			}
		},
		now
	);
	if (r.rejected) throw new DomainError(400, 'rejected', r.rejected);
	return r.asset;
}

/** Reads an uploaded import file (it must be the actor's own and within the limits). */
export async function readImportUpload(actor: Actor, key: string): Promise<{ name: string; bytes: Uint8Array }> {
	const m = /^imports\/([a-z0-9]+)\/([a-z0-9]+)\.(csv|xlsx)$/.exec(key) ?? [];
	requireOwner(actor, m[1], 'Файл импорта не найден');
	const size = await headSize(key).catch(() => null);
	if (size === null) throw new DomainError(404, 'not_found', 'Файл импорта не найден в хранилище: загрузите его ещё раз');
	if (size > FILE_RULES.import.maxBytes) throw new DomainError(400, 'too_big', 'Файл импорта больше 10 МБ');
	return { name: `import.${m[3]}`, bytes: await readObject(key) };
}
