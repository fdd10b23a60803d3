/**
 * Who does something: the signed-in user and the address the request came from. Every domain
 * function that changes something on someone's behalf takes one `Actor` (or `null` for the
 * system itself: the demo seed, the worker, a CLI) and records both in the audit log
 * (`audit(d, { ...by(actor), action, … })`). The routes build it from `locals.user` and
 * `getClientAddress()`.
 */
import type { Role } from './db/schema';

export interface Actor {
	id: string;
	role: Role;
	/** The client's address; absent outside a request. */
	ip?: string | null;
}

/** The actor's columns of an audit event. */
export function by(actor: Actor | null | undefined): { actorId: string | null; ip: string | null } {
	return { actorId: actor?.id ?? null, ip: actor?.ip ?? null };
}

/** An actor from a signed-in user and the request's address. */
export function actorOf(user: { id: string; role: Role }, ip: string | null = null): Actor {
	return { id: user.id, role: user.role, ip };
}
