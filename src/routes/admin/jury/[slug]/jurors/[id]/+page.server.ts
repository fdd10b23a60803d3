import { error } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { requireRole } from '$lib/server/auth/guards';
import { db } from '$lib/server/db/client';
import { actorOf } from '$lib/server/actor';
import { parseForm } from '$lib/server/http/form';
import { contestOr404, domainFail, readForm } from '$lib/server/review/http';
import { declareConflict, getJuror, jurorConflicts, removeConflict, resendInvite, updateJurorProfile } from '$lib/server/review/jurors';
import { activeLoadOf } from '$lib/server/review/views';
import { listNominations } from '$lib/server/contests/queries';
import { conflictSchema, profileSchema } from '$lib/schemas/jury';
import { REGIONS } from '$lib/data/regions';
import { DomainError } from '$lib/server/errors';

function jurorOr404(id: string) {
	try {
		return getJuror(db(), id);
	} catch (e) {
		if (e instanceof DomainError) error(404, 'Эксперт не найден');
		throw e;
	}
}

export const load: PageServerLoad = ({ locals, url, params }) => {
	requireRole(locals, url, 'organizer');
	const contest = contestOr404(params.slug);
	const j = jurorOr404(params.id);
	const noms = listNominations(db(), contest.id);
	return {
		juror: { ...j, nominationIds: j.nominationIds.filter((id) => noms.some((n) => n.id === id)) },
		nominations: noms.map((n) => ({ id: n.id, title: n.title })),
		regions: REGIONS.map((r) => ({ code: r.code, name: r.name })),
		conflicts: jurorConflicts(db(), j.userId, contest.id).map((c) => ({ ...c, createdAt: c.createdAt.getTime() })),
		rounds: activeLoadOf(db(), j.userId).filter((r) => r.contestId === contest.id)
	};
};

export const actions: Actions = {
	save: async ({ request, locals, url, params, getClientAddress }) => {
		const actor = requireRole(locals, url, 'organizer');
		const contest = contestOr404(params.slug);
		jurorOr404(params.id);
		const f = await readForm(request);
		const raw = { ...f.raw, nominationIds: f.all('nominationIds').join(',') };
		const parsed = parseForm(profileSchema, raw);
		if (!parsed.ok) return parsed.failure;
		try {
			updateJurorProfile(db(), actorOf(actor, getClientAddress()), params.id, contest.id, parsed.data);
		} catch (e) {
			return domainFail(e, raw);
		}
		const affected = parsed.data.active ? [] : activeLoadOf(db(), params.id).filter((r) => r.contestId === contest.id);
		return { saved: true, affected };
	},
	reinvite: async ({ locals, url, params, getClientAddress }) => {
		const actor = requireRole(locals, url, 'organizer');
		const contest = contestOr404(params.slug);
		try {
			const { user } = resendInvite(db(), actorOf(actor, getClientAddress()), params.id, contest.id);
			return { reinvited: user.email };
		} catch (e) {
			return domainFail(e);
		}
	},
	conflict: async ({ request, locals, url, params, getClientAddress }) => {
		const actor = requireRole(locals, url, 'organizer');
		const contest = contestOr404(params.slug);
		const { raw } = await readForm(request);
		const parsed = parseForm(conflictSchema, raw);
		if (!parsed.ok) return parsed.failure;
		try {
			const r = declareConflict(db(), actorOf(actor, getClientAddress()), params.id, contest.id, parsed.data.number, parsed.data.comment);
			return { declared: { number: parsed.data.number.toUpperCase(), removed: r.removed } };
		} catch (e) {
			return domainFail(e, raw);
		}
	},
	unconflict: async ({ request, locals, url, params, getClientAddress }) => {
		const actor = requireRole(locals, url, 'organizer');
		const { raw } = await readForm(request);
		try {
			removeConflict(db(), actorOf(actor, getClientAddress()), params.id, raw.id ?? '');
			return { undeclared: true };
		} catch (e) {
			return domainFail(e);
		}
	}
};
