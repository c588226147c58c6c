"""What the lists show, read in one unit of work each: the queue, an article's history."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.domain import PAUSED_KEY, Article, ArticleStatus, AuditEntry, Channel, Publication
from storage.db import Database

QUEUE_PAGE = 15


@dataclass(frozen=True, slots=True)
class QueuePage:
    """One page of the queue: pending review, then what is still to go out."""

    page: int
    pending: Sequence[Article]
    total_pending: int
    upcoming: Sequence[Publication]
    total_upcoming: int
    channels: Mapping[int, Channel]
    titles: Mapping[int, str]  # article titles of the upcoming publications
    paused: bool

    @property
    def more(self) -> bool:
        return (self.page + 1) * QUEUE_PAGE < max(self.total_pending, self.total_upcoming)


async def queue_page(db: Database, page: int = 0) -> QueuePage:
    async with db.read() as uow:
        pending, total_pending = await uow.articles.page(
            statuses=(ArticleStatus.PENDING,), limit=QUEUE_PAGE, offset=page * QUEUE_PAGE
        )
        upcoming, total_upcoming = await uow.publications.upcoming(
            limit=QUEUE_PAGE, offset=page * QUEUE_PAGE
        )
        channels = {c.id: c for c in await uow.channels.all()}
        titles = {}
        for pub in upcoming:
            art = await uow.articles.get(pub.article_id)
            titles[pub.article_id] = art.content.title if art else ""
        paused = await uow.state.get(PAUSED_KEY) == "1"
    return QueuePage(
        page=page,
        pending=pending,
        total_pending=total_pending,
        upcoming=upcoming,
        total_upcoming=total_upcoming,
        channels=channels,
        titles=titles,
        paused=paused,
    )


async def history(db: Database, article_id: int) -> list[AuditEntry]:
    async with db.read() as uow:
        return await uow.audit.for_article(article_id)
