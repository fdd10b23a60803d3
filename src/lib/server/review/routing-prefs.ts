/**
 * The organizer's routing preferences of a round (stored in `rounds.settings.routing`): how much
 * a juror's expertise weighs, whether the K jurors of an entry should come from different federal
 * districts, whether the co-review graph should stay connected. Pure: parsing, defaults and the
 * translation into the router's weights (routing.ts, header point 6 — units of the load cost).
 *
 * Defaults are «не учитывать» / off: then the router is the plain balanced one, exactly as before
 * these settings existed (and as fast).
 */
import { z } from 'zod';
import type { RoutingWeights } from './routing';

import { DEFAULT_ROUTING_PREFS, EXPERTISE_LEVELS, type ExpertiseLevel, type RoutingPrefs } from '../../data/routing-prefs';

export { DEFAULT_ROUTING_PREFS, EXPERTISE_LEVELS, type ExpertiseLevel, type RoutingPrefs };

/**
 * Weights in load units. A sphere match is worth 2, a shared tag 1 (`expertiseMatch`), so with
 * weight w a juror may take up to 3·w more reviews than a colleague to get entries of their field:
 * «немного» = 1 (≤ 3 reviews), «сильно» = 4 (≤ 12). A second juror from the same federal district
 * costs 2 load units (a small tilt, never a constraint); a merge of two islands of the co-review
 * graph may cost up to 50 (it is done by exchanges after the flow, only when it lowers the count).
 */
const EXPERTISE_WEIGHT: Record<ExpertiseLevel, number> = { off: 0, low: 1, high: 4 };
export const DISTRICT_WEIGHT = 2;
export const CONNECTIVITY_WEIGHT = 50;

export function routingWeights(p: RoutingPrefs): RoutingWeights {
	return {
		expertise: EXPERTISE_WEIGHT[p.expertise],
		district: p.districts ? DISTRICT_WEIGHT : 0,
		connectivity: p.connectivity ? CONNECTIVITY_WEIGHT : 0
	};
}

const stored = z.object({
	expertise: z.enum(EXPERTISE_LEVELS).catch('off'),
	districts: z.boolean().catch(false),
	connectivity: z.boolean().catch(false)
});

/** The stored value (anything: a missing or malformed field falls back to its default). */
export function parseRoutingPrefs(raw: unknown): RoutingPrefs {
	if (!raw || typeof raw !== 'object') return { ...DEFAULT_ROUTING_PREFS };
	const r = stored.safeParse(raw);
	return r.success ? r.data : { ...DEFAULT_ROUTING_PREFS };
}

export function isDefaultPrefs(p: RoutingPrefs): boolean {
	return p.expertise === 'off' && !p.districts && !p.connectivity;
}
