ALTER TABLE `applications` ADD `contacts_consent` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `applications` ADD `video_consent` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `assignments` ADD `feedback` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `email_tokens` ADD `next` text;--> statement-breakpoint
ALTER TABLE `practices` ADD `editor_note` text DEFAULT '' NOT NULL;--> statement-breakpoint
-- Existing juror comments stay private: they remain in `comment` (for the organizers); `feedback` starts empty.
-- Drafts made from an application before this migration kept the application's results as a note in
-- «Что сделано»: the note moves to `editor_note` (drafts only: published texts are left to the editors).
UPDATE `practices` SET
	`editor_note` = substr(`actions`, instr(`actions`, 'Результаты (из заявки, перенесите в таблицу результатов):')),
	`actions` = rtrim(substr(`actions`, 1, instr(`actions`, 'Результаты (из заявки, перенесите в таблицу результатов):') - 1), char(10))
WHERE `status` <> 'published' AND instr(`actions`, 'Результаты (из заявки, перенесите в таблицу результатов):') > 0;
