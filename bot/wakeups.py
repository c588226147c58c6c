"""The publishing engine woken across instances: what one schedules, every engine looks at.

The workflow calls ``desk.schedule.wake()`` once a change to what is due has committed. With
one process that wakes the local engine; with several instances on PostgreSQL it also sends
``NOTIFY newsroom_outbox``, on which every instance's listener wakes its own engine -- no
instance polls the outbox every second. The claim (one conditional UPDATE) still decides which
engine sends.
"""

from __future__ import annotations

import asyncio
import logging

from bot.workflow.ports import Schedule
from storage.db import Database

log = logging.getLogger(__name__)

OUTBOX = "newsroom_outbox"


class SharedSchedule:
    """The ``Schedule`` port over the local engine and the other instances."""

    def __init__(self, engine: Schedule, db: Database) -> None:
        self._engine = engine
        self._db = db
        self._sending: set[asyncio.Task[None]] = set()

    def wake(self) -> None:
        self._engine.wake()
        task = asyncio.get_running_loop().create_task(self._db.notify(OUTBOX))
        # Kept until done: a task nobody references may be collected half-way.
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)


def schedule_for(engine: Schedule, db: Database) -> Schedule:
    """The local engine alone on SQLite (one process); shared wake-ups on PostgreSQL."""
    return engine if db.dialect == "sqlite" else SharedSchedule(engine, db)
