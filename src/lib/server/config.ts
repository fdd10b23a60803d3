import { z } from 'zod';
import '../zod-ru';
import path from 'node:path';

/**
 * The whole configuration comes from the environment and is parsed once by zod.
 * A bad variable stops the start with a message that names it.
 */
const bool = z
	.enum(['true', 'false', '1', '0', 'yes', 'no'])
	.transform((v) => v === 'true' || v === '1' || v === 'yes');

const schema = z.object({
	NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
	PORT: z.coerce.number().int().min(1).max(65535).default(3000),
	ORIGIN: z.url().optional(),
	DATA_DIR: z.string().min(1).default('./data'),
	DATABASE_PATH: z.string().min(1).optional(),
	DEMO: bool.optional(),
	SECURE_COOKIES: bool.optional(),
	SESSION_DAYS: z.coerce.number().int().min(1).max(365).default(30),
	S3_ENDPOINT: z.url().optional(),
	S3_REGION: z.string().min(1).default('ru-central1'),
	S3_BUCKET: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'имя бакета S3: строчные латинские буквы, цифры, точки и дефисы').default('portal'),
	S3_ACCESS_KEY_ID: z.string().min(1).optional(),
	S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
	S3_PUBLIC_ENDPOINT: z.url().optional(),
	S3_FORCE_PATH_STYLE: bool.default(true),
	EMBEDDED_S3_PORT: z.coerce.number().int().min(1).max(65535).default(4569),
	SMTP_URL: z.string().regex(/^smtps?:\/\//, 'ожидается smtp://… или smtps://…').optional(),
	MAIL_FROM: z.string().min(3).default('Конкурс «Наставничество» <no-reply@nastavnichestvo.local>'),
	RATE_LIMIT_PER_IP: z.coerce.number().int().min(1).default(100),
	RATE_LIMIT_PER_ACCOUNT: z.coerce.number().int().min(1).default(5),
	RATE_LIMIT_WINDOW_SEC: z.coerce.number().int().min(1).default(900),
	/** The longest wait of the progressive login slowdown of an account (unknown devices). */
	LOGIN_DELAY_MAX_SEC: z.coerce.number().int().min(1).max(3600).default(60),
	/** Access log lines (default: on, except NODE_ENV=test). */
	LOG_REQUESTS: bool.optional(),
	/** json: one JSON object per line (default in production); pretty: readable lines (default otherwise). */
	LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
	LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).optional(),
	/** Bearer token for GET /metrics from other hosts (loopback needs none). */
	METRICS_TOKEN: z.string().min(16, 'не короче 16 символов').optional(),
	/** Backups: every N minutes (0 — off); default 15 in production, off otherwise. */
	BACKUP_INTERVAL_MIN: z.coerce.number().int().min(0).max(7 * 24 * 60).optional(),
	/** Retention: newest per hour for a day, per day for a month (see ops/retention.ts). */
	BACKUP_KEEP: z
		.string()
		.regex(/^\s*\d+\s*[hdwm]\s*(,\s*\d+\s*[hdwm]\s*)*$/, 'ожидается список вида 24h,30d (h — часы, d — дни, w — недели, m — месяцы)')
		.default('24h,30d'),
	/** Backups go to this folder instead of S3. */
	BACKUP_DIR: z.string().min(1).optional(),
	/** Key prefix of backups in S3 (in BACKUP_S3_BUCKET or S3_BUCKET). */
	BACKUP_S3_PREFIX: z
		.string()
		.regex(/^[A-Za-z0-9._\/-]{1,200}$/, 'латиница, цифры, точки, дефисы и «/»')
		.default('backups/'),
	BACKUP_S3_BUCKET: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'имя бакета S3: строчные латинские буквы, цифры, точки и дефисы').optional(),
	/** Where a snapshot is written and compressed before upload (default $DATA_DIR/.backup-work). */
	BACKUP_WORK_DIR: z.string().min(1).optional(),
	/** Run the job worker in this process (false: run `npm run worker` separately). */
	JOB_WORKER: bool.default(true),
	/** Video jobs processed at once; default half the cores, at least 1. */
	JOB_CONCURRENCY: z.coerce.number().int().min(1).max(64).optional(),
	/** Lease of a running job: a crashed worker's job is taken over after this long. */
	JOB_LEASE_SEC: z.coerce.number().int().min(1).max(3600).default(60),
	/** Redis for the video lane (BullMQ): media jobs go to `npm run worker -- --media` processes on any machine. */
	REDIS_URL: z.string().regex(/^rediss?:\/\//, 'REDIS_URL: адрес вида redis://host:6379').optional(),
	/** Key prefix in Redis (several portals on one Redis need different prefixes). */
	REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9_.-]{1,40}$/).default('nst'),
	/** Media jobs one `--media` worker runs at once (ffmpeg already uses every core). */
	MEDIA_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1)
});

export type Config = z.infer<typeof schema> & {
	databasePath: string;
	dataDir: string;
	demo: boolean;
	secureCookies: boolean;
	embeddedS3: boolean;
	origin: string;
	logRequests: boolean;
	backupIntervalMin: number;
	backupWorkDir: string;
};

export class ConfigError extends Error {}

export function parseConfig(env: Record<string, string | undefined> = process.env): Config {
	// Treat empty strings as unset, the way most deploy tools write them.
	const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
	const r = schema.safeParse(clean);
	if (!r.success) {
		const lines = r.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
		throw new ConfigError(`Неверная конфигурация (переменные окружения):\n${lines.join('\n')}`);
	}
	const c = r.data;
	const dataDir = path.resolve(c.DATA_DIR);
	const embeddedS3 = !c.S3_ENDPOINT;
	if (!embeddedS3 && (!c.S3_ACCESS_KEY_ID || !c.S3_SECRET_ACCESS_KEY)) {
		throw new ConfigError(
			'Неверная конфигурация (переменные окружения):\n  S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY: обязательны, когда задан S3_ENDPOINT'
		);
	}
	const production = c.NODE_ENV === 'production';
	// Demo data only for the unconfigured default: never with a real S3, never in production,
	// and never when DEMO=false.
	const demo = c.DEMO ?? (!production && embeddedS3);
	if (demo && production) {
		throw new ConfigError('Неверная конфигурация:\n  DEMO: демо-данные с известными паролями запрещены при NODE_ENV=production');
	}
	return {
		...c,
		dataDir,
		databasePath: path.resolve(c.DATABASE_PATH ?? path.join(dataDir, 'portal.db')),
		demo,
		secureCookies: c.SECURE_COOKIES ?? (c.ORIGIN ? c.ORIGIN.startsWith('https:') : production),
		embeddedS3,
		origin: c.ORIGIN ?? `http://localhost:${c.PORT}`,
		logRequests: c.LOG_REQUESTS ?? c.NODE_ENV !== 'test',
		backupIntervalMin: c.BACKUP_INTERVAL_MIN ?? (production ? 15 : 0),
		backupWorkDir: path.resolve(c.BACKUP_WORK_DIR ?? path.join(dataDir, '.backup-work'))
	};
}

let cached: Config | undefined;
export function config(): Config {
	cached ??= parseConfig();
	return cached;
}
/** Tests replace the configuration. */
export function setConfig(c: Config | undefined) {
	cached = c;
}
