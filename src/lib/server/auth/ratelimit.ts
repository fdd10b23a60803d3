/**
 * A fixed-window limiter kept in memory: per IP and per account key. One process serves the
 * portal, so memory is the right place; entries expire with their window.
 */
export interface LimitResult {
	ok: boolean;
	retryAfterSec: number;
}

export class RateLimiter {
	private hits = new Map<string, { count: number; resetAt: number }>();
	constructor(
		private limit: number,
		private windowMs: number,
		private now: () => number = Date.now
	) {}

	/** Counts one attempt for the key. */
	hit(key: string): LimitResult {
		const t = this.now();
		let e = this.hits.get(key);
		if (!e || e.resetAt <= t) {
			e = { count: 0, resetAt: t + this.windowMs };
			this.hits.set(key, e);
		}
		e.count++;
		if (this.hits.size > 50_000) this.sweep(t);
		return { ok: e.count <= this.limit, retryAfterSec: Math.max(1, Math.ceil((e.resetAt - t) / 1000)) };
	}

	/** Checks without counting. */
	peek(key: string): LimitResult {
		const t = this.now();
		const e = this.hits.get(key);
		if (!e || e.resetAt <= t) return { ok: true, retryAfterSec: 0 };
		return { ok: e.count < this.limit, retryAfterSec: Math.max(1, Math.ceil((e.resetAt - t) / 1000)) };
	}

	reset(key: string) {
		this.hits.delete(key);
	}

	clear() {
		this.hits.clear();
	}

	private sweep(t: number) {
		for (const [k, e] of this.hits) if (e.resetAt <= t) this.hits.delete(k);
	}
}

export function retryMessage(sec: number): string {
	const min = Math.ceil(sec / 60);
	return sec < 90
		? `Слишком много попыток. Повторите через ${sec} с.`
		: `Слишком много попыток. Повторите через ${min} мин.`;
}
