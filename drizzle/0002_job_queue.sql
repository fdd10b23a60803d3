ALTER TABLE `jobs` ADD `dedupe_key` text;--> statement-breakpoint
ALTER TABLE `jobs` ADD `locked_by` text;--> statement-breakpoint
ALTER TABLE `jobs` ADD `started_at` integer;--> statement-breakpoint
ALTER TABLE `jobs` ADD `finished_at` integer;--> statement-breakpoint
ALTER TABLE `jobs` ADD `result` text;--> statement-breakpoint
CREATE INDEX `jobs_lease_idx` ON `jobs` (`status`,`locked_until`);--> statement-breakpoint
CREATE INDEX `jobs_kind_idx` ON `jobs` (`kind`,`status`);--> statement-breakpoint
CREATE UNIQUE INDEX `jobs_dedupe_active_uq` ON `jobs` (`dedupe_key`) WHERE status in ('queued', 'running') and dedupe_key is not null;