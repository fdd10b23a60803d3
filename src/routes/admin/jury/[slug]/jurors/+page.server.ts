import { fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { db } from '$lib/server/db/client';
import { act, domainFail, formFail, readForm, validate } from '$lib/server/http/form';
import { contestScope } from '$lib/server/http/scope';
import { grantNominations, inviteJuror, inviteJurors, listJurors } from '$lib/server/review/jurors';
import { readJuryFile, IMPORT_MAX_BYTES, type RowError } from '$lib/server/review/import';
import { listNominations } from '$lib/server/contests/queries';
import { inviteSchema } from '$lib/schemas/jury';
import { REGIONS } from '$lib/data/regions';

export const load: PageServerLoad = async ({ parent, url }) => {
	const { contest } = await parent();
	const noms = listNominations(db(), contest.id);
	const q = (url.searchParams.get('q') ?? '').trim().toLowerCase();
	const all = listJurors(db(), contest.id);
	return {
		nominations: noms.map((n) => ({ id: n.id, title: n.title })),
		regions: REGIONS.map((r) => ({ code: r.code, name: r.name })),
		q,
		total: all.length,
		jurors: all
			.filter((j) => !q || j.fio.toLowerCase().includes(q) || j.email.includes(q) || j.organization.toLowerCase().includes(q))
			.map((j) => ({
				userId: j.userId,
				fio: j.fio,
				email: j.email,
				regionCode: j.regionCode,
				organization: j.organization,
				capacity: j.capacity,
				active: j.active,
				invited: j.invited,
				nominations: j.contestNominationIds.length,
				load: j.load,
				submitted: j.submitted,
				conflicts: j.conflicts
			}))
	};
};

const importFail = (status: number, importError: string, importErrors: RowError[] = []) => fail(status, { importError, importErrors });

export const actions: Actions = {
	bulk: async (event) => {
		const { actor, contest } = contestScope(event);
		const { raw, all } = await readForm(event.request);
		const jurorIds = all('juror').slice(0, 5000);
		const nominationIds = all('bulkNominationIds');
		return act(
			() => ({ bulkDone: { jurors: jurorIds.length, changed: grantNominations(db(), actor, contest.id, jurorIds, nominationIds, raw.mode === 'replace' ? 'replace' : 'add').changed } }),
			raw,
			{ as: (e) => fail(e.status, { bulkError: e.message || 'Не удалось изменить номинации', selected: jurorIds }) }
		);
	},

	invite: async (event) => {
		const { actor, contest } = contestScope(event);
		const { raw, ...parsed } = await validate(event.request, inviteSchema, { joined: ['nominationIds'] });
		if (!parsed.ok) return parsed.failure;
		let created;
		try {
			created = inviteJuror(db(), actor, contest.id, parsed.data);
		} catch (e) {
			// An address that is already registered is shown beside the address field.
			return domainFail(e, raw, { as: (e) => (e.message.includes('уже зарегистрирован') ? formFail(409, raw, { email: e.message }) : domainFail(e, raw)) });
		}
		// The letter is in the mail queue (enqueued with the juror); the queue retries it if SMTP fails.
		return { invited: { fio: created.user.fio, email: created.user.email, userId: created.user.id, mailed: true } };
	},

	import: async (event) => {
		const { actor, contest } = contestScope(event);
		const f = await readForm(event.request);
		const file = f.file('file');
		if (!file || file.size === 0) return importFail(400, 'Выберите файл CSV или XLSX со списком экспертов');
		if (file.size > IMPORT_MAX_BYTES) return importFail(413, 'Файл больше 2 МБ: разделите список на части');
		const buf = new Uint8Array(await file.arrayBuffer());
		const parsed = await readJuryFile(db(), contest.id, buf, file.name);
		if (parsed.fileError) return importFail(400, parsed.fileError);
		if (parsed.errors.length)
			return importFail(
				400,
				`Импорт не выполнен: ошибки в ${parsed.errors.length} ${parsed.errors.length === 1 ? 'строке' : 'строках'} из ${parsed.errors.length + parsed.rows.length}. Исправьте файл и загрузите его снова — ни одна строка не добавлена.`,
				parsed.errors
			);
		let created;
		try {
			created = inviteJurors(db(), actor, contest.id, parsed.rows, { mail: f.raw.send === 'on' });
		} catch (e) {
			return domainFail(e, f.raw, { as: (e) => importFail(e.status, `Импорт не выполнен: ${e.message}. Ни одна строка не добавлена.`) });
		}
		return { imported: { count: created.length, mailed: f.raw.send === 'on', failed: 0 } };
	}
};
