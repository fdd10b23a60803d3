import { z } from 'zod';

import { NORMALIZATION_MODES, type Normalization } from '../../results';

export { NORMALIZATION_MODES, NORMALIZATION_TITLE, NORMALIZATION_HINT, type Normalization } from '../../results';

/** Per-contest settings stored as JSON on the contest; defaults fill what is missing. */
const contestSettingsObject = z.object({
	videoMaxBytes: z.number().int().positive().default(1024 ** 3),
	videoMaxSeconds: z.number().int().positive().default(180),
	videoFormats: z.array(z.string()).default(['mp4', 'mov', 'webm', 'm4v']),
	letterMaxBytes: z.number().int().positive().default(10 * 1024 ** 2),
	letterMaxChars: z.number().int().positive().default(5000),
	uploadGraceMinutes: z.number().int().min(0).max(24 * 60).default(30),
	jurorsPerEntry: z.number().int().min(1).max(10).default(3),
	sameRegionConflict: z.boolean().default(true),
	disagreementThreshold: z.number().min(0).max(100).default(20),
	/** The old switch (true = z-score). Kept in step with `normalization`; read only when that is absent (settings stored before it). */
	normalize: z.boolean().default(false),
	/** The official normalization method; absent in old stored settings — then `normalize` decides. */
	normalization: z.enum(NORMALIZATION_MODES).optional(),
	winnersPerNomination: z.number().int().min(1).max(1000).default(5),
	/** Applicants see per-criterion averages and the jurors' anonymized comments (results/feedback.ts). */
	releaseFeedback: z.boolean().default(false),
	/** Calibration entries: application ids every juror of their nomination scores first (results/calibration.ts). */
	calibrationEntryIds: z.array(z.string()).max(50).default([])
});

/**
 * The settings schema. `normalization` always comes out set, and `normalize` in step with it
 * (≠ 'none'), so readers of the old boolean keep working:
 * - settings stored before `normalization` existed: the boolean decides (true → 'zscore', false → 'none');
 * - both stored and consistent (what every writer of `normalization` stores): `normalization`;
 * - both stored but inconsistent — only a writer that knows just the old boolean can make that
 *   (an old import, a hand edit): the boolean is the newer word, true → 'zscore', false → 'none'.
 */
export const contestSettingsSchema = contestSettingsObject.transform((s) => {
	const consistent = s.normalization !== undefined && (s.normalization !== 'none') === s.normalize;
	const normalization: Normalization = consistent ? s.normalization! : s.normalize ? 'zscore' : 'none';
	return { ...s, normalization, normalize: normalization !== 'none' };
});
export type ContestSettings = z.infer<typeof contestSettingsSchema>;

export function contestSettings(raw: unknown): ContestSettings {
	const r = contestSettingsSchema.safeParse(raw ?? {});
	return r.success ? r.data : contestSettingsSchema.parse({});
}
