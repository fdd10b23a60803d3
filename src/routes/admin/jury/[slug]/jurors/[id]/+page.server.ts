import type { Actions, PageServerLoad } from './$types';
import { db } from '$lib/server/db/client';
import { act, readForm, validate } from '$lib/server/http/form';
import { contestScope, jurorOf, jurorScope } from '$lib/server/http/scope';
import { declareConflict, jurorConflicts, removeConflict, resendInvite, updateJurorProfile } from '$lib/server/review/jurors';
import { activeLoadOf } from '$lib/server/review/views';
import { listNominations } from '$lib/server/contests/queries';
import { conflictSchema, expertiseSchema, profileSchema } from '$lib/schemas/jury';
import { updateJurorExpertise } from '$lib/server/review/expertise';
import { SPHERES } from '$lib/data/spheres';
import { REGIONS } from '$lib/data/regions';

export const load: PageServerLoad = async ({ parent, params }) => {
	const { contest } = await parent();
	const j = jurorOf(params.id);
	const noms = listNominations(db(), contest.id);
	return {
		juror: { ...j, nominationIds: j.nominationIds.filter((id) => noms.some((n) => n.id === id)) },
		nominations: noms.map((n) => ({ id: n.id, title: n.title })),
		regions: REGIONS.map((r) => ({ code: r.code, name: r.name })),
		spheres: SPHERES,
		conflicts: jurorConflicts(db(), j.userId, contest.id).map((c) => ({ ...c, createdAt: c.createdAt.getTime() })),
		rounds: activeLoadOf(db(), j.userId).filter((r) => r.contestId === contest.id)
	};
};

export const actions: Actions = {
	save: async (event) => {
		const { actor, contest } = jurorScope(event);
		const { raw, ...parsed } = await validate(event.request, profileSchema, { joined: ['nominationIds'] });
		if (!parsed.ok) return parsed.failure;
		return act(() => {
			updateJurorProfile(db(), actor, event.params.id, contest.id, parsed.data);
			return { saved: true, affected: parsed.data.active ? [] : activeLoadOf(db(), event.params.id).filter((r) => r.contestId === contest.id) };
		}, raw);
	},
	expertise: async (event) => {
		const { actor, juror } = jurorScope(event);
		const { raw, ...parsed } = await validate(event.request, expertiseSchema, { joined: ['spheres'] });
		if (!parsed.ok) return parsed.failure;
		return act(() => ({ expertiseSaved: updateJurorExpertise(db(), actor, juror.userId, parsed.data).changed }), raw);
	},
	reinvite: (event) => {
		const { actor, contest } = contestScope(event);
		return act(() => ({ reinvited: resendInvite(db(), actor, event.params.id, contest.id).user.email }));
	},
	conflict: async (event) => {
		const { actor, contest } = contestScope(event);
		const { raw, ...parsed } = await validate(event.request, conflictSchema);
		if (!parsed.ok) return parsed.failure;
		return act(() => {
			const r = declareConflict(db(), actor, event.params.id, contest.id, parsed.data.number, parsed.data.comment);
			return { declared: { number: parsed.data.number.toUpperCase(), removed: r.removed } };
		}, raw);
	},
	unconflict: async (event) => {
		const { actor } = contestScope(event);
		const { raw } = await readForm(event.request);
		return act(() => {
			removeConflict(db(), actor, event.params.id, raw.id ?? '');
			return { undeclared: true };
		});
	}
};
