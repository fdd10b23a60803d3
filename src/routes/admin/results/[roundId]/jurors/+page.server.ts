import type { Actions, PageServerLoad } from './$types';
import { db } from '$lib/server/db/client';
import { act } from '$lib/server/http/form';
import { orPage } from '$lib/server/http/page';
import { actorOf } from '$lib/server/http/scope';
import { calibrationView, roundJurorSignals, SIGNALS } from '$lib/server/results/quality';
import { roundModelView } from '$lib/server/results/console';
import { assignCalibration } from '$lib/server/review/assignments';

export const load: PageServerLoad = async ({ parent, params, url }) => {
	await parent();
	return orPage(() => {
		const { loaded: l, results: res, signals } = roundJurorSignals(db(), params.roundId, { normalization: 'none' });
		return {
			model: roundModelView(db(), params.roundId, Number(url.searchParams.get('jp')) || 1),
			official: l.contest.settings.normalization,
			round: l.round,
			threshold: l.contest.settings.disagreementThreshold,
			contestId: l.contest.id,
			signals,
			calibration: calibrationView(l, res, new Map()),
			nominations: l.nominations.map((n) => ({ id: n.id, title: n.title })),
			limits: SIGNALS
		};
	});
};

export const actions: Actions = {
	calibrate: (event) => {
		const actor = actorOf(event);
		return act(() => ({ ok: `Калибровочные заявки назначены: добавлено назначений — ${assignCalibration(db(), actor, event.params.roundId).added}.` }));
	}
};
