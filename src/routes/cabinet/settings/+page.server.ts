import type { Actions, PageServerLoad } from './$types';
import { db } from '$lib/server/db/client';
import { requireUser } from '$lib/server/auth/guards';
import { changePasswordSchema } from '$lib/schemas/auth';
import { formFail, formObject, parseForm } from '$lib/server/http/form';
import { AccountError, changePassword } from '$lib/server/auth/accounts';
import { enqueueMail } from '$lib/server/jobs/mail';
import { passwordChangedMail } from '$lib/server/mail/templates';

export const load: PageServerLoad = ({ locals, url }) => {
	const user = requireUser(locals, url);
	return { email: user.email, fio: user.fio, role: user.role };
};

export const actions: Actions = {
	password: async ({ locals, url, request }) => {
		const user = requireUser(locals, url);
		const raw = await formObject(request);
		const parsed = parseForm(changePasswordSchema, raw);
		if (!parsed.ok) return parsed.failure;
		try {
			await changePassword(db(), user.id, parsed.data.current, parsed.data.password, locals.sessionId!);
		} catch (e) {
			if (e instanceof AccountError) return formFail(400, {}, { current: e.message });
			throw e;
		}
		enqueueMail(db(), passwordChangedMail(user.email, user.fio));
		return { changed: true };
	}
};
