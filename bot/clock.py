"""Time sources: the real clock for production, a controllable one for tests.

Everything that waits (the scheduler, the publisher, the rate limiter, the retry middleware)
takes a :class:`Clock` so tests can move time forward instantly and deterministically instead of
sleeping. Wall time (``now``) is for deciding *what* is due; monotonic time (``monotonic`` and
``sleep``) is for *how long* to wait, so an NTP step of the wall clock never stretches or skips
a wait.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import time
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol, TypeVar

__all__ = ["Clock", "FakeClock", "SystemClock"]

T = TypeVar("T")


class Clock(Protocol):
    def now(self) -> datetime:
        """The current wall time, timezone-aware UTC."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes backwards; only differences are meaningful."""

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` of monotonic time (``<= 0`` just yields to the event loop)."""


class SystemClock:
    """The real clock: ``datetime.now(UTC)``, ``time.monotonic()`` and ``asyncio.sleep``."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        # asyncio's loop.time() is time.monotonic() too, so deadlines computed here agree with
        # the ones asyncio.sleep uses.
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


@dataclass(order=True)
class _Sleeper:
    deadline: float
    seq: int
    future: asyncio.Future[None] = field(compare=False)


class FakeClock:
    """A clock that only moves when the test says so.

    ``sleep()`` parks the caller on a future; ``advance()`` moves time forward and wakes the
    sleepers whose deadline has been reached one by one, in deadline order (ties in the order
    they went to sleep), setting the clock to each sleeper's own deadline before waking it. So a
    woken task observes exactly the time it asked for, and if it goes back to sleep for a
    duration that still ends within the advanced span, it is woken again within the same
    ``advance()`` call. Nothing here touches the real clock.

    ``set(dt)`` moves the wall clock only, like an administrator changing the system time:
    monotonic time and sleepers are unaffected. Use ``advance_to(dt)`` to move both.

    Tests synchronise with the code under test through :meth:`wait_for_sleepers` ("wait until
    the publisher is parked in sleep"), never through real sleeps.
    """

    #: Event-loop turns given to woken tasks after each wake-up, so they can run up to their
    #: next await (e.g. go back to sleep) before the clock moves on. asyncio has no "all tasks
    #: are blocked" primitive (trio's wait_all_tasks_blocked), so a fixed number of turns is
    #: the deterministic substitute; a chain of a few awaited tasks needs one turn per hop.
    settle_turns: int = 8

    def __init__(
        self,
        start: datetime | None = None,
        *,
        monotonic_start: float = 0.0,
    ) -> None:
        start = start or datetime(2026, 1, 1, tzinfo=UTC)
        if start.tzinfo is None:
            raise ValueError("FakeClock needs an aware start datetime")
        self._wall_base = start.astimezone(UTC)
        self._mono_base = monotonic_start
        self._mono = monotonic_start
        self._sleepers: list[_Sleeper] = []
        self._seq = itertools.count()
        self._condition: asyncio.Condition | None = None
        #: Every duration passed to sleep(), in call order: tests assert "the waits requested".
        self.sleeps: list[float] = []

    # --- Clock protocol -------------------------------------------------------------------

    def now(self) -> datetime:
        return self._wall_base + timedelta(seconds=self._mono - self._mono_base)

    def monotonic(self) -> float:
        return self._mono

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        if seconds <= 0:
            # Still a suspension point, like asyncio.sleep(0): callers may rely on yielding.
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        sleeper = _Sleeper(self._mono + seconds, next(self._seq), future)
        heapq.heappush(self._sleepers, sleeper)
        async with self._cond:
            self._cond.notify_all()
        try:
            await future
        finally:
            if not future.done() or future.cancelled():
                # Cancelled while parked (e.g. asyncio.wait(FIRST_COMPLETED) losers): forget
                # it, or advance() would later "wake" a dead future and count it as pending.
                self._remove(sleeper)

    # --- test controls ----------------------------------------------------------------------

    def pending_sleepers(self) -> int:
        return sum(1 for s in self._sleepers if not s.future.done())

    def next_deadline(self) -> float | None:
        """The monotonic time of the earliest pending sleeper, if any."""
        live = [s.deadline for s in self._sleepers if not s.future.done()]
        return min(live) if live else None

    def pending_delays(self) -> list[float]:
        """Seconds from now until each pending sleeper's deadline, earliest first."""
        return sorted(s.deadline - self._mono for s in self._sleepers if not s.future.done())

    async def wait_for_sleepers(self, n: int = 1) -> None:
        """Return once at least ``n`` tasks are parked in :meth:`sleep`."""
        async with self._cond:
            await self._cond.wait_for(lambda: self.pending_sleepers() >= n)

    async def advance(self, seconds: float) -> None:
        """Move monotonic and wall time forward, waking every sleeper due on the way."""
        if seconds < 0:
            raise ValueError("time only moves forward")
        target = self._mono + seconds
        await self._settle()
        while self._sleepers and self._sleepers[0].deadline <= target:
            sleeper = heapq.heappop(self._sleepers)
            if sleeper.future.done():  # cancelled meanwhile
                continue
            self._mono = max(self._mono, sleeper.deadline)
            sleeper.future.set_result(None)
            await self._settle()
        self._mono = target

    async def advance_to(self, when: datetime) -> None:
        """Advance until the wall clock reads ``when`` (no-op if it already has)."""
        await self.advance(max(0.0, (when - self.now()).total_seconds()))

    async def advance_to_next(self) -> float:
        """Advance exactly to the earliest pending deadline; return the seconds advanced."""
        deadline = self.next_deadline()
        if deadline is None:
            raise RuntimeError("no task is sleeping on this clock")
        step = max(0.0, deadline - self._mono)
        await self.advance(step)
        return step

    async def drive(self, awaitable: Awaitable[T]) -> T:
        """Await ``awaitable``, jumping to the next deadline whenever a task sleeps on us.

        For tests where the code under test is the only user of this clock: it advances as soon
        as any sleeper is pending, without waiting for other tasks' real I/O to finish. Time
        never moves while no one sleeps, so real I/O in the awaited code itself is fine.
        """
        task = asyncio.ensure_future(awaitable)
        while not task.done():
            parked = asyncio.ensure_future(self.wait_for_sleepers(1))
            try:
                await asyncio.wait({task, parked}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                parked.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await parked
            if not task.done():
                await self.advance_to_next()
        return task.result()

    def set(self, when: datetime) -> None:
        """Set the wall clock (monotonic time and sleepers are untouched)."""
        if when.tzinfo is None:
            raise ValueError("FakeClock.set needs an aware datetime")
        self._wall_base = when.astimezone(UTC)
        self._mono_base = self._mono

    # --- internals ------------------------------------------------------------------------

    @property
    def _cond(self) -> asyncio.Condition:
        # Created lazily so a FakeClock can be built outside a running loop (sync fixtures).
        if self._condition is None:
            self._condition = asyncio.Condition()
        return self._condition

    def _remove(self, sleeper: _Sleeper) -> None:
        try:
            self._sleepers.remove(sleeper)
        except ValueError:
            return
        heapq.heapify(self._sleepers)

    async def _settle(self) -> None:
        for _ in range(self.settle_turns):
            await asyncio.sleep(0)
