/**
 * Logs an operator can use: pino, one JSON object per line in production (LOG_FORMAT=json), a
 * readable line per event in the default run (pino-pretty in-process, no worker thread).
 *
 * Nothing secret reaches a line: every object and message passes `scrub`, which hides values of
 * secret-looking keys (password, token, secret, cookie, authorization, signature…), masks e-mail
 * addresses (`o***@nastavnik.demo`), cuts the query string of presigned URLs (X-Amz-Signature,
 * X-Amz-Credential…) and bearer tokens, and replaces one-time link tokens in paths
 * (`/reset/<token>` → `/reset/[скрыто]`).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import pino, { type Logger, type DestinationStream } from 'pino';
import pretty from 'pino-pretty';

export const HIDDEN = '[скрыто]';

/** Keys whose values are never logged, whatever they hold. */
const SECRET_KEY = /pass(word)?|passwd|token|secret|cookie|authorization|signature|credential|api[-_]?key|session|smtp_?url|otp|code_?verifier/i;
const EMAIL = /([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})/g;
/** A URL's query string that carries credentials (presigned S3 URLs, tokens in links). */
const SIGNED_QUERY = /(https?:\/\/[^\s?'"<>]+)\?[^\s'"<>]*(x-amz-|signature=|token=|awsaccesskeyid=|sig=|key=)[^\s'"<>]*/gi;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{6,}/gi;
/** One-time links of the portal: /verify/<token>, /reset/<token>, /invite/<token>. */
const LINK_TOKEN = /\/(verify|reset|invite)\/[A-Za-z0-9_-]{8,}/g;
/** Credentials inside connection strings: smtps://user:pass@host. */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/:@]+:[^\s/@]+@/gi;

/** Makes a text safe for a log line. */
export function scrubText(s: string): string {
	return s
		.replace(URL_CREDENTIALS, `$1${HIDDEN}@`)
		.replace(SIGNED_QUERY, `$1?${HIDDEN}`)
		.replace(BEARER, `$1 ${HIDDEN}`)
		.replace(LINK_TOKEN, `/$1/${HIDDEN}`)
		.replace(EMAIL, '$1***@$2');
}

/** Deep copy of a value with secrets removed (see the module comment). */
export function scrub(value: unknown, depth = 0): unknown {
	if (typeof value === 'string') return scrubText(value);
	if (value === null || typeof value !== 'object') return value;
	if (depth > 8) return '[…]';
	if (value instanceof Error) {
		const out: Record<string, unknown> = { type: value.name, message: scrubText(value.message) };
		if (value.stack) out.stack = scrubText(value.stack);
		const code = (value as { code?: unknown }).code;
		if (code !== undefined) out.code = code;
		const status = (value as { status?: unknown; $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
		if (status !== undefined) out.httpStatus = status;
		if (value.cause !== undefined) out.cause = scrub(value.cause, depth + 1);
		return out;
	}
	if (value instanceof Date) return value.toISOString();
	if (Buffer.isBuffer(value) || value instanceof Uint8Array) return `[${value.length} байт]`;
	if (Array.isArray(value)) return value.slice(0, 50).map((v) => scrub(v, depth + 1));
	const out: Record<string, unknown> = {};
	for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) && v !== null && v !== undefined && typeof v !== 'boolean' && typeof v !== 'number' ? HIDDEN : scrub(v, depth + 1);
	return out;
}

const requestStore = new AsyncLocalStorage<{ requestId: string }>();

/** Runs fn with a request id that every log line written inside it carries (`reqId`). */
export function runWithRequestId<T>(requestId: string, fn: () => T): T {
	return requestStore.run({ requestId }, fn);
}
/** The id of the request being served, if any. */
export function currentRequestId(): string | undefined {
	return requestStore.getStore()?.requestId;
}

export interface LogOptions {
	/** json: one JSON object per line; pretty: human-readable. */
	format?: 'json' | 'pretty';
	level?: string;
	/** Where lines go (default stdout). */
	destination?: DestinationStream;
	/** Fields on every line. */
	base?: Record<string, unknown>;
}

export function createLogger(o: LogOptions = {}): Logger {
	const options: pino.LoggerOptions = {
		level: o.level ?? 'info',
		base: o.base ?? { pid: process.pid },
		timestamp: pino.stdTimeFunctions.isoTime,
		messageKey: 'msg',
		// Errors are turned into { type, message, stack, code } by scrub (formatters.log) already.
		serializers: { err: (e: unknown) => e },
		mixin: () => {
			const reqId = currentRequestId();
			return reqId ? { reqId } : {};
		},
		formatters: {
			level: (label) => ({ level: label }),
			log: (obj) => scrub(obj) as Record<string, unknown>
		},
		hooks: {
			logMethod(args, method) {
				// Messages and printf arguments are scrubbed like objects.
				const clean = args.map((a) => (typeof a === 'string' ? scrubText(a) : a)) as Parameters<typeof method>;
				return method.apply(this, clean);
			}
		}
	};
	if (o.destination) return pino(options, o.destination);
	if ((o.format ?? 'json') === 'pretty') {
		return pino(
			options,
			pretty({ sync: true, colorize: !!process.stdout.isTTY, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname', singleLine: true, messageKey: 'msg' })
		);
	}
	return pino(options, pino.destination({ dest: 1, sync: true }));
}

let current: Logger | undefined;

/** Format from the environment: LOG_FORMAT, else JSON in production and readable elsewhere. */
export function envLogOptions(env: Record<string, string | undefined> = process.env): LogOptions {
	const f = env.LOG_FORMAT;
	const format = f === 'json' || f === 'pretty' ? f : env.NODE_ENV === 'production' ? 'json' : 'pretty';
	return { format, level: env.LOG_LEVEL || (env.NODE_ENV === 'test' ? 'warn' : 'info') };
}

/** The process-wide logger. */
export function log(): Logger {
	current ??= createLogger(envLogOptions());
	return current;
}

/** A logger for one part of the portal (`component` on every line). */
export function logFor(component: string): Logger {
	return log().child({ component });
}

/** Tests and scripts can replace the process logger. */
export function setLogger(l: Logger | undefined) {
	current = l;
}
