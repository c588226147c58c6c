-- 0003: the channels chosen for an article (none chosen: the default channel).

CREATE TABLE article_channels (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    channel_id INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    PRIMARY KEY (article_id, channel_id)
);
