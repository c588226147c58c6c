-- 0011 (issue 17): when the admins were last asked about a held publication.
-- Written after its card reached the admin chat. A start asks again only about held rows never
-- asked since they were last held (asked_at NULL or older than updated_at): with several
-- replicas restarting, asking about every held row at every start flooded the admin chat
-- (20 messages a minute) with the same cards. A crash between the card and this write only
-- means one more card at the next start.

ALTER TABLE publications ADD COLUMN asked_at TEXT;
