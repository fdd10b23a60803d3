import { error } from '@sveltejs/kit';
import type { Actions, PageServerLoad, RequestEvent } from './$types';
import { requireRole } from '$lib/server/auth/guards';
import { db } from '$lib/server/db/client';
import { formFail, formObject } from '$lib/server/http/form';
import { idField, nominationFormSchema, nominationMoveSchema, phaseChangeSchema } from '$lib/schemas/contest';
import { PHASE_TITLE } from '$lib/glossary';
import {
	addNomination,
	changePhase,
	contestOverview,
	getContest,
	moveNomination,
	phaseProblems,
	removeNomination,
	updateNomination
} from '$lib/server/contests/admin';
import { actorOf, type Actor } from '$lib/server/actor';
import { parseContestForm, refuse } from '$lib/server/contests/forms';
import { DomainError } from '$lib/server/errors';

export const load: PageServerLoad = ({ locals, url, params }) => {
	requireRole(locals, url, 'organizer');
	const now = new Date();
	let o: ReturnType<typeof contestOverview>;
	try {
		o = contestOverview(db(), params.id, now);
	} catch (e) {
		if (e instanceof DomainError) error(e.status, e.message);
		throw e;
	}
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

/** The organizer and the contest of every action; a forged contest id gets 404 before anything is read. */
function start(event: RequestEvent): { actor: Actor; contestId: string } {
	const user = requireRole(event.locals, event.url, 'organizer');
	try {
		return { actor: actorOf(user, event.getClientAddress()), contestId: getContest(db(), event.params.id).id };
	} catch (e) {
		if (e instanceof DomainError) error(e.status, e.message);
		throw e;
	}
}

export const actions: Actions = {
	/** First post: the guards are checked and a confirmation is asked; the second post (confirm=yes) moves. */
	phase: async (event) => {
		const { actor, contestId } = start(event);
		const raw = await formObject(event.request);
		const parsed = parseContestForm(phaseChangeSchema, raw);
		if (!parsed.ok) return parsed.failure;
		const { to, confirm } = parsed.data;
		try {
			if (confirm !== 'yes') {
				const c = getContest(db(), contestId);
				const problems = phaseProblems(db(), c, to);
				if (problems.length) return formFail(409, raw, {}, `Нельзя перейти в «${PHASE_TITLE[to]}»: ${problems.join('; ')}`);
				return { _form: 'phase', confirmPhase: to };
			}
			const c = changePhase(db(), actor, contestId, to);
			return { _form: 'phase', done: `Этап изменён: «${PHASE_TITLE[c.phase]}»` };
		} catch (e) {
			return refuse(e, raw);
		}
	},

	addNomination: async (event) => {
		const { actor, contestId } = start(event);
		const raw = await formObject(event.request);
		const parsed = parseContestForm(nominationFormSchema, raw);
		if (!parsed.ok) return parsed.failure;
		try {
			const n = addNomination(db(), actor, contestId, parsed.data);
			return { _form: 'addNomination', done: `Номинация «${n.title}» добавлена` };
		} catch (e) {
			return refuse(e, raw);
		}
	},

	updateNomination: async (event) => {
		const { actor, contestId } = start(event);
		const raw = await formObject(event.request);
		const id = idField.safeParse(raw.nominationId);
		if (!id.success) return formFail(400, raw, {}, id.error.issues[0].message);
		const parsed = parseContestForm(nominationFormSchema, raw);
		if (!parsed.ok) return parsed.failure;
		try {
			const n = updateNomination(db(), actor, contestId, id.data, parsed.data);
			return { _form: 'updateNomination', done: `Номинация «${n.title}» сохранена` };
		} catch (e) {
			return refuse(e, raw);
		}
	},

	moveNomination: async (event) => {
		const { actor, contestId } = start(event);
		const raw = await formObject(event.request);
		const parsed = parseContestForm(nominationMoveSchema, raw);
		if (!parsed.ok) return parsed.failure;
		try {
			moveNomination(db(), actor, contestId, parsed.data.nominationId, parsed.data.direction);
			return { _form: 'moveNomination', moved: parsed.data.nominationId, direction: parsed.data.direction };
		} catch (e) {
			return refuse(e, raw);
		}
	},

	removeNomination: async (event) => {
		const { actor, contestId } = start(event);
		const raw = await formObject(event.request);
		const id = idField.safeParse(raw.nominationId);
		if (!id.success) return formFail(400, raw, {}, id.error.issues[0].message);
		try {
			const n = removeNomination(db(), actor, contestId, id.data);
			return { _form: 'removeNomination', done: `Номинация «${n.title}» удалена` };
		} catch (e) {
			return refuse(e, raw);
		}
	}
};
