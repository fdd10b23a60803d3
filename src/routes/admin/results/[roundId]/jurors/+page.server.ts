import { error } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { requireRole } from '$lib/server/auth/guards';
import { db } from '$lib/server/db/client';
import { DomainError } from '$lib/server/errors';
import { formFail } from '$lib/server/http/form';
import { assignCalibration, calibrationView, roundJurorSignals, SIGNALS } from '$lib/server/results/quality';

export const load: PageServerLoad = ({ locals, url, params }) => {
	requireRole(locals, url, 'organizer');
	try {
		const { loaded: l, results: res, signals } = roundJurorSignals(db(), params.roundId, { normalize: false });
		return {
			round: l.round,
			threshold: l.contest.settings.disagreementThreshold,
			contestId: l.contest.id,
			signals,
			calibration: calibrationView(l, res, new Map()),
			nominations: l.nominations.map((n) => ({ id: n.id, title: n.title })),
			limits: SIGNALS
		};
	} catch (e) {
		if (e instanceof DomainError) error(e.status, e.message);
		throw e;
	}
};

export const actions: Actions = {
	calibrate: ({ locals, url, params, getClientAddress }) => {
		const user = requireRole(locals, url, 'organizer');
		try {
			const r = assignCalibration(db(), { id: user.id, ip: getClientAddress() }, params.roundId);
			return { ok: `Калибровочные заявки назначены: добавлено назначений — ${r.added}.` };
		} catch (e) {
			if (e instanceof DomainError) return formFail(e.status, {}, {}, e.message);
			throw e;
		}
	}
};
