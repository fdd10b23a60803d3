CREATE TABLE `mail_deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`campaign` text NOT NULL,
	`contest_id` text,
	`application_id` text,
	`user_id` text,
	`email` text NOT NULL,
	`kind` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`message_id` text,
	`sent_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`contest_id`) REFERENCES `contests`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`application_id`) REFERENCES `applications`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `mail_deliveries_campaign_app_uq` ON `mail_deliveries` (`campaign`,`application_id`);--> statement-breakpoint
CREATE INDEX `mail_deliveries_status_idx` ON `mail_deliveries` (`campaign`,`status`);