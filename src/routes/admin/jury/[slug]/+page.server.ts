import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { db } from '$lib/server/db/client';
import { act, validate } from '$lib/server/http/form';
import { contestScope } from '$lib/server/http/scope';
import { createRound, idsByNumbers, lateEntryIds, listRounds, roundK } from '$lib/server/review/rounds';
import { roundProgress } from '$lib/server/review/views';
import { listJurors } from '$lib/server/review/jurors';
import { countSubmitted } from '$lib/server/contests/queries';
import { createRoundSchema } from '$lib/schemas/jury';
import { contestSettings } from '$lib/server/contests/settings';

export const load: PageServerLoad = async ({ parent }) => {
	const { contest } = await parent();
	const d = db();
	const rounds = listRounds(d, contest.id).map((r) => {
		const p = roundProgress(d, r.id);
		return {
			number: r.number,
			title: r.title,
			status: r.status,
			deadlineAt: r.deadlineAt?.getTime() ?? null,
			k: roundK(r, contest.settings),
			entries: p.entries,
			late: lateEntryIds(d, r).length,
			assignments: p.assignments,
			submitted: p.submitted,
			short: p.short
		};
	});
	const jurors = listJurors(d, contest.id).filter((j) => j.contestNominationIds.length > 0);
	return {
		rounds,
		stats: {
			submitted: countSubmitted(d, contest.id),
			jurors: jurors.filter((j) => j.active).length,
			invited: jurors.filter((j) => j.invited).length,
			inactive: jurors.filter((j) => !j.active).length
		},
		k: contestSettings(contest.settings).jurorsPerEntry,
		nextNumber: (rounds.at(-1)?.number ?? 0) + 1,
		serverNow: Date.now()
	};
};

export const actions: Actions = {
	create: async (event) => {
		const { actor, contest } = contestScope(event);
		const { raw, ...parsed } = await validate(event.request, createRoundSchema);
		if (!parsed.ok) return parsed.failure;
		const { number, title, deadlineAt, k, numbers } = parsed.data;
		return act(() => {
			const applicationIds = number === 1 && !numbers.trim() ? undefined : idsByNumbers(db(), contest.id, numbers);
			createRound(db(), contest.id, { number, title, deadlineAt, k, applicationIds }, actor);
			redirect(303, `/admin/jury/${contest.slug}/rounds/${number}`);
		}, raw);
	}
};
