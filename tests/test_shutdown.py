"""Graceful shutdown over HTTP: a send in progress finishes, or returns to the schedule, or is
held when its request may already have reached Telegram. Never lost, never posted twice.

``App.stop_background()`` is what ``run_polling`` / ``run_webhook`` call on SIGTERM/SIGINT
once updates stop coming in (tests/test_cli.py sends a real SIGTERM to a real process).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.domain import PublicationStatus
from fakegram.harness import CHANNEL_ID, Sandbox
from tests.test_e2e_publish import PHOTO_URL, START, World, _publish, _world


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    # A short grace period: the tests that wait it out take this long in real time.
    async for w in _world(tmp_path, shutdown_grace_seconds=0.3):
        yield w


def channel_sends(world: World) -> int:
    return sum(1 for m in world.tg.messages(CHANNEL_ID) if m.outgoing)


async def test_send_in_progress_finishes_within_the_grace_period(tmp_path: Path) -> None:
    async for world in _world(tmp_path, shutdown_grace_seconds=30):
        await _send_then_stop(world)


async def _send_then_stop(world: World) -> None:
    article = await world.article("Slow answer", photo=PHOTO_URL)
    world.tg.slow_next("sendPhoto", 0.2)  # answered after 0.2 s of real time
    await _publish(world, article)
    await world.until(lambda: bool(world.tg.calls("sendPhoto")))
    await world.app.stop_background()
    [pub] = await world.pubs(article.id)
    assert pub.status is PublicationStatus.PUBLISHED
    assert channel_sends(world) == 1
    assert pub.message_ids == (world.tg.messages(CHANNEL_ID)[0].message_id,)


async def test_send_waiting_on_flood_control_returns_to_the_schedule(
    world: World, tmp_path: Path
) -> None:
    article = await world.article("Throttled at shutdown", photo=PHOTO_URL)
    world.tg.fail_next(
        "sendPhoto",
        error_code=429,
        description="Too Many Requests: retry after 60",
        retry_after=60,
    )
    await _publish(world, article)
    await world.until(lambda: world.tg.stats.too_many_requests == 1)
    # The retry waits 60 s on the fake clock, which nobody moves: the grace period runs out.
    await world.app.stop_background()
    [pub] = await world.pubs(article.id)
    assert pub.status is PublicationStatus.SCHEDULED
    assert pub.last_error == "shutdown"
    assert pub.due_at is not None and pub.due_at <= world.clock.now()
    assert channel_sends(world) == 0

    # The next start publishes it, once.
    await world.sb.stop()
    clock = FakeClock(START)
    again = Sandbox(workdir=tmp_path, clock=clock, default_language="en")
    async with again:
        restarted = World(again, clock)
        await restarted.until(lambda: channel_sends(restarted) == 1, max_fake=30)
        [pub] = await restarted.pubs(article.id)
        assert pub.status is PublicationStatus.PUBLISHED
        await clock.advance(120)
        await restarted.scheduler_parked()
        assert channel_sends(restarted) == 1


async def test_request_on_the_wire_after_the_grace_period_is_held(world: World) -> None:
    article = await world.article("Stuck on the wire", photo=PHOTO_URL)
    world.tg.slow_next("sendPhoto", 30)  # far longer than the grace period
    await _publish(world, article)
    await world.until(lambda: bool(world.tg.calls("sendPhoto")))
    await world.app.stop_background()
    [pub] = await world.pubs(article.id)
    # Telegram may post it after all: only an admin can tell, so it waits for one.
    assert pub.status is PublicationStatus.HELD
    assert pub.last_error.startswith("unknown_outcome")


async def test_no_new_send_starts_once_stopping(world: World) -> None:
    first = await world.article("First", photo=PHOTO_URL)
    await world.app.engine.shutdown(0)
    await _publish(world, first)
    await world.app.stop_background()
    [pub] = await world.pubs(first.id)
    assert pub.status is PublicationStatus.SCHEDULED  # left due, for the next start
    assert channel_sends(world) == 0
