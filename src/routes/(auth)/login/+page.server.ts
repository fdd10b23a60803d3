import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { db } from '$lib/server/db/client';
import { loginSchema } from '$lib/schemas/auth';
import { formFail, formObject, parseForm, tooMany } from '$lib/server/http/form';
import { authLimiters } from '$lib/server/auth/limits';
import { retryMessage } from '$lib/server/auth/ratelimit';
import { AccountError, authenticate } from '$lib/server/auth/accounts';
import { createSession } from '$lib/server/auth/sessions';
import { setSessionCookie } from '$lib/server/auth/cookies';
import { safeNext, homeFor } from '$lib/server/auth/redirects';

export const load: PageServerLoad = ({ locals, url }) => {
	if (locals.user) redirect(303, safeNext(url.searchParams.get('next')) ?? homeFor(locals.user.role));
	return { next: safeNext(url.searchParams.get('next')) ?? '' };
};

export const actions: Actions = {
	default: async (event) => {
		const raw = await formObject(event.request);
		const parsed = parseForm(loginSchema, raw);
		if (!parsed.ok) return parsed.failure;
		const { email, password } = parsed.data;
		const limits = authLimiters();
		const ipKey = `login:${event.getClientAddress()}`;
		const accKey = `login:${email}`;
		const ipState = limits.ip.peek(ipKey);
		const accState = limits.account.peek(accKey);
		if (!ipState.ok || !accState.ok) {
			const sec = Math.max(ipState.retryAfterSec, accState.retryAfterSec);
			return tooMany(event, sec, retryMessage(sec), raw);
		}
		let user;
		try {
			user = await authenticate(db(), email, password);
		} catch (e) {
			if (e instanceof AccountError) return formFail(403, raw, {}, e.message);
			throw e;
		}
		if (!user) {
			limits.ip.hit(ipKey);
			limits.account.hit(accKey);
			return formFail(400, raw, {}, 'Неверная почта или пароль');
		}
		limits.account.reset(accKey);
		const { token } = createSession(db(), user.id);
		setSessionCookie(event.cookies, token);
		redirect(303, safeNext(raw.next) ?? homeFor(user.role));
	}
};
