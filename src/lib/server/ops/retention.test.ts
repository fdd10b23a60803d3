import { describe, expect, it } from 'vitest';
import { parseKeep, planRetention } from './retention';
import { backupId, backupIdTime, type BackupSet } from './backup';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

function set(time: number, complete = true): BackupSet {
	const id = backupId(new Date(time));
	return { id, time, complete, files: [`${id}/portal.db.zst`, ...(complete ? [`${id}/manifest.json`] : [])] };
}

describe('backup retention (BACKUP_KEEP)', () => {
	it('ids are UTC times that sort as text and parse back', () => {
		const t = Date.UTC(2026, 4, 1, 12, 0, 0, 7);
		expect(backupId(new Date(t))).toBe('2026-05-01T12-00-00-007Z');
		expect(backupIdTime('2026-05-01T12-00-00-007Z')).toBe(t);
		expect(backupIdTime('nonsense')).toBeNaN();
	});

	it('parses the rule list and refuses nonsense', () => {
		expect(parseKeep('24h,30d')).toEqual([
			{ n: 24, unit: 'h' },
			{ n: 30, unit: 'd' }
		]);
		expect(() => parseKeep('24x')).toThrow(/BACKUP_KEEP/);
	});

	it('every 15 minutes for 40 days: the newest, one per hour for a day, one per day for a month', () => {
		const now = Date.UTC(2026, 5, 10, 12, 7);
		const sets: BackupSet[] = [];
		for (let t = now - 40 * DAY; t <= now; t += 15 * 60_000) sets.push(set(t));
		const { keep, remove } = planRetention(sets, parseKeep('24h,30d'), now);
		expect(keep.length + remove.length).toBe(sets.length);
		// 24 hourly (+ the current hour) and 30 daily overlap on the last day.
		expect(keep.length).toBeGreaterThanOrEqual(24 + 29);
		expect(keep.length).toBeLessThanOrEqual(25 + 31);
		expect(keep).toContain(sets.at(-1)!.id);
		const kept = sets.filter((s) => keep.includes(s.id));
		// Nothing older than 30 days is kept; within the last day there is one per hour.
		expect(kept.every((s) => now - s.time < 30 * DAY)).toBe(true);
		const lastDay = kept.filter((s) => now - s.time < 24 * HOUR);
		expect(new Set(lastDay.map((s) => Math.floor(s.time / HOUR))).size).toBe(lastDay.length);
		expect(lastDay.length).toBeGreaterThanOrEqual(24);
	});

	it('a set without a manifest (killed backup) is not a backup: removed once stale, left alone while it may be in progress', () => {
		const now = Date.UTC(2026, 5, 10, 12, 0);
		const good = set(now - 2 * HOUR);
		const killedLongAgo = set(now - 7 * HOUR, false);
		const inProgress = set(now - 60_000, false);
		const { keep, remove } = planRetention([killedLongAgo, good, inProgress], parseKeep('24h,30d'), now);
		expect(keep).toEqual([good.id]);
		expect(remove.map((s) => s.id)).toEqual([killedLongAgo.id]);
	});
});
