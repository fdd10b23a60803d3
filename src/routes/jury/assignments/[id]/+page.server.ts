import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { requireRole } from '$lib/server/auth/guards';
import { db } from '$lib/server/db/client';
import { actorOf } from '$lib/server/actor';
import { DomainError } from '$lib/server/errors';
import { domainPage, readForm } from '$lib/server/review/http';
import { recuse, saveScores, scoringView } from '$lib/server/review/scoring';
import { materials } from '$lib/server/review/materials';
import { regionByCode } from '$lib/data/regions';

export const load: PageServerLoad = async ({ locals, url, params }) => {
	const user = requireRole(locals, url, 'jury');
	let view;
	try {
		view = scoringView(db(), user.id, params.id);
	} catch (e) {
		domainPage(e);
	}
	const media = await materials(db(), view.files);
	const a = view.assignment;
	return {
		assignment: { id: a.id, status: a.status, version: a.version, comment: a.comment, feedback: a.feedback, submittedAt: a.submittedAt?.getTime() ?? null, updatedAt: a.updatedAt.getTime() },
		round: { ...view.round, deadlineAt: view.round.deadlineAt?.getTime() ?? null },
		contestTitle: view.contestTitle,
		application: { ...view.application, regionName: regionByCode(view.application.about.regionCode ?? '')?.name ?? '' },
		media,
		criteria: view.criteria,
		scores: view.scores,
		nav: view.nav,
		serverNow: Date.now()
	};
};

export const actions: Actions = {
	save: async ({ request, locals, url, params, getClientAddress }) => {
		const user = requireRole(locals, url, 'jury');
		const { raw } = await readForm(request);
		const ids = (raw.criteria ?? '').split(',').filter(Boolean).slice(0, 100);
		const values: Record<string, string> = {};
		for (const id of ids) values[id] = raw[`c_${id}`] ?? '';
		// values of criteria the page did not list are passed too, so that a forged one is refused
		for (const k of Object.keys(raw)) if (k.startsWith('c_') && !(k.slice(2) in values)) values[k.slice(2)] = raw[k];
		const intent = raw.intent === 'submit' ? 'submit' : 'draft';
		const version = Number(raw.version);
		const echo = { comment: (raw.comment ?? '').slice(0, 6000), feedback: (raw.feedback ?? '').slice(0, 6000), scores: values };
		if (!Number.isInteger(version)) return fail(400, { message: 'Неверный запрос: обновите страницу', code: 'bad_version', errors: {} as Record<string, string>, echo, stored: null });
		try {
			const r = saveScores(db(), actorOf(user, getClientAddress()), params.id, { values, comment: raw.comment ?? '', feedback: raw.feedback, version, intent });
			return { saved: { status: r.status, version: r.version, scores: r.scores, comment: r.comment, feedback: r.feedback, updatedAt: r.updatedAt.getTime(), intent } };
		} catch (e) {
			if (e instanceof DomainError)
				return fail(e.status, {
					message: e.message,
					code: e.code,
					errors: ((e.details?.errors as Record<string, string>) ?? {}) as Record<string, string>,
					echo,
					stored: (e.details?.stored as { version: number; status: string; comment: string; feedback: string; scores: Record<string, number>; updatedAt: number } | undefined) ?? null
				});
			throw e;
		}
	},
	recuse: async ({ request, locals, url, params, getClientAddress }) => {
		const user = requireRole(locals, url, 'jury');
		const { raw } = await readForm(request);
		try {
			recuse(db(), actorOf(user, getClientAddress()), params.id, raw.reason ?? '');
		} catch (e) {
			if (e instanceof DomainError) return fail(e.status, { message: e.message, code: e.code, errors: { reason: e.message } as Record<string, string>, echo: null, stored: null, recuseReason: raw.reason ?? '' });
			throw e;
		}
		redirect(303, '/jury?recused=1');
	}
};
