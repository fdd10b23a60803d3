import { error } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { config } from '$lib/server/config';
import { metricsAllowed, metricsText } from '$lib/server/ops/metrics';

/** Prometheus scrape: loopback without a proxy in between, or `Authorization: Bearer $METRICS_TOKEN`. */
export const GET: RequestHandler = async ({ request, getClientAddress }) => {
	// Behind a reverse proxy on the same host every client looks like loopback: a forwarded
	// request must bring the token.
	const proxied = request.headers.has('x-forwarded-for') || request.headers.has('forwarded');
	if (!metricsAllowed(proxied ? undefined : getClientAddress(), request.headers.get('authorization'), config().METRICS_TOKEN)) error(403, 'Метрики доступны только с этой машины или с токеном METRICS_TOKEN');
	const { body, contentType } = await metricsText();
	return new Response(body, { headers: { 'Content-Type': contentType, 'Cache-Control': 'no-store' } });
};
