"""What a feed poll changes: each new item, the feed's own bookkeeping, a failure to report.

A due feed is claimed first (:func:`claim`, one conditional update of its next poll time), so of
several instances sharing the database one polls it per interval. A new item is one
transaction: the item marked seen (the insert that only one instance can make), the draft with
its "created" entry, the item linked to it, and its submission for review ("review" feeds) or
its place in the queue ("auto" feeds) with that decision's entry. Either all of it is kept or
none, so a crash between the steps can neither lose an item nor turn it into a second draft at
the next poll. The reviewers and the schedule are told after the commit, as after any decision.

The feed's validators, backoff and error state are the poller's bookkeeping, not editorial
changes: they are recorded without audit entries (every poll would write one).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.domain import Article, ArticleStatus, Feed
from bot.workflow import drafts, review
from bot.workflow.ports import Desk
from bot.workflow.results import Outcome, Result

if TYPE_CHECKING:  # the poller's values; the fetching and parsing stay outside the workflow
    from bot.ingest.feed_entries import FeedItem
    from bot.ingest.feeds import FeedFetchResult

# The statuses an auto feed's item is decided from: the draft it just became, nothing else.
_FRESH = (ArticleStatus.DRAFT,)
# How long a claimed feed is another instance's: longer than a fetch (15 s deadline) and its
# items' drafts take; a poller that dies holding a feed leaves it due again after this.
POLL_LEASE = timedelta(minutes=5)


def author_name(feed: Feed) -> str:
    """Who a feed's drafts are submitted and decided by, in the history and on the cards."""
    return f"feed {feed.id}"


@dataclass(frozen=True, slots=True)
class Taken:
    """A new item, committed: whom to tell is left to :func:`tell`."""

    article: Article
    submitted: Article | None = None  # the draft as sent for review
    decided: Result | None = None  # an auto feed's publishing decision


async def claim(desk: Desk, feed: Feed, now: datetime) -> Feed | None:
    """Take a due feed for this instance's poll: the feed as stored now, or None when another
    instance (or an earlier cycle) already took it."""
    async with desk.db.transaction() as uow:
        return await uow.feeds.claim(feed.id, now=now, lease_until=now + POLL_LEASE)


async def take_item(desk: Desk, feed: Feed, item: FeedItem) -> Taken | None:
    """Turn a new item into a draft, sent for review or queued; None when it was seen.

    Nobody is told yet: the poller takes every new item first and tells after (cards go out
    at the admin chat's rate limit, which must not hold back the next items' drafts)."""
    now = desk.clock.now()
    name = author_name(feed)
    submitted: Article | None = None
    decided: Result | None = None
    async with desk.db.transaction() as uow:
        # The read skips what is known; the insert is the gate when instances race on it.
        if await uow.feeds.seen(feed.id, item.key) or not await uow.feeds.mark_seen(
            feed.id, item.key, article_id=None, now=now
        ):
            return None
        created = await drafts.create_in(
            uow,
            item.content,
            author_id=feed.added_by,
            language=desk.settings.default_language,
            origin="feed",
            now=now,
        )
        article = created.article
        await uow.feeds.link_item(feed.id, item.key, article_id=article.id)
        if feed.mode == "auto":
            # The next queue slot; with no slots configured, it publishes as items arrive.
            for queue in (True, False):
                decided = await review.publish_in(
                    desk,
                    uow,
                    article.id,
                    actor_id=feed.added_by,
                    actor_name=name,
                    queue=queue,
                    from_statuses=_FRESH,
                    now=now,
                )
                if decided.outcome is not Outcome.NO_SLOT:
                    break
        elif drafts.submit_refused(desk, article) is None:
            submitted = await drafts.submit_in(
                uow, article, actor_id=feed.added_by, author_name=name, now=now
            )
    return Taken(article, submitted, decided)


async def tell(desk: Desk, feed: Feed, taken: Taken) -> None:
    """After the commit, as after any decision: the schedule, the reviewers, the card."""
    if taken.decided is not None:
        await review.settle(desk, taken.article.id, taken.decided)
    elif taken.submitted is not None:
        await desk.notifier.submitted(taken.submitted, author_name=author_name(feed))


async def polled(desk: Desk, feed: Feed, result: FeedFetchResult, *, next_at: datetime) -> None:
    """A successful poll: the validators for the next conditional GET, the failures reset."""
    async with desk.db.transaction() as uow:
        await uow.feeds.record_success(
            feed.id,
            title=result.title,
            etag=result.etag,
            last_modified=result.last_modified,
            next_poll_at=next_at,
        )


async def poll_failed(desk: Desk, feed: Feed, error: str, *, next_at: datetime) -> None:
    """A failed poll backs off; the admins are told once, when a feed starts to fail."""
    async with desk.db.transaction() as uow:
        failed = await uow.feeds.record_failure(feed.id, error=error, next_poll_at=next_at)
        report = not failed.error_reported
        if report:
            await uow.feeds.mark_error_reported(feed.id)
    if report:
        await desk.notifier.feed_failing(feed, error)
