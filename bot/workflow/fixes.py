"""One-tap fixes of what the parser was not sure of (issue 13), and the editor's default source.

Each fix is an audited content edit (``fix:source``, ``fix:date``) that settles its doubt, or,
for "keep it as it is", an audited confirmation that only settles it. The card is refreshed by
the notifier as after any edit.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from bot.domain import Article
from bot.ingest.report import ParseWarning
from bot.workflow import doubts as doubting
from bot.workflow.audit import record
from bot.workflow.drafts import update_content
from bot.workflow.ports import Desk
from bot.workflow.results import Outcome, Result
from storage.db import Database

# Longer than any outlet's name; the rest is a paste gone wrong.
MAX_SOURCE = 200


async def _fix(
    desk: Desk,
    article: Article,
    action: str,
    *,
    actor_id: int,
    details: dict[str, object],
    **field: Any,
) -> Result:
    """One field of the content set by a fix: an audited edit (``details`` say what was chosen,
    and why) that settles the field's doubts, like any edit of it."""
    updated = await update_content(
        desk,
        article,
        replace(article.content, **field),
        actor_id=actor_id,
        action=action,
        details=details,
    )
    return Result(Outcome.OK, updated) if updated else Result(Outcome.NOT_FOUND, article)


async def _set_source(
    desk: Desk, article: Article, name: str, *, actor_id: int, how: str
) -> Result:
    details: dict[str, object] = {"source": name, "how": how}
    return await _fix(
        desk, article, "fix:source", actor_id=actor_id, details=details, source_name=name
    )


async def pick_source(desk: Desk, article: Article, index: int, *, actor_id: int) -> Result:
    """The editor chose one of the outlets the copy names (by its place in the stored list,
    so that a button's data stays short and a stale one cannot inject a name)."""
    candidates = article.doubts.source_candidates
    if ParseWarning.SOURCE_CANDIDATES not in article.doubts.warnings or not (
        0 <= index < len(candidates)
    ):
        return Result(Outcome.INVALID, article, detail="stale")
    return await _set_source(desk, article, candidates[index], actor_id=actor_id, how="candidate")


async def use_default(desk: Desk, article: Article, *, actor_id: int) -> Result:
    """No source in the copy: take the default known now (it may have been set since)."""
    default = await card_default(desk.db, article)
    if default is None:
        return Result(Outcome.INVALID, article, detail="no_default")
    return await _set_source(
        desk, article, default.name, actor_id=actor_id, how=f"default:{default.origin}"
    )


async def set_date(desk: Desk, article: Article, when: datetime, *, actor_id: int) -> Result:
    """The original publication date (``when`` aware; stored in UTC like the parser's)."""
    details: dict[str, object] = {"published_at": when.isoformat()}
    return await _fix(
        desk, article, "fix:date", actor_id=actor_id, details=details, published_at=when
    )


async def keep(desk: Desk, article: Article, code: str, *, actor_id: int) -> Result:
    """The editor looked and the draft is right as it is: the doubt ``code`` goes."""
    if code not in article.doubts.warnings:
        return Result(Outcome.INVALID, article, detail="stale")
    now = desk.clock.now()
    async with desk.db.transaction() as uow:
        current = await uow.articles.get(article.id)
        if current is None:
            return Result(Outcome.NOT_FOUND, article)
        settled = current.doubts.without(code)
        await uow.articles.set_doubts(article.id, settled)
        await record(
            uow, "fix:keep", now=now, actor_id=actor_id, article_id=article.id, doubt=code
        )
    kept = replace(current, doubts=settled)
    await desk.notifier.content_changed(kept)
    return Result(Outcome.OK, kept)


async def card_default(db: Database, article: Article) -> doubting.DefaultSource | None:
    """The default the card offers for a draft whose copy names no source."""
    async with db.read() as uow:
        return await doubting.default_source(uow, article.author_id)


async def my_source(db: Database, user_id: int) -> str:
    async with db.read() as uow:
        return await uow.prefs.default_source(user_id)


async def set_my_source(desk: Desk, user_id: int, name: str) -> None:
    """The editor's own default source ("" clears it), audited as a set-up change."""
    now = desk.clock.now()
    async with desk.db.transaction() as uow:
        await uow.prefs.set_default_source(user_id, name, now=now)
        await record(uow, "my_source", now=now, actor_id=user_id, source=name)
