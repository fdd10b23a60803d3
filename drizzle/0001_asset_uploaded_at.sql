DROP INDEX `applications_number_uq`;--> statement-breakpoint
CREATE UNIQUE INDEX `applications_contest_number_uq` ON `applications` (`contest_id`,`number`);--> statement-breakpoint
ALTER TABLE `assets` ADD `uploaded_at` integer;