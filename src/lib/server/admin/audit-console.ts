/**
 * The audit log console: filters (entity, entity id, actor, action, period in Moscow days),
 * pages of 50, actor names. Read-only — the log is append-only (audit.ts) and nothing in the
 * console edits or deletes it.
 */
import { asc, inArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { auditEvents, users } from '../db/schema';
import { listAudit } from '../audit';

export const PAGE_SIZE = 50;
const MSK = 3 * 3600_000;

export interface AuditConsoleFilter {
	entity: string;
	entityId: string;
	actor: string;
	action: string;
	/** YYYY-MM-DD, Moscow days, inclusive */
	from: string;
	to: string;
	page: number;
}

function dayStart(s: string): Date | undefined {
	if (!s) return undefined;
	const [y, m, d] = s.split('-').map(Number);
	return new Date(Date.UTC(y, m - 1, d) - MSK);
}

export function auditConsole(db: DbOrTx, f: AuditConsoleFilter) {
	const from = dayStart(f.from);
	const toStart = dayStart(f.to);
	const to = toStart ? new Date(toStart.getTime() + 86400_000 - 1) : undefined;
	const rows = listAudit(db, {
		entity: f.entity || undefined,
		entityId: f.entityId || undefined,
		actorId: f.actor || undefined,
		action: f.action || undefined,
		from,
		to,
		limit: PAGE_SIZE + 1,
		offset: (f.page - 1) * PAGE_SIZE
	});
	const more = rows.length > PAGE_SIZE;
	const page = rows.slice(0, PAGE_SIZE);
	const actorIds = [...new Set(page.map((r) => r.actorId).filter((x): x is string => !!x))];
	const names = new Map(
		actorIds.length ? db.select({ id: users.id, fio: users.fio, email: users.email, role: users.role }).from(users).where(inArray(users.id, actorIds)).all().map((u) => [u.id, u]) : []
	);
	const entities = db.selectDistinct({ v: auditEvents.entity }).from(auditEvents).orderBy(asc(auditEvents.entity)).all().map((r) => r.v);
	const actions = db.selectDistinct({ v: auditEvents.action }).from(auditEvents).orderBy(asc(auditEvents.action)).all().map((r) => r.v);
	const actors = db
		.select({ id: users.id, fio: users.fio, role: users.role })
		.from(users)
		.where(sql`${users.id} IN (SELECT DISTINCT actor_id FROM audit_events WHERE actor_id IS NOT NULL)`)
		.orderBy(asc(users.fio))
		.all();
	return {
		events: page.map((e) => {
			const who = e.actorId ? names.get(e.actorId) : undefined;
			return {
				id: e.id,
				at: e.createdAt.getTime(),
				actor: who ? { fio: who.fio, email: who.email, role: who.role } : e.actorId ? { fio: `удалённый пользователь (${e.actorId.slice(0, 8)})`, email: '', role: '' } : { fio: 'система', email: '', role: '' },
				action: e.action,
				entity: e.entity,
				entityId: e.entityId,
				before: e.before,
				after: e.after,
				ip: e.ip
			};
		}),
		more,
		entities,
		actions,
		actors
	};
}
