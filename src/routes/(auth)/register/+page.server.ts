import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { db } from '$lib/server/db/client';
import { registerSchema } from '$lib/schemas/auth';
import { validate, tooMany } from '$lib/server/http/form';
import { authLimiters } from '$lib/server/auth/limits';
import { retryMessage } from '$lib/server/auth/ratelimit';
import { AccountError, registerApplicant } from '$lib/server/auth/accounts';
import { notifyAddressTaken } from '$lib/server/auth/taken';
import { enqueueMail } from '$lib/server/jobs/mail';
import { verifyMail } from '$lib/server/mail/templates';
import { config } from '$lib/server/config';
import { intentSlugs, signupIntent } from '$lib/server/auth/intent';
import { describeApplyIntent } from '$lib/server/contests/queries';

export const load: PageServerLoad = ({ locals, url }) => {
	const next = signupIntent(url.searchParams.get('next'));
	if (locals.user) redirect(303, next ?? '/cabinet');
	return { next: next ?? '', intent: describeApplyIntent(db(), intentSlugs(next)) };
};

export const actions: Actions = {
	default: async (event) => {
		const { raw, ...parsed } = await validate(event.request, registerSchema);
		if (!parsed.ok) return parsed.failure;
		const hit = authLimiters().ip.hit(`register:${event.getClientAddress()}`);
		if (!hit.ok) return tooMany(event, hit.retryAfterSec, retryMessage(hit.retryAfterSec), raw);
		try {
			const { user, token } = await registerApplicant(db(), parsed.data, undefined, { next: raw.next });
			const link = `${config().origin}/verify/${token}`;
			// Delivered by the job worker, with retries (the console shows a mail that could not be sent).
			enqueueMail(db(), verifyMail(user.email, user.fio, link));
		} catch (e) {
			// A taken address gets the same answer as a free one; its owner is mailed instead.
			if (e instanceof AccountError && e.code === 'email_taken') notifyAddressTaken(db(), parsed.data.email);
			else throw e;
		}
		const next = signupIntent(raw.next);
		redirect(303, `/register/sent?email=${encodeURIComponent(parsed.data.email)}${next ? `&next=${encodeURIComponent(next)}` : ''}`);
	}
};
