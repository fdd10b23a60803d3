/**
 * The embedded S3 (s3rver child process) under supervision: when it dies without being asked to
 * (killed, crashed), it is started again on the same port and folder, with backoff (0.5 s, 1 s,
 * 2 s … up to 30 s; back to 0.5 s after a minute of good health). /health shows the storage down
 * meanwhile and returns to 200 by itself once it is back.
 */
import { startEmbeddedS3Process, type EmbeddedS3Process } from '../storage/embedded-process';
import { embeddedS3Restarts } from './metrics';
import { logFor } from './log';

export interface SupervisorState {
	up: boolean;
	restarts: number;
	lastExit: { at: string; code: number | null; signal: string | null } | null;
	nextAttemptAt: string | null;
}

export interface Supervised {
	endpoint: string;
	state(): SupervisorState;
	close(): Promise<void>;
}

type StartOpts = Parameters<typeof startEmbeddedS3Process>[0];

export async function superviseEmbeddedS3(opts: StartOpts, o: { minDelayMs?: number; maxDelayMs?: number; healthyAfterMs?: number } = {}): Promise<Supervised> {
	const log = logFor('s3');
	const minDelay = o.minDelayMs ?? 500;
	const maxDelay = o.maxDelayMs ?? 30_000;
	const healthyAfter = o.healthyAfterMs ?? 60_000;
	let child: EmbeddedS3Process = await startEmbeddedS3Process(opts);
	let startedAt = Date.now();
	let closed = false;
	let delay = minDelay;
	let timer: NodeJS.Timeout | undefined;
	const st: SupervisorState = { up: true, restarts: 0, lastExit: null, nextAttemptAt: null };

	const watch = (c: EmbeddedS3Process) =>
		c.onExit((code, signal) => {
			if (closed) return;
			st.up = false;
			st.lastExit = { at: new Date().toISOString(), code, signal };
			if (Date.now() - startedAt > healthyAfter) delay = minDelay;
			log.error({ code, signal, pid: c.pid }, `встроенное S3 остановилось; перезапуск через ${delay} мс`);
			schedule();
		});
	const schedule = () => {
		if (closed) return;
		st.nextAttemptAt = new Date(Date.now() + delay).toISOString();
		timer = setTimeout(attempt, delay);
		delay = Math.min(maxDelay, delay * 2);
	};
	const attempt = async () => {
		if (closed) return;
		try {
			const next = await startEmbeddedS3Process(opts);
			if (closed) {
				await next.close();
				return;
			}
			child = next;
			startedAt = Date.now();
			st.up = true;
			st.restarts++;
			st.nextAttemptAt = null;
			embeddedS3Restarts.inc();
			log.warn({ pid: next.pid, restarts: st.restarts }, 'встроенное S3 перезапущено');
			watch(next);
		} catch (e) {
			log.error({ err: e }, `встроенное S3 не запустилось; новая попытка через ${delay} мс`);
			schedule();
		}
	};
	watch(child);
	return {
		endpoint: child.endpoint,
		state: () => ({ ...st }),
		async close() {
			closed = true;
			clearTimeout(timer);
			await child.close();
		}
	};
}
