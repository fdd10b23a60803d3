import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { db } from '$lib/server/db/client';
import { act, formFail, readForm } from '$lib/server/http/form';
import { practiceScope } from '$lib/server/http/scope';
import {
	deletePractice,
	formOptions,
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
import { PRACTICE_FORM } from '../form';

export const load: PageServerLoad = async (event) => {
	const { practice: p } = practiceScope(event);
	const { url } = event;
	const d = db();
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

export const actions: Actions = {
	save: async (event) => {
		const { actor, practice: p } = practiceScope(event);
		const { raw } = await readForm(event.request);
		const parsed = parsePracticeInput(raw);
		if (!parsed.ok) return formFail(400, raw, parsed.errors, 'Не сохранено: проверьте выделенные поля', PRACTICE_FORM);
		return act(() => {
			updatePractice(db(), actor, p.id, parsed.data, { ...(p.videoAssetId ? { videoConsent: raw.video_consent === 'on' } : {}), ...('editor_note' in raw ? { editorNote: raw.editor_note } : {}) });
			return { saved: true };
		}, raw, PRACTICE_FORM);
	},
	publish: (event) => {
		const { actor, practice: p } = practiceScope(event);
		return act(() => {
			publishPractice(db(), actor, p.id);
			return { published: true };
		});
	},
	unpublish: (event) => {
		const { actor, practice: p } = practiceScope(event);
		return act(() => {
			unpublishPractice(db(), actor, p.id);
			return { unpublished: true };
		});
	},
	delete: async (event) => {
		const { actor, practice: p } = practiceScope(event);
		const { raw } = await readForm(event.request);
		if (raw.confirm !== p.slug) return fail(400, { values: {}, errors: { confirm: 'Введите адрес страницы практики, чтобы подтвердить удаление' }, message: 'Удаление не подтверждено' });
		const { keys } = deletePractice(db(), actor, p.id);
		for (const k of keys) await deleteObjectQuietly(k);
		redirect(303, '/admin/library?deleted=1');
	},
	removeDocument: async (event) => {
		const { actor, practice: p } = practiceScope(event);
		const { raw } = await readForm(event.request);
		return act(async () => {
			await deleteObjectQuietly(removeDocument(db(), actor, p.id, String(raw.document ?? '')).key);
			return { documentRemoved: true };
		});
	}
};
