import type { Actions } from './$types';
import { db } from '$lib/server/db/client';
import { resetRequestSchema } from '$lib/schemas/auth';
import { validate, tooMany } from '$lib/server/http/form';
import { authLimiters } from '$lib/server/auth/limits';
import { retryMessage } from '$lib/server/auth/ratelimit';
import { requestPasswordReset } from '$lib/server/auth/accounts';
import { enqueueMail } from '$lib/server/jobs/mail';
import { resetMail } from '$lib/server/mail/templates';
import { config } from '$lib/server/config';

export const actions: Actions = {
	default: async (event) => {
		const { raw, ...parsed } = await validate(event.request, resetRequestSchema);
		if (!parsed.ok) return parsed.failure;
		const limits = authLimiters();
		const ip = limits.ip.hit(`reset:${event.getClientAddress()}`);
		const acc = limits.account.hit(`reset:${parsed.data.email}`);
		if (!ip.ok || !acc.ok) {
			const sec = Math.max(ip.ok ? 0 : ip.retryAfterSec, acc.ok ? 0 : acc.retryAfterSec);
			return tooMany(event, sec, retryMessage(sec), raw);
		}
		const r = requestPasswordReset(db(), parsed.data.email);
		if (r) {
			enqueueMail(db(), resetMail(r.user.email, r.user.fio, `${config().origin}/reset/${r.token}`));
		}
		// The same answer whether or not the account exists.
		return { sent: true, email: parsed.data.email };
	}
};
