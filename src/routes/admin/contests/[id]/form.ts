import type { ContestPhase } from '$lib/schemas/contest';

/** What the contest page's actions answer; every form sends its name in `_form`. */
export interface ContestForm {
	_form?: string;
	values?: Record<string, string>;
	errors?: Record<string, string>;
	message?: string;
	done?: string;
	confirmPhase?: ContestPhase;
	moved?: string;
	direction?: 'up' | 'down';
}
