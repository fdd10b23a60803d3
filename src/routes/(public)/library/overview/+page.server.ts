import type { PageServerLoad } from './$types';
import { db } from '$lib/server/db/client';
import { libraryOverview } from '$lib/server/library/search';

export const load: PageServerLoad = () => libraryOverview(db());
