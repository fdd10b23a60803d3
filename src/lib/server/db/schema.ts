import { sql } from 'drizzle-orm';
import { sqliteTable, text, integer, real, blob, index, uniqueIndex, primaryKey } from 'drizzle-orm/sqlite-core';

/** Times are UTC milliseconds since the epoch. */
const ts = (name: string) => integer(name, { mode: 'timestamp_ms' });
const created = () => ts('created_at').notNull().default(sql`(unixepoch('subsec') * 1000)`);
const updated = () => ts('updated_at').notNull().default(sql`(unixepoch('subsec') * 1000)`);

import { ROLES } from './roles';
export { ROLES, type Role } from './roles';

export const users = sqliteTable(
	'users',
	{
		id: text('id').primaryKey(),
		email: text('email').notNull(),
		fio: text('fio').notNull(),
		passwordHash: text('password_hash'),
		role: text('role', { enum: ROLES }).notNull().default('applicant'),
		emailVerifiedAt: ts('email_verified_at'),
		blockedAt: ts('blocked_at'),
		createdAt: created(),
		updatedAt: updated()
	},
	(t) => [uniqueIndex('users_email_uq').on(t.email), index('users_role_idx').on(t.role)]
);

export const sessions = sqliteTable(
	'sessions',
	{
		id: text('id').primaryKey(),
		secretHash: blob('secret_hash', { mode: 'buffer' }).notNull(),
		userId: text('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		lastVerifiedAt: ts('last_verified_at').notNull(),
		createdAt: created(),
		updatedAt: updated()
	},
	(t) => [index('sessions_user_idx').on(t.userId)]
);

export const EMAIL_TOKEN_KINDS = ['verify', 'reset', 'invite'] as const;
export const emailTokens = sqliteTable(
	'email_tokens',
	{
		id: text('id').primaryKey(),
		userId: text('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		kind: text('kind', { enum: EMAIL_TOKEN_KINDS }).notNull(),
		tokenHash: text('token_hash').notNull(),
		expiresAt: ts('expires_at').notNull(),
		usedAt: ts('used_at'),
		/**
		 * Where the person was going when the token was issued (a same-origin path, checked by the
		 * server when it is stored), e.g. the application form of the contest chosen before
		 * registering: the confirmation link lands there.
		 */
		next: text('next'),
		createdAt: created(),
		updatedAt: updated()
	},
	(t) => [uniqueIndex('email_tokens_hash_uq').on(t.tokenHash), index('email_tokens_user_idx').on(t.userId, t.kind)]
);

export const PHASES = ['draft', 'open', 'review', 'results', 'published'] as const;
export type Phase = (typeof PHASES)[number];

export const contests = sqliteTable(
	'contests',
	{
		id: text('id').primaryKey(),
		slug: text('slug').notNull(),
		title: text('title').notNull(),
		year: integer('year').notNull(),
		rules: text('rules').notNull().default(''),
		phase: text('phase', { enum: PHASES }).notNull().default('draft'),
		openAt: ts('open_at').notNull(),
		closeAt: ts('close_at').notNull(),
		reviewEndAt: ts('review_end_at').notNull(),
		resultsAt: ts('results_at').notNull(),
		/** Upload limits, grace period, routing settings: see contests/settings.ts. */
		settings: text('settings', { mode: 'json' }).notNull().$type<Record<string, unknown>>().default({}),
		numberPrefix: text('number_prefix').notNull().default('НС'),
		createdAt: created(),
		updatedAt: updated()
	},
	(t) => [uniqueIndex('contests_slug_uq').on(t.slug)]
);

export const TRACKS = ['mentor', 'practice'] as const;
export const nominations = sqliteTable(
	'nominations',
	{
		id: text('id').primaryKey(),
		contestId: text('contest_id')
			.notNull()
			.references(() => contests.id, { onDelete: 'cascade' }),
		slug: text('slug').notNull(),
		title: text('title').notNull(),
		description: text('description').notNull().default(''),
		track: text('track', { enum: TRACKS }).notNull(),
		sort: integer('sort').notNull().default(0),
		createdAt: created(),
		updatedAt: updated()
	},
	(t) => [uniqueIndex('nominations_contest_slug_uq').on(t.contestId, t.slug)]
);

export const criteria = sqliteTable(
	'criteria',
	{
		id: text('id').primaryKey(),
		contestId: text('contest_id')
			.notNull()
			.references(() => contests.id, { onDelete: 'cascade' }),
		/** null: applies to every nomination of the contest. */
		nominationId: text('nomination_id').references(() => nominations.id, { onDelete: 'cascade' }),
		title: text('title').notNull(),
		description: text('description').notNull().default(''),
		weight: integer('weight').notNull().default(1),
		scaleMin: integer('scale_min').notNull().default(0),
		scaleMax: integer('scale_max').notNull().default(10),
		levels: text('levels', { mode: 'json' }).notNull().$type<{ value: number; label: string }[]>().default([]),
		sort: integer('sort').notNull().default(0),
		createdAt: created(),
		updatedAt: updated()
	},
	(t) => [index('criteria_contest_idx').on(t.contestId)]
);

export const APPLICATION_STATUSES = ['draft', 'submitted', 'withdrawn', 'in_review', 'finalist', 'winner', 'not_selected'] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];

/**
 * An application. Its number and applicant's name are mirrored by triggers into
 * `application_search` and its FTS5 trigram index (hand-written migration 0011) for the search of
 * a round's entries.
 */
export const applications = sqliteTable(
	'applications',
	{
		id: text('id').primaryKey(),
		contestId: text('contest_id')
			.notNull()
			.references(() => contests.id, { onDelete: 'cascade' }),
		nominationId: text('nomination_id')
			.notNull()
			.references(() => nominations.id),
		applicantId: text('applicant_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		/** Human number like НС-2026-00123, given at the first submission. */
		number: text('number'),
		seq: integer('seq'),
		status: text('status', { enum: APPLICATION_STATUSES }).notNull().default('draft'),
		/** Denormalized from the «about me» step for routing (conflicts) and statistics. */
		regionCode: text('region_code'),
		organization: text('organization'),
		about: text('about', { mode: 'json' }).notNull().$type<Record<string, unknown>>().default({}),
		practice: text('practice', { mode: 'json' }).notNull().$type<Record<string, unknown>>().default({}),
		letterText: text('letter_text').notNull().default(''),
		consentVersion: text('consent_version'),
		consentAt: ts('consent_at'),
		/** The applicant allows publishing their contacts with a winning practice in the library. */
		contactsConsent: integer('contacts_consent', { mode: 'boolean' }).notNull().default(false),
		/** The applicant allows showing their video business card in the public library. */
		videoConsent: integer('video_consent', { mode: 'boolean' }).notNull().default(false),
		/** Optimistic concurrency: every save must name the version it edited. */
		version: integer('version').notNull().default(1),
		submittedAt: ts('submitted_at'),
		withdrawnAt: ts('withdrawn_at'),
		createdAt: created(),
		updatedAt: updated()
	},
	(t) => [
		uniqueIndex('applications_applicant_nomination_uq').on(t.applicantId, t.nominationId),
		uniqueIndex('applications_contest_number_uq').on(t.contestId, t.number),
		uniqueIndex('applications_contest_seq_uq').on(t.contestId, t.seq),
		index('applications_contest_status_idx').on(t.contestId, t.status),
		index('applications_nomination_idx').on(t.nominationId),
		// the dashboard's counts (by status, nomination, region, day) read from the index alone
		index('applications_dashboard_idx').on(t.contestId, t.status, t.nominationId, t.regionCode, t.submittedAt),
		// a round's entries list and progress page through the competing entries in order from the
		// index alone (review/views.ts, migration 0010)
		index('applications_contest_status_seq_idx').on(t.contestId, t.status, t.seq, t.id)
	]
);

export const ASSET_KINDS = ['video', 'letter', 'attachment', 'poster', 'rendition', 'document'] as const;
export type AssetKind = (typeof ASSET_KINDS)[number];
export const ASSET_STATUSES = ['uploading', 'uploaded', 'processing', 'ready', 'failed', 'rejected', 'replaced'] as const;
export type AssetStatus = (typeof ASSET_STATUSES)[number];

export const assets = sqliteTable(
	'assets',
	{
		id: text('id').primaryKey(),
		ownerId: text('owner_id').references(() => users.id, { onDelete: 'set null' }),
		applicationId: text('application_id').references(() => applications.id, { onDelete: 'cascade' }),
		practiceId: text('practice_id'),
		parentId: text('parent_id'),
		kind: text('kind', { enum: ASSET_KINDS }).notNull(),
		status: text('status', { enum: ASSET_STATUSES }).notNull().default('uploading'),
		key: text('key').notNull(),
		uploadId: text('upload_id'),
		originalName: text('original_name').notNull().default(''),
		declaredType: text('declared_type'),
		declaredSize: integer('declared_size'),
		mime: text('mime'),
		size: integer('size'),
		facts: text('facts', { mode: 'json' }).$type<Record<string, unknown>>(),
		error: text('error'),
		/** When the upload was completed and verified (the deadline's grace period uses it). */
		uploadedAt: ts('uploaded_at'),
		createdAt: created(),
		updatedAt: updated()
	},
	(t) => [
		uniqueIndex('assets_key_uq').on(t.key),
		index('assets_application_idx').on(t.applicationId, t.kind),
		index('assets_practice_idx').on(t.practiceId),
		index('assets_parent_idx').on(t.parentId)
	]
);

export const jurorProfiles = sqliteTable('juror_profiles', {
	userId: text('user_id')
		.primaryKey()
		.references(() => users.id, { onDelete: 'cascade' }),
	/** Nomination ids of expertise. */
	nominationIds: text('nomination_ids', { mode: 'json' }).notNull().$type<string[]>().default([]),
	regionCode: text('region_code'),
	organization: text('organization').notNull().default(''),
	capacity: integer('capacity').notNull().default(50),
	active: integer('active', { mode: 'boolean' }).notNull().default(true),
	/** Areas of expertise for the routing's affinity: sphere codes of the practice list (SPHERES). */
	expertiseSpheres: text('expertise_spheres', { mode: 'json' }).notNull().$type<string[]>().default([]),
	/** Areas of expertise: free tags («наставничество на производстве», «адаптация молодых специалистов»…). */
	expertiseTags: text('expertise_tags', { mode: 'json' }).notNull().$type<string[]>().default([]),
	createdAt: created(),
	updatedAt: updated()
});

export const conflicts = sqliteTable(
	'conflicts',
	{
		id: text('id').primaryKey(),
		jurorId: text('juror_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		applicationId: text('application_id')
			.notNull()
			.references(() => applications.id, { onDelete: 'cascade' }),
		reason: text('reason', { enum: ['declared', 'recused'] }).notNull(),
		comment: text('comment').notNull().default(''),
		createdAt: created(),
		updatedAt: updated()
	},
	(t) => [uniqueIndex('conflicts_pair_uq').on(t.jurorId, t.applicationId)]
);

export const rounds = sqliteTable(
	'rounds',
	{
		id: text('id').primaryKey(),
		contestId: text('contest_id')
			.notNull()
			.references(() => contests.id, { onDelete: 'cascade' }),
		number: integer('number').notNull(),
		title: text('title').notNull(),
		status: text('status', { enum: ['draft', 'active', 'closed'] }).notNull().default('draft'),
		deadlineAt: ts('deadline_at'),
		settings: text('settings', { mode: 'json' }).notNull().$type<Record<string, unknown>>().default({}),
		createdAt: created(),
		updatedAt: updated()
	},
	(t) => [uniqueIndex('rounds_contest_number_uq').on(t.contestId, t.number)]
);

export const roundEntries = sqliteTable(
	'round_entries',
	{
		roundId: text('round_id')
			.notNull()
			.references(() => rounds.id, { onDelete: 'cascade' }),
		applicationId: text('application_id')
			.notNull()
			.references(() => applications.id, { onDelete: 'cascade' }),
		createdAt: created()
	},
	(t) => [primaryKey({ columns: [t.roundId, t.applicationId] }), index('round_entries_app_idx').on(t.applicationId)]
);

export const assignments = sqliteTable(
	'assignments',
	{
		id: text('id').primaryKey(),
		roundId: text('round_id')
			.notNull()
			.references(() => rounds.id, { onDelete: 'cascade' }),
		applicationId: text('application_id')
			.notNull()
			.references(() => applications.id, { onDelete: 'cascade' }),
		jurorId: text('juror_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		status: text('status', { enum: ['assigned', 'draft', 'submitted', 'recused', 'removed'] }).notNull().default('assigned'),
		source: text('source', { enum: ['auto', 'manual'] }).notNull().default('auto'),
		/** The juror's note for the organizers: never shown to the applicant. */
		comment: text('comment').notNull().default(''),
		/** The juror's feedback for the applicant: shown anonymously once feedback is released. */
		feedback: text('feedback').notNull().default(''),
		version: integer('version').notNull().default(1),
		startedAt: ts('started_at'),
		submittedAt: ts('submitted_at'),
		createdAt: created(),
		updatedAt: updated()
	},
	(t) => [
		uniqueIndex('assignments_round_app_juror_uq').on(t.roundId, t.applicationId, t.jurorId),
		index('assignments_juror_idx').on(t.jurorId, t.roundId),
		index('assignments_app_idx').on(t.applicationId),
		// the round's live assignments (results, progress, exports) read from the index alone
		index('assignments_round_status_idx').on(t.roundId, t.status, t.id),
		// jurors' loads in a round (entry page, jurors list, progress) and entries' coverage
		// counts, each read from an index alone (migration 0010)
		index('assignments_round_juror_status_idx').on(t.roundId, t.jurorId, t.status),
		index('assignments_round_app_status_idx').on(t.roundId, t.applicationId, t.status)
	]
);

export const scores = sqliteTable(
	'scores',
	{
		assignmentId: text('assignment_id')
			.notNull()
			.references(() => assignments.id, { onDelete: 'cascade' }),
		criterionId: text('criterion_id')
			.notNull()
			.references(() => criteria.id, { onDelete: 'cascade' }),
		value: integer('value').notNull(),
		createdAt: created(),
		updatedAt: updated()
	},
	(t) => [
		primaryKey({ columns: [t.assignmentId, t.criterionId] }),
		// covering: the round's scores are read from the index without touching the table
		index('scores_assignment_value_idx').on(t.assignmentId, t.criterionId, t.value)
	]
);

/**
 * Version of everything a round's results are computed from (results/cache.ts). Bumped by
 * triggers (migration 0007) inside the very statement — and so the transaction — that changes a
 * score, an assignment, an entry, an application of the round, the round, its contest, the
 * contest's nominations or criteria, or a juror's / applicant's name: no write path can forget it.
 */
export const roundVersions = sqliteTable('round_versions', {
	roundId: text('round_id')
		.primaryKey()
		.references(() => rounds.id, { onDelete: 'cascade' }),
	version: integer('version').notNull().default(0),
	/**
	 * 1 once the version was bumped and nobody has read the round since (migration 0010): further
	 * writes skip the bump — the version already differs from any cached one. A cache reload clears
	 * it in the transaction that reads the data, so the next write bumps again.
	 */
	dirty: integer('dirty').notNull().default(1)
});

export const practices = sqliteTable(
	'practices',
	{
		id: text('id').primaryKey(),
		slug: text('slug').notNull(),
		status: text('status', { enum: ['draft', 'published', 'unpublished'] }).notNull().default('draft'),
		applicationId: text('application_id').references(() => applications.id, { onDelete: 'set null' }),
		contestId: text('contest_id').references(() => contests.id, { onDelete: 'set null' }),
		title: text('title').notNull(),
		summary: text('summary').notNull().default(''),
		problem: text('problem').notNull().default(''),
		actions: text('actions').notNull().default(''),
		team: text('team').notNull().default(''),
		results: text('results', { mode: 'json' })
			.notNull()
			.$type<{ indicator: string; baseline: number | null; value: number; unit: string; period: string; source: string }[]>()
			.default([]),
		regionCode: text('region_code'),
		municipality: text('municipality').notNull().default(''),
		organization: text('organization').notNull().default(''),
		sphere: text('sphere'),
		nominationTitle: text('nomination_title').notNull().default(''),
		year: integer('year'),
		tags: text('tags', { mode: 'json' }).notNull().$type<string[]>().default([]),
		contacts: text('contacts').notNull().default(''),
		/**
		 * A note for the editors (e.g. application text to carry into the results table): never
		 * public, not indexed; a practice is not published while it holds one.
		 */
		editorNote: text('editor_note').notNull().default(''),
		/** Contacts are shown publicly only with the author's consent. */
		contactsConsent: integer('contacts_consent', { mode: 'boolean' }).notNull().default(false),
		/** A video from the author's application is shown publicly only with the author's consent. */
		videoConsent: integer('video_consent', { mode: 'boolean' }).notNull().default(false),
		/** The contest or programme the practice comes from («Наставничество-2026», «Школа мэров»). */
		source: text('source').notNull().default(''),
		/** The year the practice started. */
		since: integer('since'),
		videoAssetId: text('video_asset_id'),
		posterAssetId: text('poster_asset_id'),
		publishedAt: ts('published_at'),
		createdAt: created(),
		updatedAt: updated()
	},
	(t) => [uniqueIndex('practices_slug_uq').on(t.slug), index('practices_status_idx').on(t.status, t.publishedAt)]
);

/**
 * The search document of a published practice: a stable integer id for the FTS5 tables
 * (`library_fts`, `library_trigram`, created by a hand-written migration) and the numbers the
 * search sorts by. Kept in step with `practices` by src/lib/server/library in the same transaction.
 */
export const libraryDocs = sqliteTable(
	'library_docs',
	{
		docid: integer('docid').primaryKey({ autoIncrement: true }),
		practiceId: text('practice_id')
			.notNull()
			.references(() => practices.id, { onDelete: 'cascade' }),
		/** The largest relative change of a result indicator (0.3 = 30 %), for sorting; null when none. */
		impact: real('impact'),
		indexedAt: ts('indexed_at').notNull()
	},
	(t) => [uniqueIndex('library_docs_practice_uq').on(t.practiceId)]
);

/** One row: a counter bumped by every change of the search index (caches compare it). */
export const libraryState = sqliteTable('library_state', {
	id: integer('id').primaryKey(),
	generation: integer('generation').notNull().default(0)
});

export const adoptions = sqliteTable(
	'adoptions',
	{
		id: text('id').primaryKey(),
		practiceId: text('practice_id')
			.notNull()
			.references(() => practices.id, { onDelete: 'cascade' }),
		userId: text('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		organization: text('organization').notNull().default(''),
		result: text('result').notNull().default(''),
		createdAt: created(),
		updatedAt: updated()
	},
	(t) => [uniqueIndex('adoptions_practice_user_uq').on(t.practiceId, t.userId)]
);

export const JOB_STATUSES = ['queued', 'running', 'done', 'failed', 'dead', 'cancelled'] as const;
export const jobs = sqliteTable(
	'jobs',
	{
		id: text('id').primaryKey(),
		kind: text('kind').notNull(),
		payload: text('payload', { mode: 'json' }).notNull().$type<Record<string, unknown>>(),
		status: text('status', { enum: JOB_STATUSES }).notNull().default('queued'),
		attempts: integer('attempts').notNull().default(0),
		maxAttempts: integer('max_attempts').notNull().default(5),
		runAt: ts('run_at').notNull(),
		lockedUntil: ts('locked_until'),
		lastError: text('last_error'),
		progress: integer('progress'),
		/** At most one queued or running job per key (e.g. `media.process:<assetId>`). */
		dedupeKey: text('dedupe_key'),
		/** The worker holding the lease (`host:pid:n`), for the console and lease checks. */
		lockedBy: text('locked_by'),
		startedAt: ts('started_at'),
		finishedAt: ts('finished_at'),
		/** What the handler reported when it finished (shown to organizers). */
		result: text('result', { mode: 'json' }).$type<Record<string, unknown>>(),
		createdAt: created(),
		updatedAt: updated()
	},
	(t) => [
		index('jobs_due_idx').on(t.status, t.runAt),
		index('jobs_lease_idx').on(t.status, t.lockedUntil),
		index('jobs_kind_idx').on(t.kind, t.status),
		uniqueIndex('jobs_dedupe_active_uq').on(t.dedupeKey).where(sql`status in ('queued', 'running') and dedupe_key is not null`)
	]
);

export const auditEvents = sqliteTable(
	'audit_events',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		actorId: text('actor_id'),
		action: text('action').notNull(),
		entity: text('entity').notNull(),
		entityId: text('entity_id'),
		before: text('before', { mode: 'json' }),
		after: text('after', { mode: 'json' }),
		ip: text('ip'),
		createdAt: created()
	},
	(t) => [index('audit_entity_idx').on(t.entity, t.entityId), index('audit_created_idx').on(t.createdAt)]
);

export const MAIL_DELIVERY_STATUSES = ['pending', 'sent', 'failed'] as const;
export type MailDeliveryStatus = (typeof MAIL_DELIVERY_STATUSES)[number];

/**
 * One letter of a bulk mailing (e.g. the decisions of a contest) to one recipient, with its
 * delivery status; failed ones are retried (results/mailing.ts).
 */
export const mailDeliveries = sqliteTable(
	'mail_deliveries',
	{
		id: text('id').primaryKey(),
		/** The mailing, e.g. `decision:<contestId>`. */
		campaign: text('campaign').notNull(),
		contestId: text('contest_id').references(() => contests.id, { onDelete: 'cascade' }),
		applicationId: text('application_id').references(() => applications.id, { onDelete: 'cascade' }),
		userId: text('user_id').references(() => users.id, { onDelete: 'set null' }),
		email: text('email').notNull(),
		/** What the letter says (e.g. the application status it announces), fixed when queued. */
		kind: text('kind').notNull(),
		status: text('status', { enum: MAIL_DELIVERY_STATUSES }).notNull().default('pending'),
		attempts: integer('attempts').notNull().default(0),
		lastError: text('last_error'),
		messageId: text('message_id'),
		sentAt: ts('sent_at'),
		createdAt: created(),
		updatedAt: updated()
	},
	(t) => [uniqueIndex('mail_deliveries_campaign_app_uq').on(t.campaign, t.applicationId), index('mail_deliveries_status_idx').on(t.campaign, t.status)]
);

export type User = typeof users.$inferSelect;
export type Contest = typeof contests.$inferSelect;
export type Nomination = typeof nominations.$inferSelect;
export type Application = typeof applications.$inferSelect;
export type Asset = typeof assets.$inferSelect;
export type Job = typeof jobs.$inferSelect;
export type JobStatus = (typeof JOB_STATUSES)[number];
export type Practice = typeof practices.$inferSelect;
export type PracticeResult = Practice['results'][number];
