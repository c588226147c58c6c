"""The audit log: append-only (triggers refuse updates and deletes)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from storage.base import Repo, require_dt
from storage.rows import (
    AuditEntry,
    to_iso,
)


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
            "SELECT id, at, actor_id, article_id, action, details FROM audit_log"
            " WHERE article_id = ? ORDER BY id LIMIT ?",
            (article_id, limit),
        )
        return [
            AuditEntry(
                id=r[0],
                at=require_dt(r[1]),
                actor_id=r[2],
                article_id=r[3],
                action=r[4],
                details=json.loads(r[5]),
            )
            for r in rows
        ]
