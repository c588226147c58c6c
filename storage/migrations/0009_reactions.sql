-- 0009 (issue 15): the anonymous reaction counts of channel posts, the posts' statistics.
-- One row per channel message the bot posted: the latest counts Telegram reported
-- (message_reaction_count updates carry the whole list, not a change). `counted_at` is the
-- update's own date: updates arrive grouped and late, and an older one must not win.

CREATE TABLE post_reactions (
    channel_id     INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    message_id     INTEGER NOT NULL,
    publication_id INTEGER NOT NULL REFERENCES publications (id) ON DELETE CASCADE,
    reactions      TEXT NOT NULL DEFAULT '{}',  -- JSON: {"👍": 12, "custom:5368…": 3, "paid": 1}
    total          INTEGER NOT NULL DEFAULT 0,
    counted_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (channel_id, message_id)
);
CREATE INDEX post_reactions_publication ON post_reactions (publication_id);
