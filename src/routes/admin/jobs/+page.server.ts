import { fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { db } from '$lib/server/db/client';
import { requireRole } from '$lib/server/auth/guards';
import { formObject } from '$lib/server/http/form';
import { DomainError } from '$lib/server/errors';
import { audit } from '$lib/server/audit';
import { jobConsole } from '$lib/server/jobs/console';
import { cancelJob, getJob, retryJob } from '$lib/server/jobs/queue';
import { queueUnprocessed, videoSummary } from '$lib/server/media/queries';
import { ffmpegAvailable } from '$lib/server/media/ffmpeg';
import { capacity } from '$lib/server/jobs/capacity';

export const load: PageServerLoad = async ({ locals, url }) => {
	requireRole(locals, url, 'organizer');
	const q = url.searchParams;
	return {
		...jobConsole(db(), { status: q.get('status'), kind: q.get('kind'), page: q.get('page') }),
		videos: videoSummary(db()),
		ffmpeg: await ffmpegAvailable(),
		capacity: await capacity(db()),
		now: Date.now()
	};
};

const ID = /^[a-z0-9]{10,40}$/;

async function act(locals: App.Locals, url: URL, request: Request, fn: (id: string, actor: string) => Promise<string> | string) {
	const user = requireRole(locals, url, 'organizer');
	const raw = await formObject(request);
	if (!ID.test(raw.id ?? '')) return fail(400, { message: 'Не указана задача', id: '' });
	try {
		return { message: await fn(raw.id, user.id), id: raw.id };
	} catch (e) {
		if (e instanceof DomainError) return fail(e.status, { message: e.message, id: raw.id });
		throw e;
	}
}

export const actions: Actions = {
	retry: ({ locals, url, request, getClientAddress }) =>
		act(locals, url, request, (id, actor) => {
			const before = getJob(db(), id)?.status;
			const job = retryJob(db(), id);
			audit(db(), { actorId: actor, action: 'job.retry', entity: 'job', entityId: id, before: { status: before }, after: { status: job.status }, ip: getClientAddress() });
			return 'Задача снова в очереди';
		}),
	cancel: ({ locals, url, request, getClientAddress }) =>
		act(locals, url, request, async (id, actor) => {
			const before = getJob(db(), id)?.status;
			const job = await cancelJob(db(), id);
			audit(db(), { actorId: actor, action: 'job.cancel', entity: 'job', entityId: id, before: { status: before }, after: { status: job.status }, ip: getClientAddress() });
			return 'Задача отменена';
		}),
	reprocess: async ({ locals, url, getClientAddress }) => {
		const user = requireRole(locals, url, 'organizer');
		const n = queueUnprocessed(db());
		audit(db(), { actorId: user.id, action: 'media.requeue', entity: 'job', after: { queued: n }, ip: getClientAddress() });
		return { message: n ? `В очередь поставлено видео: ${n}` : 'Необработанных видео нет', id: '' };
	}
};
