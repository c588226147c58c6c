-- 0007: duplicate detection from an index instead of a scan (issue 14).
-- title_folded is storage.titles.fold_title(title) and title_keys its MinHash band keys, both
-- written by the repository with every content write. Database registers fold_title and
-- band_keys_json as SQL functions so that this migration backfills existing articles.

ALTER TABLE articles ADD COLUMN title_folded TEXT NOT NULL DEFAULT '';
-- The backfills call Python functions only SQLite has; PostgreSQL databases start at this
-- version or later (or are copied from a migrated SQLite file), with no rows to backfill.
-- dialect: sqlite
UPDATE articles SET title_folded = fold_title(title);

-- Exact folded titles, and the first article id inside the duplicate window.
CREATE INDEX articles_title_folded ON articles (title_folded) WHERE title_folded <> '';
CREATE INDEX articles_created ON articles (created_at);

-- Look-alike candidates: the articles sharing a band key, by key then id (window by id range).
CREATE TABLE title_keys (
    key        INTEGER NOT NULL,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    PRIMARY KEY (key, article_id)
) WITHOUT ROWID;
CREATE INDEX title_keys_article ON title_keys (article_id);
-- dialect: sqlite
INSERT OR IGNORE INTO title_keys (key, article_id)
SELECT keys.value, articles.id FROM articles, json_each(band_keys_json(articles.title)) AS keys;
