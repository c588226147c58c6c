"""Feed polling: each due feed is fetched with conditional GET and new items become drafts.

``review`` feeds send each new item for review; ``auto`` feeds queue it for publishing. A failing
feed backs off and is reported to the admin chat once, not every cycle. Drafts, submissions and
decisions go through ``bot.workflow`` and the report through its notifier port, so this module
knows nothing of Telegram (and no longer imports the newsroom that imports it).
"""

from __future__ import annotations

import asyncio
import logging
import random
from datetime import datetime, timedelta
from typing import Protocol

import aiohttp

from bot.config import Settings
from bot.domain import ArticleStatus, Feed
from bot.ingest.feeds import FeedState, fetch_feed, next_poll_delay
from bot.ingest.fetch import FetchError
from bot.workflow import drafts, review
from bot.workflow.ports import Desk
from bot.workflow.results import Outcome

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
    """Poll every feed that is due; return when the next one will be."""
    async with desk.db.read() as uow:
        due = await uow.feeds.due(now=now)
    if due:
        semaphore = asyncio.Semaphore(CONCURRENCY)
        async with aiohttp.ClientSession() as session:

            async def one(feed: Feed) -> None:
                async with semaphore:
                    await poll_feed(desk, session, feed, now)

            await asyncio.gather(*(one(f) for f in due))
    async with desk.db.read() as uow:
        return await uow.feeds.next_poll_at()


async def poll_feed(desk: Desk, session: aiohttp.ClientSession, feed: Feed, now: datetime) -> int:
    """Fetch one feed and turn its new items into drafts; return how many were new."""
    rng = random.Random()
    try:
        result = await fetch_feed(
            session,
            FeedState(url=feed.url, etag=feed.etag, last_modified=feed.last_modified),
            allow_private=desk.settings.allow_private_urls,
        )
    except FetchError as exc:  # FeedError included
        delay = next_poll_delay(interval_s=feed.interval_s, failures=feed.failures + 1, rng=rng)
        async with desk.db.transaction() as uow:
            failed = await uow.feeds.record_failure(
                feed.id, error=exc.code, next_poll_at=now + timedelta(seconds=delay)
            )
            report = not failed.error_reported
            if report:
                await uow.feeds.mark_error_reported(feed.id)
        if report:
            await desk.notifier.feed_failing(feed, exc.code)
        return 0
    next_at = now + timedelta(
        seconds=next_poll_delay(interval_s=feed.interval_s, failures=0, rng=rng)
    )
    new = 0
    created = []
    for item in result.items:
        if new >= MAX_NEW_ITEMS_PER_POLL:
            break
        async with desk.db.read() as uow:
            if await uow.feeds.seen(feed.id, item.key):
                continue
        created_draft = await drafts.create_draft(
            desk,
            item.content,
            author_id=feed.added_by,
            language=desk.settings.default_language,
            origin="feed",
        )
        async with desk.db.transaction() as uow:
            await uow.feeds.mark_seen(
                feed.id, item.key, article_id=created_draft.article.id, now=now
            )
        created.append(created_draft.article)
        new += 1
    async with desk.db.transaction() as uow:
        await uow.feeds.record_success(
            feed.id,
            title=result.title,
            etag=result.etag,
            last_modified=result.last_modified,
            next_poll_at=next_at,
        )
    for article in created:
        if feed.mode == "auto":
            queued = await review.publish(
                desk,
                article.id,
                actor_id=feed.added_by,
                actor_name=f"feed {feed.id}",
                queue=True,
                from_statuses=(ArticleStatus.DRAFT,),
            )
            if queued.outcome is Outcome.NO_SLOT:
                # No queue slots configured: an auto feed publishes as items arrive.
                await review.publish(
                    desk,
                    article.id,
                    actor_id=feed.added_by,
                    actor_name=f"feed {feed.id}",
                    from_statuses=(ArticleStatus.DRAFT,),
                )
        else:
            await drafts.submit(
                desk, article, actor_id=feed.added_by, author_name=f"feed {feed.id}"
            )
    return new
