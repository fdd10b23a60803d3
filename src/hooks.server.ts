import '$lib/zod-ru';
import type { HandleServerError, ServerInit } from '@sveltejs/kit';
import { sequence } from '@sveltejs/kit/hooks';
import { beginShutdown, boot, shutdown } from '$lib/server/boot';
import { config } from '$lib/server/config';
import { requestContext, reportError } from '$lib/server/ops/handles';
import { accessGuard, responseHeaders, session } from '$lib/server/http/handles';

export const init: ServerInit = async () => {
	await boot();
	// At the signal the worker stops at once; storage and the database close after the last
	// request in flight has been answered (adapter-node emits sveltekit:shutdown then).
	for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => void beginShutdown());
	process.once('sveltekit:shutdown', () => {
		void shutdown();
	});
};

/**
 * Request id, access log and HTTP metrics wrap everything (ops/handles.ts); then the session, the
 * guard of the parts of the site (who may open what: auth/access.ts) and the response headers
 * (http/handles.ts).
 */
export const handle = sequence(requestContext({ logRequests: () => config().logRequests }), session, accessGuard, responseHeaders);
export const handleError: HandleServerError = reportError;
