import { fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { requireRole } from '$lib/server/auth/guards';
import { db } from '$lib/server/db/client';
import { actorOf } from '$lib/server/actor';
import { formFail, parseForm } from '$lib/server/http/form';
import { contestOr404, domainFail, readForm } from '$lib/server/review/http';
import { grantNominations, inviteJuror, inviteJurors, listJurors } from '$lib/server/review/jurors';
import { readJuryFile, IMPORT_MAX_BYTES, type RowError } from '$lib/server/review/import';
import { listNominations } from '$lib/server/contests/queries';
import { inviteSchema } from '$lib/schemas/jury';
import { REGIONS } from '$lib/data/regions';

export const load: PageServerLoad = ({ locals, url, params }) => {
	requireRole(locals, url, 'organizer');
	const contest = contestOr404(params.slug);
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

export const actions: Actions = {
	bulk: async ({ request, locals, url, params, getClientAddress }) => {
		const actor = requireRole(locals, url, 'organizer');
		const contest = contestOr404(params.slug);
		const f = await readForm(request);
		const jurorIds = f.all('juror').slice(0, 5000);
		const nominationIds = f.all('bulkNominationIds');
		try {
			const r = grantNominations(db(), actorOf(actor, getClientAddress()), contest.id, jurorIds, nominationIds, f.raw.mode === 'replace' ? 'replace' : 'add');
			return { bulkDone: { jurors: jurorIds.length, changed: r.changed } };
		} catch (e) {
			const r = domainFail(e);
			return fail(r.status, { bulkError: r.data.message ?? 'Не удалось изменить номинации', selected: jurorIds });
		}
	},

	invite: async ({ request, locals, url, params, getClientAddress }) => {
		const actor = requireRole(locals, url, 'organizer');
		const contest = contestOr404(params.slug);
		const f = await readForm(request);
		const raw = { ...f.raw, nominationIds: f.all('nominationIds').join(',') };
		const parsed = parseForm(inviteSchema, raw);
		if (!parsed.ok) return parsed.failure;
		let created;
		try {
			created = inviteJuror(db(), actorOf(actor, getClientAddress()), contest.id, parsed.data);
		} catch (e) {
			const r = domainFail(e, raw);
			if (r.data.message?.includes('уже зарегистрирован')) return formFail(409, raw, { email: r.data.message });
			return r;
		}
		// The letter is in the mail queue (enqueued with the juror); the queue retries it if SMTP fails.
		return { invited: { fio: created.user.fio, email: created.user.email, userId: created.user.id, mailed: true } };
	},

	import: async ({ request, locals, url, params, getClientAddress }) => {
		const actor = requireRole(locals, url, 'organizer');
		const contest = contestOr404(params.slug);
		const f = await readForm(request);
		const file = f.file('file');
		if (!file || file.size === 0) return fail(400, { importError: 'Выберите файл CSV или XLSX со списком экспертов', importErrors: [] as RowError[] });
		if (file.size > IMPORT_MAX_BYTES) return fail(413, { importError: 'Файл больше 2 МБ: разделите список на части', importErrors: [] as RowError[] });
		const buf = new Uint8Array(await file.arrayBuffer());
		const parsed = await readJuryFile(db(), contest.id, buf, file.name);
		if (parsed.fileError) return fail(400, { importError: parsed.fileError, importErrors: [] as RowError[] });
		if (parsed.errors.length)
			return fail(400, {
				importError: `Импорт не выполнен: ошибки в ${parsed.errors.length} ${parsed.errors.length === 1 ? 'строке' : 'строках'} из ${parsed.errors.length + parsed.rows.length}. Исправьте файл и загрузите его снова — ни одна строка не добавлена.`,
				importErrors: parsed.errors
			});
		let created;
		try {
			created = inviteJurors(db(), actorOf(actor, getClientAddress()), contest.id, parsed.rows, { mail: f.raw.send === 'on' });
		} catch (e) {
			const r = domainFail(e);
			return fail(r.status, { importError: `Импорт не выполнен: ${r.data.message}. Ни одна строка не добавлена.`, importErrors: [] as RowError[] });
		}
		return { imported: { count: created.length, mailed: f.raw.send === 'on', failed: 0 } };
	}
};
