import type { PageServerLoad } from './$types';
import { db } from '$lib/server/db/client';
import { AccountError, verifyEmail } from '$lib/server/auth/accounts';

export const load: PageServerLoad = ({ params }) => {
	try {
		const user = verifyEmail(db(), params.token);
		return { ok: true as const, email: user.email };
	} catch (e) {
		if (e instanceof AccountError) return { ok: false as const, message: e.message, code: e.code };
		throw e;
	}
};
