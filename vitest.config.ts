import { configDefaults, defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';

const alias = { $lib: fileURLToPath(new URL('./src/lib', import.meta.url)) };

/**
 * The media domain's tests run real ffmpeg/ffprobe and the embedded S3 (transcoding, posters,
 * a worker killed mid-job; the BullMQ lane on a real redis-server): the slow part of the domain tests. They are their own project, so
 * `vitest run --project unit` gives quick feedback on everything else; `npm run test:unit` runs
 * every project, these included.
 */
export const MEDIA_TESTS = ['src/lib/server/media/**/*.test.ts', 'src/lib/server/jobs/bullmq.test.ts'];

/**
 * The tests that touch S3 (storage, uploads, media, library, backups to S3). `npm run test:s3`
 * runs them once more as their own project — against TEST_S3_ENDPOINT when it is set (.ci/run does
 * so with Ceph radosgw, scripts/ci/radosgw.sh), else against the embedded store. The project exists
 * only for that command (VITEST_S3=1), so a plain `vitest run` does not run these files twice.
 */
export const S3_TESTS = [
	'src/lib/server/storage/*.test.ts',
	'src/lib/server/applications/uploads.test.ts',
	'src/lib/server/library/files.test.ts',
	'src/lib/server/media/process.test.ts',
	'src/lib/server/media/worker-crash.test.ts',
	'src/lib/server/ops/backup-s3.test.ts',
	'tests/integration/uploads.test.ts',
	'tests/integration/media.test.ts',
	'tests/integration/library.test.ts',
	'tests/integration/backup-restore.test.ts'
];

const s3Project = {
	resolve: { alias },
	test: {
		name: 's3',
		include: S3_TESTS,
		environment: 'node',
		pool: 'forks' as const,
		globalSetup: ['tests/global-setup.ts'],
		testTimeout: 90_000,
		hookTimeout: 180_000
	}
};

export default defineConfig({
	resolve: { alias },
	test: {
		testTimeout: 60_000,
		hookTimeout: 180_000,
		projects: [
			{
				resolve: { alias },
				test: { name: 'unit', include: ['src/**/*.test.ts', 'tests/unit/**/*.test.ts'], exclude: [...configDefaults.exclude, ...MEDIA_TESTS, 'src/**/*.svelte.test.ts'], environment: 'node', pool: 'forks', testTimeout: 60_000 }
			},
			{
				resolve: { alias },
				test: { name: 'media', include: MEDIA_TESTS, environment: 'node', pool: 'forks', testTimeout: 90_000, hookTimeout: 180_000 }
			},
			{
				// Rune classes (`*.svelte.ts`: the scoring form, the uploader) and their specs
				// (`*.svelte.test.ts`) are compiled by Svelte for the browser, as the page runs them.
				plugins: [svelte()],
				resolve: { alias, conditions: ['browser'] },
				test: { name: 'ui', include: ['src/**/*.svelte.test.ts'], environment: './tests/helpers/client-environment.ts' }
			},
			{
				resolve: { alias },
				test: {
					name: 'integration',
					include: ['tests/integration/**/*.test.ts'],
					environment: 'node',
					pool: 'forks',
					globalSetup: ['tests/global-setup.ts'],
					testTimeout: 60_000,
					hookTimeout: 180_000
				}
			},
			...(process.env.VITEST_S3 === '1' ? [s3Project] : [])
		]
	}
});
