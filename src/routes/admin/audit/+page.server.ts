import type { PageServerLoad } from './$types';
import { db } from '$lib/server/db/client';
import { auditFilterSchema } from '$lib/schemas/results';
import { auditConsole } from '$lib/server/admin/audit-console';

// Read-only: the audit log is append-only; this page has no actions.
export const load: PageServerLoad = async ({ parent, url }) => {
	await parent();
	const parsed = auditFilterSchema.safeParse(Object.fromEntries(url.searchParams));
	const filter = parsed.success ? parsed.data : auditFilterSchema.parse({});
	return { filter, invalid: !parsed.success, log: auditConsole(db(), filter) };
};
