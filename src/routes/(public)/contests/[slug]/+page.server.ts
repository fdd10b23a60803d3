import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { db } from '$lib/server/db/client';
import { getContestBySlug, listNominations } from '$lib/server/contests/queries';
import { contestSettings } from '$lib/server/contests/settings';
import { listCriteria } from '$lib/server/review/rubric';
import { canSeeContest } from '$lib/server/auth/access';

export const load: PageServerLoad = ({ params, locals }) => {
	const d = db();
	const c = getContestBySlug(d, params.slug);
	if (!c || !canSeeContest(locals.user, c)) error(404, 'Конкурс не найден');
	const s = contestSettings(c.settings);
	return {
		contest: {
			slug: c.slug,
			title: c.title,
			year: c.year,
			rules: c.rules,
			phase: c.phase,
			openAt: c.openAt.getTime(),
			closeAt: c.closeAt.getTime(),
			reviewEndAt: c.reviewEndAt.getTime(),
			resultsAt: c.resultsAt.getTime()
		},
		limits: { videoMaxBytes: s.videoMaxBytes, videoMaxSeconds: s.videoMaxSeconds, videoFormats: s.videoFormats, letterMaxBytes: s.letterMaxBytes, letterMaxChars: s.letterMaxChars },
		nominations: listNominations(d, c.id).map((n) => ({ id: n.id, slug: n.slug, title: n.title, description: n.description, track: n.track })),
		// How entries are scored: the rubric is public (titles, weights, scales), like the rules.
		criteria: listCriteria(d, c.id).map((k) => ({ id: k.id, title: k.title, description: k.description, weight: k.weight, scaleMin: k.scaleMin, scaleMax: k.scaleMax, nominationId: k.nominationId })),
		accepting: c.phase === 'open' && Date.now() >= c.openAt.getTime() && Date.now() < c.closeAt.getTime(),
		serverNow: Date.now()
	};
};
