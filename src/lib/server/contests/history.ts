/** The contest's audit events told in Russian for its console page. */
import { and, desc, eq } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { auditEvents, users } from '../db/schema';
import { CONTEST_FIELD_LABEL, NOMINATION_FIELD_LABEL } from '../../schemas/contest';
import { TRACK_TITLE } from '../../glossary';
import { PHASE_TITLE } from '../../glossary';
import { fmtBytes, fmtDateTime, fmtNumber, plural } from '../../format';

const LABEL: Record<string, string> = {
	...CONTEST_FIELD_LABEL,
	videoMaxBytes: CONTEST_FIELD_LABEL.videoMaxSize,
	videoMaxSeconds: CONTEST_FIELD_LABEL.videoMaxDuration,
	letterMaxBytes: CONTEST_FIELD_LABEL.letterMaxMb,
	...NOMINATION_FIELD_LABEL
};
const NOM_LABEL: Record<string, string> = { ...NOMINATION_FIELD_LABEL, title: 'Название', slug: 'Адрес', description: 'Описание' };

function show(key: string, v: unknown): string {
	if (v === null || v === undefined || v === '') return '—';
	if (/At$/.test(key) && typeof v === 'string') return fmtDateTime(v);
	if (/Bytes$/.test(key) && typeof v === 'number') return fmtBytes(v);
	if (key === 'videoMaxSeconds' && typeof v === 'number') return v % 60 === 0 ? `${v / 60} мин` : `${v} с`;
	if (key === 'uploadGraceMinutes' && typeof v === 'number') return `${v} мин`;
	if (key === 'track' && typeof v === 'string') return TRACK_TITLE[v as keyof typeof TRACK_TITLE] ?? v;
	if (Array.isArray(v)) return v.map(String).join(', ').toUpperCase();
	if (typeof v === 'boolean') return v ? 'да' : 'нет';
	if (typeof v === 'number') return fmtNumber(v, 2);
	const s = String(v);
	return s.length > 80 ? s.slice(0, 77) + '…' : s;
}

function changes(before: Record<string, unknown>, after: Record<string, unknown>, labels: Record<string, string>): string[] {
	const out: string[] = [];
	for (const k of Object.keys(after)) {
		if (!(k in labels)) continue;
		if (k === 'rules' || k === 'description') out.push(`${labels[k]}: текст изменён`);
		else out.push(`${labels[k]}: ${show(k, before[k])} → ${show(k, after[k])}`);
	}
	return out;
}

export interface HistoryItem {
	id: number;
	at: number;
	actor: string;
	title: string;
	details: string[];
	/** Worth the organizer's attention (the deadline moved after entries were handed in). */
	warn: boolean;
}

export function contestHistory(db: DbOrTx, contestId: string, limit = 20): HistoryItem[] {
	const rows = db
		.select({ e: auditEvents, fio: users.fio })
		.from(auditEvents)
		.leftJoin(users, eq(users.id, auditEvents.actorId))
		.where(and(eq(auditEvents.entity, 'contest'), eq(auditEvents.entityId, contestId)))
		.orderBy(desc(auditEvents.id))
		.limit(limit)
		.all();
	return rows.map(({ e, fio }) => {
		const before = (e.before ?? {}) as Record<string, unknown>;
		const after = (e.after ?? {}) as Record<string, unknown>;
		const nom = String(after.title ?? before.title ?? '');
		let title = e.action;
		let details: string[] = [];
		let warn = false;
		switch (e.action) {
			case 'contest.create':
				title = 'Конкурс создан';
				break;
			case 'contest.update': {
				title = 'Изменены параметры конкурса';
				details = changes(before, after, LABEL);
				const n = Number(after.entriesAtDeadlineChange ?? 0);
				if (n > 0) {
					warn = true;
					details.unshift(`Срок подачи изменён, когда ${plural(n, ['была подана', 'были поданы', 'были поданы'])} ${n} ${plural(n, ['заявка', 'заявки', 'заявок'])}`);
				}
				break;
			}
			case 'contest.phase':
				title = `Этап: «${PHASE_TITLE[before.phase as keyof typeof PHASE_TITLE] ?? before.phase}» → «${PHASE_TITLE[after.phase as keyof typeof PHASE_TITLE] ?? after.phase}»`;
				break;
			case 'nomination.create':
				title = `Добавлена номинация «${nom}»`;
				break;
			case 'nomination.update':
				title = `Изменена номинация «${String(before.title ?? after.title ?? '')}»`;
				details = changes(before, after, NOM_LABEL);
				break;
			case 'nomination.move':
				title = `Номинация «${nom}» перемещена: ${before.position} → ${after.position} место`;
				break;
			case 'nomination.delete':
				title = `Удалена номинация «${nom}»`;
				break;
		}
		return { id: e.id, at: e.createdAt.getTime(), actor: fio ?? 'система', title, details, warn };
	});
}
