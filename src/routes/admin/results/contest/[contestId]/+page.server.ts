import type { Actions, PageServerLoad } from './$types';
import { db } from '$lib/server/db/client';
import { act, formFail, readForm, validate } from '$lib/server/http/form';
import { orPage } from '$lib/server/http/page';
import { actorOf } from '$lib/server/http/scope';
import { resultsSettingsSchema } from '$lib/schemas/results';
import { contestResultsPage } from '$lib/server/results/console';
import { winnersSpread } from '$lib/server/results/decisions';
import { DECISION_KINDS, mailingStatus, queueDecisionMails, requestDelivery, type DecisionKind } from '$lib/server/results/mailing';
import { updateResultsSettings } from '$lib/server/results/settings-guard';

export const load: PageServerLoad = async ({ parent, params }) => {
	await parent();
	const page = orPage(() => contestResultsPage(db(), params.contestId));
	return { page, mailing: mailingStatus(db(), params.contestId), spread: winnersSpread(db(), params.contestId) };
};

export const actions: Actions = {
	settings: async (event) => {
		const actor = actorOf(event);
		const { raw, ...p } = await validate(event.request, resultsSettingsSchema);
		if (!p.ok) return p.failure;
		return act(() => {
			updateResultsSettings(db(), actor, event.params.contestId, p.data);
			return { ok: 'Настройки итогов сохранены.' };
		}, raw);
	},
	queue: async (event) => {
		const actor = actorOf(event);
		const { all } = await readForm(event.request);
		const kinds = all('kind').filter((k): k is DecisionKind => (DECISION_KINDS as string[]).includes(k));
		if (!kinds.length) return formFail(400, {}, { kind: 'Выберите, кому писать' }, 'Выберите, кому писать');
		return act(() => {
			const r = queueDecisionMails(db(), actor, event.params.contestId, kinds);
			return { ok: `В рассылку добавлено писем: ${r.queued}${r.already ? `; уже были в рассылке: ${r.already}` : ''}. Их отправит фоновая очередь; состояние — ниже и в «Фоновых задачах».` };
		});
	},
	deliver: (event) => {
		const actor = actorOf(event);
		return act(() => {
			// «Send now / retry the failed ones»: the queue's delivery job runs now; nothing is sent here.
			const r = requestDelivery(db(), actor, event.params.contestId);
			return { ok: r.due ? `Писем к отправке: ${r.due}. Фоновая очередь отправляет их сейчас; состояние — ниже и в «Фоновых задачах».` : 'Отправлять нечего: все письма рассылки уже доставлены или исчерпали попытки.' };
		});
	}
};
