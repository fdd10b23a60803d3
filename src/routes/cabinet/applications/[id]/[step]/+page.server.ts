import { error, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { db } from '$lib/server/db/client';
import { guard } from '$lib/server/http/guards';
import { act, formFail, readForm } from '$lib/server/http/form';
import { saveStep, submitApplication, type StepName } from '$lib/server/applications/service';
import { STEPS, CONSENT_TEXT, CONSENT_VERSION, type Step } from '$lib/schemas/application';

export const load: PageServerLoad = async ({ params, parent }) => {
	if (!STEPS.includes(params.step as Step)) error(404, 'Такого шага нет');
	const data = await parent();
	if (!data.editable && params.step !== 'submit') redirect(303, `/cabinet/applications/${params.id}`);
	return { step: params.step as Step, consentText: CONSENT_TEXT, consentVersion: CONSENT_VERSION };
};

function nextOf(step: string): string {
	const i = STEPS.indexOf(step as Step);
	return STEPS[Math.min(i + 1, STEPS.length - 1)];
}

export const actions: Actions = {
	save: async (event) => {
		const user = guard(event);
		const { raw } = await readForm(event.request);
		const step = event.params.step as StepName;
		if (!['about', 'practice', 'letter'].includes(step)) return formFail(400, raw, {}, 'Этот шаг не сохраняется формой');
		// «Save my version over it» after a conflict names the version the user has now seen.
		const version = Number(raw.force_version || raw.version);
		const { version: _v, force_version: _f, intent, ...fields } = raw;
		return act(
			() => {
				const r = saveStep(db(), user, event.params.id, step, fields, version);
				if (Object.keys(r.errors).length) return formFail(400, { ...raw, version: String(r.app.version) }, r.errors, 'Черновик сохранён, но некоторые поля нужно исправить — они отмечены ниже.');
				if (intent === 'next') redirect(303, `/cabinet/applications/${event.params.id}/${nextOf(step)}`);
				return { saved: true, version: r.app.version };
			},
			raw,
			// A conflict names the version saved in the other tab («Save my version over it»).
			{ as: (e) => formFail(e.status, raw, { ...((e.details?.errors as Record<string, string>) ?? {}), ...(e.code === 'conflict' ? { _conflict: String(e.details?.currentVersion ?? '') } : {}) }, e.message) }
		);
	},
	submit: async (event) => {
		const user = guard(event);
		const { raw } = await readForm(event.request);
		return act(() => {
			// The confirmation mail is queued by submitApplication, in the submitting transaction.
			submitApplication(db(), user, event.params.id, { consent: raw.consent === 'on', contactsConsent: raw.contacts_consent === 'on', videoConsent: raw.video_consent === 'on', version: Number(raw.version) });
			redirect(303, `/cabinet/applications/${event.params.id}?submitted=1`);
		}, raw);
	}
};
