import type { PageServerLoad } from './$types';
import { db } from '$lib/server/db/client';
import { intentSlugs, signupIntent } from '$lib/server/auth/intent';
import { describeApplyIntent } from '$lib/server/contests/queries';

/** Names the contest the person chose (display only: the link itself carries what the server kept). */
export const load: PageServerLoad = ({ url }) => ({ intent: describeApplyIntent(db(), intentSlugs(signupIntent(url.searchParams.get('next')))) });
