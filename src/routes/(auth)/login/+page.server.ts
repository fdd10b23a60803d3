import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { db } from '$lib/server/db/client';
import { loginSchema } from '$lib/schemas/auth';
import { formFail, validate, tooMany } from '$lib/server/http/form';
import { deviceKey, loginThrottle } from '$lib/server/auth/limits';
import { passwordLogin } from '$lib/server/auth/login';
import { DEVICE_COOKIE } from '$lib/server/auth/throttle';
import { createSession } from '$lib/server/auth/sessions';
import { setDeviceCookie, setSessionCookie } from '$lib/server/http/cookies';
import { safeNext, homeFor } from '$lib/server/auth/redirects';

export const load: PageServerLoad = ({ locals, url }) => {
	if (locals.user) redirect(303, safeNext(url.searchParams.get('next')) ?? homeFor(locals.user.role));
	return { next: safeNext(url.searchParams.get('next')) ?? '' };
};

export const actions: Actions = {
	default: async (event) => {
		const { raw, ...parsed } = await validate(event.request, loginSchema);
		if (!parsed.ok) return parsed.failure;
		const r = await passwordLogin(db(), loginThrottle(), deviceKey(), {
			...parsed.data,
			address: event.getClientAddress(),
			deviceCookie: event.cookies.get(DEVICE_COOKIE)
		});
		if (!r.ok) return r.status === 429 ? tooMany(event, r.retryAfterSec ?? 1, r.message, raw) : formFail(r.status, raw, {}, r.message);
		const { token } = createSession(db(), r.user.id);
		setSessionCookie(event.cookies, token);
		setDeviceCookie(event.cookies, r.deviceCookie);
		redirect(303, safeNext(raw.next) ?? homeFor(r.user.role));
	}
};
