import { sha256 } from '@oslojs/crypto/sha2';
import { encodeHexLowerCase } from '@oslojs/encoding';
import { and, eq, gt, isNull } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { emailTokens, users, type Role, type User } from '../db/schema';
import { newId, newSecret } from '../ids';
import { dummyHash, hashPassword, verifyPassword } from './password';
import { invalidateUserSessions } from './sessions';
import { signupIntent } from './intent';

export const VERIFY_TTL_MS = 48 * 3600_000;
export const RESET_TTL_MS = 3600_000;
export const INVITE_TTL_MS = 14 * 24 * 3600_000;

export class AccountError extends Error {
	constructor(
		public code: 'email_taken' | 'invalid_token' | 'expired_token' | 'used_token' | 'wrong_password' | 'blocked',
		message: string
	) {
		super(message);
	}
}

export function hashToken(raw: string): string {
	return encodeHexLowerCase(sha256(new TextEncoder().encode(raw)));
}

export function findUserByEmail(db: DbOrTx, email: string): User | undefined {
	return db.select().from(users).where(eq(users.email, email.trim().toLowerCase())).get();
}

export async function createUser(
	db: DbOrTx,
	input: { email: string; fio: string; password?: string | null; role?: Role; verified?: boolean },
	now = new Date()
): Promise<User> {
	const email = input.email.trim().toLowerCase();
	const passwordHash = input.password ? await hashPassword(input.password) : null;
	if (findUserByEmail(db, email)) throw new AccountError('email_taken', 'Пользователь с такой почтой уже зарегистрирован');
	const user = db
		.insert(users)
		.values({
			id: newId(),
			email,
			fio: input.fio.trim(),
			passwordHash,
			role: input.role ?? 'applicant',
			emailVerifiedAt: input.verified ? now : null,
			createdAt: now,
			updatedAt: now
		})
		.returning()
		.get();
	return user;
}

/**
 * Issues a single-use token for the user; only its SHA-256 is stored. `next`: where the link
 * lands after use (checked by the caller; see intent.ts).
 */
export function issueEmailToken(db: DbOrTx, userId: string, kind: 'verify' | 'reset' | 'invite', ttlMs: number, now = new Date(), next: string | null = null): string {
	const raw = newSecret();
	db.transaction((tx) => {
		// A new token of the same kind replaces older unused ones.
		tx.update(emailTokens)
			.set({ usedAt: now, updatedAt: now })
			.where(and(eq(emailTokens.userId, userId), eq(emailTokens.kind, kind), isNull(emailTokens.usedAt)))
			.run();
		tx.insert(emailTokens)
			.values({ id: newId(), userId, kind, tokenHash: hashToken(raw), expiresAt: new Date(now.getTime() + ttlMs), next, createdAt: now, updatedAt: now })
			.run();
	});
	return raw;
}

/** Looks a token up without using it (to show the reset form). */
export function peekEmailToken(db: DbOrTx, raw: string, kind: 'verify' | 'reset' | 'invite', now = new Date()) {
	if (!raw || raw.length > 100) throw new AccountError('invalid_token', 'Ссылка недействительна');
	const row = db.select().from(emailTokens).where(eq(emailTokens.tokenHash, hashToken(raw))).get();
	if (!row || row.kind !== kind) throw new AccountError('invalid_token', 'Ссылка недействительна: проверьте, что она скопирована целиком');
	if (row.usedAt) throw new AccountError('used_token', 'Эта ссылка уже использована. Запросите новую.');
	if (row.expiresAt.getTime() <= now.getTime()) throw new AccountError('expired_token', 'Срок действия ссылки истёк. Запросите новую.');
	return row;
}

/** Uses a token atomically: of two concurrent uses, only one succeeds. */
export function consumeEmailToken(db: DbOrTx, raw: string, kind: 'verify' | 'reset' | 'invite', now = new Date()): string {
	return useEmailToken(db, raw, kind, now).userId;
}

