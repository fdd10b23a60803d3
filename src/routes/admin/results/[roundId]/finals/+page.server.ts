import { error, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { requireRole } from '$lib/server/auth/guards';
import { db } from '$lib/server/db/client';
import { actorOf } from '$lib/server/actor';
import { DomainError } from '$lib/server/errors';
import { formFail, parseForm } from '$lib/server/http/form';
import { finalsSchema } from '$lib/schemas/results';
import { finalsPage, fromMoscowInput } from '$lib/server/results/console';
import { createFinals } from '$lib/server/results/finals';
import { applyRouting } from '$lib/server/review/plan';
import { activateRound, closeRound } from '$lib/server/review/rounds';
import { readForm } from '$lib/server/review/http';

export const load: PageServerLoad = ({ locals, url, params }) => {
	requireRole(locals, url, 'organizer');
	try {
		return { view: finalsPage(db(), params.roundId, url.searchParams.getAll('pick').slice(0, 2000)) };
	} catch (e) {
		if (e instanceof DomainError) error(e.status, e.message);
		throw e;
	}
};

function refuse(e: unknown, raw: Record<string, string>) {
	if (e instanceof DomainError) return formFail(e.status, raw, (e.details?.errors as Record<string, string>) ?? {}, e.message);
	throw e;
}

export const actions: Actions = {
	create: async ({ locals, url, params, request, getClientAddress }) => {
		const user = requireRole(locals, url, 'organizer');
		const { raw, all } = await readForm(request);
		const p = parseForm(finalsSchema, raw);
		if (!p.ok) return p.failure;
		const picks = all('pick');
		let perNomination: number | undefined;
		if (p.data.mode === 'top') {
			perNomination = Number(p.data.perNomination);
			if (!/^\d+$/.test(p.data.perNomination.trim())) return formFail(400, raw, { perNomination: 'Целое число от 1 до 1000' }, 'Проверьте поля формы');
		} else if (!picks.length) return formFail(400, raw, { mode: 'Отметьте заявки в таблице итогов или выберите «Лучшие N»' }, 'Не выбрано ни одной заявки');
		let deadlineAt: Date | null = null;
		if (p.data.deadline) {
			deadlineAt = fromMoscowInput(p.data.deadline);
			if (!deadlineAt) return formFail(400, raw, { deadline: 'Неверная дата и время' }, 'Проверьте поля формы');
		}
		let roundId: string;
		try {
			roundId = createFinals(
				db(),
				actorOf(user, getClientAddress()),
				{ fromRoundId: params.roundId, perNomination, applicationIds: p.data.mode === 'manual' ? picks : undefined, jurorIds: all('jury'), k: p.data.k, deadlineAt }
			).roundId;
		} catch (e) {
			return refuse(e, raw);
		}
		redirect(303, `/admin/results/${roundId}/finals?created=1`);
	},
	route: async ({ locals, url, params, getClientAddress }) => {
		const user = requireRole(locals, url, 'organizer');
		try {
			const r = applyRouting(db(), actorOf(user, getClientAddress()), params.roundId);
			return { routed: { added: r.added, kept: r.kept, unplaced: r.unplacedEntries.map((u) => ({ applicationId: u.applicationId, placed: u.placed, needed: u.needed, reasons: u.reasons })) } };
		} catch (e) {
			return refuse(e, {});
		}
	},
	status: async ({ locals, url, params, request, getClientAddress }) => {
		const user = requireRole(locals, url, 'organizer');
		const { raw } = await readForm(request);
		const to = raw.to;
		if (to !== 'active' && to !== 'closed') return formFail(400, raw, {}, 'Неизвестный статус тура');
		try {
			if (to === 'active') activateRound(db(), params.roundId, actorOf(user, getClientAddress()));
			else closeRound(db(), params.roundId, actorOf(user, getClientAddress()));
		} catch (e) {
			return refuse(e, raw);
		}
		return { ok: to === 'active' ? 'Оценка финала открыта: эксперты видят свои заявки.' : 'Тур закрыт.' };
	}
};
