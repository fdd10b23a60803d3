ALTER TABLE `round_versions` ADD `dirty` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
CREATE INDEX `applications_contest_status_seq_idx` ON `applications` (`contest_id`,`status`,`seq`,`id`);--> statement-breakpoint
CREATE INDEX `assignments_round_juror_status_idx` ON `assignments` (`round_id`,`juror_id`,`status`);--> statement-breakpoint
CREATE INDEX `assignments_round_app_status_idx` ON `assignments` (`round_id`,`application_id`,`status`);--> statement-breakpoint
-- Bulk writes (issue 18): a round's version is bumped once per change burst, not once per row.
-- `dirty` = 1 while the version already differs from whatever a cache holds (results/cache.ts
-- clears it in the transaction that reads the round's data); every trigger bumps only a clean
-- row, so 360 000 score rows in one transaction write round_versions once, and each later row
-- costs one primary-key lookup. Correctness: a cache holds (version v, data read with dirty = 0);
-- the first write after it sets v + 1, so the cached v never matches again.
DROP TRIGGER `rv_rounds_upd`;--> statement-breakpoint
CREATE TRIGGER `rv_rounds_upd` AFTER UPDATE ON `rounds` BEGIN
	UPDATE `round_versions` SET `version` = `version` + 1, `dirty` = 1 WHERE `dirty` = 0 AND `round_id` IN (OLD.`id`, NEW.`id`);
END;--> statement-breakpoint
DROP TRIGGER `rv_contests_upd`;--> statement-breakpoint
CREATE TRIGGER `rv_contests_upd` AFTER UPDATE ON `contests` BEGIN
	UPDATE `round_versions` SET `version` = `version` + 1, `dirty` = 1 WHERE `dirty` = 0 AND `round_id` IN (SELECT `id` FROM `rounds` WHERE `contest_id` = NEW.`id`);
END;--> statement-breakpoint
DROP TRIGGER `rv_nominations_ins`;--> statement-breakpoint
CREATE TRIGGER `rv_nominations_ins` AFTER INSERT ON `nominations` BEGIN
	UPDATE `round_versions` SET `version` = `version` + 1, `dirty` = 1 WHERE `dirty` = 0 AND `round_id` IN (SELECT `id` FROM `rounds` WHERE `contest_id` = NEW.`contest_id`);
END;--> statement-breakpoint
DROP TRIGGER `rv_nominations_upd`;--> statement-breakpoint
CREATE TRIGGER `rv_nominations_upd` AFTER UPDATE ON `nominations` BEGIN
	UPDATE `round_versions` SET `version` = `version` + 1, `dirty` = 1 WHERE `dirty` = 0 AND `round_id` IN (SELECT `id` FROM `rounds` WHERE `contest_id` IN (OLD.`contest_id`, NEW.`contest_id`));
END;--> statement-breakpoint
DROP TRIGGER `rv_nominations_del`;--> statement-breakpoint
CREATE TRIGGER `rv_nominations_del` AFTER DELETE ON `nominations` BEGIN
	UPDATE `round_versions` SET `version` = `version` + 1, `dirty` = 1 WHERE `dirty` = 0 AND `round_id` IN (SELECT `id` FROM `rounds` WHERE `contest_id` = OLD.`contest_id`);
END;--> statement-breakpoint
DROP TRIGGER `rv_criteria_ins`;--> statement-breakpoint
CREATE TRIGGER `rv_criteria_ins` AFTER INSERT ON `criteria` BEGIN
	UPDATE `round_versions` SET `version` = `version` + 1, `dirty` = 1 WHERE `dirty` = 0 AND `round_id` IN (SELECT `id` FROM `rounds` WHERE `contest_id` = NEW.`contest_id`);
END;--> statement-breakpoint
DROP TRIGGER `rv_criteria_upd`;--> statement-breakpoint
CREATE TRIGGER `rv_criteria_upd` AFTER UPDATE ON `criteria` BEGIN
	UPDATE `round_versions` SET `version` = `version` + 1, `dirty` = 1 WHERE `dirty` = 0 AND `round_id` IN (SELECT `id` FROM `rounds` WHERE `contest_id` IN (OLD.`contest_id`, NEW.`contest_id`));
END;--> statement-breakpoint
DROP TRIGGER `rv_criteria_del`;--> statement-breakpoint
CREATE TRIGGER `rv_criteria_del` AFTER DELETE ON `criteria` BEGIN
	UPDATE `round_versions` SET `version` = `version` + 1, `dirty` = 1 WHERE `dirty` = 0 AND `round_id` IN (SELECT `id` FROM `rounds` WHERE `contest_id` = OLD.`contest_id`);
END;--> statement-breakpoint
DROP TRIGGER `rv_entries_ins`;--> statement-breakpoint
CREATE TRIGGER `rv_entries_ins` AFTER INSERT ON `round_entries` BEGIN
	UPDATE `round_versions` SET `version` = `version` + 1, `dirty` = 1 WHERE `dirty` = 0 AND `round_id` = NEW.`round_id`;
END;--> statement-breakpoint
DROP TRIGGER `rv_entries_del`;--> statement-breakpoint
CREATE TRIGGER `rv_entries_del` AFTER DELETE ON `round_entries` BEGIN
	UPDATE `round_versions` SET `version` = `version` + 1, `dirty` = 1 WHERE `dirty` = 0 AND `round_id` = OLD.`round_id`;
END;--> statement-breakpoint
DROP TRIGGER `rv_applications_upd`;--> statement-breakpoint
CREATE TRIGGER `rv_applications_upd` AFTER UPDATE OF `status`, `nomination_id`, `number`, `submitted_at`, `region_code`, `organization`, `applicant_id`, `practice`, `seq` ON `applications` BEGIN
	UPDATE `round_versions` SET `version` = `version` + 1, `dirty` = 1 WHERE `dirty` = 0 AND `round_id` IN (SELECT `round_id` FROM `round_entries` WHERE `application_id` = NEW.`id`);
END;--> statement-breakpoint
DROP TRIGGER `rv_users_upd`;--> statement-breakpoint
CREATE TRIGGER `rv_users_upd` AFTER UPDATE OF `fio`, `email` ON `users` BEGIN
	UPDATE `round_versions` SET `version` = `version` + 1, `dirty` = 1 WHERE `dirty` = 0;
END;--> statement-breakpoint
DROP TRIGGER `rv_assignments_ins`;--> statement-breakpoint
CREATE TRIGGER `rv_assignments_ins` AFTER INSERT ON `assignments` BEGIN
	UPDATE `round_versions` SET `version` = `version` + 1, `dirty` = 1 WHERE `dirty` = 0 AND `round_id` = NEW.`round_id`;
END;--> statement-breakpoint
DROP TRIGGER `rv_assignments_upd`;--> statement-breakpoint
CREATE TRIGGER `rv_assignments_upd` AFTER UPDATE ON `assignments` BEGIN
	UPDATE `round_versions` SET `version` = `version` + 1, `dirty` = 1 WHERE `dirty` = 0 AND `round_id` IN (OLD.`round_id`, NEW.`round_id`);
END;--> statement-breakpoint
DROP TRIGGER `rv_assignments_del`;--> statement-breakpoint
CREATE TRIGGER `rv_assignments_del` AFTER DELETE ON `assignments` BEGIN
	UPDATE `round_versions` SET `version` = `version` + 1, `dirty` = 1 WHERE `dirty` = 0 AND `round_id` = OLD.`round_id`;
END;--> statement-breakpoint
DROP TRIGGER `rv_scores_ins`;--> statement-breakpoint
CREATE TRIGGER `rv_scores_ins` AFTER INSERT ON `scores` BEGIN
	UPDATE `round_versions` SET `version` = `version` + 1, `dirty` = 1 WHERE `dirty` = 0 AND `round_id` = (SELECT `round_id` FROM `assignments` WHERE `id` = NEW.`assignment_id`);
END;--> statement-breakpoint
DROP TRIGGER `rv_scores_upd`;--> statement-breakpoint
CREATE TRIGGER `rv_scores_upd` AFTER UPDATE ON `scores` BEGIN
	UPDATE `round_versions` SET `version` = `version` + 1, `dirty` = 1 WHERE `dirty` = 0 AND `round_id` IN (SELECT `round_id` FROM `assignments` WHERE `id` IN (OLD.`assignment_id`, NEW.`assignment_id`));
END;--> statement-breakpoint
DROP TRIGGER `rv_scores_del`;--> statement-breakpoint
CREATE TRIGGER `rv_scores_del` AFTER DELETE ON `scores` BEGIN
	UPDATE `round_versions` SET `version` = `version` + 1, `dirty` = 1 WHERE `dirty` = 0 AND `round_id` = (SELECT `round_id` FROM `assignments` WHERE `id` = OLD.`assignment_id`);
END;
