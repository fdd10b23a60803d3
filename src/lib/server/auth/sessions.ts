/**
 * Sessions the Lucia way (lucia-auth.com/sessions/basic): the token is `id.secret`; the database
 * keeps only the SHA-256 of the secret and compares it in constant time. A session expires after
 * SESSION_DAYS of inactivity and is renewed (sliding) at most once an hour.
 */
import { sha256 } from '@oslojs/crypto/sha2';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { eq, and, ne } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { sessions, users, type User } from '../db/schema';
import { newId, newSecret } from '../ids';

export const ACTIVITY_CHECK_MS = 60 * 60 * 1000;

export interface SessionInfo {
	id: string;
	userId: string;
	lastVerifiedAt: Date;
	/** True when this validation renewed the session: the cookie should be re-sent. */
	renewed: boolean;
}
export type SessionUser = Pick<User, 'id' | 'email' | 'fio' | 'role' | 'emailVerifiedAt'>;

function hashSecret(secret: string): Buffer {
	return Buffer.from(sha256(new TextEncoder().encode(secret)));
}

export function createSession(db: DbOrTx, userId: string, now = new Date()): { token: string; session: SessionInfo } {
	const id = newId();
	const secret = newSecret();
	db.insert(sessions).values({ id, secretHash: hashSecret(secret), userId, lastVerifiedAt: now, createdAt: now, updatedAt: now }).run();
	return { token: `${id}.${secret}`, session: { id, userId, lastVerifiedAt: now, renewed: false } };
}

export function validateSession(
	db: DbOrTx,
	token: string,
	inactivityMs: number,
	now = new Date()
): { session: SessionInfo; user: SessionUser } | null {
	const parts = token.split('.');
	if (parts.length !== 2 || !parts[0] || !parts[1] || parts[0].length > 64 || parts[1].length > 64) return null;
	const [id, secret] = parts;
	const row = db
		.select({ s: sessions, u: { id: users.id, email: users.email, fio: users.fio, role: users.role, emailVerifiedAt: users.emailVerifiedAt, blockedAt: users.blockedAt } })
		.from(sessions)
		.innerJoin(users, eq(users.id, sessions.userId))
		.where(eq(sessions.id, id))
		.get();
	if (!row) return null;
	if (!constantTimeEqual(hashSecret(secret), new Uint8Array(row.s.secretHash))) return null;
	if (now.getTime() - row.s.lastVerifiedAt.getTime() >= inactivityMs || row.u.blockedAt) {
		db.delete(sessions).where(eq(sessions.id, id)).run();
		return null;
	}
	let renewed = false;
	let last = row.s.lastVerifiedAt;
	if (now.getTime() - last.getTime() >= ACTIVITY_CHECK_MS) {
		db.update(sessions).set({ lastVerifiedAt: now, updatedAt: now }).where(eq(sessions.id, id)).run();
		last = now;
		renewed = true;
	}
	const { blockedAt: _b, ...user } = row.u;
	return { session: { id, userId: row.s.userId, lastVerifiedAt: last, renewed }, user };
}

export function invalidateSession(db: DbOrTx, sessionId: string) {
	db.delete(sessions).where(eq(sessions.id, sessionId)).run();
}

export function invalidateUserSessions(db: DbOrTx, userId: string, exceptSessionId?: string) {
	db.delete(sessions)
		.where(exceptSessionId ? and(eq(sessions.userId, userId), ne(sessions.id, exceptSessionId)) : eq(sessions.userId, userId))
		.run();
}
