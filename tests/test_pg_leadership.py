"""Long polling with two instances on one PostgreSQL: exactly one polls; when its database
session dies, the other polls within 10 seconds and the bot keeps answering."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from pathlib import Path

import asyncpg
import pytest

from bot.app import App, create_app
from fakegram.harness import EDITOR_ID, Sandbox
from storage.db import Database
from tests.backends import Backend

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
TAKEOVER_BUDGET_S = 10.0


async def _terminate_lock_holder(url: str) -> int:
    """End the database session holding an advisory lock (what the server sees when the
    instance holding it dies); return how many were ended."""
    conn = await asyncpg.connect(url)
    try:
        return int(
            await conn.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_locks"
                " WHERE locktype = 'advisory' AND granted AND database ="
                " (SELECT oid FROM pg_database WHERE datname = current_database())"
            )
        )
    finally:
        await conn.close()


async def _until(predicate: Callable[[], bool], budget_s: float) -> float:
    """Seconds until ``predicate`` holds (polled; fails past ``budget_s``)."""
    start = time.monotonic()
    while not predicate():
        assert time.monotonic() - start < budget_s, f"not within {budget_s} s"
        await asyncio.sleep(0.05)
    return time.monotonic() - start


async def test_one_holder_and_the_lead_passes_when_its_session_dies(backend: Backend) -> None:
    url = await backend.new("lead")
    first, second = await Database.open(url), await Database.open(url)
    a, b = first.leadership("long-polling"), second.leadership("long-polling")
    try:
        assert await a.try_acquire() and await a.try_acquire()  # asking again keeps it
        assert not await b.try_acquire()
        assert await a.still_held()
        assert second.leadership("another job") is not None
        assert await _terminate_lock_holder(url) == 1
        assert not await a.still_held()  # the holder learns it lost the lead
        assert await b.try_acquire()
        assert not await a.try_acquire()  # and cannot take it back while b holds it
        await b.release()
        assert await a.try_acquire()
    finally:
        await a.release()
        await b.release()
        await first.close()
        await second.close()


async def test_the_standby_polls_within_seconds_when_the_poller_dies(
    backend: Backend, tmp_path: Path
) -> None:
    url = await backend.new("newsroom")
    async with Sandbox(workdir=tmp_path, database_url=url, editor_language="en") as sandbox:
        tg = sandbox.tg
        # The sandbox's own app polls without an election: once it answers (polling is fully
        # up), stop it and run two elected instances instead.
        tg.send_text(EDITOR_ID, "/cancel")
        await tg.wait_for_message(EDITOR_ID)
        await asyncio.wait_for(sandbox.bot_app.dp.stop_polling(), 10)
        await asyncio.wait_for(sandbox._polling, 10)  # type: ignore[arg-type]
        apps: list[App] = [await create_app(sandbox.settings()) for _ in range(2)]
        runs = [
            asyncio.create_task(app.run_polling(handle_signals=False, polling_timeout=1))
            for app in apps
        ]
        try:
            await _until(lambda: sorted(a.role for a in apps) == ["poller", "standby"], 10)
            poller = next(a for a in apps if a.role == "poller")
            standby = next(a for a in apps if a is not poller)
            tg.send_text(EDITOR_ID, "/new")
            assert "Send the title" in (await tg.wait_for_message(EDITOR_ID, count=2)).visible

            # The poller dies: its session ends (and it stops, so it cannot ask again).
            assert await _terminate_lock_holder(url) == 1
            poller.stop_event.set()
            took = await _until(lambda: standby.role == "poller", TAKEOVER_BUDGET_S)
            assert took < TAKEOVER_BUDGET_S
            await asyncio.wait_for(runs[apps.index(poller)], 15)
            tg.send_text(EDITOR_ID, "/cancel")
            answer = await tg.wait_for_message(EDITOR_ID, count=3)
            assert answer.visible  # answered by the instance that took over
            assert (await standby.health())["role"] == "poller"
        finally:
            for app in apps:
                app.stop_event.set()
            for run in runs:
                try:
                    await asyncio.wait_for(run, 15)
                except TimeoutError:
                    run.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await run
                    raise
            for app in apps:
                await app.close()
