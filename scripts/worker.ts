// A job worker in its own process.
//
//   npm run worker             the embedded queue (SQLite): same configuration as the portal
//                              (DATABASE_PATH, S3_*, SMTP_URL, JOB_CONCURRENCY…), on the portal's machine
//                              (for JOB_WORKER=false on the web process, or more workers).
//   npm run worker -- --media  a video worker on BullMQ: needs only REDIS_URL and the S3 settings
//                              (S3_ENDPOINT, S3_BUCKET, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY…),
//                              no database and no DATA_DIR; run it on as many machines as needed.
//                              MEDIA_CONCURRENCY (default 1), MEDIA_FFMPEG_THREADS (default all cores),
//                              JOB_LEASE_SEC (lock), MEDIA_WORK_DIR (temp files, default the OS temp dir).
//
// SIGINT/SIGTERM stop it cleanly: running jobs go back to the queue and resume elsewhere.

const stops: (() => Promise<void>)[] = [];
let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
	process.on(sig, async () => {
		if (stopping) return;
		stopping = true;
		for (const s of stops) await s().catch(() => undefined);
		process.exit(0);
	});
}

if (process.argv.includes('--media')) {
	process.env.MEDIA_WORKER_ONLY = '1';
	const { config } = await import('../src/lib/server/config');
	const c = config();
	if (!c.REDIS_URL) {
		console.error('npm run worker -- --media: задайте REDIS_URL (redis://host:6379) — без Redis видео обрабатывает сам портал');
		process.exit(2);
	}
	const { registerRemote } = await import('../src/lib/server/jobs/remote');
	const { mediaRemote } = await import('../src/lib/server/media/process');
	const { startMediaWorker } = await import('../src/lib/server/jobs/media-worker');
	const { ffmpegAvailable } = await import('../src/lib/server/media/ffmpeg');
	if (!c.S3_ENDPOINT) console.warn('S3_ENDPOINT не задан: обработчик обращается к встроенному S3 на этой машине (127.0.0.1)');
	if (!(await ffmpegAvailable())) console.warn('ffmpeg/ffprobe с libx264 не найдены: видео будут помечены «обработка недоступна»');
	registerRemote(mediaRemote);
	const w = startMediaWorker({ redisUrl: c.REDIS_URL, prefix: c.REDIS_PREFIX, concurrency: c.MEDIA_CONCURRENCY, leaseMs: c.JOB_LEASE_SEC * 1000 });
	console.log(`обработчик видео ${w.name} запущен: Redis ${c.REDIS_URL.replace(/\/\/[^@]*@/, '//…@')}, одновременно ${c.MEDIA_CONCURRENCY}`);
	stops.push(() => w.stop());
} else {
	const { db } = await import('../src/lib/server/db/client');
	const { runMigrations } = await import('../src/lib/server/db/migrate');
	const { startConfiguredWorker } = await import('../src/lib/server/workers');
	const d = db();
	runMigrations(d);
	const worker = startConfiguredWorker(d);
	stops.push(async () => {
		await worker.stop();
		d.$client.close();
	});
}
