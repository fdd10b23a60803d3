import type { Actions, PageServerLoad } from './$types';
import { db } from '$lib/server/db/client';
import { guard } from '$lib/server/http/guards';
import { changePasswordSchema } from '$lib/schemas/auth';
import { formFail, validate } from '$lib/server/http/form';
import { AccountError, changePassword } from '$lib/server/auth/accounts';
import { enqueueMail } from '$lib/server/jobs/mail';
import { passwordChangedMail } from '$lib/server/mail/templates';

export const load: PageServerLoad = (event) => {
	const user = guard(event);
	return { email: user.email, fio: user.fio, role: user.role };
};

export const actions: Actions = {
	password: async (event) => {
		const user = guard(event);
		const parsed = await validate(event.request, changePasswordSchema);
		if (!parsed.ok) return parsed.failure;
		try {
			await changePassword(db(), user.id, parsed.data.current, parsed.data.password, event.locals.sessionId!);
		} catch (e) {
			if (e instanceof AccountError) return formFail(400, {}, { current: e.message });
			throw e;
		}
		enqueueMail(db(), passwordChangedMail(user.email, user.fio));
		return { changed: true };
	}
};
