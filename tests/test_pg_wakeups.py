"""Wake-ups across instances: what one instance schedules wakes every instance's engine
(``LISTEN``/``NOTIFY`` on PostgreSQL), also after the listening connection was lost."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import pytest

from bot.wakeups import OUTBOX, SharedSchedule, schedule_for
from storage.db import Database
from tests.backends import Backend


class Engine:
    """Counts wake-ups and lets a test wait for the next one."""

    def __init__(self) -> None:
        self.wakes = 0
        self.woken = asyncio.Event()

    def wake(self) -> None:
        self.wakes += 1
        self.woken.set()

    async def next_wake(self) -> None:
        await asyncio.wait_for(self.woken.wait(), timeout=10)
        self.woken.clear()


async def _end_listener_sessions(url: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        return int(
            await conn.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE application_name = 'newsroom-bot listener'"
                " AND datname = current_database()"
            )
        )
    finally:
        await conn.close()


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
async def test_a_schedule_on_one_instance_wakes_the_engine_of_another(backend: Backend) -> None:
    url = await backend.new("wake")
    first, second = await Database.open(url), await Database.open(url)
    here, there = Engine(), Engine()
    stop_listening = await second.listen(OUTBOX, there.wake)
    try:
        schedule = schedule_for(here, first)
        assert isinstance(schedule, SharedSchedule)
        schedule.wake()
        assert here.wakes == 1  # the local engine at once
        await there.next_wake()  # the other instance through NOTIFY
        assert there.wakes == 1

        # The listener's session dies: it listens again and wakes once (it may have missed
        # some), then hears the next notification.
        assert await _end_listener_sessions(url) == 1
        await there.next_wake()
        schedule.wake()
        await there.next_wake()
        assert there.wakes == 3
    finally:
        await stop_listening()
        await first.close()
        await second.close()


async def test_sqlite_keeps_the_local_engine_alone(tmp_path: Path) -> None:
    db = await Database.open(f"{tmp_path}/one.sqlite3")
    try:
        engine = Engine()
        assert schedule_for(engine, db) is engine
        stop = await db.listen(OUTBOX, engine.wake)
        await db.notify(OUTBOX)
        await stop()
        assert engine.wakes == 0
    finally:
        await db.close()
