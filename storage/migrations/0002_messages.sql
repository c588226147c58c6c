-- 0002: where the bot showed an article, so previews and review cards can be edited in place.

CREATE TABLE article_messages (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('preview', 'card', 'held')),
    chat_id    INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (article_id, kind, chat_id, message_id)
);

-- A pending article is reminded once: remember when.
ALTER TABLE articles ADD COLUMN submitted_at TEXT;
ALTER TABLE articles ADD COLUMN reminded_at TEXT;

-- Notifications to the author go out in the language they wrote in.
ALTER TABLE articles ADD COLUMN author_language TEXT NOT NULL DEFAULT '';
