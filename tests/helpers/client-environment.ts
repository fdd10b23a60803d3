/**
 * A vitest environment for the rune classes: Node globals, but files are transformed by Vite's
 * `client` environment, so Svelte compiles `*.svelte.ts` as the browser runs it (reactive $state
 * and $derived, not the server's one-shot rendering).
 */
import type { Environment } from 'vitest/runtime';

export default {
	name: 'svelte-client',
	viteEnvironment: 'client',
	setup() {
		return { teardown() {} };
	}
} satisfies Environment;
