import { error } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { requireRole } from '$lib/server/auth/guards';
import { db } from '$lib/server/db/client';
import { actorOf } from '$lib/server/actor';
import { contestOr404, domainFail, domainPage, readForm } from '$lib/server/review/http';
import { findRound, roundK } from '$lib/server/review/rounds';
import { addAssignment, moveAssignment, removeAssignment } from '$lib/server/review/assignments';
import { entryAssignments } from '$lib/server/review/views';
import { regionByCode } from '$lib/data/regions';
import { DomainError } from '$lib/server/errors';

function roundOr404(contestId: string, number: string) {
	const n = Number(number);
	const r = Number.isInteger(n) ? findRound(db(), contestId, n) : undefined;
	if (!r) error(404, 'Тур не найден');
	return r;
}

export const load: PageServerLoad = ({ locals, url, params }) => {
	requireRole(locals, url, 'organizer');
	const contest = contestOr404(params.slug);
	const round = roundOr404(contest.id, params.number);
	let view;
	try {
		view = entryAssignments(db(), round.id, params.appId);
	} catch (e) {
		domainPage(e);
	}
	return {
		round: { number: round.number, title: round.title, status: round.status, k: roundK(round, contest.settings) },
		entry: { ...view.application, regionName: regionByCode(view.application.regionCode ?? '')?.name ?? '—' },
		inRound: view.inRound,
		assignments: view.assignments.map((a) => ({ ...a, updatedAt: a.updatedAt.getTime(), submittedAt: a.submittedAt?.getTime() ?? null })),
		candidates: view.candidates,
		conflicts: view.conflicts
	};
};

async function ctx(locals: App.Locals, url: URL, params: { slug: string; number: string }) {
	const actor = requireRole(locals, url, 'organizer');
	const contest = contestOr404(params.slug);
	const round = roundOr404(contest.id, params.number);
	return { actor, round };
}

export const actions: Actions = {
	add: async ({ request, locals, url, params, getClientAddress }) => {
		const { actor, round } = await ctx(locals, url, params);
		const { raw } = await readForm(request);
		if (!raw.jurorId) return domainFail(new DomainError(400, 'no_juror', 'Выберите эксперта'), raw);
		try {
			addAssignment(db(), actorOf(actor, getClientAddress()), round.id, params.appId, raw.jurorId);
		} catch (e) {
			return domainFail(e, raw);
		}
		return { done: 'Эксперт назначен' };
	},
	move: async ({ request, locals, url, params, getClientAddress }) => {
		const { actor } = await ctx(locals, url, params);
		const { raw } = await readForm(request);
		if (!raw.jurorId) return domainFail(new DomainError(400, 'no_juror', 'Выберите эксперта, которому передать заявку'), raw);
		try {
			moveAssignment(db(), actorOf(actor, getClientAddress()), raw.id ?? '', raw.jurorId);
		} catch (e) {
			return domainFail(e, raw);
		}
		return { done: 'Назначение перенесено' };
	},
	remove: async ({ request, locals, url, params, getClientAddress }) => {
		const { actor } = await ctx(locals, url, params);
		const { raw } = await readForm(request);
		try {
			removeAssignment(db(), actorOf(actor, getClientAddress()), raw.id ?? '', { comment: (raw.comment ?? '').trim().slice(0, 1000), conflict: raw.conflict === 'on' });
		} catch (e) {
			return domainFail(e, raw);
		}
		return { done: raw.conflict === 'on' ? 'Назначение снято, конфликт интересов отмечен' : 'Назначение снято' };
	}
};
