import { and, desc, eq, gte, lte, type SQL } from 'drizzle-orm';
import type { DbOrTx } from './db/client';
import { auditEvents } from './db/schema';

export interface AuditInput {
	actorId: string | null;
	action: string;
	entity: string;
	entityId?: string | null;
	before?: unknown;
	after?: unknown;
	ip?: string | null;
}

/**
 * Appends one event to the audit log. The log is append-only: nothing in the code updates or
 * deletes its rows. Call it inside the same transaction as the change it records.
 */
export function audit(db: DbOrTx, e: AuditInput, now = new Date()) {
	db.insert(auditEvents)
		.values({
			actorId: e.actorId,
			action: e.action,
			entity: e.entity,
			entityId: e.entityId ?? null,
			before: e.before === undefined ? null : e.before,
			after: e.after === undefined ? null : e.after,
			ip: e.ip ?? null,
			createdAt: now
		})
		.run();
}

export interface AuditFilter {
	entity?: string;
	entityId?: string;
	actorId?: string;
	action?: string;
	from?: Date;
	to?: Date;
	limit?: number;
	offset?: number;
}

export function listAudit(db: DbOrTx, f: AuditFilter = {}) {
	const where: SQL[] = [];
	if (f.entity) where.push(eq(auditEvents.entity, f.entity));
	if (f.entityId) where.push(eq(auditEvents.entityId, f.entityId));
	if (f.actorId) where.push(eq(auditEvents.actorId, f.actorId));
	if (f.action) where.push(eq(auditEvents.action, f.action));
	if (f.from) where.push(gte(auditEvents.createdAt, f.from));
	if (f.to) where.push(lte(auditEvents.createdAt, f.to));
	return db
		.select()
		.from(auditEvents)
		.where(where.length ? and(...where) : undefined)
		.orderBy(desc(auditEvents.id))
		.limit(Math.min(f.limit ?? 100, 1000))
		.offset(f.offset ?? 0)
		.all();
}
