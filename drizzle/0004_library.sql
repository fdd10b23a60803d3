CREATE TABLE `library_docs` (
	`docid` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`practice_id` text NOT NULL,
	`impact` real,
	`indexed_at` integer NOT NULL,
	FOREIGN KEY (`practice_id`) REFERENCES `practices`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `library_docs_practice_uq` ON `library_docs` (`practice_id`);--> statement-breakpoint
CREATE TABLE `library_state` (
	`id` integer PRIMARY KEY NOT NULL,
	`generation` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE `practices` ADD `contacts_consent` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `practices` ADD `video_consent` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `practices` ADD `source` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `practices` ADD `since` integer;