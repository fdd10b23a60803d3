import { error } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { requireRole } from '$lib/server/auth/guards';
import { db } from '$lib/server/db/client';
import { actorOf } from '$lib/server/actor';
import { DomainError } from '$lib/server/errors';
import { formFail, readFormData } from '$lib/server/http/form';
import { markWinners, winnersPreview, winnersSpread } from '$lib/server/results/decisions';

export const load: PageServerLoad = ({ locals, url, params }) => {
	requireRole(locals, url, 'organizer');
	try {
		const preview = winnersPreview(db(), params.roundId);
		return { preview, spread: preview.decided ? winnersSpread(db(), preview.contest.id) : null };
	} catch (e) {
		if (e instanceof DomainError) error(e.status, e.message);
		throw e;
	}
};

export const actions: Actions = {
	mark: async ({ locals, url, params, request, getClientAddress }) => {
		const user = requireRole(locals, url, 'organizer');
		const fd = await readFormData(request);
		const ids = fd.getAll('winner').filter((v): v is string => typeof v === 'string');
		if (fd.get('confirm') !== 'on') return formFail(400, {}, { confirm: 'Подтвердите решение' }, 'Подтвердите решение флажком — оно меняет статусы всех заявок конкурса');
		try {
			const r = markWinners(db(), actorOf(user, getClientAddress()), params.roundId, ids);
			return { ok: `Решение принято: победителей — ${r.winners}; статусы изменены у ${r.changedToWinner + r.changedToNotSelected} заявок.` };
		} catch (e) {
			if (e instanceof DomainError) return formFail(e.status, {}, {}, e.message);
			throw e;
		}
	}
};
