import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { db } from '$lib/server/db/client';
import { act, formFail, readForm, validate } from '$lib/server/http/form';
import { orPage } from '$lib/server/http/page';
import { actorOf } from '$lib/server/http/scope';
import { finalsSchema } from '$lib/schemas/results';
import { finalsPage, fromMoscowInput } from '$lib/server/results/console';
import { createFinals } from '$lib/server/results/finals';
import { applyRouting } from '$lib/server/review/plan';
import { activateRound, closeRound } from '$lib/server/review/rounds';

export const load: PageServerLoad = async ({ parent, url, params }) => {
	await parent();
	return { view: orPage(() => finalsPage(db(), params.roundId, url.searchParams.getAll('pick').slice(0, 2000))) };
};

export const actions: Actions = {
	create: async (event) => {
		const actor = actorOf(event);
		const { raw, form, ...p } = await validate(event.request, finalsSchema);
		if (!p.ok) return p.failure;
		const picks = form.all('pick');
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
		return act(() => {
			const { roundId } = createFinals(db(), actor, { fromRoundId: event.params.roundId, perNomination, applicationIds: p.data.mode === 'manual' ? picks : undefined, jurorIds: form.all('jury'), k: p.data.k, deadlineAt });
			redirect(303, `/admin/results/${roundId}/finals?created=1`);
		}, raw);
	},
	route: (event) => {
		const actor = actorOf(event);
		return act(() => {
			const r = applyRouting(db(), actor, event.params.roundId);
			return { routed: { added: r.added, kept: r.kept, unplaced: r.unplacedEntries.map((u) => ({ applicationId: u.applicationId, placed: u.placed, needed: u.needed, reasons: u.reasons })) } };
		});
	},
	status: async (event) => {
		const actor = actorOf(event);
		const { raw } = await readForm(event.request);
		const to = raw.to;
		if (to !== 'active' && to !== 'closed') return formFail(400, raw, {}, 'Неизвестный статус тура');
		return act(() => {
			if (to === 'active') activateRound(db(), event.params.roundId, actor);
			else closeRound(db(), event.params.roundId, actor);
			return { ok: to === 'active' ? 'Оценка финала открыта: эксперты видят свои заявки.' : 'Тур закрыт.' };
		}, raw);
	}
};
