import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { db } from '$lib/server/db/client';
import { invalidateSession } from '$lib/server/auth/sessions';
import { deleteSessionCookie } from '$lib/server/http/cookies';

export const load: PageServerLoad = () => redirect(303, '/');

export const actions: Actions = {
	default: ({ locals, cookies }) => {
		if (locals.sessionId) invalidateSession(db(), locals.sessionId);
		deleteSessionCookie(cookies);
		redirect(303, '/');
	}
};
