"""The publishing engine's one bookkeeping step, against a real database and no Bot API.

``Ledger.settle`` sets the status, writes the audit entry and only then queues the notice, with
the publication and article as recorded; ``Ledger.mark`` audits only a move that happened.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime

import pytest

from bot.clock import FakeClock
from bot.domain import (
    Article,
    ArticleContent,
    ArticleStatus,
    Channel,
    Publication,
    PublicationStatus,
)
from bot.publishing.bookkeeping import Change, Entry, Ledger, held_change
from bot.publishing.notices import Notices, failed_notice, published_notice
from bot.publishing.ports import ChannelOutcome
from storage.db import Database
from tests.backends import Backend

# The storage and workflow rules hold on both backends (tests/backends.py).
pytestmark = pytest.mark.usefixtures("backend")

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


class Told:
    """A Notifier that writes down what it is told."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Article, Publication, str]] = []
        self.batches: list[int] = []  # the size of each batch of outcomes

    async def on_outcomes(self, batch: Sequence[ChannelOutcome]) -> None:
        self.batches.append(len(batch))
        for o in batch:
            if o.failed:
                self.calls.append(("failed", o.article, o.pub, f"{o.reason}: {o.detail}"))
            else:
                self.calls.append(("published", o.article, o.pub, ""))

    async def on_held(
        self, article: Article, pub: Publication, channel: Channel, reason: str
    ) -> None:
        self.calls.append(("held", article, pub, reason))


@pytest.fixture
async def db(backend: Backend) -> AsyncIterator[Database]:
    database = await Database.open(await backend.new("bookkeeping"))
    try:
        yield database
    finally:
        await database.close()


async def _claimed(db: Database) -> tuple[Article, Channel, Publication]:
    """An article with one publication in flight (claimed, as the engine leaves it)."""
    async with db.transaction() as uow:
        article = await uow.articles.create(
            ArticleContent(title="Title"),
            author_id=1,
            origin="text",
            now=START,
            status=ArticleStatus.SCHEDULED,
        )
        channel = await uow.channels.ensure("@news", now=START, chat_id=-1001, username="news")
        pub = await uow.publications.schedule(
            article_id=article.id, channel_id=channel.id, due_at=START, silent=False, now=START
        )
        assert pub is not None
        claimed = await uow.publications.claim(pub.id, now=START)
    assert claimed is not None
    return article, channel, claimed


def _ledger(db: Database, *, clock: FakeClock | None = None) -> tuple[Ledger, Notices, Told]:
    # No digest window unless a test gives a clock to move: outcomes are told at once.
    window = 0.0 if clock is None else 3.0
    clock = clock or FakeClock(start=START)
    notices = Notices(db=db, clock=clock, wake=lambda: None, window=window)
    told = Told()
    notices.notifier = told
    return Ledger(db=db, clock=clock, notices=notices), notices, told


async def _delivered(notices: Notices) -> None:
    await asyncio.gather(*notices.tasks())


async def test_published_records_ids_audits_publishes_the_article_then_tells(
    db: Database,
) -> None:
    article, channel, pub = await _claimed(db)
    ledger, notices, told = _ledger(db)
    change = Change(
        to=PublicationStatus.PUBLISHED,
        message_ids=(7, 8),
        link="https://t.me/news/7",
        entry=Entry("published", {"channel": "@news", "message_ids": [7, 8]}),
    )
    done = await ledger.settle(pub, change, notice=lambda a, p: published_notice(a, p, channel))
    await _delivered(notices)

    assert done is not None and done.status is PublicationStatus.PUBLISHED
    assert list(done.message_ids) == [7, 8] and done.link == "https://t.me/news/7"
    assert ledger.sent_count == 1
    async with db.read() as uow:
        entries = await uow.audit.for_article(article.id)
    assert [e.action for e in entries if e.action == "published"] == ["published"]
    # The notice carries the rows as recorded: the article is published by now.
    [(kind, told_article, told_pub, _)] = told.calls
    assert kind == "published"
    assert told_article.status is ArticleStatus.PUBLISHED
    assert told_pub.status is PublicationStatus.PUBLISHED


