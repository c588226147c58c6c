-- 0008: reader tips (issue 15): direct messages and suggested posts to a channel, and the
-- private-chat tip box. One row per message taken as a tip; decisions are conditional updates
-- on `status`, so of two admins pressing at once exactly one wins. Rows with status 'refused'
-- only mark that a sender over the hourly limit was told so once (no content is kept).

CREATE TABLE tips (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT NOT NULL CHECK (kind IN ('direct', 'suggested', 'private')),
    channel_id      INTEGER REFERENCES channels (id) ON DELETE SET NULL,
    chat_id         INTEGER NOT NULL,            -- the direct messages chat, or the private chat
    message_id      INTEGER NOT NULL,
    topic_id        INTEGER,                     -- direct_messages_topic.topic_id
    sender_id       INTEGER NOT NULL,
    sender_name     TEXT NOT NULL DEFAULT '',
    sender_username TEXT NOT NULL DEFAULT '',
    sender_language TEXT NOT NULL DEFAULT '',
    text            TEXT NOT NULL DEFAULT '',
    entities        TEXT NOT NULL DEFAULT '[]',  -- JSON: [[type, offset, length, url], ...]
    photo           TEXT NOT NULL DEFAULT '[]',  -- JSON: [] or [{ref, width, height, file_size}]
    price_currency  TEXT NOT NULL DEFAULT '',    -- a paid suggested post: XTR or TON
    price_amount    INTEGER NOT NULL DEFAULT 0,
    proposed_at     TEXT,                        -- the send date the sender proposed
    status          TEXT NOT NULL DEFAULT 'new'
        CHECK (status IN ('new', 'deciding', 'drafted', 'approved', 'declined', 'dismissed',
                          'refused')),
    decided_by      INTEGER,
    decided_name    TEXT NOT NULL DEFAULT '',
    decided_at      TEXT,
    comment         TEXT NOT NULL DEFAULT '',    -- the decline comment sent to the sender
    send_at         TEXT,                        -- approved: when Telegram publishes it
    article_id      INTEGER REFERENCES articles (id) ON DELETE SET NULL,
    replies         INTEGER NOT NULL DEFAULT 0,
    card_chat_id    INTEGER,
    card_message_id INTEGER,
    created_at      TEXT NOT NULL,
    UNIQUE (chat_id, message_id)
);
-- The per-sender hourly limit counts a sender's recent rows.
CREATE INDEX tips_sender ON tips (sender_id, created_at);
