"""An admin's marks on an article or a publication: embargo, breaking news, held decisions.

Each change and its audit entry are one transaction, so /history shows every one of them and a
change is never kept without its entry (or the entry without the change).
"""

from __future__ import annotations

from datetime import datetime

from bot.domain import OPEN_PUBLICATIONS, ArticleStatus, PublicationStatus
from bot.workflow.audit import record
from bot.workflow.ports import Desk


async def set_embargo(
    desk: Desk, article_id: int, until: datetime | None, *, actor_id: int
) -> None:
    """Not before ``until``, whatever the schedule says (None lifts the embargo).

    The schedule is woken: what the embargo held back (or now holds back) is re-planned.
    """
    now = desk.clock.now()
    async with desk.db.transaction() as uow:
        await uow.articles.set_embargo(article_id, until, now=now)
        await record(
            uow,
            "embargo",
            now=now,
            actor_id=actor_id,
            article_id=article_id,
            until=until.isoformat() if until is not None else None,
        )
    desk.schedule.wake()


async def mark_breaking(desk: Desk, article_id: int, *, actor_id: int) -> None:
    """Breaking news: the article jumps the queue (the schedule is woken to re-plan it)."""
    now = desk.clock.now()
    async with desk.db.transaction() as uow:
        await uow.articles.set_breaking(article_id, True, now=now)
        await record(uow, "breaking", now=now, actor_id=actor_id, article_id=article_id)
    desk.schedule.wake()


async def cancel_held(desk: Desk, publication_id: int, *, actor_id: int) -> bool:
    """An admin's "cancel" for a held publication; False when it was no longer held (another
    admin answered first) or does not exist.

    With nothing else on its way, the article is no longer "scheduled" but approved again.
    """
    now = desk.clock.now()
    async with desk.db.transaction() as uow:
        pub = await uow.publications.get(publication_id)
        if pub is None or not await uow.publications.set_status(
            publication_id,
            allowed_from=(PublicationStatus.HELD,),
            to=PublicationStatus.CANCELLED,
            now=now,
        ):
            return False
        await record(
            uow,
            "held_cancelled",
            now=now,
            actor_id=actor_id,
            article_id=pub.article_id,
            publication=pub.id,
        )
        others = await uow.publications.for_article(pub.article_id)
        if not any(p.status in OPEN_PUBLICATIONS for p in others):
            await uow.articles.transition(
                pub.article_id,
                allowed_from=(ArticleStatus.SCHEDULED,),
                to=ArticleStatus.APPROVED,
                now=now,
            )
    return True
