"""Reactions: the latest anonymous reaction counts of each channel message the bot posted.

Telegram sends ``message_reaction_count`` updates for channel posts (the bot must be an admin
of the channel and ask for them in ``allowed_updates``); each carries the whole list of counts
on one message, grouped with others and often minutes late. So a row holds the latest list by
the update's own date, and an older update that arrives after a newer one changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.domain import PublicationStatus
from storage.base import Repo, require_dt, to_iso


@dataclass(frozen=True, slots=True)
class PostReactions:
    """The counts on one channel message, as of ``counted_at`` (the update's date)."""

    channel_id: int
    message_id: int
    publication_id: int
    reactions: Mapping[str, int]  # "👍" / "custom:<id>" / "paid" -> count
    total: int
    counted_at: datetime


@dataclass(frozen=True, slots=True)
class PublishedPost:
    """One publication in a channel, with what the statistics need of its article."""

    publication_id: int
    article_id: int
    channel_id: int
    title: str
    author_id: int
    link: str
    message_ids: tuple[int, ...]
    created_at: datetime  # the article's: when it was pasted (or imported)
    published_at: datetime
    reactions: int  # the sum of the latest totals of its messages


def _reactions_from_row(row: Any) -> PostReactions:
    counts: dict[str, Any] = json.loads(row["reactions"] or "{}")
    return PostReactions(
        channel_id=int(row["channel_id"]),
        message_id=int(row["message_id"]),
        publication_id=int(row["publication_id"]),
        reactions={str(k): int(v) for k, v in counts.items()},
        total=int(row["total"]),
        counted_at=require_dt(row["counted_at"]),
    )


# A publication's message ids are a JSON array ("[12, 13]"); ",12,13," LIKE "%,12,%" finds one
# of them in plain SQL (no JSON functions: the same statement runs on SQLite and PostgreSQL).
_HAS_MESSAGE = (
    "(',' || REPLACE(REPLACE(REPLACE(message_ids, '[', ''), ']', ''), ' ', '') || ',') LIKE ?"
)


class ReactionRepo(Repo):
    async def publication_of(self, channel_id: int, message_id: int) -> int | None:
        """The published publication that sent this message to this channel, if any."""
        row = await self._one(
            f"SELECT id FROM publications WHERE channel_id = ? AND status = ? AND {_HAS_MESSAGE}"
            " ORDER BY id DESC LIMIT 1",
            (channel_id, PublicationStatus.PUBLISHED.value, f"%,{message_id},%"),
        )
        return int(row["id"]) if row else None

    async def record(
        self,
        *,
        channel_id: int,
        message_id: int,
        publication_id: int,
        reactions: Mapping[str, int],
        counted_at: datetime,
        now: datetime,
    ) -> bool:
        """Keep these counts unless newer ones are stored; whether they were kept."""
        return bool(
            await self._exec(
                "INSERT INTO post_reactions (channel_id, message_id, publication_id, reactions,"
                " total, counted_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (channel_id, message_id) DO UPDATE SET"
                " publication_id = excluded.publication_id, reactions = excluded.reactions,"
                " total = excluded.total, counted_at = excluded.counted_at,"
                " updated_at = excluded.updated_at"
                # Same date: the later arrival wins (Telegram sends one count list per change).
                " WHERE post_reactions.counted_at <= excluded.counted_at",
                (
                    channel_id,
                    message_id,
                    publication_id,
                    json.dumps(dict(reactions), ensure_ascii=False),
                    sum(reactions.values()),
                    to_iso(counted_at),
                    to_iso(now),
                ),
            )
        )

    async def get(self, channel_id: int, message_id: int) -> PostReactions | None:
        row = await self._one(
            "SELECT channel_id, message_id, publication_id, reactions, total, counted_at"
            " FROM post_reactions WHERE channel_id = ? AND message_id = ?",
            (channel_id, message_id),
        )
        return _reactions_from_row(row) if row else None

    async def count(self) -> int:
        return await self._count("SELECT COUNT(*) AS n FROM post_reactions")

    async def published_between(
        self, start: datetime, end: datetime, *, channel_id: int | None = None
    ) -> list[PublishedPost]:
        """The posts published in [start, end), oldest first, with their reaction totals."""
        where = "p.status = ? AND p.published_at >= ? AND p.published_at < ?"
        params: list[Any] = [PublicationStatus.PUBLISHED.value, to_iso(start), to_iso(end)]
        if channel_id is not None:
            where += " AND p.channel_id = ?"
            params.append(channel_id)
        rows = await self._all(
            "SELECT p.id, p.article_id, p.channel_id, p.link, p.message_ids, p.published_at,"
            " a.title, a.author_id, a.created_at,"
            " (SELECT COALESCE(SUM(r.total), 0) FROM post_reactions r"
            "  WHERE r.publication_id = p.id) AS reactions"
            " FROM publications p JOIN articles a ON a.id = p.article_id"
            f" WHERE {where} ORDER BY p.published_at, p.id",
            params,
        )
        return [
            PublishedPost(
                publication_id=int(r["id"]),
                article_id=int(r["article_id"]),
                channel_id=int(r["channel_id"]),
                title=str(r["title"]),
                author_id=int(r["author_id"]),
                link=str(r["link"]),
                message_ids=tuple(int(i) for i in json.loads(r["message_ids"] or "[]")),
                created_at=require_dt(r["created_at"]),
                published_at=require_dt(r["published_at"]),
                reactions=int(r["reactions"]),
            )
            for r in rows
        ]
