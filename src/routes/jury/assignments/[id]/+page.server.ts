import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { db } from '$lib/server/db/client';
import { guard } from '$lib/server/http/guards';
import { actorOf } from '$lib/server/http/scope';
import { act, readForm, type Raw } from '$lib/server/http/form';
import { orPage } from '$lib/server/http/page';
import { recuse, saveScores, scoringView } from '$lib/server/review/scoring';
import { materials } from '$lib/server/review/materials';
import { regionByCode } from '$lib/data/regions';

export const load: PageServerLoad = async (event) => {
	const user = guard(event);
	const view = orPage(() => scoringView(db(), user.id, event.params.id));
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

/** The score of each criterion the page listed (`c_<id>`); values of criteria it did not list are passed too, so that a forged one is refused. */
function scoreValues(raw: Raw): Record<string, string> {
	const values: Record<string, string> = {};
	for (const id of (raw.criteria ?? '').split(',').filter(Boolean).slice(0, 100)) values[id] = raw[`c_${id}`] ?? '';
	for (const k of Object.keys(raw)) if (k.startsWith('c_') && !(k.slice(2) in values)) values[k.slice(2)] = raw[k];
	return values;
}

type Stored = { version: number; status: string; comment: string; feedback: string; scores: Record<string, number>; updatedAt: number };

export const actions: Actions = {
	save: async (event) => {
		const actor = actorOf(event);
		const { raw } = await readForm(event.request);
		const values = scoreValues(raw);
		const intent = raw.intent === 'submit' ? 'submit' : 'draft';
		const version = Number(raw.version);
		const echo = { comment: (raw.comment ?? '').slice(0, 6000), feedback: (raw.feedback ?? '').slice(0, 6000), scores: values };
		if (!Number.isInteger(version)) return fail(400, { message: 'Неверный запрос: обновите страницу', code: 'bad_version', errors: {} as Record<string, string>, echo, stored: null });
		return act(
			() => {
				const r = saveScores(db(), actor, event.params.id, { values, comment: raw.comment ?? '', feedback: raw.feedback, version, intent });
				return { saved: { status: r.status, version: r.version, scores: r.scores, comment: r.comment, feedback: r.feedback, updatedAt: r.updatedAt.getTime(), intent } };
			},
			raw,
			// The scoring screen keeps what was typed (echo) and shows the stored version of a conflict.
			{ as: (e) => fail(e.status, { message: e.message, code: e.code, errors: (e.details?.errors as Record<string, string>) ?? {}, echo, stored: (e.details?.stored as Stored | undefined) ?? null }) }
		);
	},
	recuse: async (event) => {
		const actor = actorOf(event);
		const { raw } = await readForm(event.request);
		return act(
			() => {
				recuse(db(), actor, event.params.id, raw.reason ?? '');
				redirect(303, '/jury?recused=1');
			},
			raw,
			{ as: (e) => fail(e.status, { message: e.message, code: e.code, errors: { reason: e.message } as Record<string, string>, echo: null, stored: null, recuseReason: raw.reason ?? '' }) }
		);
	}
};
