"""Feed polling: each due feed is fetched with conditional GET and new items become drafts.

``review`` feeds send each new item for review; ``auto`` feeds queue it for publishing. A failing
feed backs off and is reported to the admin chat once, not every cycle. Drafts, submissions and
decisions go through ``bot.workflow`` (``feeds``: one transaction per new item) and the report
through its notifier port, so this module fetches and parses, and opens no transaction itself.
"""

from __future__ import annotations

import asyncio
import logging
import random
from datetime import datetime, timedelta
from typing import Protocol

import aiohttp

from bot.config import Settings
from bot.domain import Feed
from bot.ingest.feeds import FeedState, fetch_feed, next_poll_delay
from bot.ingest.fetch import FetchError
from bot.workflow import feeds, queries
from bot.workflow.ports import Desk

log = logging.getLogger(__name__)

CONCURRENCY = 10
MAX_NEW_ITEMS_PER_POLL = 20  # a feed that suddenly lists 500 items must not flood the admins


class HasSettings(Protocol):
    """All that checking a feed needs (a Desk has it)."""

    @property
    def settings(self) -> Settings: ...


async def check_feed(desk: HasSettings, url: str) -> str | None:
    """Fetch once before following a feed: the error code, or None when it is a feed."""
    try:
        async with aiohttp.ClientSession() as session:
            await fetch_feed(
                session, FeedState(url=url), allow_private=desk.settings.allow_private_urls
            )
    except FetchError as exc:  # FeedError included
        return exc.code
    return None


async def poll_due_feeds(desk: Desk, now: datetime) -> datetime | None:
    """Poll every feed that is due and this instance claims; return when the next one is."""
    due = await queries.due_feeds(desk.db, now)
    if due:
        semaphore = asyncio.Semaphore(CONCURRENCY)
        async with aiohttp.ClientSession() as session:

            async def one(feed: Feed) -> None:
                async with semaphore:
                    # Another instance sharing the database may have taken it since the read.
                    if (claimed := await feeds.claim(desk, feed, now)) is not None:
                        await poll_feed(desk, session, claimed, now)

            await asyncio.gather(*(one(f) for f in due))
    return await queries.next_feed_poll(desk.db)


async def poll_feed(desk: Desk, session: aiohttp.ClientSession, feed: Feed, now: datetime) -> int:
    """Fetch one feed and turn its new items into drafts; return how many were new.

    Each new item is one transaction of ``bot.workflow.feeds`` (draft, seen, submitted or
    queued, audited); the feed's bookkeeping is one more after the items; the reviewers and
    the schedule are told last, once every new item is stored (cards go out at the admin
    chat's rate limit, which must not hold back the drafts).
    """
    rng = random.Random()
    try:
        result = await fetch_feed(
            session,
            FeedState(url=feed.url, etag=feed.etag, last_modified=feed.last_modified),
            allow_private=desk.settings.allow_private_urls,
        )
    except FetchError as exc:  # FeedError included
        delay = next_poll_delay(interval_s=feed.interval_s, failures=feed.failures + 1, rng=rng)
        await feeds.poll_failed(desk, feed, exc.code, next_at=now + timedelta(seconds=delay))
        return 0
    delay = next_poll_delay(interval_s=feed.interval_s, failures=0, rng=rng)
    taken: list[feeds.Taken] = []
    for item in result.items:
        if len(taken) >= MAX_NEW_ITEMS_PER_POLL:
            break
        if (new := await feeds.take_item(desk, feed, item)) is not None:
            taken.append(new)
    await feeds.polled(desk, feed, result, next_at=now + timedelta(seconds=delay))
    for new in taken:
        await feeds.tell(desk, feed, new)
    return len(taken)
