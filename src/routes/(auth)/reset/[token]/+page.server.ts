import type { Actions, PageServerLoad } from './$types';
import { passwordLinkPage } from '$lib/server/http/link-pages';

const page = passwordLinkPage('reset');
export const load: PageServerLoad = page.load;
export const actions: Actions = { default: page.action };
