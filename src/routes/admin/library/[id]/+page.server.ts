import { error, fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { requireRole } from '$lib/server/auth/guards';
import { db } from '$lib/server/db/client';
import { formObject } from '$lib/server/http/form';
import { practiceFail as formFail } from '$lib/server/library/http';
import { DomainError } from '$lib/server/errors';
import {
	deletePractice,
	formOptions,
	getPractice,
	listAdoptions,
	publishPractice,
	publishProblems,
	removeDocument,
	unpublishPractice,
	updatePractice
} from '$lib/server/library/practices';
import { PRACTICE_STATUS_TITLE } from '$lib/glossary';
import { deleteObjectQuietly, FILE_RULES } from '$lib/server/library/files';
import { editorMedia } from '$lib/server/library/media';
import { parsePracticeInput, practiceToRaw, keyLabel } from '$lib/schemas/library';

function load404(id: string) {
	const p = getPractice(db(), id);
	if (!p) error(404, 'Практика не найдена');
	return p;
}

export const load: PageServerLoad = async ({ locals, url, params }) => {
	requireRole(locals, url, 'organizer');
	const d = db();
	const p = load404(params.id);
	const media = await editorMedia(d, p);
	const problems = { ...(p.editorNote.trim() ? { editor_note: 'очистите заметку редактора — пока она есть, практику нельзя опубликовать' } : {}), ...publishProblems(p) };
	return {
		practice: { id: p.id, slug: p.slug, title: p.title, status: p.status, statusTitle: PRACTICE_STATUS_TITLE[p.status], fromApplication: !!p.applicationId, publishedAt: p.publishedAt?.getTime() ?? null, videoConsent: p.videoConsent, editorNote: p.editorNote },
		values: practiceToRaw(p),
		problems: Object.entries(problems).map(([k, m]) => ({ key: k, label: k === 'editor_note' ? 'Заметка редактора' : keyLabel(k), message: m })),
		video: media.video,
		documents: media.documents,
		adoptions: listAdoptions(d, p.id).length,
		options: formOptions(d),
		rules: { document: FILE_RULES.document, video: FILE_RULES.video },
		created: url.searchParams.get('created') === '1'
	};
};

function refusal(e: unknown, raw: Record<string, string> = {}) {
	if (e instanceof DomainError) {
		const errors = (e.details?.errors as Record<string, string> | undefined) ?? (e.details?.field ? { [String(e.details.field)]: e.message } : {});
		return formFail(e.status, raw, errors, e.message);
	}
	throw e;
}

export const actions: Actions = {
	save: async ({ locals, url, params, request }) => {
		const user = requireRole(locals, url, 'organizer');
		const p = load404(params.id);
		const raw = await formObject(request);
		const parsed = parsePracticeInput(raw);
		if (!parsed.ok) return formFail(400, raw, parsed.errors, 'Не сохранено: проверьте выделенные поля');
		try {
			updatePractice(db(), user, p.id, parsed.data, { ...(p.videoAssetId ? { videoConsent: raw.video_consent === 'on' } : {}), ...('editor_note' in raw ? { editorNote: raw.editor_note } : {}) });
		} catch (e) {
			return refusal(e, raw);
		}
		return { saved: true };
	},
	publish: async ({ locals, url, params }) => {
		const user = requireRole(locals, url, 'organizer');
		const p = load404(params.id);
		try {
			publishPractice(db(), user, p.id);
		} catch (e) {
			return refusal(e);
		}
		return { published: true };
	},
	unpublish: async ({ locals, url, params }) => {
		const user = requireRole(locals, url, 'organizer');
		const p = load404(params.id);
		try {
			unpublishPractice(db(), user, p.id);
		} catch (e) {
			return refusal(e);
		}
		return { unpublished: true };
	},
	delete: async ({ locals, url, params, request }) => {
		const user = requireRole(locals, url, 'organizer');
		const p = load404(params.id);
		const raw = await formObject(request);
		if (raw.confirm !== p.slug) return fail(400, { values: {}, errors: { confirm: 'Введите адрес страницы практики, чтобы подтвердить удаление' }, message: 'Удаление не подтверждено' });
		const { keys } = deletePractice(db(), user, p.id);
		for (const k of keys) await deleteObjectQuietly(k);
		redirect(303, '/admin/library?deleted=1');
	},
	removeDocument: async ({ locals, url, params, request }) => {
		const user = requireRole(locals, url, 'organizer');
		const p = load404(params.id);
		const raw = await formObject(request);
		try {
			const { key } = removeDocument(db(), user, p.id, String(raw.document ?? ''));
			await deleteObjectQuietly(key);
		} catch (e) {
			return refusal(e);
		}
		return { documentRemoved: true };
	}
};
