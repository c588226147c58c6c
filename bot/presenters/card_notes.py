"""What a decided review card says under its text: the decision and where the article went.

The card is rebuilt from the database each time rather than appended to, so an edit told twice
(a retried notice, a restart) writes the same text, and a decision and a channel post that
reach the card in either order both stay on it.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain import PublicationStatus
from bot.views import cards, notices
from bot.workflow.results import Decision, DecisionKind
from storage.db import Database

__all__ = ["card_notes", "decision_from_audit"]


async def decision_from_audit(db: Database, article_id: int) -> Decision | None:
    """The latest review decision as its audit entry recorded it (None: none was taken)."""
    async with db.read() as uow:
        entries = await uow.audit.for_article(article_id)
    kinds = {k.value: k for k in DecisionKind}
    entry = next((e for e in reversed(entries) if e.action in kinds), None)
    if entry is None:
        return None
    kind = kinds[entry.action]
    details = entry.details
    dues = [datetime.fromisoformat(str(d)) for d in details.get("due") or ()]
    due = min(dues) if dues else None
    return Decision(
        kind=kind,
        actor_id=entry.actor_id or 0,
        actor_name=str(details.get("by") or ""),
        at=entry.at,
        due=due,
        immediate=kind is DecisionKind.PUBLISH_NOW and (due is None or due <= entry.at),
        reason=str(details.get("reason") or ""),
        signed=bool(details.get("signed")),
    )


async def card_notes(
    db: Database, article_id: int, tz: ZoneInfo, decision_line: str | None = None
) -> list[str]:
    """The decision line (given, or rebuilt from the audit) and one line per channel post."""
    if decision_line is None:
        decision = await decision_from_audit(db, article_id)
        decision_line = cards.decision_line(decision, tz) if decision is not None else ""
    async with db.read() as uow:
        pubs = await uow.publications.for_article(article_id)
        channels = {c.id: c for c in await uow.channels.all()}
    lines = [decision_line] if decision_line else []
    for pub in pubs:
        channel = channels.get(pub.channel_id)
        if pub.status is PublicationStatus.PUBLISHED and channel is not None:
            lines.append(notices.published_card_line(pub, channel, tz))
    return lines
