import { error } from '@sveltejs/kit';
import type { LayoutServerLoad } from './$types';
import { db } from '$lib/server/db/client';
import { requireRole } from '$lib/server/auth/guards';
import { applicationView } from '$lib/server/applications/view';
import { DomainError } from '$lib/server/errors';

export const load: LayoutServerLoad = async ({ locals, url, params }) => {
	const user = requireRole(locals, url, 'applicant');
	try {
		return { ...(await applicationView(db(), user, params.id)), verified: !!user.emailVerifiedAt };
	} catch (e) {
		if (e instanceof DomainError) error(e.status, e.message);
		throw e;
	}
};
