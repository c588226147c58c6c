"""How a publication's state is recorded: one step for status, audit entry and notice.

Every end of a send (published, failed, held, back to the schedule) and every admin answer
goes through :meth:`Ledger.mark` inside a transaction, and :meth:`Ledger.settle` wraps it in
its own transaction and queues the notice once that has committed: people are only told what
the database already says.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.clock import Clock
from bot.domain import (
    OPEN_PUBLICATIONS,
    Article,
    ArticleStatus,
    Publication,
    PublicationStatus,
)
from bot.publishing.notices import Notice, Notices
from storage.db import Database, UnitOfWork

__all__ = ["Change", "Entry", "Ledger", "NoticeFor", "held_change"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Entry:
    """An audit entry: the action and its details; ``actor_id`` None is the bot itself."""

    action: str
    details: Mapping[str, object]
    actor_id: int | None = None


@dataclass(frozen=True, slots=True)
class Change:
    """A publication's move to ``to``, if it is still in ``allowed_from``.

    ``published`` records ``message_ids`` and the public ``link``; the other statuses record
    ``error`` and, when given, a new ``due_at``. ``entry`` is audited when the move happened.
    """

    to: PublicationStatus
    allowed_from: tuple[PublicationStatus, ...] = (PublicationStatus.PUBLISHING,)
    error: str | None = None
    due_at: datetime | None = None
    message_ids: tuple[int, ...] = ()
    link: str = ""
    entry: Entry | None = None


def held_change(pub: Publication, reason: str, detail: str) -> Change:
    """Held for an admin: the bot cannot tell (or must not decide) whether to send it."""
    return Change(
        to=PublicationStatus.HELD,
        allowed_from=(pub.status,),
        error=f"{reason}: {detail}",
        entry=Entry(
            "publication_held", {"publication": pub.id, "reason": reason, "detail": detail}
        ),
    )


#: Builds the notice from the article and publication as recorded (None: nothing to tell).
NoticeFor = Callable[[Article, Publication], Notice | None]


class Ledger:
    """Records publication states for the engine; counts what reached a channel."""

    def __init__(self, *, db: Database, clock: Clock, notices: Notices) -> None:
        self.db = db
        self.clock = clock
        self.notices = notices
        self.sent_count = 0

    async def mark(self, uow: UnitOfWork, pub: Publication, change: Change, now: datetime) -> bool:
        """Apply ``change`` to ``pub`` inside ``uow``; True when the publication moved.

        A publication that reaches ``published`` publishes its article once none of the
        article's publications is still open.
        """
        if change.to is PublicationStatus.PUBLISHED:
            ok = await uow.publications.finish(
                pub.id, message_ids=list(change.message_ids), link=change.link, now=now
            )
            if ok:
                await self._maybe_article_published(uow, pub.article_id, now)
        else:
            ok = await uow.publications.set_status(
                pub.id,
                allowed_from=change.allowed_from,
                to=change.to,
                now=now,
                error=change.error,
                due_at=change.due_at,
            )
        if ok and change.entry is not None:
            await self.audit(uow, pub.article_id, change.entry, now)
        return ok

    @staticmethod
    async def audit(uow: UnitOfWork, article_id: int, entry: Entry, now: datetime) -> None:
        await uow.audit.append(
            now=now,
            actor_id=entry.actor_id,
            article_id=article_id,
            action=entry.action,
            details=dict(entry.details),
        )

    async def settle(
        self,
        pub: Publication,
        change: Change,
        *,
        notice: NoticeFor | None = None,
        keep_ids: Sequence[int] = (),
    ) -> Publication | None:
        """:meth:`mark` in a transaction of its own, then queue ``notice``; the row as it ended.

        ``keep_ids`` are the known parts of a torn post, kept on a held publication so that
        "It is in the channel" keeps them and "Send it again" deletes them first.
        """
        now = self.clock.now()
        async with self.db.transaction() as uow:
            ok = await self.mark(uow, pub, change, now)
            if not ok and change.to is PublicationStatus.PUBLISHED:
                log.warning("publication=%s changed state while it was being sent", pub.id)
            if keep_ids:
                await uow.publications.set_message_ids(pub.id, list(keep_ids))
            fresh = await uow.publications.get(pub.id)
            article = await uow.articles.get(pub.article_id) if notice is not None else None
        if change.to is PublicationStatus.PUBLISHED:
            self.sent_count += 1
        if notice is not None and fresh is not None and article is not None:
            told = notice(article, fresh)
            if told is not None:
                self.notices.queue(told)
        return fresh

    @staticmethod
    async def _maybe_article_published(uow: UnitOfWork, article_id: int, now: datetime) -> None:
        """The article is published once none of its publications is still open."""
        pubs = await uow.publications.for_article(article_id)
        if any(p.status in OPEN_PUBLICATIONS for p in pubs):
            return
        if not any(p.status is PublicationStatus.PUBLISHED for p in pubs):
            return
        await uow.articles.transition(
            article_id,
            allowed_from=(
                ArticleStatus.APPROVED,
                ArticleStatus.SCHEDULED,
                ArticleStatus.PENDING,
                ArticleStatus.DRAFT,
            ),
            to=ArticleStatus.PUBLISHED,
            now=now,
        )
