import type { Actions, PageServerLoad } from './$types';
import { db } from '$lib/server/db/client';
import { act, formFail, parseForm, readForm, validate } from '$lib/server/http/form';
import { orPage } from '$lib/server/http/page';
import { contestByIdScope } from '$lib/server/http/scope';
import { idField, nominationFormSchema, nominationMoveSchema, phaseChangeSchema } from '$lib/schemas/contest';
import { PHASE_TITLE } from '$lib/glossary';
import { addNomination, changePhase, contestOverview, moveNomination, phaseProblems, removeNomination, updateNomination } from '$lib/server/contests/admin';
import { CONTEST_FORM } from '../form';

export const load: PageServerLoad = async ({ parent, params }) => {
	await parent();
	const now = new Date();
	const o = orPage(() => contestOverview(db(), params.id, now));
	const c = o.contest;
	return {
		contest: {
			id: c.id,
			slug: c.slug,
			title: c.title,
			year: c.year,
			phase: c.phase,
			numberPrefix: c.numberPrefix,
			openAt: c.openAt.getTime(),
			closeAt: c.closeAt.getTime(),
			reviewEndAt: c.reviewEndAt.getTime(),
			resultsAt: c.resultsAt.getTime()
		},
		settings: o.settings,
		nominations: o.nominations.map((n) => ({ id: n.id, slug: n.slug, title: n.title, description: n.description, track: n.track, applications: n.applications, entries: n.entries })),
		counts: o.counts,
		byDay: o.byDay,
		transitions: o.transitions,
		history: o.history,
		serverNow: now.getTime()
	};
};

export const actions: Actions = {
	/** First post: the guards are checked and a confirmation is asked; the second post (confirm=yes) moves. */
	phase: async (event) => {
		const { actor, contest } = contestByIdScope(event);
		const { raw, ...parsed } = await validate(event.request, phaseChangeSchema, CONTEST_FORM);
		if (!parsed.ok) return parsed.failure;
		const { to, confirm } = parsed.data;
		return act(() => {
			if (confirm === 'yes') return { _form: 'phase', done: `Этап изменён: «${PHASE_TITLE[changePhase(db(), actor, contest.id, to).phase]}»` };
			const problems = phaseProblems(db(), contest, to);
			if (problems.length) return formFail(409, raw, {}, `Нельзя перейти в «${PHASE_TITLE[to]}»: ${problems.join('; ')}`);
			return { _form: 'phase', confirmPhase: to };
		}, raw, CONTEST_FORM);
	},

	addNomination: async (event) => {
		const { actor, contest } = contestByIdScope(event);
		const { raw, ...parsed } = await validate(event.request, nominationFormSchema, CONTEST_FORM);
		if (!parsed.ok) return parsed.failure;
		return act(() => ({ _form: 'addNomination', done: `Номинация «${addNomination(db(), actor, contest.id, parsed.data).title}» добавлена` }), raw, CONTEST_FORM);
	},

	updateNomination: async (event) => {
		const { actor, contest } = contestByIdScope(event);
		const { raw } = await readForm(event.request);
		const id = idField.safeParse(raw.nominationId);
		if (!id.success) return formFail(400, raw, {}, id.error.issues[0].message);
		const parsed = parseForm(nominationFormSchema, raw, CONTEST_FORM);
		if (!parsed.ok) return parsed.failure;
		return act(() => ({ _form: 'updateNomination', done: `Номинация «${updateNomination(db(), actor, contest.id, id.data, parsed.data).title}» сохранена` }), raw, CONTEST_FORM);
	},

	moveNomination: async (event) => {
		const { actor, contest } = contestByIdScope(event);
		const { raw, ...parsed } = await validate(event.request, nominationMoveSchema, CONTEST_FORM);
		if (!parsed.ok) return parsed.failure;
		const { nominationId, direction } = parsed.data;
		return act(() => {
			moveNomination(db(), actor, contest.id, nominationId, direction);
			return { _form: 'moveNomination', moved: nominationId, direction };
		}, raw, CONTEST_FORM);
	},

	removeNomination: async (event) => {
		const { actor, contest } = contestByIdScope(event);
		const { raw } = await readForm(event.request);
		const id = idField.safeParse(raw.nominationId);
		if (!id.success) return formFail(400, raw, {}, id.error.issues[0].message);
		return act(() => ({ _form: 'removeNomination', done: `Номинация «${removeNomination(db(), actor, contest.id, id.data).title}» удалена` }), raw, CONTEST_FORM);
	}
};
