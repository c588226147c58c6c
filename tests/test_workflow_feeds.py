"""bot.workflow.feeds: a new feed item is one transaction (draft, seen, submitted or queued,
audited), and nobody is told before it is committed; no HTTP, no Telegram."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import pytest

from bot.domain import ArticleStatus, Feed
from bot.ingest.feed_entries import FeedItem
from bot.workflow import drafts, feeds, setup
from storage.db import Database, UnitOfWork
from tests.workflow_fakes import ADMIN_ID, World, content, world

# The storage and workflow rules hold on both backends (tests/backends.py).
pytestmark = pytest.mark.usefixtures("backend")


@pytest.fixture
async def w(tmp_path: Path) -> AsyncIterator[World]:
    async with world(tmp_path) as made:
        yield made


async def _feed(w: World, mode: str) -> Feed:
    feed = await setup.add_feed(
        w.desk, "https://example.org/rss.xml", mode=mode, interval_s=900, actor_id=ADMIN_ID
    )
    assert feed is not None
    return feed


def _item(key: str = "guid-1") -> FeedItem:
    return FeedItem(key=key, content=content(f"Новость {key}"), link=f"https://example.org/{key}")


def _count_transactions(monkeypatch: pytest.MonkeyPatch, db: Database) -> list[int]:
    opened: list[int] = []
    real: Callable[[], AbstractAsyncContextManager[UnitOfWork]] = db.transaction

    @asynccontextmanager
    async def counted() -> AsyncIterator[UnitOfWork]:
        opened.append(1)
        async with real() as uow:
            yield uow

    monkeypatch.setattr(db, "transaction", counted)
    return opened


async def test_a_review_feeds_item_is_one_transaction_then_told(
    w: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed = await _feed(w, "review")
    opened = _count_transactions(monkeypatch, w.db)
    taken = await feeds.take_item(w.desk, feed, _item())
    assert taken is not None and len(opened) == 1
    # Committed, not yet told: the poller tells once every new item is stored.
    assert w.notifier.calls == []
    stored = await w.article(taken.article.id)
    assert stored.status is ArticleStatus.PENDING and stored.origin == "feed"
    assert await w.actions(stored.id) == ["created", "submitted"]
    await feeds.tell(w.desk, feed, taken)
    assert w.notifier.named("submitted") == [(stored, f"feed {feed.id}")]
    # Seen: nothing more, and no transaction beyond the one that looked.
    assert await feeds.take_item(w.desk, feed, _item()) is None
    assert len(opened) == 2


async def test_an_auto_feeds_item_is_published_without_slots(w: World) -> None:
    await w.channel("@news", default=True)
    feed = await _feed(w, "auto")
    taken = await feeds.take_item(w.desk, feed, _item())
    assert taken is not None and taken.decided is not None and taken.decided.ok
    assert w.schedule.wakes == 0  # the engine is woken after the commit, by ``tell``
    await feeds.tell(w.desk, feed, taken)
    assert w.schedule.wakes == 1
    stored = await w.article(taken.article.id)
    assert stored.status is ArticleStatus.SCHEDULED
    # No queue slots: the queue is refused inside the transaction and it publishes now.
    assert await w.actions(stored.id) == ["created", "publish_now"]
    [(decided, decision)] = w.notifier.named("decided")
    assert decided.id == stored.id and decision.immediate


async def test_a_failing_item_leaves_neither_draft_nor_seen_mark(
    w: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed = await _feed(w, "review")

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk gone")

    monkeypatch.setattr(drafts, "submit_in", broken)
    with pytest.raises(RuntimeError):
        await feeds.take_item(w.desk, feed, _item())
    async with w.db.read() as uow:
        assert not await uow.feeds.seen(feed.id, "guid-1")
        assert (await uow.articles.page(limit=10))[1] == 0
    # The next poll takes the item afresh.
    monkeypatch.undo()
    assert await feeds.take_item(w.desk, feed, _item()) is not None


async def test_an_auto_feeds_item_takes_the_next_queue_slot(w: World) -> None:
    await w.channel("@news", default=True, slots=("09:00", "15:00"))
    feed = await _feed(w, "auto")
    taken = await feeds.take_item(w.desk, feed, _item())
    assert taken is not None and taken.decided is not None and taken.decided.ok
    await feeds.tell(w.desk, feed, taken)
    assert await w.actions(taken.article.id) == ["created", "queued"]
    [(_article, decision)] = w.notifier.named("decided")
    assert decision.actor_name == f"feed {feed.id}" and not decision.immediate
