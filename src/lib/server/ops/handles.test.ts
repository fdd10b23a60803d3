import { describe, expect, it } from 'vitest';
import { newRequestId } from './handles';

describe('request ids', () => {
	it('are 8 base64url characters, and distinct across refills of the random pool', () => {
		const ids = Array.from({ length: 5000 }, () => newRequestId());
		for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{8}$/);
		expect(new Set(ids).size).toBe(ids.length);
	});
});
