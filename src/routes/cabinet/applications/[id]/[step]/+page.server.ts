import { error, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { db } from '$lib/server/db/client';
import { requireRole } from '$lib/server/auth/guards';
import { formFail, formObject } from '$lib/server/http/form';
import { saveStep, submitApplication, type StepName } from '$lib/server/applications/service';
import { DomainError } from '$lib/server/errors';
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
	save: async ({ locals, url, params, request }) => {
		const user = requireRole(locals, url, 'applicant');
		const raw = await formObject(request);
		const step = params.step as StepName;
		if (!['about', 'practice', 'letter'].includes(step)) return formFail(400, raw, {}, 'Этот шаг не сохраняется формой');
		// «Save my version over it» after a conflict names the version the user has now seen.
		const version = Number(raw.force_version || raw.version);
		const { version: _v, force_version: _f, intent, ...fields } = raw;
		try {
			const r = saveStep(db(), user, params.id, step, fields, version);
			if (Object.keys(r.errors).length) {
				return formFail(400, { ...raw, version: String(r.app.version) }, r.errors, 'Черновик сохранён, но некоторые поля нужно исправить — они отмечены ниже.');
			}
			if (intent === 'next') redirect(303, `/cabinet/applications/${params.id}/${nextOf(step)}`);
			return { saved: true, version: r.app.version };
		} catch (e) {
			if (e instanceof DomainError) {
				const errs = (e.details?.errors as Record<string, string>) ?? {};
				if (e.code === 'conflict') errs._conflict = String(e.details?.currentVersion ?? '');
				return formFail(e.status, raw, errs, e.message);
			}
			throw e;
		}
	},
	submit: async ({ locals, url, params, request }) => {
		const user = requireRole(locals, url, 'applicant');
		const raw = await formObject(request);
		try {
			// The confirmation mail is queued by submitApplication, in the submitting transaction.
			submitApplication(db(), user, params.id, { consent: raw.consent === 'on', contactsConsent: raw.contacts_consent === 'on', videoConsent: raw.video_consent === 'on', version: Number(raw.version) });
		} catch (e) {
			if (e instanceof DomainError) return formFail(e.status, raw, (e.details?.errors as Record<string, string>) ?? {}, e.message);
			throw e;
		}
		redirect(303, `/cabinet/applications/${params.id}?submitted=1`);
	}
};
