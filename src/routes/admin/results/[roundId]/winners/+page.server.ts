import type { Actions, PageServerLoad } from './$types';
import { db } from '$lib/server/db/client';
import { act, formFail, readForm } from '$lib/server/http/form';
import { orPage } from '$lib/server/http/page';
import { actorOf } from '$lib/server/http/scope';
import { markWinners, winnersPreview, winnersSpread } from '$lib/server/results/decisions';

export const load: PageServerLoad = async ({ parent, params }) => {
	await parent();
	const preview = orPage(() => winnersPreview(db(), params.roundId));
	return { preview, spread: preview.decided ? winnersSpread(db(), preview.contest.id) : null };
};

export const actions: Actions = {
	mark: async (event) => {
		const actor = actorOf(event);
		const { raw, all } = await readForm(event.request);
		if (raw.confirm !== 'on') return formFail(400, {}, { confirm: 'Подтвердите решение' }, 'Подтвердите решение флажком — оно меняет статусы всех заявок конкурса');
		return act(() => {
			const r = markWinners(db(), actor, event.params.roundId, all('winner'));
			return { ok: `Решение принято: победителей — ${r.winners}; статусы изменены у ${r.changedToWinner + r.changedToNotSelected} заявок.` };
		});
	}
};
