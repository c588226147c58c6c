"""Reader tips (issue 15): one row per message taken as a tip, decided by conditional updates.

Every decision moves ``status`` with ``UPDATE … WHERE status = …``: of two admins pressing at
once exactly one gets the row back, the other ``None``. The repository is built on the unit of
work's statements (``uow.tips``) like the others, and never commits.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.domain import Formatting, Photo
from bot.tips import IncomingTip, Tip, TipKind, TipStatus
from storage.base import Mapper, Repo, from_iso, require_dt, to_iso


def _entities_from_json(raw: str) -> tuple[Formatting, ...]:
    items: list[list[Any]] = json.loads(raw or "[]")
    return tuple(Formatting(str(t), int(o), int(n), u) for t, o, n, u in items)


def _entities_to_json(entities: Sequence[Formatting]) -> str:
    return json.dumps([[e.type, e.offset, e.length, e.url] for e in entities], ensure_ascii=False)


def _photo_from_json(raw: str) -> tuple[Photo, ...]:
    items: list[dict[str, Any]] = json.loads(raw or "[]")
    return tuple(
        Photo(
            ref=str(i["ref"]),
            width=int(i.get("width", 0)),
            height=int(i.get("height", 0)),
            file_size=int(i.get("file_size", 0)),
        )
        for i in items
    )


def _photo_to_json(photo: Photo | None) -> str:
    if photo is None:
        return "[]"
    return json.dumps(
        [
            {
                "ref": photo.ref,
                "width": photo.width,
                "height": photo.height,
                "file_size": photo.file_size,
            }
        ]
    )


_tip = Mapper(
    Tip,
    kind=TipKind,
    status=TipStatus,
    entities=_entities_from_json,
    photo=_photo_from_json,
    proposed_at=from_iso,
    decided_at=from_iso,
    send_at=from_iso,
    created_at=require_dt,
)
_TIP_COLS = _tip.columns


class TipRepo(Repo):
    async def add(self, tip: IncomingTip, *, now: datetime) -> Tip | None:
        """Store a new tip; None when this message is stored already (a redelivered update)."""
        inserted = await self._exec(
            "INSERT INTO tips (kind, channel_id, chat_id, message_id, topic_id, sender_id,"
            " sender_name, sender_username, sender_language, text, entities, photo,"
            " price_currency, price_amount, proposed_at, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (chat_id, message_id) DO NOTHING",
            (
                tip.kind.value,
                tip.channel_id,
                tip.chat_id,
                tip.message_id,
                tip.topic_id,
                tip.sender_id,
                tip.sender_name,
                tip.sender_username,
                tip.sender_language,
                tip.text,
                _entities_to_json(tip.entities),
                _photo_to_json(tip.photo),
                tip.price_currency,
                tip.price_amount,
                to_iso(tip.proposed_at),
                to_iso(now),
            ),
        )
        return await self.by_message(tip.chat_id, tip.message_id) if inserted else None

    async def refusal(
        self, tip: IncomingTip, *, now: datetime, status: TipStatus = TipStatus.REFUSED
    ) -> None:
        """A row that only says "this sender was told they are over the limit" (no content)."""
        await self._exec(
            "INSERT INTO tips (kind, chat_id, message_id, sender_id, status, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (chat_id, message_id) DO NOTHING",
            (tip.kind.value, tip.chat_id, tip.message_id, tip.sender_id, status, to_iso(now)),
        )

    async def get(self, tip_id: int) -> Tip | None:
        row = await self._one(f"SELECT {_TIP_COLS} FROM tips WHERE id = ?", (tip_id,))
        return _tip(row) if row else None

    async def by_message(self, chat_id: int, message_id: int) -> Tip | None:
        row = await self._one(
            f"SELECT {_TIP_COLS} FROM tips WHERE chat_id = ? AND message_id = ?",
            (chat_id, message_id),
        )
        return _tip(row) if row else None

    async def count_since(self, sender_id: int, since: datetime) -> tuple[int, int]:
        """The sender's tips and refusal marks since ``since``: ``(tips, refusals)``."""
        row = await self._one(
            "SELECT COALESCE(SUM(CASE WHEN status <> 'refused' THEN 1 ELSE 0 END), 0) AS tips,"
            " COALESCE(SUM(CASE WHEN status = 'refused' THEN 1 ELSE 0 END), 0) AS refusals"
            " FROM tips WHERE sender_id = ? AND created_at >= ?",
            (sender_id, to_iso(since)),
        )
        return (int(row["tips"]), int(row["refusals"])) if row else (0, 0)

    async def claim(
        self,
        tip_id: int,
        *,
        allowed_from: Sequence[TipStatus],
        to: TipStatus,
        actor_id: int,
        actor_name: str,
        now: datetime,
        stale_before: datetime | None = None,
        **fields: Any,
    ) -> Tip | None:
        """Move the tip to ``to`` if it is in one of ``allowed_from``; None for the loser.

        ``stale_before``: a tip left DECIDING since before then is taken too (the process died
        between its claim and Telegram's answer); ``fields``: other columns set with it
        (``comment``, ``send_at``, ``article_id``).
        """
        values = {
            "status": to.value,
            "decided_by": actor_id,
            "decided_name": actor_name,
            "decided_at": to_iso(now),
            **{k: to_iso(v) if isinstance(v, datetime) else v for k, v in fields.items()},
        }
        assignments = ", ".join(f"{name} = ?" for name in values)  # names are ours, not input
        marks = ",".join("?" for _ in allowed_from)
        stale = " OR (status = 'deciding' AND decided_at < ?)" if stale_before else ""
        changed = await self._exec(
            f"UPDATE tips SET {assignments} WHERE id = ? AND (status IN ({marks}){stale})",
            (
                *values.values(),
                tip_id,
                *(s.value for s in allowed_from),
                *((to_iso(stale_before),) if stale_before else ()),
            ),
        )
        return await self.get(tip_id) if changed else None

    async def release(self, tip_id: int, actor_id: int) -> None:
        """Back to NEW after Telegram refused ``actor_id``'s approve/decline: another try may
        succeed (unless someone else holds or decided the tip meanwhile)."""
        await self._exec(
            "UPDATE tips SET status = 'new', decided_by = NULL, decided_name = '',"
            " decided_at = NULL WHERE id = ? AND status = 'deciding' AND decided_by = ?",
            (tip_id, actor_id),
        )

    async def set_card(self, tip_id: int, chat_id: int, message_id: int) -> None:
        await self._exec(
            "UPDATE tips SET card_chat_id = ?, card_message_id = ? WHERE id = ?",
            (chat_id, message_id, tip_id),
        )

    async def set_article(self, tip_id: int, article_id: int) -> None:
        await self._exec("UPDATE tips SET article_id = ? WHERE id = ?", (article_id, tip_id))

    async def count_reply(self, tip_id: int) -> None:
        await self._exec("UPDATE tips SET replies = replies + 1 WHERE id = ?", (tip_id,))

    async def all(self) -> list[Tip]:
        rows = await self._all(f"SELECT {_TIP_COLS} FROM tips ORDER BY id")
        return [_tip(r) for r in rows]
