import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { requireRole } from '$lib/server/auth/guards';
import { db } from '$lib/server/db/client';
import { actorOf } from '$lib/server/actor';
import { parseForm } from '$lib/server/http/form';
import { contestOr404, domainFail, readForm } from '$lib/server/review/http';
import { createRound, idsByNumbers, lateEntryIds, listRounds, roundK } from '$lib/server/review/rounds';
import { roundProgress } from '$lib/server/review/views';
import { listJurors } from '$lib/server/review/jurors';
import { countSubmitted } from '$lib/server/contests/queries';
import { createRoundSchema } from '$lib/schemas/jury';
import { contestSettings } from '$lib/server/contests/settings';

export const load: PageServerLoad = ({ locals, url, params }) => {
	requireRole(locals, url, 'organizer');
	const contest = contestOr404(params.slug);
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
	create: async ({ request, locals, url, params, getClientAddress }) => {
		const user = requireRole(locals, url, 'organizer');
		const contest = contestOr404(params.slug);
		const { raw } = await readForm(request);
		const parsed = parseForm(createRoundSchema, raw);
		if (!parsed.ok) return parsed.failure;
		const { number, title, deadlineAt, k, numbers } = parsed.data;
		try {
			const applicationIds = number === 1 && !numbers.trim() ? undefined : idsByNumbers(db(), contest.id, numbers);
			createRound(db(), contest.id, { number, title, deadlineAt, k, applicationIds }, actorOf(user, getClientAddress()));
		} catch (e) {
			return domainFail(e, raw);
		}
		redirect(303, `/admin/jury/${contest.slug}/rounds/${number}`);
	}
};
