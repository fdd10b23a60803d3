import type { LayoutServerLoad } from './$types';
import { db } from '$lib/server/db/client';
import { guard } from '$lib/server/http/guards';
import { orPage } from '$lib/server/http/page';
import { applicationView } from '$lib/server/applications/view';

/** The applicant's own application (applicationView refuses anyone else's: auth/access.ts requireOwner). */
export const load: LayoutServerLoad = async (event) => {
	const user = guard(event);
	return { ...(await orPage(() => applicationView(db(), user, event.params.id))), verified: !!user.emailVerifiedAt };
};
