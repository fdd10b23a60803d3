/** A domain refusal with a Russian message and the HTTP status a route should answer with. */
export class DomainError extends Error {
	constructor(
		public status: number,
		public code: string,
		message: string,
		public details?: Record<string, unknown>
	) {
		super(message);
	}
}

export const forbidden = (msg = 'Нет доступа к этой заявке') => new DomainError(403, 'forbidden', msg);
export const notFound = (msg = 'Не найдено') => new DomainError(404, 'not_found', msg);
