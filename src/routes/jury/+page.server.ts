import type { PageServerLoad } from './$types';
import { guard } from '$lib/server/http/guards';
import { db } from '$lib/server/db/client';
import { juryQueue, type QueueFilter } from '$lib/server/review/scoring';

const STATUSES = ['todo', 'assigned', 'draft', 'submitted'] as const;

export const load: PageServerLoad = (event) => {
	const { url } = event;
	const user = guard(event);
	const st = url.searchParams.get('status') ?? '';
	const nom = url.searchParams.get('nomination') ?? '';
	const filter: QueueFilter = {
		status: (STATUSES as readonly string[]).includes(st) ? (st as QueueFilter['status']) : undefined,
		nominationId: nom || undefined
	};
	const q = juryQueue(db(), user.id, filter);
	return {
		fio: user.fio,
		filter: { status: filter.status ?? '', nomination: filter.nominationId ?? '' },
		nominations: q.nominations,
		rounds: q.rounds.map((r) => ({
			...r,
			deadlineAt: r.deadlineAt?.getTime() ?? null,
			items: r.items.map((i) => ({ ...i, updatedAt: i.updatedAt.getTime() }))
		})),
		notice: url.searchParams.get('recused') === '1' ? 'Самоотвод принят: заявка передана другому эксперту.' : null,
		serverNow: Date.now()
	};
};