function useEmailToken(db: DbOrTx, raw: string, kind: 'verify' | 'reset' | 'invite', now: Date) {
	const row = peekEmailToken(db, raw, kind, now);
	const r = db
		.update(emailTokens)
		.set({ usedAt: now, updatedAt: now })
		.where(and(eq(emailTokens.id, row.id), isNull(emailTokens.usedAt), gt(emailTokens.expiresAt, now)))
		.run();
	if (r.changes !== 1) throw new AccountError('used_token', 'Эта ссылка уже использована. Запросите новую.');
	return row;
}

/** `opts.next`: the contest form the person was going to (kept only if it is one, see intent.ts). */
export async function registerApplicant(db: DbOrTx, input: { email: string; fio: string; password: string }, now = new Date(), opts: { next?: string | null } = {}) {
	const passwordHash = await hashPassword(input.password);
	return db.transaction((tx) => {
		const email = input.email.trim().toLowerCase();
		if (tx.select({ id: users.id }).from(users).where(eq(users.email, email)).get())
			throw new AccountError('email_taken', 'Пользователь с такой почтой уже зарегистрирован. Войдите или восстановите пароль.');
		const user = tx
			.insert(users)
			.values({ id: newId(), email, fio: input.fio.trim(), passwordHash, role: 'applicant', createdAt: now, updatedAt: now })
			.returning()
			.get();
		const token = issueEmailToken(tx, user.id, 'verify', VERIFY_TTL_MS, now, signupIntent(opts.next));
		return { user, token };
	});
}

/** Confirms the address by a single-use link; `next` — where the person was going (see intent.ts). */
export function verifyEmail(db: DbOrTx, raw: string, now = new Date()): User & { next: string | null } {
	return db.transaction((tx) => {
		const row = useEmailToken(tx, raw, 'verify', now);
		const user = tx.update(users).set({ emailVerifiedAt: now, updatedAt: now }).where(eq(users.id, row.userId)).returning().get();
		return { ...user, next: signupIntent(row.next) };
	});
}

/** Returns the user when the password matches; spends the same time when the account is unknown. */
export async function authenticate(db: DbOrTx, email: string, password: string): Promise<User | null> {
	const user = findUserByEmail(db, email);
	if (!user || !user.passwordHash) {
		await verifyPassword(await dummyHash(), password);
		return null;
	}
	if (!(await verifyPassword(user.passwordHash, password))) return null;
	if (user.blockedAt) throw new AccountError('blocked', 'Учётная запись заблокирована. Обратитесь к организаторам.');
	return user;
}

export function requestPasswordReset(db: DbOrTx, email: string, now = new Date()): { user: User; token: string } | null {
	const user = findUserByEmail(db, email);
	if (!user || user.blockedAt) return null;
	return { user, token: issueEmailToken(db, user.id, 'reset', RESET_TTL_MS, now) };
}

/** Sets a new password by a reset or invite link; ends every session of the user. */
export async function resetPassword(db: DbOrTx, raw: string, password: string, kind: 'reset' | 'invite' = 'reset', now = new Date()): Promise<User> {
	peekEmailToken(db, raw, kind, now);
	const passwordHash = await hashPassword(password);
	return db.transaction((tx) => {
		const userId = consumeEmailToken(tx, raw, kind, now);
		const user = tx
			.update(users)
			// Following an emailed link proves the address.
			.set({ passwordHash, emailVerifiedAt: now, updatedAt: now })
			.where(eq(users.id, userId))
			.returning()
			.get();
		invalidateUserSessions(tx, userId);
		return user;
	});
}

export async function changePassword(db: DbOrTx, userId: string, current: string, next: string, keepSessionId: string) {
	const user = db.select().from(users).where(eq(users.id, userId)).get();
	if (!user?.passwordHash || !(await verifyPassword(user.passwordHash, current)))
		throw new AccountError('wrong_password', 'Текущий пароль введён неверно');
	const passwordHash = await hashPassword(next);
	db.transaction((tx) => {
		tx.update(users).set({ passwordHash, updatedAt: new Date() }).where(eq(users.id, userId)).run();
		invalidateUserSessions(tx, userId, keepSessionId);
	});
}
