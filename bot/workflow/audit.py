"""The one way the workflow writes (and reads back) the audit log."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from storage.db import Database, UnitOfWork


async def record(
    uow: UnitOfWork,
    action: str,
    *,
    now: datetime,
    actor_id: int | None,
    article_id: int | None = None,
    **details: Any,
) -> None:
    """Append one audit entry inside the use case's own unit of work (so it commits with it)."""
    await uow.audit.append(
        now=now,
        actor_id=actor_id,
        article_id=article_id,
        action=action,
        details=details or None,
    )


async def latest_detail(db: Database, article_id: int, actions: Sequence[str], key: str) -> str:
    """``key`` of the latest audit entry of one of ``actions`` ("" if none)."""
    async with db.read() as uow:
        entries = await uow.audit.for_article(article_id)
    for entry in reversed(entries):
        if entry.action in actions:
            return str(entry.details.get(key) or "")
    return ""


async def submitter_name(db: Database, article_id: int) -> str:
    """The author's name as given at submission (names are not stored with the article)."""
    return await latest_detail(db, article_id, ("submitted",), "author")
