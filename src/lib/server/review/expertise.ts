/**
 * A juror's areas of expertise — spheres of the practice list (SPHERES) and free tags — which the
 * routing weighs when the round's organizer asks it to (routing-prefs.ts, routing.ts point 6).
 * Edited by the organizer on the juror's card; stored on the profile (migration 0009), audited.
 * Nominations (who may judge what) are a different, hard rule and stay in `updateJurorProfile`.
 */
import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { jurorProfiles, users } from '../db/schema';
import { notFound } from '../errors';
import { audit } from '../audit';
import { by, type Actor } from '../actor';
import type { ExpertiseInput } from '$lib/schemas/jury';

export interface Expertise {
	spheres: string[];
	tags: string[];
}

export function jurorExpertise(db: DbOrTx, userId: string): Expertise {
	const p = db.select({ spheres: jurorProfiles.expertiseSpheres, tags: jurorProfiles.expertiseTags }).from(jurorProfiles).where(eq(jurorProfiles.userId, userId)).get();
	if (!p) throw notFound('Эксперт не найден');
	return { spheres: p.spheres ?? [], tags: p.tags ?? [] };
}

/** Replaces the juror's areas of expertise (input validated by `expertiseSchema`). No-op when nothing changed. */
export function updateJurorExpertise(db: DbOrTx, actor: Actor | null, userId: string, input: ExpertiseInput, now = new Date()): Expertise & { changed: boolean } {
	return db.transaction((d) => {
		const row = d
			.select({ role: users.role, spheres: jurorProfiles.expertiseSpheres, tags: jurorProfiles.expertiseTags })
			.from(jurorProfiles)
			.innerJoin(users, eq(users.id, jurorProfiles.userId))
			.where(eq(jurorProfiles.userId, userId))
			.get();
		if (!row || row.role !== 'jury') throw notFound('Эксперт не найден');
		const next = { spheres: [...new Set(input.spheres)], tags: [...input.tags] };
		const same = JSON.stringify(next) === JSON.stringify({ spheres: row.spheres, tags: row.tags });
		if (!same) {
			d.update(jurorProfiles).set({ expertiseSpheres: next.spheres, expertiseTags: next.tags, updatedAt: now }).where(eq(jurorProfiles.userId, userId)).run();
			audit(d, { ...by(actor), action: 'juror.expertise', entity: 'user', entityId: userId, before: { spheres: row.spheres, tags: row.tags }, after: next }, now);
		}
		return { ...next, changed: !same };
	});
}
