import type { Actions, PageServerLoad } from './$types';
import { requireRole } from '$lib/server/auth/guards';
import { db } from '$lib/server/db/client';
import { actorOf } from '$lib/server/actor';
import { formFail, parseForm } from '$lib/server/http/form';
import { contestOr404, domainFail, readForm } from '$lib/server/review/http';
import { createCriterion, deleteCriterion, listCriteria, moveCriterion, scoringStarted, updateCriterion } from '$lib/server/review/rubric';
import { listNominations } from '$lib/server/contests/queries';
import { criterionSchema, parseLevels } from '$lib/schemas/jury';

export const load: PageServerLoad = ({ locals, url, params }) => {
	requireRole(locals, url, 'organizer');
	const contest = contestOr404(params.slug);
	return {
		criteria: listCriteria(db(), contest.id).map((c) => ({ id: c.id, title: c.title, description: c.description, weight: c.weight, scaleMin: c.scaleMin, scaleMax: c.scaleMax, nominationId: c.nominationId, levels: c.levels })),
		nominations: listNominations(db(), contest.id).map((n) => ({ id: n.id, title: n.title })),
		frozen: scoringStarted(db(), contest.id)
	};
};

function readCriterion(raw: Record<string, string>) {
	const parsed = parseForm(criterionSchema, raw);
	if (!parsed.ok) return { ok: false as const, failure: parsed.failure };
	const lv = parseLevels(parsed.data.levels);
	if (!lv.ok) return { ok: false as const, failure: formFail(400, raw, { levels: lv.error }) };
	const { levels: _text, ...rest } = parsed.data;
	return { ok: true as const, input: { ...rest, levels: lv.levels } };
}

export const actions: Actions = {
	create: async ({ request, locals, url, params, getClientAddress }) => {
		const actor = requireRole(locals, url, 'organizer');
		const contest = contestOr404(params.slug);
		const { raw } = await readForm(request);
		const r = readCriterion(raw);
		if (!r.ok) return r.failure;
		try {
			createCriterion(db(), actorOf(actor, getClientAddress()), contest.id, r.input);
		} catch (e) {
			return domainFail(e, raw);
		}
		return { done: 'Критерий добавлен' };
	},
	update: async ({ request, locals, url, params, getClientAddress }) => {
		const actor = requireRole(locals, url, 'organizer');
		const contest = contestOr404(params.slug);
		const { raw } = await readForm(request);
		const r = readCriterion(raw);
		if (!r.ok) return r.failure;
		try {
			updateCriterion(db(), actorOf(actor, getClientAddress()), contest.id, raw.id ?? '', r.input);
		} catch (e) {
			return domainFail(e, raw);
		}
		return { done: 'Критерий сохранён' };
	},
	delete: async ({ request, locals, url, params, getClientAddress }) => {
		const actor = requireRole(locals, url, 'organizer');
		const contest = contestOr404(params.slug);
		const { raw } = await readForm(request);
		try {
			deleteCriterion(db(), actorOf(actor, getClientAddress()), contest.id, raw.id ?? '');
		} catch (e) {
			return domainFail(e, raw);
		}
		return { done: 'Критерий удалён' };
	},
	move: async ({ request, locals, url, params, getClientAddress }) => {
		const actor = requireRole(locals, url, 'organizer');
		const contest = contestOr404(params.slug);
		const { raw } = await readForm(request);
		try {
			moveCriterion(db(), actorOf(actor, getClientAddress()), contest.id, raw.id ?? '', raw.dir === 'up' ? -1 : 1);
		} catch (e) {
			return domainFail(e, raw);
		}
		return { done: 'Порядок изменён' };
	}
};
