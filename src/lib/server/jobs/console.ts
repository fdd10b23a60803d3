/** The organizer's view of the queue: rows with a readable description and outcome. */
import { inArray, eq } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { applications, assets, JOB_STATUSES, type Job, type JobStatus } from '../db/schema';
import { countJobs, handlerFor, jobCounts, listJobs } from './queue';
import { MEDIA_PROCESS_KIND } from '../media/process';

export const CONSOLE_PAGE_SIZE = 50;

/** Russian names of job kinds for the console. */
export const JOB_KIND_TITLE: Record<string, string> = {
	'mail.send': 'Отправка письма',
	'media.process': 'Обработка видео',
	'mail.decisions': 'Рассылка решений',
	'routing.preview': 'Предпросмотр распределения',
	'routing.apply': 'Применение распределения'
};


export interface ConsoleRow {
	id: string;
	kind: string;
	kindTitle: string;
	what: string;
	status: JobStatus;
	attempts: number;
	maxAttempts: number;
	progress: number | null;
	runAt: number;
	createdAt: number;
	updatedAt: number;
	finishedAt: number | null;
	lockedBy: string | null;
	lastError: string | null;
	outcome: string | null;
}

function outcomeText(job: Job): string | null {
	const r = job.result as Record<string, unknown> | null;
	if (!r) return null;
	switch (r.outcome) {
		case 'ready':
			return `готово: ${r.mode === 'remux' ? 'перепаковка без перекодирования' : 'перекодирование'}`;
		case 'failed':
			return `видео отклонено: ${String(r.message ?? '')}`;
		case 'unavailable':
			return 'обработка недоступна (нет ffmpeg): показывается исходный файл';
		case 'skipped':
			return `пропущено: ${String(r.reason ?? '')}`;
	}
	if (r.messageId) return 'письмо отправлено';
	return null;
}

export function consoleRows(db: DbOrTx, jobs: Job[]): ConsoleRow[] {
	const assetIds = jobs.filter((j) => j.kind === MEDIA_PROCESS_KIND).map((j) => String(j.payload.assetId ?? ''));
	const media = assetIds.length
		? db
				.select({ id: assets.id, name: assets.originalName, status: assets.status, number: applications.number, appId: applications.id })
				.from(assets)
				.leftJoin(applications, eq(applications.id, assets.applicationId))
				.where(inArray(assets.id, assetIds))
				.all()
		: [];
	const byId = new Map(media.map((m) => [m.id, m]));
	return jobs.map((j) => {
		let what = handlerFor(j.kind)?.describe?.(j.payload) ?? '';
		if (j.kind === MEDIA_PROCESS_KIND) {
			const m = byId.get(String(j.payload.assetId ?? ''));
			what = m ? `«${m.name}» — заявка ${m.number ?? '(черновик)'}` : 'видео удалено';
		}
		return {
			id: j.id,
			kind: j.kind,
			kindTitle: JOB_KIND_TITLE[j.kind] ?? j.kind,
			what,
			status: j.status,
			attempts: j.attempts,
			maxAttempts: j.maxAttempts,
			progress: j.progress,
			runAt: j.runAt.getTime(),
			createdAt: j.createdAt.getTime(),
			updatedAt: j.updatedAt.getTime(),
			finishedAt: j.finishedAt?.getTime() ?? null,
			lockedBy: j.lockedBy,
			lastError: j.lastError,
			outcome: outcomeText(j)
		};
	});
}

export interface ConsoleQuery {
	status?: string | null;
	kind?: string | null;
	page?: string | null;
}

export function jobConsole(db: DbOrTx, q: ConsoleQuery) {
	const status = JOB_STATUSES.includes(q.status as JobStatus) ? (q.status as JobStatus) : undefined;
	const counts = jobCounts(db);
	const kinds = [...new Set([...Object.keys(JOB_KIND_TITLE), ...Object.keys(counts.byKind)])].sort();
	const kind = q.kind && kinds.includes(q.kind) ? q.kind : undefined;
	const total = countJobs(db, { status, kind });
	const pages = Math.max(1, Math.ceil(total / CONSOLE_PAGE_SIZE));
	const page = Math.min(pages, Math.max(1, Number.parseInt(q.page ?? '1', 10) || 1));
	const rows = consoleRows(db, listJobs(db, { status, kind, limit: CONSOLE_PAGE_SIZE, offset: (page - 1) * CONSOLE_PAGE_SIZE }));
	return {
		filter: { status: status ?? '', kind: kind ?? '' },
		kinds: kinds.map((k) => ({ kind: k, title: JOB_KIND_TITLE[k] ?? k })),
		counts,
		rows,
		total,
		page,
		pages
	};
}
