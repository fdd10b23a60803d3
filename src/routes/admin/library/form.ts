import { MAX_FIELD_CHARS } from '$lib/schemas/library';
import type { RefusalOptions } from '$lib/server/http/form';

/** How the practice forms answer (http/form.ts): every typed text comes back whole — a practice's texts are longer than the usual 5,000 characters. */
export const PRACTICE_FORM: RefusalOptions = { keep: MAX_FIELD_CHARS };
