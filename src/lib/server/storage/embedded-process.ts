import { spawn } from 'node:child_process';
import path from 'node:path';
import fs from 'node:fs';
import type { EmbeddedS3 } from './embedded';

export type { EmbeddedS3 };

/**
 * Starts the embedded s3rver as a child process (`node src/lib/server/storage/embedded.ts`,
 * Node 24 strips the types) and waits until it listens. It dies with its parent.
 */
export type EmbeddedS3Process = EmbeddedS3 & {
	pid: number;
	/** Called once if the child exits without being closed (killed, crashed). */
	onExit(fn: (code: number | null, signal: NodeJS.Signals | null) => void): void;
};

export function startEmbeddedS3Process(opts: { dir: string; port: number; bucket: string; origins: string[]; keysFile: string }): Promise<EmbeddedS3Process> {
	const entry = path.resolve(process.env.EMBEDDED_S3_ENTRY ?? 'src/lib/server/storage/embedded.ts');
	if (!fs.existsSync(entry)) return Promise.reject(new Error(`Не найден ${entry}: запускайте портал из корня проекта (npm start)`));
	const child = spawn(process.execPath, [entry], {
		env: {
			...process.env,
			EMBEDDED_S3_DIR: opts.dir,
			EMBEDDED_S3_PORT: String(opts.port),
			EMBEDDED_S3_BUCKET: opts.bucket,
			EMBEDDED_S3_ORIGINS: JSON.stringify(opts.origins),
			// The key pair is read from its 0600 file, not passed around.
			EMBEDDED_S3_KEYS_FILE: opts.keysFile
		},
		stdio: ['pipe', 'pipe', 'inherit']
	});
	return new Promise((resolve, reject) => {
		let out = '';
		const timer = setTimeout(() => {
			child.kill('SIGKILL');
			reject(new Error('Встроенное S3 не запустилось за 20 с'));
		}, 20_000);
		child.once('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`Встроенное S3 завершилось с кодом ${code} (порт ${opts.port} занят?)`));
		});
		child.stdout!.on('data', (d) => {
			out += String(d);
			const m = /ready (\S+)/.exec(out);
			if (!m) return;
			clearTimeout(timer);
			child.removeAllListeners('exit');
			child.stdout!.removeAllListeners('data');
			child.stdout!.resume();
			let closing = false;
			let exitFn: ((code: number | null, signal: NodeJS.Signals | null) => void) | undefined;
			child.once('exit', (code, signal) => {
				if (!closing) exitFn?.(code, signal);
			});
			resolve({
				endpoint: m[1],
				port: Number(new URL(m[1]).port),
				pid: child.pid!,
				onExit: (fn) => {
					exitFn = fn;
				},
				close: () =>
					new Promise<void>((done) => {
						closing = true;
						if (child.exitCode !== null || child.signalCode !== null) return done();
						child.once('exit', () => done());
						child.kill('SIGTERM');
						setTimeout(() => child.kill('SIGKILL'), 5000).unref();
					})
			});
		});
	});
}
