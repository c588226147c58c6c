"""Channels: the configured targets, their settings, and the channels chosen per article."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.domain import Channel
from storage.base import Mapper, Repo, to_iso

_channel = Mapper(
    Channel,
    template=lambda raw: json.loads(raw or "{}"),
    slots=lambda raw: tuple(json.loads(raw or "[]")),
    is_default=bool,
)
_CHANNEL_COLS = _channel.columns


class ChannelRepo(Repo):
    async def ensure(
        self,
        chat_ref: str,
        *,
        now: datetime,
        chat_id: int | None = None,
        username: str = "",
        title: str = "",
        is_default: bool = False,
    ) -> Channel:
        """Insert the channel if new (keyed by the configured reference); return it."""
        await self._exec(
            "INSERT INTO channels (chat_ref, chat_id, username, title, is_default, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (chat_ref) DO UPDATE SET"
            " chat_id = COALESCE(excluded.chat_id, channels.chat_id),"
            " username = CASE WHEN excluded.username <> '' THEN excluded.username"
            " ELSE channels.username END,"
            " title = CASE WHEN excluded.title <> '' THEN excluded.title ELSE channels.title END",
            (chat_ref, chat_id, username, title, int(is_default), to_iso(now)),
        )
        if is_default:
            await self._exec(
                # CASE, not the comparison itself: PostgreSQL keeps booleans out of integers.
                "UPDATE channels SET is_default = CASE WHEN chat_ref = ? THEN 1 ELSE 0 END",
                (chat_ref,),
            )
        channel = await self.by_ref(chat_ref)
        assert channel is not None
        return channel

    async def get(self, channel_id: int) -> Channel | None:
        row = await self._one(f"SELECT {_CHANNEL_COLS} FROM channels WHERE id = ?", (channel_id,))
        return _channel(row) if row else None

    async def by_ref(self, chat_ref: str) -> Channel | None:
        row = await self._one(
            f"SELECT {_CHANNEL_COLS} FROM channels WHERE chat_ref = ? OR username = ?"
            " OR CAST(chat_id AS TEXT) = ? ORDER BY id LIMIT 1",
            (chat_ref, chat_ref.lstrip("@"), chat_ref),
        )
        return _channel(row) if row else None

    async def default(self) -> Channel | None:
        row = await self._one(
            f"SELECT {_CHANNEL_COLS} FROM channels ORDER BY is_default DESC, id LIMIT 1"
        )
        return _channel(row) if row else None

    async def all(self) -> list[Channel]:
        rows = await self._all(f"SELECT {_CHANNEL_COLS} FROM channels ORDER BY id")
        return [_channel(r) for r in rows]

    async def update(
        self,
        channel_id: int,
        *,
        template: dict[str, Any] | None = None,
        slots: Sequence[str] | None = None,
        quiet_hours: str | None = None,
    ) -> None:
        if template is not None:
            await self._exec(
                "UPDATE channels SET template = ? WHERE id = ?",
                (json.dumps(template, ensure_ascii=False), channel_id),
            )
        if slots is not None:
            await self._exec(
                "UPDATE channels SET slots = ? WHERE id = ?", (json.dumps(list(slots)), channel_id)
            )
        if quiet_hours is not None:
            await self._exec(
                "UPDATE channels SET quiet_hours = ? WHERE id = ?", (quiet_hours, channel_id)
            )

    async def remove(self, channel_id: int) -> bool:
        return bool(await self._exec("DELETE FROM channels WHERE id = ?", (channel_id,)))

    async def chosen_for(self, article_id: int) -> list[int]:
        """Channel ids chosen for an article; empty means the default channel."""
        rows = await self._all(
            "SELECT channel_id FROM article_channels WHERE article_id = ? ORDER BY channel_id",
            (article_id,),
        )
        return [int(r["channel_id"]) for r in rows]

    async def toggle_chosen(self, article_id: int, channel_id: int) -> bool:
        """Choose or un-choose a channel for an article; return whether it is now chosen."""
        removed = await self._exec(
            "DELETE FROM article_channels WHERE article_id = ? AND channel_id = ?",
            (article_id, channel_id),
        )
        if removed:
            return False
        await self._exec(
            "INSERT INTO article_channels (article_id, channel_id) VALUES (?, ?)",
            (article_id, channel_id),
        )
        return True
