/**
 * Media of a practice page: short-lived presigned URLs of its video (the web rendition when the
 * media pipeline made one, else the original), its poster (the generated SVG when it has none)
 * and its documents. Objects stay private; only these URLs reach the browser.
 */
import { and, desc, eq, inArray } from 'drizzle-orm';
import type { DB } from '../db/client';
import { assets, type Practice } from '../db/schema';
import { presignGet } from '../storage/presign';
import { listDocuments } from './practices';

/** Presigned page links live long enough for a visitor to read the page and press play. */
export const MEDIA_URL_TTL_SEC = 4 * 3600;
/** Links are signed per hour (presign.ts, stableForSec): a practice page stays the same bytes within it. */
export const MEDIA_URL_WINDOW_SEC = 3600;

/** A page link to a library file: its sniffed type forced, documents as downloads (storage/presign.ts). */
export function presign(file: { key: string; mime: string | null }, opts: { filename?: string; download?: boolean; expiresIn?: number } = {}) {
	return presignGet(file.key, { type: file.mime, filename: opts.filename, download: opts.download, expiresIn: opts.expiresIn ?? MEDIA_URL_TTL_SEC, stableForSec: MEDIA_URL_WINDOW_SEC });
}

export interface PracticeMedia {
	video: { url: string; mime: string; durationSec: number | null } | null;
	poster: string;
	posterIsGenerated: boolean;
	documents: { id: string; name: string; size: number; mime: string; url: string }[];
}

/** The video shown publicly: only with the author's consent, and only when its file is usable. */
export function publicVideoAsset(db: DB, p: Practice) {
	if (!p.videoAssetId || !p.videoConsent) return null;
	const v = db.select().from(assets).where(eq(assets.id, p.videoAssetId)).get();
	if (!v || !['ready', 'uploaded', 'processing'].includes(v.status)) return null;
	return v;
}

export async function practiceMedia(db: DB, p: Practice, opts: { showUnconsentedVideo?: boolean } = {}): Promise<PracticeMedia> {
	const posterRoute = `/library/${p.slug}/poster.svg`;
	let video: PracticeMedia['video'] = null;
	let poster = posterRoute;
	let posterIsGenerated = true;
	const v = publicVideoAsset(db, p) ?? (opts.showUnconsentedVideo && p.videoAssetId ? db.select().from(assets).where(eq(assets.id, p.videoAssetId)).get() : null);
	if (v) {
		const rendition = db
			.select()
			.from(assets)
			.where(and(eq(assets.parentId, v.id), eq(assets.kind, 'rendition'), eq(assets.status, 'ready')))
			.orderBy(desc(assets.createdAt))
			.get();
		const file = rendition ?? v;
		const facts = (v.facts ?? {}) as { durationSec?: number };
		video = { url: await presign(file), mime: file.mime ?? 'video/mp4', durationSec: typeof facts.durationSec === 'number' ? facts.durationSec : null };
	}
	const posterIds = [p.posterAssetId].filter((x): x is string => !!x);
	if (!posterIds.length && v) {
		const auto = db.select().from(assets).where(and(eq(assets.parentId, v.id), eq(assets.kind, 'poster'), eq(assets.status, 'ready'))).get();
		if (auto) posterIds.push(auto.id);
	}
	if (posterIds.length) {
		const pa = db.select().from(assets).where(and(inArray(assets.id, posterIds), eq(assets.status, 'ready'))).get();
		if (pa) {
			poster = await presign(pa);
			posterIsGenerated = false;
		}
	}
	const documents = await Promise.all(
		listDocuments(db, p.id).map(async (d) => ({ id: d.id, name: d.originalName, size: d.size ?? 0, mime: d.mime ?? '', url: await presign(d, { filename: d.originalName, download: true }) }))
	);
	return { video, poster, posterIsGenerated, documents };
}
