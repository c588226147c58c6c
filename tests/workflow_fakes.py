"""Fakes for the workflow's ports and a real desk (SQLite under ``tmp_path``, or the test's
PostgreSQL database when the ``backend`` fixture runs it there): no Telegram at all."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.domain import Article, ArticleContent, AuditEntry, Channel, Feed, Post
from bot.workflow.ports import Ports
from bot.workflow.results import Decision
from storage.db import Database
from tests import backends

START = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)  # 11:00 in Asia/Almaty
AUTHOR_ID, ADMIN_ID, OTHER_ADMIN_ID = 11, 21, 22
ADMIN_CHAT_ID = -1001


@dataclass
class FakeClock:
    at: datetime = START

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@dataclass
class FakeNotifier:
    """Records what the workflow asked to tell, in order."""

    calls: list[tuple[str, Any]] = field(default_factory=list)

    def named(self, name: str) -> list[Any]:
        return [what for called, what in self.calls if called == name]

    async def content_changed(self, article: Article) -> None:
        self.calls.append(("content_changed", article))

    async def submitted(self, article: Article, *, author_name: str) -> None:
        self.calls.append(("submitted", (article, author_name)))

    async def decided(self, article: Article, decision: Decision) -> None:
        self.calls.append(("decided", (article, decision)))

    async def still_waiting(self, article: Article) -> None:
        self.calls.append(("still_waiting", article))

    async def feed_failing(self, feed: Feed, error: str) -> None:
        self.calls.append(("feed_failing", (feed, error)))


@dataclass
class FakeSchedule:
    wakes: int = 0

    def wake(self) -> None:
        self.wakes += 1


@dataclass
class FakePosts:
    """Channel messages by (channel, message id); ``refuse`` makes Telegram say no."""

    edited: list[tuple[str, tuple[int, ...], Post]] = field(default_factory=list)
    deleted: list[tuple[str, int]] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)  # channel refs that refuse everything
    reshape_to: list[int] | None = None  # ids an edit returns when the post changed shape

    async def edit(
        self, channel: Channel, message_ids: Sequence[int], post: Post
    ) -> list[int] | None:
        if channel.chat_ref in self.refuse:
            return None
        self.edited.append((channel.chat_ref, tuple(message_ids), post))
        return list(self.reshape_to) if self.reshape_to is not None else list(message_ids)

    async def delete(self, channel: Channel, message_id: int) -> bool:
        if channel.chat_ref in self.refuse:
            return False
        self.deleted.append((channel.chat_ref, message_id))
        return True


@dataclass
class World:
    desk: Ports
    clock: FakeClock
    notifier: FakeNotifier
    schedule: FakeSchedule
    posts: FakePosts

    @property
    def db(self) -> Database:
        return self.desk.db

    async def channel(
        self, ref: str, *, default: bool = False, slots: Sequence[str] = ()
    ) -> Channel:
        async with self.db.transaction() as uow:
            channel = await uow.channels.ensure(ref, now=self.clock.now(), is_default=default)
            if slots:
                await uow.channels.update(channel.id, slots=slots)
            found = await uow.channels.get(channel.id)
        assert found is not None
        return found

    async def article(self, article_id: int) -> Article:
        async with self.db.read() as uow:
            found = await uow.articles.get(article_id)
        assert found is not None
        return found

    async def audit(self, article_id: int) -> list[AuditEntry]:
        async with self.db.read() as uow:
            return await uow.audit.for_article(article_id)

    async def actions(self, article_id: int) -> list[str]:
        return [e.action for e in await self.audit(article_id)]


def content(title: str = "Акимат открыл новую школу", **kw: Any) -> ArticleContent:
    values: dict[str, Any] = {
        "lead": "В Алматы открылась школа на 1200 мест.",
        "body": ("Школа построена за два года.",),
        "source_name": "El.kz",
        "source_url": "https://el.kz/news/1",
    }
    values.update(kw)
    return ArticleContent(title=title, **values)


@asynccontextmanager
async def world(tmp_path: Path, **settings: Any) -> AsyncIterator[World]:
    values: dict[str, Any] = {
        "admin_chat_id": ADMIN_CHAT_ID,
        "admin_ids": (ADMIN_ID, OTHER_ADMIN_ID),
        "editor_ids": (AUTHOR_ID,),
        "timezone": "Asia/Almaty",
        "database_path": tmp_path / "workflow.sqlite3",
    }
    values.update(settings)
    active = backends.ACTIVE
    if active is not None and active.dialect != "sqlite" and "database_url" not in values:
        values["database_url"] = await active.new("workflow")
    config = Settings(_env_file=None, **values)
    db = await Database.open(config.database)
    clock, notifier, schedule, posts = FakeClock(), FakeNotifier(), FakeSchedule(), FakePosts()
    try:
        yield World(
            Ports(db, config, clock, notifier, schedule, posts), clock, notifier, schedule, posts
        )
    finally:
        await db.close()
