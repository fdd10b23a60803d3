import type { RefusalOptions } from '$lib/server/http/form';

/**
 * How the contest forms answer (http/form.ts): the rules come back whole (the usual 5,000
 * characters are too few for them); a refusal about one field is shown beside that field; a
 * contest or nomination that does not exist (or belongs to another contest) is the 404 page.
 */
export const CONTEST_FORM: RefusalOptions = { keep: { rules: 60_000 }, fieldOnly: true, notFoundPage: true };
