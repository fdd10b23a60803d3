import type { SessionUser } from '$lib/server/auth/sessions';

declare global {
	namespace App {
		interface Locals {
			user: SessionUser | null;
			sessionId: string | null;
			/** X-Request-Id of this request (src/lib/server/ops/handles.ts). */
			requestId: string;
		}
		interface Error {
			message: string;
			id?: string;
		}
		interface PageData {
			user?: SessionUser | null;
		}
	}
}

export {};
