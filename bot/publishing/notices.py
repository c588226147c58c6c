"""The engine's notices to people: a queue drained by a task of its own.

The admin chat is limited to 20 messages a minute like any group; a channel worker waiting on
it would slow every channel down to that rate, so workers only append here. A held
publication's card that does not reach the admin chat is asked again a little later: a held
publication is only ever resolved by an admin, so it must not go unasked.

Publications that ended (published or failed) are folded (issue 14) into digests, by this
rule: the first outcome opens a window of :data:`DIGEST_WINDOW_SECONDS` on the engine's clock;
everything that ends within it, and while that digest is being told (waiting for the admin
chat's limit), goes to the notifier in one call, which tells the admin chat in one message (or
edits the review cards). So a burst of posts (several channels, a queue falling due) costs one
message, the busier the engine the bigger the batches, and there is never more than one digest
in flight. Held cards are not folded: each carries its own buttons, and goes at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import TypeAlias

from aiogram.exceptions import TelegramAPIError

from bot.clock import Clock
from bot.domain import Article, Channel, Publication, PublicationStatus
from bot.publishing.ports import ChannelOutcome, Notifier
from storage.db import Database

__all__ = [
    "DIGEST_WINDOW_SECONDS",
    "HELD_CARD_RETRY_SECONDS",
    "Notice",
    "Notices",
    "failed_notice",
    "published_notice",
]

log = logging.getLogger(__name__)

#: Wait before asking again about a held publication whose card did not reach the admin chat.
HELD_CARD_RETRY_SECONDS = 60.0
#: How long a digest waits for more outcomes after its first one: about one slot of the admin
#: chat's 20 messages a minute, short enough for nobody to miss the news.
DIGEST_WINDOW_SECONDS = 3.0

#: One thing to tell: a channel outcome (folded with the others of its drain pass), or a
#: callable given the notifier when its turn comes (held cards, which carry their own buttons).
Notice: TypeAlias = ChannelOutcome | Callable[[Notifier], Awaitable[None]]


def published_notice(article: Article, pub: Publication, channel: Channel) -> Notice:
    return ChannelOutcome(article, pub, channel)


def failed_notice(
    article: Article, pub: Publication, channel: Channel, reason: str, detail: str
) -> Notice:
    return ChannelOutcome(article, pub, channel, reason=reason or "error", detail=detail)


class Notices:
    """Queue notices, deliver them in order, and keep track of held cards still to be asked.

    ``wake`` is the engine's: the scheduler's next turn calls :meth:`ask_again`, so a card is
    asked again from the scheduler's loop rather than from a timer of its own.
    """

    def __init__(
        self,
        *,
        db: Database,
        clock: Clock,
        wake: Callable[[], None],
        window: float = DIGEST_WINDOW_SECONDS,
    ) -> None:
        self.db = db
        self.clock = clock
        self._wake = wake
        self.window = window
        self.notifier: Notifier | None = None
        self._queue: deque[Notice] = deque()
        self._task: asyncio.Task[None] | None = None
        self._outcomes: list[ChannelOutcome] = []
        self._digest: asyncio.Task[None] | None = None
        self._unasked: dict[int, tuple[Publication, str]] = {}
        self._ask_timer: asyncio.Task[None] | None = None

    def queue(self, notice: Notice) -> None:
        """Tell it once the notices before it are told; dropped while there is no notifier."""
        if self.notifier is None:
            return
        if isinstance(notice, ChannelOutcome):
            self._outcomes.append(notice)
            if self._digest is None or self._digest.done():
                self._digest = asyncio.create_task(self._tell_outcomes(), name="publish-digest")
            return
        self._queue.append(notice)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._deliver(), name="publish-notices")

    def held_card(self, pub: Publication, reason: str) -> Notice:
        """Ask the admins about a held publication, unless it was resolved meanwhile."""

        async def notice(notifier: Notifier) -> None:
            async with self.db.read() as uow:
                article = await uow.articles.get(pub.article_id)
                channel = await uow.channels.get(pub.channel_id)
                fresh = await uow.publications.get(pub.id)
            if article is None or channel is None or fresh is None:
                return
            if fresh.status is not PublicationStatus.HELD:  # resolved meanwhile
                return
            try:
                await notifier.on_held(article, fresh, channel, reason)
            except TelegramAPIError as exc:
                log.warning(
                    "card for held publication=%s not sent (%s); asking later", pub.id, exc
                )
                self._unasked[pub.id] = (fresh, reason)
                if self._ask_timer is None or self._ask_timer.done():
                    self._ask_timer = asyncio.create_task(self._ask_later(), name="ask-held")
                return
            async with self.db.transaction() as uow:
                await uow.publications.mark_asked(fresh.id, now=self.clock.now())

        return notice

    def ask_again(self) -> None:
        """Queue the held cards that did not go out, once their wait is over."""
        if self._unasked and (self._ask_timer is None or self._ask_timer.done()):
            unasked, self._unasked = list(self._unasked.values()), {}
            for pub, reason in unasked:
                self.queue(self.held_card(pub, reason))

    @property
    def sending(self) -> bool:
        """Notices are being told right now (tests wait for quiet with it)."""
        return any(t is not None and not t.done() for t in (self._task, self._digest))

    def tasks(self) -> list[asyncio.Task[None]]:
        """The tasks to cancel when the engine stops."""
        return [t for t in (self._task, self._digest, self._ask_timer) if t is not None]

    async def _ask_later(self) -> None:
        await self.clock.sleep(HELD_CARD_RETRY_SECONDS)
        self._wake()

    async def _deliver(self) -> None:
        while self._queue:
            notice = self._queue.popleft()
            if self.notifier is not None and not isinstance(notice, ChannelOutcome):
                await self._tell(notice(self.notifier))

    async def _tell_outcomes(self) -> None:
        """One digest after another (see the module docstring for the rule)."""
        await self.clock.sleep(self.window)
        while self._outcomes:
            batch, self._outcomes = self._outcomes, []
            if self.notifier is not None:
                await self._tell(self.notifier.on_outcomes(batch))

    @staticmethod
    async def _tell(told: Awaitable[None]) -> None:
        try:
            await told
        except Exception:
            # A notification must never stop the others (nor publishing).
            log.exception("publishing notification failed")
