import type { Actions, PageServerLoad, RequestEvent } from './$types';
import { db } from '$lib/server/db/client';
import { act, formFail, parseForm, readForm, type Raw } from '$lib/server/http/form';
import { contestScope } from '$lib/server/http/scope';
import { createCriterion, deleteCriterion, listCriteria, moveCriterion, scoringStarted, updateCriterion, type CriterionInput } from '$lib/server/review/rubric';
import { listNominations } from '$lib/server/contests/queries';
import { criterionSchema, parseLevels } from '$lib/schemas/jury';

export const load: PageServerLoad = async ({ parent }) => {
	const { contest } = await parent();
	return {
		criteria: listCriteria(db(), contest.id).map((c) => ({ id: c.id, title: c.title, description: c.description, weight: c.weight, scaleMin: c.scaleMin, scaleMax: c.scaleMax, nominationId: c.nominationId, levels: c.levels })),
		nominations: listNominations(db(), contest.id).map((n) => ({ id: n.id, title: n.title })),
		frozen: scoringStarted(db(), contest.id)
	};
};

function readCriterion(raw: Raw) {
	const parsed = parseForm(criterionSchema, raw);
	if (!parsed.ok) return { ok: false as const, failure: parsed.failure };
	const lv = parseLevels(parsed.data.levels);
	if (!lv.ok) return { ok: false as const, failure: formFail(400, raw, { levels: lv.error }) };
	const { levels: _text, ...rest } = parsed.data;
	return { ok: true as const, input: { ...rest, levels: lv.levels } };
}

type Scope = ReturnType<typeof contestScope>;

/** A change of the rubric: the contest's scope, the form (checked when it carries a criterion), the domain call. */
async function change(event: RequestEvent, done: string, run: (s: Scope, raw: Raw, input: CriterionInput | null) => void, withCriterion = false) {
	const s = contestScope(event);
	const { raw } = await readForm(event.request);
	const r = withCriterion ? readCriterion(raw) : { ok: true as const, input: null };
	if (!r.ok) return r.failure;
	return act(() => {
		run(s, raw, r.input);
		return { done };
	}, raw);
}

export const actions: Actions = {
	create: (event) => change(event, 'Критерий добавлен', ({ actor, contest }, _raw, input) => createCriterion(db(), actor, contest.id, input!), true),
	update: (event) => change(event, 'Критерий сохранён', ({ actor, contest }, raw, input) => updateCriterion(db(), actor, contest.id, raw.id ?? '', input!), true),
	delete: (event) => change(event, 'Критерий удалён', ({ actor, contest }, raw) => deleteCriterion(db(), actor, contest.id, raw.id ?? '')),
	move: (event) => change(event, 'Порядок изменён', ({ actor, contest }, raw) => moveCriterion(db(), actor, contest.id, raw.id ?? '', raw.dir === 'up' ? -1 : 1))
};
