import { fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { requireRole } from '$lib/server/auth/guards';
import { db } from '$lib/server/db/client';
import { actorOf } from '$lib/server/actor';
import { users } from '$lib/server/db/schema';
import { formFail, parseForm } from '$lib/server/http/form';
import { contestOr404, domainFail, readForm } from '$lib/server/review/http';
import { grantNominations, inviteJuror, inviteJurors, listJurors } from '$lib/server/review/jurors';
import { parseJuryFile, IMPORT_MAX_BYTES, type RowError } from '$lib/server/review/import';
import { listNominations } from '$lib/server/contests/queries';
import { inviteSchema } from '$lib/schemas/jury';
import { sendMail } from '$lib/server/mail/mailer';
import { inviteMail } from '$lib/server/mail/templates';
import { config } from '$lib/server/config';
import { REGIONS } from '$lib/data/regions';
import { logFor } from '$lib/server/ops/log';

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

async function mailInvites(list: { user: { email: string; fio: string }; token: string }[], contestTitle: string): Promise<number> {
	let failed = 0;
	for (const { user, token } of list) {
		try {
			await sendMail(inviteMail(user.email, user.fio, contestTitle, `${config().origin}/invite/${token}`));
		} catch (e) {
			failed++;
			logFor('mail').error({ err: e }, 'приглашение эксперту не отправлено');
		}
	}
	return failed;
}

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
		const failed = await mailInvites([created], contest.title);
		return { invited: { fio: created.user.fio, email: created.user.email, userId: created.user.id, mailed: failed === 0 } };
	},

	import: async ({ request, locals, url, params, getClientAddress }) => {
		const actor = requireRole(locals, url, 'organizer');
		const contest = contestOr404(params.slug);
		const f = await readForm(request);
		const file = f.file('file');
		if (!file || file.size === 0) return fail(400, { importError: 'Выберите файл CSV или XLSX со списком экспертов', importErrors: [] as RowError[] });
		if (file.size > IMPORT_MAX_BYTES) return fail(413, { importError: 'Файл больше 2 МБ: разделите список на части', importErrors: [] as RowError[] });
		const buf = new Uint8Array(await file.arrayBuffer());
		const noms = listNominations(db(), contest.id).map((n) => ({ id: n.id, slug: n.slug, title: n.title }));
		const existing = new Set(db().select({ email: users.email }).from(users).all().map((u) => u.email));
		const parsed = await parseJuryFile(buf, file.name, noms, existing);
		if (parsed.fileError) return fail(400, { importError: parsed.fileError, importErrors: [] as RowError[] });
		if (parsed.errors.length)
			return fail(400, {
				importError: `Импорт не выполнен: ошибки в ${parsed.errors.length} ${parsed.errors.length === 1 ? 'строке' : 'строках'} из ${parsed.errors.length + parsed.rows.length}. Исправьте файл и загрузите его снова — ни одна строка не добавлена.`,
				importErrors: parsed.errors
			});
		let created;
		try {
			created = inviteJurors(db(), actorOf(actor, getClientAddress()), contest.id, parsed.rows);
		} catch (e) {
			const r = domainFail(e);
			return fail(r.status, { importError: `Импорт не выполнен: ${r.data.message}. Ни одна строка не добавлена.`, importErrors: [] as RowError[] });
		}
		const failed = f.raw.send === 'on' ? await mailInvites(created, contest.title) : 0;
		return { imported: { count: created.length, mailed: f.raw.send === 'on', failed } };
	}
};
