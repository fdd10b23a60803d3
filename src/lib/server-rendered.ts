/**
 * Data of a page that is rendered on the server only (`csr = false`): SvelteKit would still
 * serialize a load's return value for the client that never comes (≈ 9 % of the CPU of an
 * uncached /library render, profiled). Wrapped in this, it crosses as nothing (the `transport`
 * hook in src/hooks.ts): the server renders from `value`, the client gets `null`.
 */
export class ServerRendered<T> {
	constructor(readonly value: T) {}
}
