/**
 * Which backups to keep (BACKUP_KEEP, default `24h,30d`): for each rule «N units», the newest
 * complete backup of each of the last N hours (h), days (d), weeks (w) or 30-day months (m);
 * the newest complete backup always. Sets without a manifest (a backup killed half-way) are
 * removed once they are older than `staleIncompleteMs` (younger ones may still be being written).
 */
import type { BackupSet } from './backup';

const UNIT_MS = { h: 3600_000, d: 86400_000, w: 7 * 86400_000, m: 30 * 86400_000 } as const;
export type KeepRule = { n: number; unit: keyof typeof UNIT_MS };

export function parseKeep(spec: string): KeepRule[] {
	return spec
		.split(',')
		.map((s) => s.trim())
		.filter(Boolean)
		.map((s) => {
			const m = /^(\d+)\s*([hdwm])$/.exec(s);
			if (!m) throw new Error(`BACKUP_KEEP: не понимаю «${s}» (ожидается, например, 24h,30d)`);
			return { n: Number(m[1]), unit: m[2] as KeepRule['unit'] };
		});
}

export function planRetention(sets: BackupSet[], rules: KeepRule[], now: number, staleIncompleteMs = 6 * 3600_000): { keep: string[]; remove: BackupSet[] } {
	const complete = sets.filter((s) => s.complete).sort((a, b) => b.time - a.time);
	const keep = new Set<string>();
	if (complete[0]) keep.add(complete[0].id);
	for (const r of rules) {
		const size = UNIT_MS[r.unit];
		const seen = new Set<number>();
		for (const s of complete) {
			if (now - s.time >= r.n * size) continue;
			const bucket = Math.floor(s.time / size);
			if (seen.has(bucket)) continue;
			seen.add(bucket);
			keep.add(s.id);
		}
	}
	const remove = sets.filter((s) => (s.complete ? !keep.has(s.id) : now - s.time > staleIncompleteMs));
	return { keep: [...keep], remove };
}
