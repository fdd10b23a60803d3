import { z } from 'zod';

/** Per-contest settings stored as JSON on the contest; defaults fill what is missing. */
export const contestSettingsSchema = z.object({
	videoMaxBytes: z.number().int().positive().default(1024 ** 3),
	videoMaxSeconds: z.number().int().positive().default(180),
	videoFormats: z.array(z.string()).default(['mp4', 'mov', 'webm', 'm4v']),
	letterMaxBytes: z.number().int().positive().default(10 * 1024 ** 2),
	letterMaxChars: z.number().int().positive().default(5000),
	uploadGraceMinutes: z.number().int().min(0).max(24 * 60).default(30),
	jurorsPerEntry: z.number().int().min(1).max(10).default(3),
	sameRegionConflict: z.boolean().default(true),
	disagreementThreshold: z.number().min(0).max(100).default(20),
	normalize: z.boolean().default(false),
	winnersPerNomination: z.number().int().min(1).max(1000).default(5),
	/** Applicants see per-criterion averages and the jurors' anonymized comments (results/feedback.ts). */
	releaseFeedback: z.boolean().default(false),
	/** Calibration entries: application ids every juror of their nomination scores first (results/calibration.ts). */
	calibrationEntryIds: z.array(z.string()).max(50).default([])
});
export type ContestSettings = z.infer<typeof contestSettingsSchema>;

export function contestSettings(raw: unknown): ContestSettings {
	const r = contestSettingsSchema.safeParse(raw ?? {});
	return r.success ? r.data : contestSettingsSchema.parse({});
}
