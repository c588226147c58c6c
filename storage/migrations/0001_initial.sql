-- 0001: the newsroom's core schema.
-- Times are ISO-8601 UTC strings ("2026-11-28T09:00:00+00:00"); JSON columns hold arrays.

CREATE TABLE users (
    id          INTEGER PRIMARY KEY,            -- Telegram user id
    role        TEXT NOT NULL CHECK (role IN ('editor', 'admin')),
    language    TEXT NOT NULL DEFAULT '',
    name        TEXT NOT NULL DEFAULT '',
    added_by    INTEGER,
    created_at  TEXT NOT NULL
);

CREATE TABLE channels (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_ref    TEXT NOT NULL UNIQUE,           -- as configured: "@username" or "-100..." id
    chat_id     INTEGER,                        -- numeric id once resolved with getChat
    username    TEXT NOT NULL DEFAULT '',
    title       TEXT NOT NULL DEFAULT '',
    template    TEXT NOT NULL DEFAULT '{}',     -- JSON: ChannelTemplate overrides
    slots       TEXT NOT NULL DEFAULT '[]',     -- JSON: ["09:00", "12:00"]
    quiet_hours TEXT NOT NULL DEFAULT '',       -- "23:00-07:00" or empty
    is_default  INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL
);

CREATE TABLE articles (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    title           TEXT NOT NULL DEFAULT '',
    lead            TEXT NOT NULL DEFAULT '',
    body            TEXT NOT NULL DEFAULT '[]',  -- JSON array of paragraphs
    photos          TEXT NOT NULL DEFAULT '[]',  -- JSON array of {ref, is_url, width, height, file_size}
    photo_credit    TEXT NOT NULL DEFAULT '',
    source_name     TEXT NOT NULL DEFAULT '',
    source_url      TEXT NOT NULL DEFAULT '',
    original_source TEXT NOT NULL DEFAULT '',
    original_url    TEXT NOT NULL DEFAULT '',
    canonical_url   TEXT NOT NULL DEFAULT '',
    source_published_at TEXT,
    tags            TEXT NOT NULL DEFAULT '[]',
    language        TEXT NOT NULL DEFAULT '',
    origin          TEXT NOT NULL DEFAULT 'text', -- text | photo | forward | url | feed | dialog
    status          TEXT NOT NULL DEFAULT 'draft'
        CHECK (status IN ('draft', 'pending', 'approved', 'scheduled', 'published',
                          'rejected', 'deleted')),
    author_id       INTEGER NOT NULL,
    decided_by      INTEGER,
    decided_at      TEXT,
    reject_reason   TEXT NOT NULL DEFAULT '',
    embargo_until   TEXT,
    breaking        INTEGER NOT NULL DEFAULT 0,
    version         INTEGER NOT NULL DEFAULT 1,  -- bumped on every content edit
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX articles_status ON articles (status);
CREATE INDEX articles_author ON articles (author_id, status);
CREATE INDEX articles_canonical ON articles (canonical_url) WHERE canonical_url <> '';

CREATE TABLE publications (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id   INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    channel_id   INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    status       TEXT NOT NULL
        CHECK (status IN ('scheduled', 'publishing', 'published', 'failed', 'held',
                          'cancelled')),
    due_at       TEXT NOT NULL,
    silent       INTEGER NOT NULL DEFAULT 0,
    attempts     INTEGER NOT NULL DEFAULT 0,
    message_ids  TEXT NOT NULL DEFAULT '[]',
    link         TEXT NOT NULL DEFAULT '',
    last_error   TEXT NOT NULL DEFAULT '',
    claimed_at   TEXT,
    published_at TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    UNIQUE (article_id, channel_id)
);
-- The scheduler's only query: the earliest due publication.
CREATE INDEX publications_due ON publications (status, due_at);

CREATE TABLE feeds (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    url           TEXT NOT NULL UNIQUE,
    title         TEXT NOT NULL DEFAULT '',
    mode          TEXT NOT NULL DEFAULT 'review' CHECK (mode IN ('review', 'auto')),
    interval_s    INTEGER NOT NULL DEFAULT 900,
    etag          TEXT,
    last_modified TEXT,
    next_poll_at  TEXT NOT NULL,
    failures      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT NOT NULL DEFAULT '',
    error_reported INTEGER NOT NULL DEFAULT 0,
    added_by      INTEGER NOT NULL,
    created_at    TEXT NOT NULL
);

CREATE TABLE feed_items (
    feed_id    INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    item_key   TEXT NOT NULL,
    article_id INTEGER REFERENCES articles (id) ON DELETE SET NULL,
    seen_at    TEXT NOT NULL,
    PRIMARY KEY (feed_id, item_key)
);

-- Append-only: triggers refuse updates and deletes, so the trail cannot be rewritten.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         TEXT NOT NULL,
    actor_id   INTEGER,                          -- NULL: the bot itself (scheduler, feeds)
    article_id INTEGER,
    action     TEXT NOT NULL,
    details    TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_article ON audit_log (article_id, id);
-- dialect: sqlite
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
-- dialect: sqlite
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
-- dialect: postgresql
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
-- dialect: postgresql
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
-- dialect: postgresql
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

-- Small key/value state: the publishing kill switch, and the like.
CREATE TABLE bot_state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
