import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { createLogger, runWithRequestId, scrub, scrubText, HIDDEN } from './log';

function capture() {
	const lines: string[] = [];
	const dest = new Writable({
		write(chunk, _e, cb) {
			lines.push(...String(chunk).split('\n').filter(Boolean));
			cb();
		}
	});
	return { lines, logger: createLogger({ destination: dest, level: 'debug' }) };
}

const PRESIGNED =
	'http://127.0.0.1:4569/portal/applications/a1/video/v1.mp4?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=S3RVER%2F20260501%2Fru-central1%2Fs3%2Faws4_request&X-Amz-Date=20260501T120000Z&X-Amz-Expires=900&X-Amz-Signature=0f3c9a1b2c3d4e5f60718293a4b5c6d7e8f9012345678901234567890abcdef1&X-Amz-SignedHeaders=host';

describe('log redaction', () => {
	it('hides secret keys whatever their nesting, keeps what an operator needs', () => {
		const out = scrub({
			user: { id: 'u1', email: 'svetlana.ivanova@mail.ru', password: 'nastavnik2026', passwordHash: '$argon2id$v=19$…' },
			headers: { cookie: 'session=abc.def', authorization: 'Bearer abcdef123456', 'x-request-id': 'r1' },
			token: 'tok123',
			sessionToken: 'id.secret',
			smtpUrl: 'smtps://user:pass@smtp.example.ru',
			status: 500,
			ok: false
		}) as Record<string, Record<string, unknown>>;
		expect(out.user).toEqual({ id: 'u1', email: 's***@mail.ru', password: HIDDEN, passwordHash: HIDDEN });
		expect(out.headers).toEqual({ cookie: HIDDEN, authorization: HIDDEN, 'x-request-id': 'r1' });
		expect(out.token).toBe(HIDDEN);
		expect(out.sessionToken).toBe(HIDDEN);
		expect(out.smtpUrl).toBe(HIDDEN);
		expect(out.status).toBe(500);
		expect(out.ok).toBe(false);
	});

	it('cleans free text: presigned URLs, e-mails, bearer tokens, one-time links, credentials in URLs', () => {
		const s = scrubText(
			`GET ${PRESIGNED} failed for org@nastavnik.demo; Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig; link http://localhost:3000/reset/Zx81kPq0aLm93nQ2; smtps://mailer:SuperSecret@smtp.example.ru:465`
		);
		expect(s).not.toMatch(/X-Amz-Signature|X-Amz-Credential|0f3c9a1b2c3d/);
		expect(s).toContain('http://127.0.0.1:4569/portal/applications/a1/video/v1.mp4?[скрыто]');
		expect(s).not.toContain('org@nastavnik.demo');
		expect(s).toContain('o***@nastavnik.demo');
		expect(s).not.toContain('eyJhbGciOiJIUzI1NiJ9');
		expect(s).not.toContain('Zx81kPq0aLm93nQ2');
		expect(s).toContain('/reset/[скрыто]');
		expect(s).not.toContain('SuperSecret');
		expect(s).not.toContain('mailer:');
	});

	it('a real pino line: JSON, the request id from the context, errors with their stack but without secrets', () => {
		const { lines, logger } = capture();
		const err = new Error(`S3 GET ${PRESIGNED} answered 500 for applicant1@nastavnik.demo`);
		runWithRequestId('req-abc123', () => {
			logger.error({ err, user: { email: 'jury1@nastavnik.demo', password: 'nastavnik2026' } }, `не удалось: ${PRESIGNED}`);
		});
		logger.info('без запроса');
		expect(lines).toHaveLength(2);
		const first = JSON.parse(lines[0]);
		expect(first.reqId).toBe('req-abc123');
		expect(first.level).toBe('error');
		expect(first.err.type).toBe('Error');
		expect(first.err.stack).toContain('log.test.ts');
		const all = lines.join('\n');
		for (const secret of ['X-Amz-Signature', 'X-Amz-Credential', 'nastavnik2026', 'applicant1@nastavnik.demo', 'jury1@nastavnik.demo']) expect(all).not.toContain(secret);
		expect(all).toContain('a***@nastavnik.demo');
		expect(JSON.parse(lines[1]).reqId).toBeUndefined();
	});
});
