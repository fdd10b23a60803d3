import type { LayoutServerLoad } from './$types';
import { guard } from '$lib/server/http/guards';

// The role of this part of the site is in auth/access.ts; every page of the group is refused here
// with the Russian error page (hooks.server.ts refuses actions, endpoints and data requests).
export const load: LayoutServerLoad = (event) => {
	guard(event);
};
