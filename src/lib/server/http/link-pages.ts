import { redirect, type RequestEvent } from '@sveltejs/kit';
import { db } from '../db/client';
import { resetSchema } from '$lib/schemas/auth';
import { AccountError, peekEmailToken, resetPassword } from '../auth/accounts';
import { createSession } from '../auth/sessions';
import { homeFor } from '../auth/redirects';
import { formFail, validate } from './form';
import { setSessionCookie } from './cookies';

/** Load and action of the pages that set a password by an emailed link (reset, invite). */
export function passwordLinkPage(kind: 'reset' | 'invite') {
	return {
		load: ({ params }: { params: { token: string } }) => {
			try {
				peekEmailToken(db(), params.token, kind);
				return { valid: true as const, message: '' };
			} catch (e) {
				if (e instanceof AccountError) return { valid: false as const, message: e.message };
				throw e;
			}
		},
		action: async ({ request, params, cookies }: RequestEvent<{ token: string }>) => {
			const parsed = await validate(request, resetSchema);
			if (!parsed.ok) return parsed.failure;
			let user;
			try {
				user = await resetPassword(db(), params.token, parsed.data.password, kind);
			} catch (e) {
				if (e instanceof AccountError) return formFail(400, {}, {}, e.message);
				throw e;
			}
			const { token } = createSession(db(), user.id);
			setSessionCookie(cookies, token);
			redirect(303, kind === 'reset' ? `${homeFor(user.role)}?password=changed` : homeFor(user.role));
		}
	};
}
