import type { LayoutServerLoad } from './$types';
import { requireRole } from '$lib/server/auth/guards';

// Every page of the group checks the role here (hooks.server.ts refuses actions and endpoints).
export const load: LayoutServerLoad = ({ locals, url }) => {
	requireRole(locals, url, 'jury');
};
