/** The roles of the portal's users (no drizzle here: the CLI checks its arguments before loading the database). */
export const ROLES = ['applicant', 'jury', 'organizer'] as const;
export type Role = (typeof ROLES)[number];
