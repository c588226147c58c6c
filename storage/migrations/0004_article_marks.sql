-- 0004: body formatting kept from captions and forwarded posts (JSON list of marks).

ALTER TABLE articles ADD COLUMN marks TEXT NOT NULL DEFAULT '[]';
