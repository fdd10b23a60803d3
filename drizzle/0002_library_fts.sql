-- Full-text search of the practice library (hand-written: drizzle does not model virtual tables).
-- The domain code (src/lib/server/library/search-index.ts) writes the STEMMED text of every
-- published practice into library_fts and its normalized text (lower case, ё → е) into
-- library_trigram, under the docid of library_docs, in the same transaction as the change.
-- Both tables are contentless: the original text stays in `practices`.
CREATE VIRTUAL TABLE `library_fts` USING fts5(
	title, summary, body, tags, place,
	content = '', contentless_delete = 1,
	tokenize = 'unicode61 remove_diacritics 0',
	prefix = '2 3 4',
	-- No phrase or NEAR queries are ever built, so positions are not needed: a smaller index
	-- and a faster bm25 (it still weighs the columns).
	detail = column
);
--> statement-breakpoint
CREATE VIRTUAL TABLE `library_trigram` USING fts5(
	text,
	content = '', contentless_delete = 1,
	tokenize = 'trigram',
	detail = 'none'
);
--> statement-breakpoint
INSERT INTO `library_state` (`id`, `generation`) VALUES (1, 0);
--> statement-breakpoint
-- A safety net: a search document removed by anything (the cascade from `practices` included)
-- takes its FTS rows with it and invalidates the caches.
CREATE TRIGGER `library_docs_ad` AFTER DELETE ON `library_docs` BEGIN
	DELETE FROM `library_fts` WHERE rowid = old.docid;
	DELETE FROM `library_trigram` WHERE rowid = old.docid;
	UPDATE `library_state` SET `generation` = `generation` + 1 WHERE `id` = 1;
END;
