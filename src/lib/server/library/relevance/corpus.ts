/**
 * The fixed corpus of the relevance test set: the 40 demo practices (keys D0…D39, in the order of
 * DEMO_PRACTICES) and 60 generated ones from a fixed seed (G0…G59, bench/fixtures/practices.ts with seed 17 —
 * sentences of the demo practices recombined, so they are near-duplicates that compete with the
 * demo practices for every query). Publication times are fixed too, so ties break the same way
 * in every run.
 */
import type { DB } from '../../db/client';
import { users } from '../../db/schema';
import { DEMO_PRACTICES } from '../../db/demo-content';
import { seedLibraryPractices } from '../demo';
import { bulkInsertPublished, generatePractices } from '../../../../../bench/fixtures/practices';

export const RELEVANCE_SEED = 17;
export const RELEVANCE_GENERATED = 60;
const NOW = new Date('2026-03-01T09:00:00Z');
const ACTOR = { id: 'relevance-organizer-0001', role: 'organizer' as const };

/** Publishes the corpus into an empty migrated database; returns practice title → key. */
export function loadRelevanceCorpus(db: DB): Map<string, string> {
	db.insert(users).values({ id: ACTOR.id, email: 'relevance@test.ru', fio: 'Организатор Тестовый', role: 'organizer' }).run();
	seedLibraryPractices(db, ACTOR, NOW);
	const generated = generatePractices(RELEVANCE_GENERATED, RELEVANCE_SEED);
	bulkInsertPublished(db, generated, NOW);
	const keys = new Map<string, string>();
	DEMO_PRACTICES.forEach((p, i) => keys.set(p.title, `D${i}`));
	generated.forEach((p, i) => keys.set(p.title, `G${i}`));
	return keys;
}
