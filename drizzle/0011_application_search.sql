-- The search of a round's entries by number or name (issue 18; hand-written: drizzle does not
-- model virtual tables). `application_search` holds what is searched — the number and the
-- applicant's name from `about` — under a stable integer key (an explicit INTEGER PRIMARY KEY is
-- never renumbered by VACUUM); its FTS5 trigram index finds a substring of three or more
-- characters without reading 24 000 applications (case folded, Cyrillic included). Both are kept
-- by triggers in the statement that changes an application, so no write path can forget them.
-- src/lib/server/review/views.ts (roundEntriesView) reads them.
CREATE TABLE `application_search` (
	`id` integer PRIMARY KEY,
	`application_id` text NOT NULL,
	`number` text NOT NULL DEFAULT '',
	`fio` text NOT NULL DEFAULT ''
);
--> statement-breakpoint
CREATE UNIQUE INDEX `application_search_app_uq` ON `application_search` (`application_id`);
--> statement-breakpoint
CREATE VIRTUAL TABLE `application_search_fts` USING fts5(
	number, fio,
	content = 'application_search', content_rowid = 'id',
	tokenize = 'trigram'
);
--> statement-breakpoint
CREATE TRIGGER `application_search_ai` AFTER INSERT ON `application_search` BEGIN
	INSERT INTO `application_search_fts` (rowid, number, fio) VALUES (new.id, new.number, new.fio);
END;
--> statement-breakpoint
CREATE TRIGGER `application_search_ad` AFTER DELETE ON `application_search` BEGIN
	INSERT INTO `application_search_fts` (`application_search_fts`, rowid, number, fio) VALUES ('delete', old.id, old.number, old.fio);
END;
--> statement-breakpoint
CREATE TRIGGER `application_search_au` AFTER UPDATE ON `application_search` BEGIN
	INSERT INTO `application_search_fts` (`application_search_fts`, rowid, number, fio) VALUES ('delete', old.id, old.number, old.fio);
	INSERT INTO `application_search_fts` (rowid, number, fio) VALUES (new.id, new.number, new.fio);
END;
--> statement-breakpoint
CREATE TRIGGER `applications_search_ai` AFTER INSERT ON `applications` BEGIN
	INSERT INTO `application_search` (`application_id`, `number`, `fio`)
	VALUES (new.`id`, coalesce(new.`number`, ''), coalesce(CASE WHEN json_valid(new.`about`) THEN json_extract(new.`about`, '$.fio') END, ''));
END;
--> statement-breakpoint
CREATE TRIGGER `applications_search_au` AFTER UPDATE OF `number`, `about` ON `applications`
WHEN coalesce(old.`number`, '') IS NOT coalesce(new.`number`, '')
  OR coalesce(CASE WHEN json_valid(old.`about`) THEN json_extract(old.`about`, '$.fio') END, '') IS NOT coalesce(CASE WHEN json_valid(new.`about`) THEN json_extract(new.`about`, '$.fio') END, '')
BEGIN
	UPDATE `application_search`
	SET `number` = coalesce(new.`number`, ''), `fio` = coalesce(CASE WHEN json_valid(new.`about`) THEN json_extract(new.`about`, '$.fio') END, '')
	WHERE `application_id` = new.`id`;
END;
--> statement-breakpoint
CREATE TRIGGER `applications_search_ad` AFTER DELETE ON `applications` BEGIN
	DELETE FROM `application_search` WHERE `application_id` = old.`id`;
END;
--> statement-breakpoint
INSERT INTO `application_search` (`application_id`, `number`, `fio`)
SELECT `id`, coalesce(`number`, ''), coalesce(CASE WHEN json_valid(`about`) THEN json_extract(`about`, '$.fio') END, '') FROM `applications`;
