import { fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { db } from '$lib/server/db/client';
import { guard } from '$lib/server/http/guards';
import { listMyApplications } from '$lib/server/applications/queries';
import { issueEmailToken, VERIFY_TTL_MS } from '$lib/server/auth/accounts';
import { authLimiters } from '$lib/server/auth/limits';
import { retryMessage } from '$lib/server/auth/ratelimit';
import { enqueueMail } from '$lib/server/jobs/mail';
import { verifyMail } from '$lib/server/mail/templates';
import { config } from '$lib/server/config';

export const load: PageServerLoad = (event) => {
	const { url } = event;
	const user = guard(event);
	return {
		verified: !!user.emailVerifiedAt,
		passwordChanged: url.searchParams.get('password') === 'changed',
		justVerified: url.searchParams.get('verified') === '1',
		applications: listMyApplications(db(), user.id).map((a) => ({
			...a,
			updatedAt: a.updatedAt.getTime(),
			submittedAt: a.submittedAt?.getTime() ?? null,
			closeAt: a.closeAt.getTime(),
			practiceTitle: String((a.practiceTitle as Record<string, unknown>)?.title ?? '')
		}))
	};
};

export const actions: Actions = {
	resend: async (event) => {
		const user = guard(event);
		if (user.emailVerifiedAt) return { resent: false, message: 'Почта уже подтверждена' };
		const hit = authLimiters().account.hit(`verify:${user.id}`);
		if (!hit.ok) return fail(429, { message: retryMessage(hit.retryAfterSec) });
		const token = issueEmailToken(db(), user.id, 'verify', VERIFY_TTL_MS);
		enqueueMail(db(), verifyMail(user.email, user.fio, `${config().origin}/verify/${token}`));
		return { resent: true, message: `Письмо отправлено на ${user.email}` };
	}
};
