import type { PageServerLoad } from './$types';
import { requireRole } from '$lib/server/auth/guards';

export const load: PageServerLoad = ({ locals, url }) => {
	const user = requireRole(locals, url, 'jury');
	return { fio: user.fio };
};
