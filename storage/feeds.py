"""Feeds: polled RSS/Atom sources and the items already seen.

Several instances may share the table (PostgreSQL): a due feed is taken by a conditional UPDATE
of its ``next_poll_at`` (:meth:`FeedRepo.claim`), so one instance polls it per interval, and an
item is taken by inserting its ``feed_items`` row (primary key ``(feed_id, item_key)``) before
its draft is written (:meth:`FeedRepo.mark_seen`), so one instance drafts it.
"""

from __future__ import annotations

from datetime import datetime

from bot.domain import Feed
from storage.base import Mapper, Repo, from_iso, require_dt, to_iso

_feed = Mapper(Feed, next_poll_at=require_dt, error_reported=bool)
_FEED_COLS = _feed.columns


class FeedRepo(Repo):
    async def add(
        self, url: str, *, mode: str, interval_s: int, added_by: int, now: datetime
    ) -> Feed | None:
        """None when the URL is already registered."""
        feed_id = await self._insert_new(
            "INSERT INTO feeds (url, mode, interval_s, next_poll_at, added_by, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (url, mode, interval_s, to_iso(now), added_by, to_iso(now)),
        )
        return None if feed_id is None else await self.get(feed_id)

    async def get(self, feed_id: int) -> Feed | None:
        row = await self._one(f"SELECT {_FEED_COLS} FROM feeds WHERE id = ?", (feed_id,))
        return _feed(row) if row else None

    async def all(self) -> list[Feed]:
        return [_feed(r) for r in await self._all(f"SELECT {_FEED_COLS} FROM feeds ORDER BY id")]

    async def remove(self, feed_id: int) -> bool:
        return bool(await self._exec("DELETE FROM feeds WHERE id = ?", (feed_id,)))

    async def due(self, *, now: datetime) -> list[Feed]:
        rows = await self._all(
            f"SELECT {_FEED_COLS} FROM feeds WHERE next_poll_at <= ? ORDER BY next_poll_at",
            (to_iso(now),),
        )
        return [_feed(r) for r in rows]

    async def claim(self, feed_id: int, *, now: datetime, lease_until: datetime) -> Feed | None:
        """Take a due feed for one poll: its next poll moves to ``lease_until`` (the poll then
        records the real one). None when it is no longer due: another instance took it. On
        PostgreSQL the loser's UPDATE waits for the winner's row lock, then re-checks the WHERE
        on the committed row; on SQLite writes are serialised. A poller that dies holding it
        leaves the feed due again at ``lease_until``."""
        changed = await self._exec(
            "UPDATE feeds SET next_poll_at = ? WHERE id = ? AND next_poll_at <= ?",
            (to_iso(lease_until), feed_id, to_iso(now)),
        )
        return await self.get(feed_id) if changed else None

    async def next_poll_at(self) -> datetime | None:
        row = await self._one("SELECT MIN(next_poll_at) AS next_poll_at FROM feeds")
        return from_iso(row["next_poll_at"]) if row else None

    async def record_success(
        self,
        feed_id: int,
        *,
        title: str,
        etag: str | None,
        last_modified: str | None,
        next_poll_at: datetime,
    ) -> None:
        await self._exec(
            "UPDATE feeds SET title = CASE WHEN ? <> '' THEN ? ELSE title END, etag = ?,"
            " last_modified = ?, next_poll_at = ?, failures = 0, last_error = '',"
            " error_reported = 0 WHERE id = ?",
            (title, title, etag, last_modified, to_iso(next_poll_at), feed_id),
        )

    async def record_failure(self, feed_id: int, *, error: str, next_poll_at: datetime) -> Feed:
        await self._exec(
            "UPDATE feeds SET failures = failures + 1, last_error = ?, next_poll_at = ?"
            " WHERE id = ?",
            (error, to_iso(next_poll_at), feed_id),
        )
        feed = await self.get(feed_id)
        assert feed is not None
        return feed

    async def mark_error_reported(self, feed_id: int) -> None:
        await self._exec("UPDATE feeds SET error_reported = 1 WHERE id = ?", (feed_id,))

    async def mark_seen(
        self, feed_id: int, item_key: str, *, article_id: int | None, now: datetime
    ) -> bool:
        """Record an item; False when it had been seen already. The primary key decides: a
        second instance's insert of the same item waits for the first one's transaction and
        then inserts nothing (or, if that one rolled back, inserts it)."""
        return bool(
            await self._exec(
                "INSERT INTO feed_items (feed_id, item_key, article_id, seen_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (feed_id, item_key, article_id, to_iso(now)),
            )
        )

    async def link_item(self, feed_id: int, item_key: str, *, article_id: int) -> None:
        """The draft an item became (written after :meth:`mark_seen` took the item)."""
        await self._exec(
            "UPDATE feed_items SET article_id = ? WHERE feed_id = ? AND item_key = ?",
            (article_id, feed_id, item_key),
        )

    async def seen(self, feed_id: int, item_key: str) -> bool:
        row = await self._one(
            "SELECT 1 FROM feed_items WHERE feed_id = ? AND item_key = ?", (feed_id, item_key)
        )
        return row is not None
