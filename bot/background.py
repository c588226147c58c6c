"""The newsroom's background loop: review reminders, feed polling and the periodic jobs (the
weekly report), each when it is due."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol

from bot.clock import Clock
from bot.feeds import poll_due_feeds
from bot.workflow.ports import Desk
from bot.workflow.reminders import remind_pending
from storage.db import StorageError

log = logging.getLogger(__name__)


class Job(Protocol):
    """Something periodic whose state is in the database (so a restart neither repeats nor
    skips it): run it if due, and say when it may be due next (None: not before a wake-up)."""

    async def run_due(self, now: datetime) -> datetime | None: ...


class BackgroundLoop:
    def __init__(self, desk: Desk, clock: Clock, jobs: Sequence[Job] = ()) -> None:
        self.desk = desk
        self.clock = clock  # the full clock: the loop sleeps on it
        self.jobs = tuple(jobs)
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Something may be due sooner (a feed was added): look again now."""
        self._wake.set()

    async def run(self) -> None:
        """Sleep until the next thing is due, or until woken."""
        while True:
            self._wake.clear()
            delay = await self.step()
            waiter = asyncio.create_task(self._wake.wait())
            sleeper = asyncio.create_task(self.clock.sleep(delay))
            try:
                await asyncio.wait({waiter, sleeper}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                waiter.cancel()
                sleeper.cancel()

    async def step(self) -> float:
        """Run what is due; return seconds until something may be due again."""
        now = self.clock.now()
        wait = timedelta(minutes=self.desk.settings.review_reminder_minutes)
        try:
            await remind_pending(self.desk, now)
        except StorageError as exc:  # the database's fault, not a bug: one line, try later
            log.warning("review reminders skipped: %s", exc)
        except Exception:
            log.exception("review reminders failed")
        next_feed = None
        try:
            next_feed = await poll_due_feeds(self.desk, now)
        except StorageError as exc:
            log.warning("feed polling skipped: %s", exc)
        except Exception:
            log.exception("feed polling failed")
        delay = wait.total_seconds() / 4
        for due in (next_feed, *[await self._run(job, now) for job in self.jobs]):
            if due is not None:
                delay = min(delay, max(1.0, (due - now).total_seconds()))
        return max(1.0, delay)

    async def _run(self, job: Job, now: datetime) -> datetime | None:
        try:
            return await job.run_due(now)
        except StorageError as exc:
            log.warning("%s skipped: %s", type(job).__name__, exc)
        except Exception:
            log.exception("%s failed", type(job).__name__)
        return None
