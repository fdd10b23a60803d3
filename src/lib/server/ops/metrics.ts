/**
 * Prometheus metrics of the portal process (prom-client), served by GET /metrics to loopback or to
 * `Authorization: Bearer $METRICS_TOKEN`.
 *
 * Counters are counted where things happen (HTTP handle, uploads, mail, S3 client, ffmpeg, job
 * worker, backups); gauges that describe stored state (queue depth and age, database size, backup
 * age) are read when scraped. Counters belong to the process that counts them: a separate
 * `npm run worker` counts its own jobs and mails (the queue gauges come from the database and are
 * right in either case).
 */
import fs from 'node:fs';
import client from 'prom-client';

export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry });

const ms = (n: number) => n / 1000;

/** A counter of this registry with these label names. */
function counter<L extends string = never>(name: string, help: string, labels: readonly L[] = []) {
	return new client.Counter<L>({ name, help, labelNames: labels, registers: [registry] });
}
function gauge(name: string, help: string) {
	return new client.Gauge({ name, help, registers: [registry] });
}

export const httpRequests = counter('portal_http_requests_total', 'HTTP-запросы по маршруту (route id SvelteKit), методу и статусу', ['route', 'method', 'status']);
export const httpDuration = new client.Histogram({
	name: 'portal_http_request_duration_seconds',
	help: 'Время ответа по маршруту, методу и статусу',
	labelNames: ['route', 'method', 'status'] as const,
	buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10].map((b) => b),
	registers: [registry]
});
export const jobsFinished = counter('portal_jobs_finished_total', 'Попытки фоновых задач этого процесса по виду и исходу (done, retry, failed, dead)', ['kind', 'outcome']);
export const uploads = counter('portal_uploads_total', 'Загрузки файлов: started, completed, refused (отклонены проверкой), unavailable (хранилище недоступно)', ['kind', 'event']);
export const mails = counter('portal_mails_total', 'Письма: sent, failed (попытка не удалась)', ['outcome']);
export const s3Errors = counter('portal_s3_errors_total', 'Ошибки запросов к S3 по операции (после повторов SDK)', ['operation']);
export const ffmpegErrors = counter('portal_ffmpeg_errors_total', 'Ошибки ffmpeg/ffprobe по коду (crashed, timeout, corrupt, unavailable…)', ['code']);
export const backupRuns = counter('portal_backup_runs_total', 'Резервные копии: ok, failed', ['outcome']);
export const backupRetries = counter('portal_backup_retries_total', 'Повторы записи резервной копии в хранилище после ошибки');
export const backupDuration = gauge('portal_backup_last_duration_seconds', 'Длительность последней успешной резервной копии');
export const backupSize = gauge('portal_backup_last_size_bytes', 'Размер последней успешной резервной копии (сжатой)');
export const memoryCompactions = counter('portal_memory_compactions_total', 'Полные сборки мусора с уменьшением памяти после тяжёлой работы (загрузка большого тура, выгрузки), в простое');
export const memoryCompactionPause = gauge('portal_memory_compaction_last_pause_seconds', 'Пауза последней такой сборки');
export const embeddedS3Restarts = counter('portal_embedded_s3_restarts_total', 'Перезапуски встроенного S3 после его падения');

export interface JobCount {
	kind: string;
	state: string;
	n: number;
	oldestAgeSec: number;
}

/** State read at scrape time; set by the modules that own it (boot registers them). */
export interface StateSources {
	/** Job counts and the oldest job's age by kind and state. */
	jobs?: () => JobCount[];
	/** Files of the database (main, -wal). */
	databaseFiles?: () => string[];
	/** Time of the last successful backup (ms), or null. */
	lastBackupAt?: () => number | null;
	/** Storage reachability (1/0), or null when unknown. */
	s3Up?: () => Promise<number | null> | number | null;
}
const sources: StateSources = {};
export function setStateSources(s: StateSources) {
	Object.assign(sources, s);
}

function safe<T>(fn: (() => T) | undefined): T | undefined {
	try {
		return fn?.();
	} catch {
		return undefined;
	}
}

// Two gauges of the jobs by kind and state: how many, and how old the oldest is.
for (const [name, help, value] of [
	['portal_jobs', 'Фоновые задачи в базе по виду и состоянию', (r: JobCount) => r.n],
	['portal_jobs_oldest_age_seconds', 'Возраст самой старой задачи по виду и состоянию (для queued — сколько готовая задача ждёт)', (r: JobCount) => r.oldestAgeSec]
] as const)
	new client.Gauge({
		name,
		help,
		labelNames: ['kind', 'state'] as const,
		registers: [registry],
		collect() {
			this.reset();
			for (const r of safe(sources.jobs) ?? []) this.set({ kind: r.kind, state: r.state }, value(r));
		}
	});
new client.Gauge({
	name: 'portal_db_size_bytes',
	help: 'Размер файлов базы SQLite (основной файл и WAL)',
	labelNames: ['file'] as const,
	registers: [registry],
	collect() {
		this.reset();
		for (const f of safe(sources.databaseFiles) ?? []) {
			try {
				this.set({ file: f.endsWith('-wal') ? 'wal' : 'main' }, fs.statSync(f).size);
			} catch {
				/* no WAL yet */
			}
		}
	}
});
new client.Gauge({
	name: 'portal_backup_age_seconds',
	help: 'Сколько секунд назад сделана последняя успешная резервная копия (-1 — ещё ни одной)',
	registers: [registry],
	collect() {
		const at = safe(sources.lastBackupAt);
		this.set(at ? Math.max(0, ms(Date.now() - at)) : -1);
	}
});
new client.Gauge({
	name: 'portal_backup_last_success_timestamp_seconds',
	help: 'Время последней успешной резервной копии (unix)',
	registers: [registry],
	collect() {
		const at = safe(sources.lastBackupAt);
		this.set(at ? ms(at) : 0);
	}
});
new client.Gauge({
	name: 'portal_s3_up',
	help: 'Хранилище S3 отвечает (1) или нет (0) по последней проверке',
	registers: [registry],
	async collect() {
		const v = await Promise.resolve(safe(sources.s3Up)).catch(() => null);
		if (v !== null && v !== undefined) this.set(v);
	}
});

/** Text exposition for a scrape. */
export async function metricsText(): Promise<{ body: string; contentType: string }> {
	return { body: await registry.metrics(), contentType: registry.contentType };
}

/** Who may read /metrics: loopback clients, or the bearer token when one is configured. */
export function metricsAllowed(clientAddress: string | undefined, authorization: string | null, token: string | undefined): boolean {
	if (token && authorization) {
		const m = /^Bearer\s+(.+)$/i.exec(authorization.trim());
		if (m && timingSafeEqualText(m[1], token)) return true;
	}
	if (!clientAddress) return false;
	const a = clientAddress.replace(/^::ffff:/, '');
	return a === '::1' || a === '127.0.0.1' || a.startsWith('127.');
}

function timingSafeEqualText(a: string, b: string): boolean {
	const x = Buffer.from(a);
	const y = Buffer.from(b);
	let diff = x.length ^ y.length;
	for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
	return diff === 0;
}
