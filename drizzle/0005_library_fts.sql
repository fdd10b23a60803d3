-- Full-text search of the practice library (hand-written: drizzle does not model virtual tables).
-- The domain code (src/lib/server/library/search-index.ts) writes the STEMMED text of every
-- published practice into library_fts under the docid of library_docs, and adds the normalized
-- words (lower case, ё → е) of that text to the vocabulary library_words, in the same
-- transaction as the change. library_fts is contentless: the original text stays in `practices`.
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
-- How many published practices have each stem (for choosing between typo corrections).
CREATE VIRTUAL TABLE `library_fts_vocab` USING fts5vocab(`library_fts`, 'row');
--> statement-breakpoint
-- The vocabulary of the published texts, every normalized word once, and its FTS5 trigram index:
-- the typo-tolerant fallback finds the words that share most trigrams with a word nobody wrote.
CREATE TABLE `library_words` (
	`id` integer PRIMARY KEY,
	`word` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `library_words_word_uq` ON `library_words` (`word`);
--> statement-breakpoint
CREATE VIRTUAL TABLE `library_trigram` USING fts5(
	word,
	content = 'library_words', content_rowid = 'id',
	tokenize = 'trigram',
	detail = 'none'
);
--> statement-breakpoint
CREATE TRIGGER `library_words_ai` AFTER INSERT ON `library_words` BEGIN
	INSERT INTO `library_trigram` (rowid, word) VALUES (new.id, new.word);
END;
--> statement-breakpoint
CREATE TRIGGER `library_words_ad` AFTER DELETE ON `library_words` BEGIN
	INSERT INTO `library_trigram` (`library_trigram`, rowid, word) VALUES ('delete', old.id, old.word);
END;
--> statement-breakpoint
INSERT INTO `library_state` (`id`, `generation`) VALUES (1, 0);
--> statement-breakpoint
-- A safety net: a search document removed by anything (the cascade from `practices` included)
-- takes its FTS row with it and invalidates the caches.
CREATE TRIGGER `library_docs_ad` AFTER DELETE ON `library_docs` BEGIN
	DELETE FROM `library_fts` WHERE rowid = old.docid;
	UPDATE `library_state` SET `generation` = `generation` + 1 WHERE `id` = 1;
END;
