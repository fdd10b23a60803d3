import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

// The S3 origin that presigned links point to is known only at run time (S3_PUBLIC_ENDPOINT):
// the CSP names this placeholder, and hooks.server.ts puts the configured origin in its place
// (CSP_S3_PLACEHOLDER in src/lib/server/storage/s3.ts). No directive allows any http:/https: origin.
const S3 = 'https://s3-public-endpoint.invalid';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		adapter: adapter({ out: 'build' }),
		// SvelteKit's own CSRF origin check for form posts stays on (the default): no trusted
		// foreign origins.
		csrf: { trustedOrigins: [] },
		// Hashes, not nonces, on every page: the same page is the same bytes for every visitor, so
		// public pages have a stable ETag and can be cached (src/lib/server/http/public-pages.ts).
		csp: {
			mode: 'hash',
			directives: {
				'default-src': ['self'],
				'script-src': ['self'],
				'style-src': ['self', 'unsafe-inline'],
				'img-src': ['self', 'data:', 'blob:', S3],
				'media-src': ['self', 'blob:', S3],
				'connect-src': ['self', S3],
				'font-src': ['self'],
				'object-src': ['none'],
				'frame-src': ['self', S3],
				'frame-ancestors': ['none'],
				'base-uri': ['self'],
				'form-action': ['self']
			}
		}
	}
};

export default config;
