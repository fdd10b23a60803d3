import { describe, expect, it } from 'vitest';
import { RateLimiter, retryMessage } from './ratelimit';

describe('rate limiter', () => {
	it('triggers past the limit and recovers after the window', () => {
		let now = 1_000_000;
		const rl = new RateLimiter(3, 60_000, () => now);
		expect([1, 2, 3].map(() => rl.hit('k').ok)).toEqual([true, true, true]);
		const r = rl.hit('k');
		expect(r.ok).toBe(false);
		expect(r.retryAfterSec).toBe(60);
		expect(rl.peek('k').ok).toBe(false);
		expect(rl.hit('other').ok).toBe(true);
		now += 30_000;
		expect(rl.hit('k').retryAfterSec).toBe(30);
		now += 30_001;
		expect(rl.peek('k').ok).toBe(true);
		expect(rl.hit('k').ok).toBe(true);
	});
	it('speaks Russian', () => {
		expect(retryMessage(30)).toBe('Слишком много попыток. Повторите через 30 с.');
		expect(retryMessage(600)).toBe('Слишком много попыток. Повторите через 10 мин.');
	});
});
