-- 0006: per-editor settings (issue 13: the default source of pasted copy that names none).
-- Not in `users`: editors named by EDITOR_IDS have no row there, and removing one deletes it.

CREATE TABLE editor_prefs (
    user_id        INTEGER PRIMARY KEY,          -- Telegram user id
    default_source TEXT NOT NULL DEFAULT '',
    updated_at     TEXT NOT NULL
);
