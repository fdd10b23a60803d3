import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedS3, type EmbeddedS3 } from '../../src/lib/server/storage/embedded';
import { parseConfig, setConfig } from '../../src/lib/server/config';
import { embeddedS3Keys } from '../../src/lib/server/keys';

/** A real s3rver on loopback and the process configuration pointing at it. */
export async function startTestS3(env: Record<string, string> = {}): Promise<EmbeddedS3 & { dir: string; stop(): Promise<void> }> {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-s3-'));
	// The installation's own key pair under DATA_DIR/keys, as the portal would make it.
	const server = await startEmbeddedS3({ dir: path.join(dir, 's3'), port: 0, bucket: 'portal', origins: ['http://localhost:3000'], credentials: embeddedS3Keys(dir) });
	setConfig(parseConfig({ NODE_ENV: 'test', DATA_DIR: dir, EMBEDDED_S3_PORT: String(server.port), S3_BUCKET: 'portal', ...env }));
	return {
		...server,
		dir,
		async stop() {
			await server.close();
			setConfig(undefined);
			fs.rmSync(dir, { recursive: true, force: true });
		}
	};
}
