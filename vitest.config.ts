import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const alias = { $lib: fileURLToPath(new URL('./src/lib', import.meta.url)) };

export default defineConfig({
	resolve: { alias },
	test: {
		testTimeout: 60_000,
		hookTimeout: 180_000,
		projects: [
			{
				resolve: { alias },
				test: { name: 'unit', include: ['src/**/*.test.ts', 'tests/unit/**/*.test.ts'], environment: 'node', pool: 'forks', testTimeout: 60_000 }
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
			}
		]
	}
});
