-- The library search moves from FTS5 to an in-memory index (src/lib/server/library/library-index.ts)
-- built from stored term lists (hand-written: drizzle does not model these tables). The contentless
-- FTS5 table with detail=column could not rank (bm25 needs positions or content: it returned -0 for
-- every row) and every search read all its matches out of SQLite.
DROP TRIGGER IF EXISTS `library_docs_ad`;
--> statement-breakpoint
DROP TABLE IF EXISTS `library_fts_vocab`;
--> statement-breakpoint
DROP TABLE IF EXISTS `library_fts`;
--> statement-breakpoint
-- Per published practice (library_docs.docid; a changed practice gets a new docid, so what is
-- stored under a docid never changes): the practice's facet values as they were indexed, and its
-- distinct stems, the fields each occurs in and the number of words of each field — the
-- statistics of the ranking (BM25F). The in-memory index is built from this table alone.
CREATE TABLE `library_doc_index` (
	`docid` integer PRIMARY KEY NOT NULL REFERENCES `library_docs`(`docid`) ON DELETE CASCADE,
	`practice_id` text NOT NULL,
	`published_at` integer,
	`impact` real,
	`region` text,
	`sphere` text,
	`nomination` text NOT NULL DEFAULT '',
	`year` integer,
	`source` text NOT NULL DEFAULT '',
	-- JSON array
	`tags` text NOT NULL DEFAULT '[]',
	-- distinct stems, separated by spaces
	`stems` text NOT NULL,
	-- one character per stem: 'a' + bit mask of its fields (title 1, summary 2, body 4, tags 8, place 16)
	`fields` text NOT NULL,
	-- words in title, summary, body, tags, place, separated by spaces
	`lengths` text NOT NULL
);
--> statement-breakpoint
-- A search document removed by anything (the cascade from `practices` included) invalidates the caches.
CREATE TRIGGER `library_docs_ad` AFTER DELETE ON `library_docs` BEGIN
	UPDATE `library_state` SET `generation` = `generation` + 1 WHERE `id` = 1;
END;
--> statement-breakpoint
-- The practices published before this migration have no term lists yet: the portal writes them
-- on its first search (search-index.ts, indexMissing).
UPDATE `library_state` SET `generation` = `generation` + 1 WHERE `id` = 1;
