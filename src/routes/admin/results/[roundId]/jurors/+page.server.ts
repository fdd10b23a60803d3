import type { Actions, PageServerLoad } from './$types';
import { db } from '$lib/server/db/client';
import { act } from '$lib/server/http/form';
import { orPage } from '$lib/server/http/page';
import { actorOf } from '$lib/server/http/scope';
import { computeRound, loadRound } from '$lib/server/results/load';
import { calibrationView, jurorSignals, SIGNALS } from '$lib/server/results/quality';
import { assignCalibration } from '$lib/server/review/assignments';

export const load: PageServerLoad = async ({ parent, params }) => {
	await parent();
	return orPage(() => {
		const l = loadRound(db(), params.roundId);
		const res = computeRound(l, { normalize: false });
		return {
			round: l.round,
			threshold: l.contest.settings.disagreementThreshold,
			contestId: l.contest.id,
			signals: jurorSignals(l, res),
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
