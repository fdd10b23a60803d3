import { spawnSync } from 'node:child_process';

/** The integration tests run against the built portal: build it when the sources changed. */
export default function setup() {
	const r = spawnSync(process.execPath, ['scripts/start.js', '--build-only'], { stdio: 'inherit' });
	if (r.status !== 0) throw new Error('Сборка портала не удалась');
}
