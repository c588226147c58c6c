-- 0005: duplicate detection from an index instead of a scan (issue 14).
-- title_folded is storage.titles.fold_title(title), written by the repository with every content
-- write; Database registers fold_title as an SQL function so this migration can backfill it.

ALTER TABLE articles ADD COLUMN title_folded TEXT NOT NULL DEFAULT '';
UPDATE articles SET title_folded = fold_title(title);

-- Exact folded titles, and the first article id inside the duplicate window.
CREATE INDEX articles_title_folded ON articles (title_folded) WHERE title_folded <> '';
CREATE INDEX articles_created ON articles (created_at);

-- Trigrams of the folded titles; external content (the text lives in articles only).
CREATE VIRTUAL TABLE article_titles USING fts5(
    title_folded, content='articles', content_rowid='id', tokenize='trigram'
);
INSERT INTO article_titles (article_titles) VALUES ('rebuild');

CREATE TRIGGER article_titles_insert AFTER INSERT ON articles BEGIN
    INSERT INTO article_titles (rowid, title_folded) VALUES (new.id, new.title_folded);
END;
CREATE TRIGGER article_titles_delete AFTER DELETE ON articles BEGIN
    INSERT INTO article_titles (article_titles, rowid, title_folded)
    VALUES ('delete', old.id, old.title_folded);
END;
CREATE TRIGGER article_titles_update AFTER UPDATE OF title_folded ON articles BEGIN
    INSERT INTO article_titles (article_titles, rowid, title_folded)
    VALUES ('delete', old.id, old.title_folded);
    INSERT INTO article_titles (rowid, title_folded) VALUES (new.id, new.title_folded);
END;
