import { redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { db } from '$lib/server/db/client';
import { AccountError, verifyEmail } from '$lib/server/auth/accounts';
import { createSession } from '$lib/server/auth/sessions';
import { setSessionCookie } from '$lib/server/http/cookies';
import { homeFor } from '$lib/server/auth/redirects';

/**
 * The confirmation link (single use): confirms the address, logs the person in (following the
 * mailed link proves the mailbox) and lands where they were going when they registered — the
 * application form of the chosen contest, kept with the token by the server — or in the cabinet.
 */
export const load: PageServerLoad = ({ params, cookies }) => {
	let user;
	try {
		user = verifyEmail(db(), params.token);
	} catch (e) {
		if (e instanceof AccountError) return { ok: false as const, message: e.message, code: e.code };
		throw e;
	}
	if (user.blockedAt) return { ok: true as const, email: user.email };
	const { token } = createSession(db(), user.id);
	setSessionCookie(cookies, token);
	const to = user.next ?? homeFor(user.role);
	redirect(303, `${to}${to.includes('?') ? '&' : '?'}verified=1`);
};
