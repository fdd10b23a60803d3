import { error } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { requireRole } from '$lib/server/auth/guards';
import { db } from '$lib/server/db/client';
import { actorOf } from '$lib/server/actor';
import { DomainError } from '$lib/server/errors';
import { formFail, formObject, parseForm, readFormData } from '$lib/server/http/form';
import { resultsSettingsSchema } from '$lib/schemas/results';
import { contestResultsPage } from '$lib/server/results/console';
import { winnersSpread } from '$lib/server/results/decisions';
import { DECISION_KINDS, mailingStatus, queueDecisionMails, requestDelivery, type DecisionKind } from '$lib/server/results/mailing';
import { updateResultsSettings } from '$lib/server/results/settings-guard';

export const load: PageServerLoad = ({ locals, url, params }) => {
	requireRole(locals, url, 'organizer');
	try {
		const page = contestResultsPage(db(), params.contestId);
		return { page, mailing: mailingStatus(db(), params.contestId), spread: winnersSpread(db(), params.contestId) };
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
	settings: async ({ locals, url, params, request, getClientAddress }) => {
		const user = requireRole(locals, url, 'organizer');
		const raw = await formObject(request);
		const p = parseForm(resultsSettingsSchema, raw);
		if (!p.ok) return p.failure;
		try {
			updateResultsSettings(db(), actorOf(user, getClientAddress()), params.contestId, p.data);
		} catch (e) {
			return refuse(e, raw);
		}
		return { ok: 'Настройки итогов сохранены.' };
	},
	queue: async ({ locals, url, params, request, getClientAddress }) => {
		const user = requireRole(locals, url, 'organizer');
		const fd = await readFormData(request);
		const kinds = fd.getAll('kind').filter((k): k is DecisionKind => typeof k === 'string' && (DECISION_KINDS as string[]).includes(k));
		if (!kinds.length) return formFail(400, {}, { kind: 'Выберите, кому писать' }, 'Выберите, кому писать');
		try {
			const r = queueDecisionMails(db(), actorOf(user, getClientAddress()), params.contestId, kinds);
			return { ok: `В рассылку добавлено писем: ${r.queued}${r.already ? `; уже были в рассылке: ${r.already}` : ''}. Их отправит фоновая очередь; состояние — ниже и в «Фоновых задачах».` };
		} catch (e) {
			return refuse(e, {});
		}
	},
	deliver: async ({ locals, url, params, getClientAddress }) => {
		const user = requireRole(locals, url, 'organizer');
		try {
			// «Send now / retry the failed ones»: the queue's delivery job runs now; nothing is sent here.
			const r = requestDelivery(db(), actorOf(user, getClientAddress()), params.contestId);
			return { ok: r.due ? `Писем к отправке: ${r.due}. Фоновая очередь отправляет их сейчас; состояние — ниже и в «Фоновых задачах».` : 'Отправлять нечего: все письма рассылки уже доставлены или исчерпали попытки.' };
		} catch (e) {
			return refuse(e, {});
		}
	}
};
