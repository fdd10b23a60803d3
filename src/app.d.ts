import type { SessionUser } from '$lib/server/auth/sessions';

declare global {
	namespace App {
		interface Locals {
			user: SessionUser | null;
			sessionId: string | null;
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
