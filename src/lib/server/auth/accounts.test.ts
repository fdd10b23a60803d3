import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { dbPerTest } from '../../../../tests/helpers/db';
import {
	AccountError,
	authenticate,
	changePassword,
	consumeEmailToken,
	issueEmailToken,
	registerApplicant,
	requestPasswordReset,
	resetPassword,
	verifyEmail,
	RESET_TTL_MS
} from './accounts';
import { createSession, validateSession } from './sessions';
import { signupIntent } from './intent';
import { emailTokens, users } from '../db/schema';
import type { DB } from '../db/client';

let db: DB;
dbPerTest((d) => (db = d));

const code = async (p: Promise<unknown> | (() => unknown)) => {
	try {
		await (typeof p === 'function' ? p() : p);
	} catch (e) {
		return (e as AccountError).code;
	}
	return 'ok';
};

describe('accounts', () => {
	it('registers, verifies by a single-use link, authenticates', async () => {
		const { user, token } = await registerApplicant(db, { email: ' New@Example.RU ', fio: 'Новиков Иван', password: 'secret-pass-1' });
		expect(user.email).toBe('new@example.ru');
		expect(user.role).toBe('applicant');
		expect(user.emailVerifiedAt).toBeNull();
		// Only the hash of the token is stored.
		const rows = db.select().from(emailTokens).all();
		expect(rows).toHaveLength(1);
		expect(rows[0].tokenHash).not.toBe(token);
		expect(verifyEmail(db, token).emailVerifiedAt).not.toBeNull();
		expect(await code(() => verifyEmail(db, token))).toBe('used_token');
		expect((await authenticate(db, 'NEW@example.ru', 'secret-pass-1'))?.id).toBe(user.id);
		expect(await authenticate(db, 'new@example.ru', 'wrong-pass-1')).toBeNull();
		expect(await authenticate(db, 'nobody@example.ru', 'secret-pass-1')).toBeNull();
	});

	it('keeps where the applicant was going with the verification token, only a same-origin application form', async () => {
		const { token } = await registerApplicant(db, { email: 'intent@example.ru', fio: 'Намерениев Иван', password: 'secret-pass-1' }, undefined, { next: '/cabinet/apply/nastavnichestvo-2026?nomination=mentor-education' });
		const verified = verifyEmail(db, token);
		expect(verified.email).toBe('intent@example.ru');
		expect(verified.next).toBe('/cabinet/apply/nastavnichestvo-2026?nomination=mentor-education');
		// Anything else is not kept: other hosts, scheme-relative, other parts of the portal.
		for (const bad of ['https://evil.example/cabinet/apply/x', '//evil.example/x', '/\\evil.example', '/admin', '/cabinet/apply/x?next=//evil', 'javascript:alert(1)']) {
			const r = await registerApplicant(db, { email: `bad${Math.random()}@example.ru`, fio: 'Плохой Путь', password: 'secret-pass-1' }, undefined, { next: bad });
			expect(verifyEmail(db, r.token).next).toBeNull();
		}
		expect(signupIntent('/cabinet/apply/nastavnichestvo-2026')).toBe('/cabinet/apply/nastavnichestvo-2026');
	});

	it('refuses a second registration with the same email and writes nothing', async () => {
		await registerApplicant(db, { email: 'x@example.ru', fio: 'Иксов Икс', password: 'secret-pass-1' });
		expect(await code(registerApplicant(db, { email: 'X@example.ru', fio: 'Другой Человек', password: 'secret-pass-2' }))).toBe('email_taken');
		expect(db.select().from(users).all()).toHaveLength(1);
		expect(db.select().from(emailTokens).all()).toHaveLength(1);
	});

	it('refuses forged, expired and reused tokens', async () => {
		const { user } = await registerApplicant(db, { email: 'y@example.ru', fio: 'Игреков Игрек', password: 'secret-pass-1' });
		const now = new Date();
		const raw = issueEmailToken(db, user.id, 'reset', RESET_TTL_MS, now);
		expect(await code(() => consumeEmailToken(db, 'forged-token', 'reset'))).toBe('invalid_token');
		expect(await code(() => consumeEmailToken(db, raw, 'verify'))).toBe('invalid_token');
		expect(await code(() => consumeEmailToken(db, raw, 'reset', new Date(now.getTime() + RESET_TTL_MS + 1)))).toBe('expired_token');
		expect(consumeEmailToken(db, raw, 'reset', now)).toBe(user.id);
		expect(await code(() => consumeEmailToken(db, raw, 'reset', now))).toBe('used_token');
	});

	it('a newer link replaces the older one', async () => {
		const { user } = await registerApplicant(db, { email: 'z@example.ru', fio: 'Зетов Зет', password: 'secret-pass-1' });
		const a = issueEmailToken(db, user.id, 'reset', RESET_TTL_MS);
		const b = issueEmailToken(db, user.id, 'reset', RESET_TTL_MS);
		expect(await code(() => consumeEmailToken(db, a, 'reset'))).toBe('used_token');
		expect(consumeEmailToken(db, b, 'reset')).toBe(user.id);
	});

	it('resets the password by link and ends every session', async () => {
		const { user } = await registerApplicant(db, { email: 'r@example.ru', fio: 'Ресетов Р', password: 'secret-pass-1' });
		const s = createSession(db, user.id);
		const r = requestPasswordReset(db, 'R@example.ru')!;
		expect(requestPasswordReset(db, 'unknown@example.ru')).toBeNull();
		await resetPassword(db, r.token, 'new-secret-22');
		expect(validateSession(db, s.token, 86400_000)).toBeNull();
		expect(await authenticate(db, 'r@example.ru', 'secret-pass-1')).toBeNull();
		expect((await authenticate(db, 'r@example.ru', 'new-secret-22'))?.id).toBe(user.id);
		expect(await code(resetPassword(db, r.token, 'another-pass-3'))).toBe('used_token');
	});

	it('changing the password keeps this session and ends the others', async () => {
		const { user } = await registerApplicant(db, { email: 'c@example.ru', fio: 'Чейнджев Ч', password: 'secret-pass-1' });
		const a = createSession(db, user.id);
		const b = createSession(db, user.id);
		expect(await code(changePassword(db, user.id, 'wrong', 'new-secret-22', a.session.id))).toBe('wrong_password');
		await changePassword(db, user.id, 'secret-pass-1', 'new-secret-22', a.session.id);
		expect(validateSession(db, a.token, 86400_000)).not.toBeNull();
		expect(validateSession(db, b.token, 86400_000)).toBeNull();
	});

	it('a blocked account cannot log in', async () => {
		const { user } = await registerApplicant(db, { email: 'b@example.ru', fio: 'Блоков Б', password: 'secret-pass-1' });
		db.update(users).set({ blockedAt: new Date() }).where(eq(users.id, user.id)).run();
		expect(await code(authenticate(db, 'b@example.ru', 'secret-pass-1'))).toBe('blocked');
	});
});
