import { fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad, RequestEvent } from './$types';
import { db } from '$lib/server/db/client';
import type { Actor } from '$lib/server/actor';
import { DomainError } from '$lib/server/errors';
import { domainFail, readForm } from '$lib/server/http/form';
import { actorOf, type RouteActor } from '$lib/server/http/scope';
import { checkImport, importPractices, parseImportFile, MAX_IMPORT_ROWS } from '$lib/server/library/import';
import { deleteObjectQuietly, readImportUpload, FILE_RULES } from '$lib/server/library/files';

export const load: PageServerLoad = async ({ parent }) => {
	await parent();
	return { maxRows: MAX_IMPORT_ROWS, maxBytes: FILE_RULES.import.maxBytes };
};

const TOO_LARGE = 'Файл слишком большой для отправки формой: включите JavaScript, чтобы загрузить его напрямую в хранилище';

/**
 * The file comes either as an S3 key (the page uploads it straight to S3, any size up to the
 * limit) or, without JavaScript, in the form itself (small files only).
 */
async function readFile(request: Request, actor: RouteActor): Promise<{ name: string; bytes: Uint8Array; key: string | null; publish: boolean }> {
	const f = await readForm(request, { tooLarge: TOO_LARGE, asFormFailure: true });
	const publish = f.raw.publish === 'on';
	if (f.raw.key) return { ...(await readImportUpload(actor, f.raw.key)), key: f.raw.key, publish };
	const file = f.file('file');
	if (!file || file.size === 0) throw new DomainError(400, 'no_file', 'Выберите файл CSV или XLSX');
	if (file.size > FILE_RULES.import.maxBytes) throw new DomainError(400, 'too_big', 'Файл импорта больше 10 МБ');
	return { name: file.name, bytes: new Uint8Array(await file.arrayBuffer()), key: null, publish };
}

async function run(event: RequestEvent, write: boolean) {
	const actor = actorOf(event);
	let file, parsed;
	try {
		file = await readFile(event.request, actor);
		parsed = await parseImportFile(file.name, file.bytes);
	} catch (e) {
		return domainFail(e, {}, { as: (e) => fail(e.status, { message: e.message, errors: [], key: '' }) });
	}
	if (!write) {
		const check = checkImport(db(), parsed);
		return { checked: true, rows: parsed.rows.length, errors: check.errors.slice(0, 200), totalErrors: check.errors.length, key: file.key ?? '', fileName: file.name, publish: file.publish };
	}
	const r = importPractices(db(), actor, parsed, { publish: file.publish, fileName: file.name });
	if (r.errors.length) return fail(400, { message: 'Ничего не импортировано: исправьте ошибки в файле', errors: r.errors.slice(0, 200), totalErrors: r.errors.length, key: file.key ?? '' });
	if (file.key) await deleteObjectQuietly(file.key);
	return { imported: r.created, published: file.publish, slugs: r.slugs.slice(0, 20) };
}

export const actions: Actions = {
	check: (event) => run(event, false),
	import: (event) => run(event, true)
};
