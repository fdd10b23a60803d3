import { fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { requireRole } from '$lib/server/auth/guards';
import { db } from '$lib/server/db/client';
import type { Actor } from '$lib/server/actor';
import { DomainError } from '$lib/server/errors';
import { BROKEN_FORM_MESSAGE, isTooLarge } from '$lib/server/http/form';
import { checkImport, importPractices, parseImportFile, MAX_IMPORT_ROWS, type ParsedImport } from '$lib/server/library/import';
import { deleteObjectQuietly, readImportUpload, FILE_RULES } from '$lib/server/library/files';

export const load: PageServerLoad = ({ locals, url }) => {
	requireRole(locals, url, 'organizer');
	return { maxRows: MAX_IMPORT_ROWS, maxBytes: FILE_RULES.import.maxBytes };
};

/**
 * The file comes either as an S3 key (the page uploads it straight to S3, any size up to the
 * limit) or, without JavaScript, in the form itself (small files only).
 */
async function readFile(request: Request, user: Actor): Promise<{ name: string; bytes: Uint8Array; key: string | null; publish: boolean }> {
	let fd: FormData;
	try {
		fd = await request.formData();
	} catch (e) {
		if (isTooLarge(e)) throw new DomainError(413, 'too_big', 'Файл слишком большой для отправки формой: включите JavaScript, чтобы загрузить его напрямую в хранилище');
		throw new DomainError(400, 'broken_form', BROKEN_FORM_MESSAGE);
	}
	const publish = fd.get('publish') === 'on';
	const key = fd.get('key');
	if (typeof key === 'string' && key) {
		const f = await readImportUpload(user, key);
		return { ...f, key, publish };
	}
	const file = fd.get('file');
	if (!(file instanceof File) || file.size === 0) throw new DomainError(400, 'no_file', 'Выберите файл CSV или XLSX');
	if (file.size > FILE_RULES.import.maxBytes) throw new DomainError(400, 'too_big', 'Файл импорта больше 10 МБ');
	return { name: file.name, bytes: new Uint8Array(await file.arrayBuffer()), key: null, publish };
}

async function run(request: Request, locals: App.Locals, url: URL, write: boolean) {
	const user = requireRole(locals, url, 'organizer');
	let file: Awaited<ReturnType<typeof readFile>>;
	let parsed: ParsedImport;
	try {
		file = await readFile(request, user);
		parsed = await parseImportFile(file.name, file.bytes);
	} catch (e) {
		if (e instanceof DomainError) return fail(e.status, { message: e.message, errors: [], key: '' });
		throw e;
	}
	if (!write) {
		const check = checkImport(db(), parsed);
		return { checked: true, rows: parsed.rows.length, errors: check.errors.slice(0, 200), totalErrors: check.errors.length, key: file.key ?? '', fileName: file.name, publish: file.publish };
	}
	const r = importPractices(db(), user, parsed, { publish: file.publish, fileName: file.name });
	if (r.errors.length) return fail(400, { message: 'Ничего не импортировано: исправьте ошибки в файле', errors: r.errors.slice(0, 200), totalErrors: r.errors.length, key: file.key ?? '' });
	if (file.key) await deleteObjectQuietly(file.key);
	return { imported: r.created, published: file.publish, slugs: r.slugs.slice(0, 20) };
}

export const actions: Actions = {
	check: ({ request, locals, url }) => run(request, locals, url, false),
	import: ({ request, locals, url }) => run(request, locals, url, true)
};
