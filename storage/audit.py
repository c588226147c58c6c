"""The audit log: append-only (triggers refuse updates and deletes)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.domain import AuditEntry
from storage.base import Mapper, Repo, require_dt, to_iso

_entry = Mapper(AuditEntry, at=require_dt, details=json.loads)
_AUDIT_COLS = _entry.columns


class AuditRepo(Repo):
    async def append(
        self,
        *,
        now: datetime,
        actor_id: int | None,
        article_id: int | None,
        action: str,
        details: dict[str, Any] | None = None,
    ) -> None:
        await self._exec(
            "INSERT INTO audit_log (at, actor_id, article_id, action, details)"
            " VALUES (?, ?, ?, ?, ?)",
            (
                to_iso(now),
                actor_id,
                article_id,
                action,
                json.dumps(details or {}, ensure_ascii=False, default=str),
            ),
        )

    async def for_article(self, article_id: int, *, limit: int = 200) -> list[AuditEntry]:
        rows = await self._all(
            f"SELECT {_AUDIT_COLS} FROM audit_log WHERE article_id = ? ORDER BY id LIMIT ?",
            (article_id, limit),
        )
        return [_entry(r) for r in rows]
