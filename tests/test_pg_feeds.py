"""Two bot instances on one database poll the same feeds: each due feed is fetched by one of
them per interval, and each item becomes one draft.

Each "instance" is its own desk with its own :class:`Database` on the same SQLite file or
PostgreSQL database (as two processes would have), on one fake clock. The feeds are served by a
local site that counts each feed's fetches and adds an item to every feed after each round.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from bot.domain import Feed
from bot.feeds import poll_due_feeds
from bot.ingest.feed_entries import FeedItem
from bot.workflow import feeds, setup
from tests.backends import Backend
from tests.workflow_fakes import ADMIN_ID, World, content, world

FEEDS = 6
ROUNDS = 3
INTERVAL_S = 60
RACED_ITEMS = 20


class Site:
    """``/feed/<n>.xml``: an RSS feed whose items are those added so far; fetches counted."""

    def __init__(self) -> None:
        self.hits: Counter[int] = Counter()
        self.items = 1  # each feed lists items 1..items
        self.base = ""

    async def feed(self, request: web.Request) -> web.Response:
        number = int(request.match_info["n"])
        self.hits[number] += 1
        entries = "".join(
            f"<item><title>Лента {number}: новость номер {i}</title>"
            f"<link>https://example.org/{number}/{i}</link>"
            f"<guid isPermaLink='false'>f{number}-i{i}</guid>"
            f"<description>Текст новости {i} ленты {number}.</description></item>"
            for i in range(1, self.items + 1)
        )
        rss = (
            "<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel>"
            f"<title>Лента {number}</title><link>https://example.org/</link>"
            f"<description>d</description>{entries}</channel></rss>"
        )
        return web.Response(text=rss, content_type="application/rss+xml")


@pytest.fixture
async def site() -> AsyncIterator[Site]:
    state = Site()
    app = web.Application()
    app.router.add_get("/feed/{n}.xml", state.feed)
    runner = web.AppRunner(app)
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    await tcp.start()
    state.base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        yield state
    finally:
        await runner.cleanup()


@pytest.fixture
async def instances(backend: Backend, tmp_path: Path) -> AsyncIterator[tuple[World, World]]:
    """Two desks on one database (the same SQLite file, or the same PostgreSQL database)."""
    shared: dict[str, Any] = {"allow_private_urls": True}
    if backend.dialect != "sqlite":
        shared["database_url"] = await backend.new("shared")
    async with world(tmp_path, **shared) as first, world(tmp_path, **shared) as second:
        second.clock.at = first.clock.at
        yield first, second


async def _articles(w: World) -> list[str]:
    async with w.db.read() as uow:
        found, _total = await uow.articles.page(limit=1000)
    return sorted(a.content.title for a in found)


async def test_two_instances_poll_each_feed_once_per_interval(
    instances: tuple[World, World], site: Site
) -> None:
    first, second = instances
    added: list[Feed] = []
    for n in range(1, FEEDS + 1):
        feed = await setup.add_feed(
            first.desk,
            f"{site.base}/feed/{n}.xml",
            mode="review",
            interval_s=INTERVAL_S,
            actor_id=ADMIN_ID,
        )
        assert feed is not None
        added.append(feed)
    for round_ in range(1, ROUNDS + 1):
        now = first.clock.now()
        nexts = await asyncio.gather(
            poll_due_feeds(first.desk, now), poll_due_feeds(second.desk, now)
        )
        # Each feed fetched once this interval, by one instance or the other.
        assert site.hits == Counter(dict.fromkeys(range(1, FEEDS + 1), round_))
        assert all(due is not None and due > now for due in nexts)
        # A second cycle inside the interval polls nothing.
        await poll_due_feeds(second.desk, now)
        assert sum(site.hits.values()) == FEEDS * round_
        site.items += 1
        for w in (first, second):  # past the interval and its +10 % jitter
            w.clock.advance(seconds=INTERVAL_S * 1.2)
    # Every item of every feed is one draft, sent for review once (by whichever polled it).
    titles = await _articles(first)
    wanted = [f"Лента {n}: новость номер {i}" for n in range(1, FEEDS + 1) for i in range(1, 4)]
    assert titles == sorted(wanted)
    told = first.notifier.named("submitted") + second.notifier.named("submitted")
    assert sorted(article.content.title for article, _who in told) == sorted(wanted)


async def _review_feed(world: World) -> Feed:
    """One review-mode feed, added by the admin on ``world``'s desk."""
    feed = await setup.add_feed(
        world.desk, "https://example.org/rss.xml", mode="review", interval_s=900, actor_id=ADMIN_ID
    )
    assert feed is not None
    return feed


async def test_two_instances_racing_on_the_same_items_draft_each_once(
    instances: tuple[World, World],
) -> None:
    first, second = instances
    feed = await _review_feed(first)
    items = [
        FeedItem(key=f"k{i}", content=content(f"Новость {i}"), link=f"https://example.org/{i}")
        for i in range(RACED_ITEMS)
    ]

    async def take_all(w: World, order: list[FeedItem]) -> list[str]:
        taken = []
        for item in order:
            if await feeds.take_item(w.desk, feed, item) is not None:
                taken.append(item.key)
        return taken

    # Opposite orders too: the instances meet in the middle and contend on every item.
    won = await asyncio.gather(
        take_all(first, items), take_all(second, items), take_all(second, items[::-1])
    )
    assert sorted(key for one in won for key in one) == sorted(i.key for i in items)
    assert await _articles(second) == sorted(f"Новость {i}" for i in range(RACED_ITEMS))
    async with second.db.read() as uow:
        rows = await uow.sql.all(
            "SELECT item_key, article_id FROM feed_items WHERE feed_id = ?", (feed.id,)
        )
    assert len(rows) == RACED_ITEMS and all(r["article_id"] is not None for r in rows)


async def test_a_claimed_feed_is_due_again_after_the_lease_when_its_poller_died(
    instances: tuple[World, World],
) -> None:
    first, second = instances
    feed = await _review_feed(first)
    now = first.clock.now()
    assert await feeds.claim(first.desk, feed, now) is not None  # and then it dies
    assert await feeds.claim(second.desk, feed, now) is None
    later = now + feeds.POLL_LEASE
    assert await feeds.claim(second.desk, feed, later) is not None
