"""Recovery holds only the claims of dead instances (issue 17).

Each instance writes its id on the claims it makes and beats in ``instances`` every few
seconds. On PostgreSQL a second instance starting leaves the first one's send in flight alone;
once the first stops beating, the second holds that send for an admin within the timeout
(``DEAD_AFTER_SECONDS``) and sends what is due and unclaimed. On SQLite (one process) a start
still holds every claim of the previous run, as before.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest
from aiogram import Bot

from bot.clock import FakeClock
from bot.config import Settings
from bot.domain import ArticleContent, PublicationStatus
from bot.publishing.engine import DEAD_AFTER_SECONDS, HEARTBEAT_SECONDS, PublishingEngine
from fakegram.harness import CHANNEL_ID, TOKEN, Sandbox
from storage.db import Database
from tests.backends import Backend

START = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


async def _until(predicate: Callable[[], Awaitable[bool]], budget_s: float = 10.0) -> None:
    """Poll ``predicate`` (a database read) until it holds; fail past the budget."""
    start = time.monotonic()
    while not await predicate():
        assert time.monotonic() - start < budget_s, f"not within {budget_s} s"
        await asyncio.sleep(0.02)


async def _parked(clock: FakeClock) -> bool:
    """The heartbeat loop sleeps its whole interval (nothing else sleeps exactly that)."""
    return HEARTBEAT_SECONDS in clock.pending_delays()


async def _due(db: Database, title: str, *, channel_ref: str = "@news") -> int:
    async with db.transaction() as uow:
        channel = await uow.channels.by_ref(channel_ref)
        if channel is None:
            channel = await uow.channels.ensure(channel_ref, now=START, is_default=True)
        article = await uow.articles.create(
            ArticleContent(title=title, body=("Text.",)), author_id=1, origin="text", now=START
        )
        pub = await uow.publications.schedule(
            article_id=article.id, channel_id=channel.id, due_at=START, silent=False, now=START
        )
        assert pub is not None
        return pub.id


async def _status(db: Database, pub_id: int) -> PublicationStatus:
    async with db.read() as uow:
        pub = await uow.publications.get(pub_id)
    assert pub is not None
    return pub.status


def _engine(db: Database, clock: FakeClock) -> PublishingEngine:
    settings = Settings(_env_file=None, bot_token=TOKEN)
    # Never run here: the Bot is not asked anything.
    return PublishingEngine(settings=settings, db=db, bot=Bot(TOKEN), clock=clock)


@pytest.fixture
async def two(backend: Backend) -> AsyncIterator[tuple[Database, Database]]:
    target = await backend.new("instances")
    first, second = await Database.open(target), await Database.open(target)
    try:
        yield first, second
    finally:
        await first.close()
        await second.close()


async def test_a_start_holds_the_claims_of_instances_that_stopped_beating(
    backend: Backend, two: tuple[Database, Database]
) -> None:
    first_db, second_db = two
    clock = FakeClock(START)
    first, second = _engine(first_db, clock), _engine(second_db, clock)
    assert first.instance_id != second.instance_id
    await first.recover_on_startup()
    pub_id = await _due(first_db, "Mid-send")
    async with first_db.transaction() as uow:
        assert await uow.publications.claim(pub_id, now=START, owner=first.instance_id)

    await clock.advance(HEARTBEAT_SECONDS)
    await second.recover_on_startup()
    if backend.dialect == "sqlite":
        # One process per file: a claim not made by this process is a previous run's.
        assert await _status(second_db, pub_id) is PublicationStatus.HELD
        return
    assert await _status(second_db, pub_id) is PublicationStatus.PUBLISHING  # first is alive
    assert await second.sweep_dead_claims() == []
    # The first beats again: still alive well past the timeout since its start.
    await clock.advance(DEAD_AFTER_SECONDS)
    assert await first.sweep_dead_claims() == []
    assert await second.sweep_dead_claims() == []
    # It stops beating: just before the timeout nothing moves, just after it is held.
    await clock.advance(DEAD_AFTER_SECONDS - 1)
    assert await second.sweep_dead_claims() == []
    await clock.advance(2)
    [held] = await second.sweep_dead_claims()
    assert held.id == pub_id
    async with second_db.read() as uow:
        pub = await uow.publications.get(pub_id)
        assert pub is not None and pub.status is PublicationStatus.HELD
        assert pub.last_error.startswith("unknown_outcome")
        assert await second.sweep_dead_claims() == []  # held once


async def test_a_claim_from_before_owners_is_held_by_any_start(
    two: tuple[Database, Database],
) -> None:
    first_db, _ = two
    pub_id = await _due(first_db, "Old claim")
    async with first_db.transaction() as uow:
        assert await uow.publications.claim(pub_id, now=START)  # no owner: made before 0010
    await _engine(first_db, FakeClock(START)).recover_on_startup()
    assert await _status(first_db, pub_id) is PublicationStatus.HELD


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
async def test_a_live_instance_takes_over_a_dead_ones_publications(backend: Backend) -> None:
    """The second instance is a whole bot on the fake Bot API; the first only claimed."""
    url = await backend.new("takeover")
    clock = FakeClock(START)
    sandbox = Sandbox(clock=clock, database_url=url, start_background=False)
    async with sandbox:
        app = sandbox.bot_app
        first_db = await Database.open(url)
        try:
            first = _engine(first_db, clock)
            await first.recover_on_startup()
            async with first_db.read() as uow:
                channel = await uow.channels.default()
            assert channel is not None and channel.chat_id == CHANNEL_ID
            ref = channel.chat_ref
            mid_send = await _due(first_db, "Mid-send", channel_ref=ref)
            waiting = await _due(first_db, "Waiting", channel_ref=ref)
            async with first_db.transaction() as uow:
                assert await uow.publications.claim(mid_send, now=START, owner=first.instance_id)

            await app.start_background()  # the second instance starts
            # It sends the due unclaimed one and leaves the first's send in flight alone.
            await _until(lambda: _is(app.db, waiting, PublicationStatus.PUBLISHED), budget_s=20)
            assert len(sandbox.tg.messages(CHANNEL_ID)) == 1
            assert await _status(app.db, mid_send) is PublicationStatus.PUBLISHING
            # The first dies (no more beats); the second's heartbeat loop holds its send.
            # Beat by beat: wait until the loop is parked in its sleep, then end that sleep.
            for beat in range(1, int(DEAD_AFTER_SECONDS // HEARTBEAT_SECONDS) + 2):
                await _until(lambda: _parked(clock))
                still = await _status(app.db, mid_send)
                assert still is PublicationStatus.PUBLISHING, f"held after {beat - 1} beats"
                await clock.advance(HEARTBEAT_SECONDS)
            # The fourth beat (20 s after the first's last) is past the timeout: held.
            await _until(lambda: _is(app.db, mid_send, PublicationStatus.HELD))
            assert clock.now() - START <= timedelta(seconds=DEAD_AFTER_SECONDS + HEARTBEAT_SECONDS)
            assert len(sandbox.tg.messages(CHANNEL_ID)) == 1  # never sent again on its own
        finally:
            await first_db.close()


async def _is(db: Database, pub_id: int, status: PublicationStatus) -> bool:
    return await _status(db, pub_id) is status
