/**
 * SvelteKit handles of operations, composed in hooks.server.ts with `sequence(...)`:
 *   requestContext — a request id (X-Request-Id in and out) kept in AsyncLocalStorage so every log
 *                    line written during the request carries it; the access log line; HTTP metrics.
 *   reportError    — handleError: logs the error with the request id and shows that id on the
 *                    error page («Код обращения»).
 */
import { randomBytes } from 'node:crypto';
import { isHttpError, isRedirect, type Handle, type HandleServerError, type RequestEvent } from '@sveltejs/kit';
import { currentRequestId, log, logFor, runWithRequestId } from './log';
import { httpDuration, httpRequests } from './metrics';
import { TOO_LARGE_MESSAGE } from '../http/form';

const INCOMING_ID = /^[A-Za-z0-9._:-]{8,64}$/;

// Request ids come from a pool of random bytes filled 4 KB at a time: one call into OpenSSL per
// 682 requests instead of one per request.
let idPool = Buffer.alloc(0);
let idAt = 0;

export function newRequestId(): string {
	if (idAt + 6 > idPool.length) {
		idPool = randomBytes(4092);
		idAt = 0;
	}
	idAt += 6;
	return idPool.toString('base64url', idAt - 6, idAt);
}

/** The path as it may be logged: one-time tokens in route params are hidden. */
export function loggablePath(event: Pick<RequestEvent, 'url' | 'route' | 'params'>): string {
	const id = event.route.id;
	if (!id) return event.url.pathname.length > 200 ? event.url.pathname.slice(0, 200) + '…' : event.url.pathname;
	return id
		.replace(/\/\([^)]+\)/g, '')
		.replace(/\[\.{0,3}([^\]=]+)(=[^\]]+)?\]/g, (_, name: string) => (/token|secret|code/i.test(name) ? '[скрыто]' : (event.params as Record<string, string>)[name] ?? ''))
		|| '/';
}

const quiet = (path: string) => path === '/health' || path === '/metrics';

export function requestContext(opts: { logRequests: () => boolean }): Handle {
	return async ({ event, resolve }) => {
		const incoming = event.request.headers.get('x-request-id');
		const requestId = incoming && INCOMING_ID.test(incoming) ? incoming : newRequestId();
		(event.locals as App.Locals).requestId = requestId;
		const started = performance.now();
		const finish = (status: number) => {
			const seconds = (performance.now() - started) / 1000;
			const labels = { route: event.route.id ?? 'unmatched', method: event.request.method, status: String(status) };
			httpRequests.inc(labels);
			httpDuration.observe(labels, seconds);
			if (!opts.logRequests()) return;
			const line = {
				reqId: requestId,
				method: event.request.method,
				path: loggablePath(event),
				route: event.route.id ?? null,
				status,
				ms: Math.round(seconds * 10_000) / 10,
				user: (event.locals as App.Locals).user?.id ?? undefined
			};
			const l = logFor('http');
			if (status >= 500) l.error(line, 'запрос');
			else if (quiet(event.url.pathname)) l.debug(line, 'запрос');
			else l.info(line, 'запрос');
		};
		return runWithRequestId(requestId, async () => {
			let response: Response;
			try {
				response = await resolve(event);
			} catch (e) {
				// Thrown by a later handle (guards): SvelteKit renders it; count and log it here.
				finish(isHttpError(e) ? e.status : isRedirect(e) ? e.status : 500);
				throw e;
			}
			response.headers.set('X-Request-Id', requestId);
			finish(response.status);
			return response;
		});
	};
}

/** handleError: the id shown on the 500 page is the request id of the log line. */
export const reportError: HandleServerError = ({ error, event, status }) => {
	const id = (event.locals as Partial<App.Locals>).requestId ?? currentRequestId() ?? newRequestId();
	if (status >= 500) log().child({ component: 'http' }).error({ reqId: id, err: error, method: event.request.method, path: loggablePath(event), route: event.route.id ?? null }, 'необработанная ошибка');
	// Errors that reach here come from SvelteKit itself (malformed path, wrong method, body too
	// large…) with English texts: the visitor gets a Russian one.
	return { message: status >= 500 ? 'Внутренняя ошибка сервера' : (RU_STATUS[status] ?? 'Неверный запрос'), id };
};

const RU_STATUS: Record<number, string> = {
	400: 'Неверный запрос',
	404: 'Страница не найдена',
	405: 'Этот адрес не принимает такой запрос',
	413: TOO_LARGE_MESSAGE,
	415: 'Неверный тип данных запроса'
};
