import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { tempDb } from '../../../../tests/helpers/db';
import { createSession, validateSession, invalidateUserSessions, ACTIVITY_CHECK_MS } from './sessions';
import { createUser } from './accounts';
import { sessions, users } from '../db/schema';
import type { DB } from '../db/client';

const DAY = 86400_000;
const INACTIVITY = 30 * DAY;
let t: ReturnType<typeof tempDb>;
let db: DB;
let userId: string;

beforeEach(async () => {
	t = tempDb();
	db = t.db;
	userId = (await createUser(db, { email: 'a@example.ru', fio: 'Тестов Тест', password: 'password123x' })).id;
});
afterEach(() => t.cleanup());

describe('sessions', () => {
	it('stores only the hash of the secret and validates the token', () => {
		const now = new Date('2026-01-01T00:00:00Z');
		const { token, session } = createSession(db, userId, now);
		const [id, secret] = token.split('.');
		const row = db.select().from(sessions).where(eq(sessions.id, id)).get()!;
		expect(row.secretHash.length).toBe(32);
		expect(row.secretHash.toString('utf8')).not.toContain(secret);
		expect(validateSession(db, token, INACTIVITY, now)?.user.id).toBe(userId);
		expect(session.id).toBe(id);
	});

	it('refuses forged and malformed tokens', () => {
		const { token } = createSession(db, userId);
		const [id] = token.split('.');
		expect(validateSession(db, `${id}.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa`, INACTIVITY)).toBeNull();
		expect(validateSession(db, 'nonsense', INACTIVITY)).toBeNull();
		expect(validateSession(db, `${id}.`, INACTIVITY)).toBeNull();
		expect(validateSession(db, `${'x'.repeat(100)}.${'y'.repeat(100)}`, INACTIVITY)).toBeNull();
	});

	it('expires after inactivity and deletes the row', () => {
		const t0 = new Date('2026-01-01T00:00:00Z');
		const { token } = createSession(db, userId, t0);
		expect(validateSession(db, token, INACTIVITY, new Date(t0.getTime() + INACTIVITY - 1000))).not.toBeNull();
		const { token: token2 } = createSession(db, userId, t0);
		expect(validateSession(db, token2, INACTIVITY, new Date(t0.getTime() + INACTIVITY + 1))).toBeNull();
		expect(db.select().from(sessions).where(eq(sessions.id, token2.split('.')[0])).get()).toBeUndefined();
	});

	it('renews with activity (sliding expiry), at most once per interval', () => {
		const t0 = new Date('2026-01-01T00:00:00Z');
		const { token } = createSession(db, userId, t0);
		const early = validateSession(db, token, INACTIVITY, new Date(t0.getTime() + ACTIVITY_CHECK_MS / 2))!;
		expect(early.session.renewed).toBe(false);
		let now = t0.getTime();
		// Use the session every 20 days for 100 days: it never expires.
		for (let i = 0; i < 5; i++) {
			now += 20 * DAY;
			const r = validateSession(db, token, INACTIVITY, new Date(now));
			expect(r).not.toBeNull();
			expect(r!.session.renewed).toBe(true);
		}
		// Then 31 days of silence: gone.
		expect(validateSession(db, token, INACTIVITY, new Date(now + 31 * DAY))).toBeNull();
	});

	it('ends the sessions of a blocked or deleted user', () => {
		const a = createSession(db, userId);
		db.update(users).set({ blockedAt: new Date() }).where(eq(users.id, userId)).run();
		expect(validateSession(db, a.token, INACTIVITY)).toBeNull();
		db.update(users).set({ blockedAt: null }).where(eq(users.id, userId)).run();
		const b = createSession(db, userId);
		db.delete(users).where(eq(users.id, userId)).run();
		expect(validateSession(db, b.token, INACTIVITY)).toBeNull();
	});

	it('invalidates the other sessions of a user but keeps the current one', () => {
		const a = createSession(db, userId);
		const b = createSession(db, userId);
		invalidateUserSessions(db, userId, a.session.id);
		expect(validateSession(db, a.token, INACTIVITY)).not.toBeNull();
		expect(validateSession(db, b.token, INACTIVITY)).toBeNull();
	});
});
