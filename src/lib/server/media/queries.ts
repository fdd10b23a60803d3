/** Who may see a video, the current video of an application, and counts for organizers. */
import { and, desc, eq, inArray, notInArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { assets, jobs, type Asset } from '../db/schema';
import { forbidden, notFound } from '../errors';
import { MEDIA_PROCESS_KIND, enqueueMediaProcess } from './process';
import { canSeeVideo } from '../auth/access';

export interface Viewer {
	id: string;
	role: string;
}

/** The owner and organizers; everyone else gets 403 (the jury checks its assignments itself). */
export function videoForViewer(db: DbOrTx, viewer: Viewer, assetId: string): Asset {
	const a = db.select().from(assets).where(eq(assets.id, assetId)).get();
	if (!a || a.kind !== 'video') throw notFound('Видео не найдено');
	if (!canSeeVideo(viewer, a)) throw forbidden('Нет доступа к этому видео');
	return a;
}

/** The application's latest video that is not replaced (may be failed or rejected). */
export function currentVideo(db: DbOrTx, applicationId: string): Asset | undefined {
	return db
		.select()
		.from(assets)
		.where(and(eq(assets.applicationId, applicationId), eq(assets.kind, 'video'), notInArray(assets.status, ['replaced', 'uploading'])))
		.orderBy(desc(assets.createdAt))
		.limit(1)
		.get();
}

export interface VideoSummary {
	byStatus: Record<string, number>;
	unavailable: number;
	remux: number;
	transcode: number;
	renditionBytes: number;
	/** Uploaded videos with no queued or running processing job. */
	unprocessed: number;
}

export function videoSummary(db: DbOrTx): VideoSummary {
	const rows = db
		.select({ status: assets.status, n: sql<number>`count(*)` })
		.from(assets)
		.where(and(eq(assets.kind, 'video'), notInArray(assets.status, ['replaced'])))
		.groupBy(assets.status)
		.all();
	const state = sql<string | null>`json_extract(${assets.facts}, '$.processing.state')`;
	const mode = sql<string | null>`json_extract(${assets.facts}, '$.processing.mode')`;
	const notes = db
		.select({ state, mode, n: sql<number>`count(*)` })
		.from(assets)
		.where(and(eq(assets.kind, 'video'), notInArray(assets.status, ['replaced'])))
		.groupBy(state, mode)
		.all();
	const bytes = db
		.select({ b: sql<number>`coalesce(sum(${assets.size}), 0)` })
		.from(assets)
		.where(and(eq(assets.kind, 'rendition'), eq(assets.status, 'ready')))
		.get();
	return {
		byStatus: Object.fromEntries(rows.map((r) => [r.status, r.n])),
		unavailable: notes.filter((r) => r.state === 'unavailable').reduce((s, r) => s + r.n, 0),
		remux: notes.filter((r) => r.state === 'done' && r.mode === 'remux').reduce((s, r) => s + r.n, 0),
		transcode: notes.filter((r) => r.state === 'done' && r.mode === 'transcode').reduce((s, r) => s + r.n, 0),
		renditionBytes: bytes?.b ?? 0,
		unprocessed: unprocessedIds(db).length
	};
}

function unprocessedIds(db: DbOrTx): string[] {
	return db
		.select({ id: assets.id })
		.from(assets)
		.where(
			and(
				eq(assets.kind, 'video'),
				eq(assets.status, 'uploaded'),
				notInArray(
					assets.id,
					db
						.select({ id: sql<string>`json_extract(${jobs.payload}, '$.assetId')` })
						.from(jobs)
						.where(and(eq(jobs.kind, MEDIA_PROCESS_KIND), inArray(jobs.status, ['queued', 'running'])))
				)
			)
		)
		.all()
		.map((r) => r.id);
}

/** Queues processing for every uploaded video without a job (e.g. after ffmpeg was installed). */
export function queueUnprocessed(db: DbOrTx): number {
	const ids = unprocessedIds(db);
	db.transaction((tx) => {
		for (const id of ids) enqueueMediaProcess(tx, id);
	});
	return ids.length;
}
