import type { Actions, PageServerLoad, RequestEvent } from './$types';
import { db } from '$lib/server/db/client';
import { act, formFail, readForm } from '$lib/server/http/form';
import { orPage } from '$lib/server/http/page';
import { roundScope } from '$lib/server/http/scope';
import { roundK } from '$lib/server/review/rounds';
import { addAssignment, moveAssignment, removeAssignment } from '$lib/server/review/assignments';
import { entryAssignments } from '$lib/server/review/views';
import { regionByCode } from '$lib/data/regions';

export const load: PageServerLoad = async ({ parent, params }) => {
	const { contest, round } = await parent();
	const view = orPage(() => entryAssignments(db(), round.id, params.appId));
	return {
		round: { number: round.number, title: round.title, status: round.status, k: roundK(round, contest.settings) },
		entry: { ...view.application, regionName: regionByCode(view.application.regionCode ?? '')?.name ?? '—' },
		inRound: view.inRound,
		assignments: view.assignments.map((a) => ({ ...a, updatedAt: a.updatedAt.getTime(), submittedAt: a.submittedAt?.getTime() ?? null })),
		candidates: view.candidates,
		conflicts: view.conflicts
	};
};

/** An edit of the entry's assignments: the round's scope, the form, the domain call and its message. */
async function edit(event: RequestEvent, run: (s: ReturnType<typeof roundScope>, raw: Record<string, string>) => string, needsJuror?: string) {
	const s = roundScope(event);
	const { raw } = await readForm(event.request);
	if (needsJuror && !raw.jurorId) return formFail(400, raw, {}, needsJuror);
	return act(() => ({ done: run(s, raw) }), raw);
}

export const actions: Actions = {
	add: (event) =>
		edit(
			event,
			({ actor, round }, raw) => {
				addAssignment(db(), actor, round.id, event.params.appId, raw.jurorId);
				return 'Эксперт назначен';
			},
			'Выберите эксперта'
		),
	move: (event) =>
		edit(
			event,
			({ actor }, raw) => {
				moveAssignment(db(), actor, raw.id ?? '', raw.jurorId);
				return 'Назначение перенесено';
			},
			'Выберите эксперта, которому передать заявку'
		),
	remove: (event) =>
		edit(event, ({ actor }, raw) => {
			const conflict = raw.conflict === 'on';
			removeAssignment(db(), actor, raw.id ?? '', { comment: (raw.comment ?? '').trim().slice(0, 1000), conflict });
			return conflict ? 'Назначение снято, конфликт интересов отмечен' : 'Назначение снято';
		})
};