async def test_failed_is_audited_and_told_with_its_reason(db: Database) -> None:
    article, channel, pub = await _claimed(db)
    ledger, notices, told = _ledger(db)
    change = Change(
        to=PublicationStatus.FAILED,
        error="forbidden: kicked",
        entry=Entry("publication_failed", {"reason": "forbidden", "detail": "kicked"}),
    )
    failed = await ledger.settle(
        pub,
        change,
        notice=lambda a, p: failed_notice(a, p, channel, "forbidden", "kicked"),
    )
    await _delivered(notices)

    assert failed is not None and failed.status is PublicationStatus.FAILED
    assert failed.last_error == "forbidden: kicked"
    assert ledger.sent_count == 0
    async with db.read() as uow:
        entries = await uow.audit.for_article(article.id)
    [entry] = [e for e in entries if e.action == "publication_failed"]
    assert entry.details == {"reason": "forbidden", "detail": "kicked"}
    assert entry.actor_id is None
    assert [(c[0], c[3]) for c in told.calls] == [("failed", "forbidden: kicked")]


async def test_a_publication_that_already_moved_is_not_audited_again(db: Database) -> None:
    article, _, pub = await _claimed(db)
    ledger, _, _ = _ledger(db)
    async with db.transaction() as uow:
        change = held_change(pub, "unknown_outcome", "cut off")
        assert await ledger.mark(uow, pub, change, START)
        # The same change again: the row is no longer "publishing", so nothing happens.
        assert not await ledger.mark(uow, pub, change, START)
        entries = await uow.audit.for_article(article.id)
        fresh = await uow.publications.get(pub.id)
    assert [e.action for e in entries].count("publication_held") == 1
    assert fresh is not None and fresh.status is PublicationStatus.HELD
    assert fresh.last_error == "unknown_outcome: cut off"


async def test_held_keeps_the_known_parts_and_asks_the_admins(db: Database) -> None:
    _, _, pub = await _claimed(db)
    ledger, notices, told = _ledger(db)
    held_pub = await ledger.settle(
        pub,
        held_change(pub, "unknown_outcome", "cut off"),
        notice=lambda _, p: notices.held_card(p, "unknown_outcome"),
        keep_ids=[11],
    )
    await _delivered(notices)

    assert held_pub is not None and list(held_pub.message_ids) == [11]
    assert [(c[0], c[3]) for c in told.calls] == [("held", "unknown_outcome")]


async def test_without_a_notifier_nothing_is_queued(db: Database) -> None:
    _, channel, pub = await _claimed(db)
    ledger, notices, told = _ledger(db)
    notices.notifier = None
    change = Change(to=PublicationStatus.SCHEDULED, error="retry_after 5", due_at=START)
    again = await ledger.settle(pub, change, notice=lambda a, p: published_notice(a, p, channel))
    assert again is not None and again.status is PublicationStatus.SCHEDULED
    assert notices.tasks() == [] and not told.calls


async def test_outcomes_within_the_digest_window_are_told_as_one_batch(db: Database) -> None:
    """Issue 14: what ends within the window after the first outcome is folded, in order, into
    one call; a held card does not wait for it (it carries buttons); later outcomes open the
    next window."""
    article, channel, pub = await _claimed(db)
    clock = FakeClock(start=START)
    _, notices, told = _ledger(db, clock=clock)
    notices.queue(published_notice(article, pub, channel))
    await clock.wait_for_sleepers(1)  # the window is open
    notices.queue(notices.held_card(pub, "unknown_outcome"))  # still claimed: told nothing
    notices.queue(failed_notice(article, pub, channel, "forbidden", "kicked"))
    await clock.advance(2)
    notices.queue(published_notice(article, pub, channel))
    assert told.batches == []
    await clock.advance(1)
    await _delivered(notices)
    assert told.batches == [3]
    assert [c[0] for c in told.calls] == ["published", "failed", "published"]
    notices.queue(published_notice(article, pub, channel))
    await clock.wait_for_sleepers(1)
    await clock.advance(3)
    await _delivered(notices)
    assert told.batches == [3, 1]
