import { error } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { requireRole } from '$lib/server/auth/guards';
import { db } from '$lib/server/db/client';
import { actorOf } from '$lib/server/actor';
import { formFail, parseForm } from '$lib/server/http/form';
import { contestOr404, domainFail, readForm } from '$lib/server/review/http';
import { activateRound, closeRound, findRound, lateEntryIds, roundK, roundSettings, updateRound } from '$lib/server/review/rounds';
import { applyRouting, previewRouting } from '$lib/server/review/plan';
import { roundEntriesView, roundProgress } from '$lib/server/review/views';
import { roundSchema, toMoscowInput } from '$lib/schemas/jury';
import { contestSettings } from '$lib/server/contests/settings';
import { listJurors } from '$lib/server/review/jurors';

const PAGE = 50;

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
		preview: wantPreview ? previewRouting(d, round.id, { rebalance }) : null,
		rebalance,
		entries: { ...entries, q, shortOnly, page, pages: Math.max(1, Math.ceil(entries.total / PAGE)) },
		serverNow: Date.now()
	};
};

export const actions: Actions = {
	apply: async ({ request, locals, url, params, getClientAddress }) => {
		const actor = requireRole(locals, url, 'organizer');
		const contest = contestOr404(params.slug);
		const round = roundOr404(contest.id, params.number);
		const { raw } = await readForm(request);
		try {
			const s = applyRouting(db(), actorOf(actor, getClientAddress()), round.id, { digest: raw.digest || undefined, rebalance: raw.rebalance === '1' });
			return { applied: s };
		} catch (e) {
			return domainFail(e, raw);
		}
	},
	update: async ({ request, locals, url, params, getClientAddress }) => {
		const actor = requireRole(locals, url, 'organizer');
		const contest = contestOr404(params.slug);
		const round = roundOr404(contest.id, params.number);
		const f = await readForm(request);
		const raw = f.raw;
		const parsed = parseForm(roundSchema, raw);
		if (!parsed.ok) return parsed.failure;
		const jurorIds = raw.juryMode === 'selected' ? f.all('jurorIds') : null;
		if (jurorIds && jurorIds.length === 0) return formFail(400, raw, { jurorIds: 'Выберите хотя бы одного эксперта или оставьте «все эксперты конкурса»' });
		try {
			updateRound(db(), round.id, { title: parsed.data.title, deadlineAt: parsed.data.deadlineAt, k: parsed.data.k, jurorIds }, actorOf(actor, getClientAddress()));
		} catch (e) {
			return domainFail(e, raw);
		}
		return { done: 'Настройки тура сохранены' };
	},
	activate: async ({ locals, url, params, getClientAddress }) => {
		const actor = requireRole(locals, url, 'organizer');
		const contest = contestOr404(params.slug);
		const round = roundOr404(contest.id, params.number);
		try {
			activateRound(db(), round.id, actorOf(actor, getClientAddress()));
		} catch (e) {
			return domainFail(e);
		}
		return { done: 'Тур открыт: эксперты видят свои заявки и могут оценивать' };
	},
	close: async ({ locals, url, params, getClientAddress }) => {
		const actor = requireRole(locals, url, 'organizer');
		const contest = contestOr404(params.slug);
		const round = roundOr404(contest.id, params.number);
		try {
			closeRound(db(), round.id, actorOf(actor, getClientAddress()));
		} catch (e) {
			return domainFail(e);
		}
		return { done: 'Тур закрыт: оценки больше не принимаются' };
	}
};
