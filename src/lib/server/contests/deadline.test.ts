import { describe, expect, it } from 'vitest';
import { acceptsEdits, graceEnd, uploadMayFinish } from './deadline';

const openAt = new Date('2026-03-01T09:00:00Z');
const closeAt = new Date('2026-03-31T20:59:00Z'); // 23:59 in Moscow
const contest = { phase: 'open' as const, openAt, closeAt, settings: { uploadGraceMinutes: 30 } };
const at = (ms: number) => new Date(closeAt.getTime() + ms);

describe('the deadline (contests/deadline.ts)', () => {
	it('accepts edits in [openAt, closeAt) of an open contest only', () => {
		expect(acceptsEdits(contest, new Date(openAt.getTime() - 1))).toBe(false);
		expect(acceptsEdits(contest, openAt)).toBe(true);
		expect(acceptsEdits(contest, at(-1))).toBe(true);
		expect(acceptsEdits(contest, closeAt)).toBe(false);
		expect(acceptsEdits({ ...contest, phase: 'review' }, at(-86400_000))).toBe(false);
	});

	it('lets an upload begun before closeAt finish until the end of the grace period, nothing begun later', () => {
		expect(graceEnd(contest).getTime()).toBe(closeAt.getTime() + 30 * 60_000);
		expect(graceEnd({ closeAt, settings: {} }).getTime()).toBe(closeAt.getTime() + 30 * 60_000); // the default
		expect(uploadMayFinish(at(-1000), contest, at(29 * 60_000))).toBe(true);
		expect(uploadMayFinish(at(-1000), contest, at(30 * 60_000))).toBe(false);
		expect(uploadMayFinish(closeAt, contest, at(1000))).toBe(false);
		expect(uploadMayFinish(at(-1000), { closeAt, settings: { uploadGraceMinutes: 0 } }, closeAt)).toBe(false);
	});
});
