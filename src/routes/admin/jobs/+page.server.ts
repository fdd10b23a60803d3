import { fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad, RequestEvent } from './$types';
import { db } from '$lib/server/db/client';
import { act, readForm } from '$lib/server/http/form';
import { actorOf } from '$lib/server/http/scope';
import { audit } from '$lib/server/audit';
import { jobConsole } from '$lib/server/jobs/console';
import { cancelJob, getJob, retryJob } from '$lib/server/jobs/queue';
import { queueUnprocessed, videoSummary } from '$lib/server/media/queries';
import { ffmpegAvailable } from '$lib/server/media/ffmpeg';
import { capacity } from '$lib/server/jobs/capacity';

export const load: PageServerLoad = async ({ parent, url }) => {
	await parent();
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

/** Retry or cancel one job, recorded in the audit log; the answer is `{ message, id }`. */
async function jobAction(event: RequestEvent, action: 'job.retry' | 'job.cancel') {
	const actor = actorOf(event);
	const { raw } = await readForm(event.request);
	const id = raw.id ?? '';
	if (!ID.test(id)) return fail(400, { message: 'Не указана задача', id: '' });
	return act(
		async () => {
			const before = getJob(db(), id)?.status;
			const job = action === 'job.retry' ? retryJob(db(), id) : await cancelJob(db(), id);
			audit(db(), { actorId: actor.id, action, entity: 'job', entityId: id, before: { status: before }, after: { status: job.status }, ip: actor.ip });
			return { message: action === 'job.retry' ? 'Задача снова в очереди' : 'Задача отменена', id };
		},
		raw,
		{ as: (e) => fail(e.status, { message: e.message, id }) }
	);
}

export const actions: Actions = {
	retry: (event) => jobAction(event, 'job.retry'),
	cancel: (event) => jobAction(event, 'job.cancel'),
	reprocess: async (event) => {
		const actor = actorOf(event);
		const n = queueUnprocessed(db());
		audit(db(), { actorId: actor.id, action: 'media.requeue', entity: 'job', after: { queued: n }, ip: actor.ip });
		return { message: n ? `В очередь поставлено видео: ${n}` : 'Необработанных видео нет', id: '' };
	}
};
