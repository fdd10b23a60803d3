import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad, RequestEvent } from './$types';
import { db } from '$lib/server/db/client';
import { act, formFail, readForm, validate } from '$lib/server/http/form';
import { roundScope } from '$lib/server/http/scope';
import { activateRound, closeRound, lateEntryIds, roundK, roundSettings, updateRound } from '$lib/server/review/rounds';
import { applyState, previewState, requestApply, requestPreview } from '$lib/server/review/routing-jobs';
import { roundEntriesView, roundProgress } from '$lib/server/review/views';
import { roundSchema, toMoscowInput } from '$lib/schemas/jury';
import { contestSettings } from '$lib/server/contests/settings';
import { listJurors } from '$lib/server/review/jurors';

const PAGE = 50;

export const load: PageServerLoad = async ({ parent, url, depends }) => {
	depends('round:routing');
	const { contest, round } = await parent();
	const d = db();
	const q = (url.searchParams.get('q') ?? '').trim().slice(0, 100);
	const shortOnly = url.searchParams.get('short') === '1';
	const page = Math.max(1, Number(url.searchParams.get('page')) || 1);
	const wantPreview = url.searchParams.get('preview') === '1' && round.status !== 'closed';
	const rebalance = url.searchParams.get('rebalance') === '1';
	const entries = roundEntriesView(d, round.id, { q, shortOnly, limit: PAGE, offset: (page - 1) * PAGE });
	return {
		round: {
			id: round.id,
			number: round.number,
			title: round.title,
			status: round.status,
			deadlineAt: round.deadlineAt?.getTime() ?? null,
			deadlineInput: toMoscowInput(round.deadlineAt),
			k: roundK(round, contest.settings),
			kOverride: roundSettings(round.settings).k ?? null,
			contestK: contestSettings(contest.settings).jurorsPerEntry,
			late: lateEntryIds(d, round).length,
			jurorIds: roundSettings(round.settings).jurorIds ?? null
		},
		jury: listJurors(d, contest.id)
			.filter((j) => j.contestNominationIds.length > 0)
			.map((j) => ({ userId: j.userId, fio: j.fio, active: j.active })),
		progress: roundProgress(d, round.id),
		// the routing runs as a job (review/routing-jobs.ts): the page only reads its state
		preview: wantPreview ? { state: previewState(d, round.id, { rebalance }) } : null,
		applyJob: url.searchParams.get('apply') ? applyState(d, round.id) : null,
		rebalance,
		entries: { ...entries, q, shortOnly, page, pages: Math.max(1, Math.ceil(entries.total / PAGE)) },
		serverNow: Date.now()
	};
};

/** Opens or closes the round (the domain checks the deadline and records it in the audit log). */
function setStatus(event: RequestEvent, change: typeof activateRound, done: string) {
	const { actor, round } = roundScope(event);
	return act(() => {
		change(db(), round.id, actor);
		return { done };
	});
}

export const actions: Actions = {
	// Both run as jobs (review/routing-jobs.ts); the page shows their progress, then the outcome.
	preview: async (event) => {
		const { round } = roundScope(event);
		const { raw } = await readForm(event.request);
		const rebalance = raw.rebalance === '1';
		return act(() => {
			requestPreview(db(), round.id, { rebalance });
			redirect(303, `${event.url.pathname}?preview=1${rebalance ? '&rebalance=1' : ''}#preview`);
		}, raw);
	},
	apply: async (event) => {
		const { actor, round } = roundScope(event);
		const { raw } = await readForm(event.request);
		const rebalance = raw.rebalance === '1';
		return act(() => {
			requestApply(db(), actor, round.id, { digest: raw.digest || undefined, rebalance });
			redirect(303, `${event.url.pathname}?preview=1${rebalance ? '&rebalance=1' : ''}&apply=1#preview`);
		}, raw);
	},
	update: async (event) => {
		const { actor, round } = roundScope(event);
		const { raw, form, ...parsed } = await validate(event.request, roundSchema);
		if (!parsed.ok) return parsed.failure;
		const jurorIds = raw.juryMode === 'selected' ? form.all('jurorIds') : null;
		if (jurorIds && jurorIds.length === 0) return formFail(400, raw, { jurorIds: 'Выберите хотя бы одного эксперта или оставьте «все эксперты конкурса»' });
		return act(() => {
			updateRound(db(), round.id, { title: parsed.data.title, deadlineAt: parsed.data.deadlineAt, k: parsed.data.k, jurorIds }, actor);
			return { done: 'Настройки тура сохранены' };
		}, raw);
	},
	activate: (event) => setStatus(event, activateRound, 'Тур открыт: эксперты видят свои заявки и могут оценивать'),
	close: (event) => setStatus(event, closeRound, 'Тур закрыт: оценки больше не принимаются')
};
