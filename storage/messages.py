"""Where the bot showed an article (previews, review cards, held posts), to edit them in place."""

from __future__ import annotations

from datetime import datetime

from bot.domain import ShownMessage
from storage.base import Mapper, Repo, to_iso

_shown = Mapper(ShownMessage)
_SHOWN_COLS = _shown.columns


class MessageRepo(Repo):
    async def add(
        self, *, article_id: int, kind: str, chat_id: int, message_id: int, now: datetime
    ) -> None:
        await self._exec(
            "INSERT INTO article_messages (article_id, kind, chat_id, message_id, created_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (article_id, kind, chat_id, message_id, to_iso(now)),
        )

    async def shown(self, article_id: int, kind: str) -> list[ShownMessage]:
        rows = await self._all(
            f"SELECT {_SHOWN_COLS} FROM article_messages"
            " WHERE article_id = ? AND kind = ? ORDER BY created_at, message_id",
            (article_id, kind),
        )
        return [_shown(r) for r in rows]

    async def find(self, *, chat_id: int, message_id: int) -> ShownMessage | None:
        row = await self._one(
            f"SELECT {_SHOWN_COLS} FROM article_messages"
            " WHERE chat_id = ? AND message_id = ? LIMIT 1",
            (chat_id, message_id),
        )
        return _shown(row) if row else None

    async def clear(self, article_id: int, kind: str) -> None:
        await self._exec(
            "DELETE FROM article_messages WHERE article_id = ? AND kind = ?", (article_id, kind)
        )
