CREATE TABLE `round_versions` (
	`round_id` text PRIMARY KEY NOT NULL,
	`version` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`round_id`) REFERENCES `rounds`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `applications_dashboard_idx` ON `applications` (`contest_id`,`status`,`nomination_id`,`region_code`,`submitted_at`);--> statement-breakpoint
CREATE INDEX `assignments_round_status_idx` ON `assignments` (`round_id`,`status`,`id`);--> statement-breakpoint
CREATE INDEX `round_entries_app_idx` ON `round_entries` (`application_id`);--> statement-breakpoint
CREATE INDEX `scores_assignment_value_idx` ON `scores` (`assignment_id`,`criterion_id`,`value`);--> statement-breakpoint
-- Per-round results version (results/cache.ts): every change of what loadRound reads bumps it in
-- the same statement, so in the same transaction as the change itself.
INSERT INTO `round_versions` (`round_id`, `version`) SELECT `id`, 0 FROM `rounds`;--> statement-breakpoint
CREATE TRIGGER `rv_rounds_ins` AFTER INSERT ON `rounds` BEGIN
	INSERT OR IGNORE INTO `round_versions` (`round_id`, `version`) VALUES (NEW.`id`, 0);
END;--> statement-breakpoint
CREATE TRIGGER `rv_rounds_upd` AFTER UPDATE ON `rounds` BEGIN
	UPDATE `round_versions` SET `version` = `version` + 1 WHERE `round_id` IN (OLD.`id`, NEW.`id`);
END;--> statement-breakpoint
CREATE TRIGGER `rv_contests_upd` AFTER UPDATE ON `contests` BEGIN
	UPDATE `round_versions` SET `version` = `version` + 1 WHERE `round_id` IN (SELECT `id` FROM `rounds` WHERE `contest_id` = NEW.`id`);
END;--> statement-breakpoint
CREATE TRIGGER `rv_nominations_ins` AFTER INSERT ON `nominations` BEGIN
	UPDATE `round_versions` SET `version` = `version` + 1 WHERE `round_id` IN (SELECT `id` FROM `rounds` WHERE `contest_id` = NEW.`contest_id`);
END;--> statement-breakpoint
CREATE TRIGGER `rv_nominations_upd` AFTER UPDATE ON `nominations` BEGIN
	UPDATE `round_versions` SET `version` = `version` + 1 WHERE `round_id` IN (SELECT `id` FROM `rounds` WHERE `contest_id` IN (OLD.`contest_id`, NEW.`contest_id`));
END;--> statement-breakpoint
CREATE TRIGGER `rv_nominations_del` AFTER DELETE ON `nominations` BEGIN
	UPDATE `round_versions` SET `version` = `version` + 1 WHERE `round_id` IN (SELECT `id` FROM `rounds` WHERE `contest_id` = OLD.`contest_id`);
END;--> statement-breakpoint
CREATE TRIGGER `rv_criteria_ins` AFTER INSERT ON `criteria` BEGIN
	UPDATE `round_versions` SET `version` = `version` + 1 WHERE `round_id` IN (SELECT `id` FROM `rounds` WHERE `contest_id` = NEW.`contest_id`);
END;--> statement-breakpoint
CREATE TRIGGER `rv_criteria_upd` AFTER UPDATE ON `criteria` BEGIN
	UPDATE `round_versions` SET `version` = `version` + 1 WHERE `round_id` IN (SELECT `id` FROM `rounds` WHERE `contest_id` IN (OLD.`contest_id`, NEW.`contest_id`));
END;--> statement-breakpoint
CREATE TRIGGER `rv_criteria_del` AFTER DELETE ON `criteria` BEGIN
	UPDATE `round_versions` SET `version` = `version` + 1 WHERE `round_id` IN (SELECT `id` FROM `rounds` WHERE `contest_id` = OLD.`contest_id`);
END;--> statement-breakpoint
CREATE TRIGGER `rv_entries_ins` AFTER INSERT ON `round_entries` BEGIN
	UPDATE `round_versions` SET `version` = `version` + 1 WHERE `round_id` = NEW.`round_id`;
END;--> statement-breakpoint
CREATE TRIGGER `rv_entries_del` AFTER DELETE ON `round_entries` BEGIN
	UPDATE `round_versions` SET `version` = `version` + 1 WHERE `round_id` = OLD.`round_id`;
END;--> statement-breakpoint
CREATE TRIGGER `rv_applications_upd` AFTER UPDATE OF `status`, `nomination_id`, `number`, `submitted_at`, `region_code`, `organization`, `applicant_id`, `practice`, `seq` ON `applications` BEGIN
	UPDATE `round_versions` SET `version` = `version` + 1 WHERE `round_id` IN (SELECT `round_id` FROM `round_entries` WHERE `application_id` = NEW.`id`);
END;--> statement-breakpoint
CREATE TRIGGER `rv_users_upd` AFTER UPDATE OF `fio`, `email` ON `users` BEGIN
	UPDATE `round_versions` SET `version` = `version` + 1;
END;--> statement-breakpoint
CREATE TRIGGER `rv_assignments_ins` AFTER INSERT ON `assignments` BEGIN
	UPDATE `round_versions` SET `version` = `version` + 1 WHERE `round_id` = NEW.`round_id`;
END;--> statement-breakpoint
CREATE TRIGGER `rv_assignments_upd` AFTER UPDATE ON `assignments` BEGIN
	UPDATE `round_versions` SET `version` = `version` + 1 WHERE `round_id` IN (OLD.`round_id`, NEW.`round_id`);
END;--> statement-breakpoint
CREATE TRIGGER `rv_assignments_del` AFTER DELETE ON `assignments` BEGIN
	UPDATE `round_versions` SET `version` = `version` + 1 WHERE `round_id` = OLD.`round_id`;
END;--> statement-breakpoint
CREATE TRIGGER `rv_scores_ins` AFTER INSERT ON `scores` BEGIN
	UPDATE `round_versions` SET `version` = `version` + 1 WHERE `round_id` = (SELECT `round_id` FROM `assignments` WHERE `id` = NEW.`assignment_id`);
END;--> statement-breakpoint
CREATE TRIGGER `rv_scores_upd` AFTER UPDATE ON `scores` BEGIN
	UPDATE `round_versions` SET `version` = `version` + 1 WHERE `round_id` IN (SELECT `round_id` FROM `assignments` WHERE `id` IN (OLD.`assignment_id`, NEW.`assignment_id`));
END;--> statement-breakpoint
CREATE TRIGGER `rv_scores_del` AFTER DELETE ON `scores` BEGIN
	UPDATE `round_versions` SET `version` = `version` + 1 WHERE `round_id` = (SELECT `round_id` FROM `assignments` WHERE `id` = OLD.`assignment_id`);
END;
