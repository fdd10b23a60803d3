import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad, RequestEvent } from './$types';
import { db } from '$lib/server/db/client';
import { act, formFail, readForm, validate } from '$lib/server/http/form';
import { roundScope } from '$lib/server/http/scope';
import { activateRound, closeRound, lateEntryIds, roundK, roundSettings, scoringOpen, updateRound } from '$lib/server/review/rounds';
import { DEFAULT_ROUTING_PREFS } from '$lib/server/review/routing-prefs';
import { assignExtraReviews, uncertainEntries } from '$lib/server/review/extra-reviews';
import { applyState, previewState, requestApply, requestPreview } from '$lib/server/review/routing-jobs';
import { roundEntriesView, roundProgress } from '$lib/server/review/views';
import { extraReviewsSchema, roundSchema, routingPrefsSchema, toMoscowInput } from '$lib/schemas/jury';
import { contestSettings } from '$lib/server/contests/settings';
import { listJurors } from '$lib/server/review/jurors';

/** Active jurors of the round's jury (all of the contest's, or the chosen ones) and how many of them have areas of expertise. */
function jurorsWithExpertise(all: ReturnType<typeof listJurors>, jurorIds: string[] | null) {
	const list = all.filter((j) => j.active && j.contestNominationIds.length > 0 && (!jurorIds || jurorIds.includes(j.userId)));
	return { jurors: list.length, withExpertise: list.filter((j) => j.expertise.spheres.length + j.expertise.tags.length > 0).length };
}

const PAGE = 50;
/** Jurors per page of the round's progress table (a national round has 600). */
const JUROR_PAGE = 50;
/** Rounds up to this many scored entries show the uncertain places at once; larger ones on request. */
const UNCERTAIN_AUTO = 3000;

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
	const { jurors: allProgress, ...progress } = roundProgress(d, round.id);
	const jurorPages = Math.max(1, Math.ceil(allProgress.length / JUROR_PAGE));
	const jurorPage = Math.min(jurorPages, Math.max(1, Number(url.searchParams.get('jp')) || 1));
	const jurorList = listJurors(d, contest.id);
	const wantUncertain = progress.submitted > 0 && (url.searchParams.get('uncertain') === '1' || progress.entries <= UNCERTAIN_AUTO);
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
		jury: jurorList
			.filter((j) => j.contestNominationIds.length > 0)
			.map((j) => ({ userId: j.userId, fio: j.fio, active: j.active })),
		// the page shows one page of the jurors' progress (by name); the totals count all of them
		progress: { ...progress, jurors: allProgress.slice((jurorPage - 1) * JUROR_PAGE, jurorPage * JUROR_PAGE), jurorCount: allProgress.length, jurorPage, jurorPages },
		routingPrefs: roundSettings(round.settings).routing ?? { ...DEFAULT_ROUTING_PREFS },
		expertiseCount: jurorsWithExpertise(jurorList, roundSettings(round.settings).jurorIds ?? null),
		uncertain: progress.submitted > 0 ? (wantUncertain ? uncertainEntries(d, round.id) : null) : undefined,
		extraBlocked:
			round.status === 'closed'
				? 'Тур закрыт: чтобы назначить дополнительные оценки, возобновите его.'
				: !scoringOpen(round)
					? 'Срок оценки прошёл: продлите срок в настройках тура, чтобы эксперты успели оценить дополнительные работы.'
					: null,
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
	routing: async (event) => {
		const { actor, round } = roundScope(event);
		const { raw, ...parsed } = await validate(event.request, routingPrefsSchema);
		if (!parsed.ok) return parsed.failure;
		return act(() => {
			updateRound(db(), round.id, { routing: parsed.data }, actor);
			return { routingSaved: true };
		}, raw);
	},
	extra: async (event) => {
		const { actor, round } = roundScope(event);
		const { raw, ...parsed } = await validate(event.request, extraReviewsSchema);
		if (!parsed.ok) return parsed.failure;
		return act(() => ({ extra: assignExtraReviews(db(), actor, round.id, parsed.data) }), raw);
	},
	activate: (event) => setStatus(event, activateRound, 'Тур открыт: эксперты видят свои заявки и могут оценивать'),
	close: (event) => setStatus(event, closeRound, 'Тур закрыт: оценки больше не принимаются')
};
