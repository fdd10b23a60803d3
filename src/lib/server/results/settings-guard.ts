/**
 * Results-relevant contest settings and the rule that protects them.
 *
 * Results-relevant: normalization, the disagreement threshold, reviews per entry (K, the
 * «missing» count), winners per nomination and the calibration entries — anything that changes
 * who is shortlisted or who wins. Once the finals have started (finals.ts `finalsStarted`: a
 * round ≥ 2 is active/closed or a juror opened one of its assignments) changing any of them is
 * REFUSED (409) rather than versioned: the shortlist was drawn under the old values and the
 * decision must stay reproducible from the audit log. Other settings (feedback release, upload
 * limits) stay editable.
 *
 * `assertResultsSettingsChange` is what the contest console's settings form (contests/admin.ts)
 * calls before saving; `updateResultsSettings` is the results console's own form.
 */
import { idsByNumbers } from '../review/rounds';
import { and, eq, inArray } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { applications, contests } from '../db/schema';
import { audit } from '../audit';
import { DomainError, notFound } from '../errors';
import { contestSettings, contestSettingsSchema, type ContestSettings, type Normalization } from '../contests/settings';
import { finalsStarted } from './finals';
import { by, type Actor } from '../actor';

export const RESULTS_SETTINGS_KEYS = ['normalization', 'disagreementThreshold', 'jurorsPerEntry', 'winnersPerNomination', 'calibrationEntryIds'] as const;

export const RESULTS_SETTINGS_TITLE: Record<(typeof RESULTS_SETTINGS_KEYS)[number], string> = {
	normalization: 'метод нормализации оценок',
	disagreementThreshold: 'порог расхождения',
	jurorsPerEntry: 'экспертов на заявку',
	winnersPerNomination: 'победителей в номинации',
	calibrationEntryIds: 'калибровочные заявки'
};

/** Results-relevant keys whose values differ. */
export function changedResultsSettings(before: ContestSettings, after: ContestSettings): (typeof RESULTS_SETTINGS_KEYS)[number][] {
	return RESULTS_SETTINGS_KEYS.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
}

/** Throws 409 when results-relevant settings change after the finals started. */
export function assertResultsSettingsChange(db: DbOrTx, contestId: string, before: ContestSettings, after: ContestSettings): void {
	const changed = changedResultsSettings(before, after);
	if (changed.length && finalsStarted(db, contestId))
		throw new DomainError(
			409,
			'finals_started',
			`Финал уже начался: менять настройки, от которых зависят итоги (${changed.map((k) => RESULTS_SETTINGS_TITLE[k]).join(', ')}), нельзя — отбор в финал и решение должны оставаться воспроизводимыми.`,
			{ changed }
		);
}

export interface ResultsSettingsPatch {
	/** The official method; the stored boolean `normalize` follows it (contests/settings.ts). */
	normalization: Normalization;
	disagreementThreshold: number;
	winnersPerNomination: number;
	jurorsPerEntry: number;
	releaseFeedback: boolean;
	/** Application numbers of the calibration entries (text as typed). */
	calibration: string;
}


/** Saves the results settings of a contest (refused after the finals started; audited). */
export function updateResultsSettings(db: DbOrTx, actor: Actor, contestId: string, patch: ResultsSettingsPatch, now = new Date()): ContestSettings {
	return db.transaction((tx) => {
		const c = tx.select().from(contests).where(eq(contests.id, contestId)).get();
		if (!c) throw notFound('Конкурс не найден');
		const before = contestSettings(c.settings);
		const after = contestSettingsSchema.parse({
			...before,
			normalization: patch.normalization,
			normalize: patch.normalization !== 'none',
			disagreementThreshold: patch.disagreementThreshold,
			winnersPerNomination: patch.winnersPerNomination,
			jurorsPerEntry: patch.jurorsPerEntry,
			releaseFeedback: patch.releaseFeedback,
			calibrationEntryIds: idsByNumbers(tx, contestId, patch.calibration, 'calibration')
		});
		assertResultsSettingsChange(tx, contestId, before, after);
		const keys = [...RESULTS_SETTINGS_KEYS, 'normalize', 'releaseFeedback'] as const;
		const diffKeys = keys.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
		if (!diffKeys.length) return after;
		tx.update(contests)
			.set({ settings: { ...((c.settings ?? {}) as Record<string, unknown>), ...after }, updatedAt: now })
			.where(eq(contests.id, contestId))
			.run();
		audit(
			tx,
			{
				...by(actor),
				action: 'contest.settings',
				entity: 'contest',
				entityId: contestId,
				before: Object.fromEntries(diffKeys.map((k) => [k, before[k]])),
				after: Object.fromEntries(diffKeys.map((k) => [k, after[k]]))
			},
			now
		);
		return after;
	});
}
