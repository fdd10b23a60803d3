ALTER TABLE `juror_profiles` ADD `expertise_spheres` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `juror_profiles` ADD `expertise_tags` text DEFAULT '[]' NOT NULL;