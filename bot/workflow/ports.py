"""What the workflow needs from the outside, as protocols; the Telegram side implements them.

The use cases take a :class:`Desk`: the database (whose units of work they open) and the ports.
Tests pass fakes; the bot passes ``bot.presenters`` and the publishing engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.config import Settings
from bot.domain import Article, Channel, Feed, Post
from bot.workflow.results import Decision
from storage.db import Database


class Clock(Protocol):
    def now(self) -> datetime:
        """The current wall time, timezone-aware UTC."""


class Schedule(Protocol):
    """The publishing engine: told when what is due may have changed."""

    def wake(self) -> None: ...


class Notifier(Protocol):
    """What to tell whom after a change; the workflow calls it once the change is committed."""

    async def content_changed(self, article: Article) -> None:
        """An article was edited: the previews and review cards showing it are out of date."""

    async def submitted(self, article: Article, *, author_name: str) -> None:
        """An article waits for review: the reviewers get its card, the author a new header."""

    async def decided(self, article: Article, decision: Decision) -> None:
        """A review decision was taken: close the card, update the author's header, tell them."""

    async def still_waiting(self, article: Article) -> None:
        """An article has waited too long for review: remind the reviewers."""

    async def feed_failing(self, feed: Feed, error: str) -> None:
        """A feed started to fail (said once, not every poll)."""


class ChannelPosts(Protocol):
    """Changes to posts already in a channel (corrections and unpublishing)."""

    async def edit(
        self, channel: Channel, message_ids: Sequence[int], post: Post
    ) -> list[int] | None:
        """Make the messages show ``post``; the message ids now, or None if Telegram refused."""

    async def delete(self, channel: Channel, message_id: int) -> bool:
        """Delete one message; False if Telegram refused."""


class Desk(Protocol):
    """The database and the ports, as one argument of every use case."""

    @property
    def db(self) -> Database: ...

    @property
    def settings(self) -> Settings: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def notifier(self) -> Notifier: ...

    @property
    def schedule(self) -> Schedule: ...

    @property
    def posts(self) -> ChannelPosts: ...


@dataclass(frozen=True, slots=True)
class Ports:
    """A :class:`Desk` made of given parts: the composition root's, or a test's fakes."""

    db: Database
    settings: Settings
    clock: Clock
    notifier: Notifier
    schedule: Schedule
    posts: ChannelPosts
