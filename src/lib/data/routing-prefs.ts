/**
 * The organizer's routing preferences of a round — names shared by the pages and the server
 * (the weights and the parsing live in $lib/server/review/routing-prefs.ts).
 */
export const EXPERTISE_LEVELS = ['off', 'low', 'high'] as const;
export type ExpertiseLevel = (typeof EXPERTISE_LEVELS)[number];

export interface RoutingPrefs {
	expertise: ExpertiseLevel;
	districts: boolean;
	connectivity: boolean;
}

export const DEFAULT_ROUTING_PREFS: RoutingPrefs = Object.freeze({ expertise: 'off', districts: false, connectivity: false });

export const EXPERTISE_TITLE: Record<ExpertiseLevel, string> = {
	off: 'Не учитывать',
	low: 'Немного',
	high: 'Сильно'
};

export const EXPERTISE_HINT: Record<ExpertiseLevel, string> = {
	off: 'только выровненная нагрузка, сфера эксперта не важна',
	low: 'эксперт получает работы своей сферы, если его нагрузка от этого вырастет не больше чем на 3 работы',
	high: 'работы своей сферы — даже ценой нагрузки выше, чем у коллег, на 12 работ'
};
