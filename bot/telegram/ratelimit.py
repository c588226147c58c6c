"""Client-side flood control for the Bot API, so Telegram rarely has to answer 429.

Telegram's limits (Bot FAQ; see /work/shared/TELEGRAM_NOTES.md) are counts over *sliding*
windows: at most ~20 messages in any 60 seconds to one group or channel, ~30 per second over
the whole bot, ~1 per second in a private chat. Two mechanisms enforce them here, because each
alone is wrong in a different way:

* A **token bucket** (:class:`TokenBucket`) shapes the flow: with capacity ``c`` and rate ``r``
  it admits ``c + r*T`` requests in any span ``T``. With ``c = 1`` a backlog drains evenly
  (one post every 3 s to a channel) instead of 20 at once and nothing for a minute, which also
  respects the per-chat "about 1 per second in bursts" rule. But for ``c > 1`` it admits more
  than the window allows (``3 + 20 = 23`` in 60 s), and even at ``c = 1`` its float arithmetic
  can land a 21st post a hair inside the window.
* A **sliding-window log** (:class:`SlidingWindow`) is the guarantee: it remembers the last
  ``limit`` admission times and admits only when the oldest one that must expire is at least
  ``window`` seconds old. So "never more than 20 in any 60 s" holds exactly, whatever burst
  size the bucket is given. It costs ``limit`` floats per active chat.

A request is admitted when every limiter that applies (its chat's lane, then the global one)
is ready; both are charged at the same instant, the instant ``acquire()`` returns. Waiting is
a single computed sleep per constraint, never a poll loop (a re-check happens only after a
sleep, and finds the constraint met unless the clock woke us early, or when a waiter of higher
priority took the turn meanwhile).

Which limits apply (decided by the caller, :mod:`bot.telegram.retry`): a message sent takes
its chat's lane and the global one (``broadcast=True``); an edit takes its chat's lane only
(``broadcast=False``). Private chats: a token bucket of :data:`~bot.limits.PRIVATE_BURST` at
one a second ("short bursts" are tolerated, Bot FAQ), no window. Groups and channels: the
bucket and the exact 20-in-any-60-s window. Global: 30 in any second.

Order among waiters: :class:`bot.telegram.priority.PriorityGate` on every lane, so an
interactive reply goes ahead of background work waiting for the same limit, and background
work still gets its turn (the rule is in that module's docstring).

Albums: Telegram counts each item of a media group as a message, so callers pass ``weight``
(``len(media)``) and the album is charged that many times.

Memory: a chat's lane is dropped when no one is waiting on it and it is back to its initial
state (bucket full, window empty, no penalty), so dropping it loses nothing; lanes are swept
every ``sweep_every`` acquisitions (or by calling :meth:`RateLimiter.prune`).

Several instances: with ``shared`` (:mod:`bot.telegram.shared_limits`, ``REDIS_URL``) each
admission also passes the windows, pace and pauses all instances keep in Redis.
"""

from __future__ import annotations

import asyncio
import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from bot.clock import SystemClock
from bot.limits import (
    GROUP_MESSAGES_PER_MINUTE,
    MESSAGES_PER_SECOND,
    PRIVATE_BURST,
    PRIVATE_MESSAGES_PER_SECOND,
)
from bot.telegram.priority import (
    INTERACTIVE_RUN,
    Priority,
    PriorityGate,
    Ticket,
    chat_key,
    for_a_person,
)

if TYPE_CHECKING:
    from bot.telegram.shared_limits import RedisLimits

__all__ = ["RateLimiter", "SlidingWindow", "Timer", "TokenBucket"]

ChatId = int | str | None


class Timer(Protocol):
    """The part of :class:`bot.clock.Clock` that rate limiting needs."""

    def monotonic(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


async def _wait_until(timer: Timer, ready_at: Callable[[], float]) -> None:
    # Loop only to absorb early wake-ups (asyncio may fire a timer up to its clock resolution
    # early) and float rounding in "now + delay"; each turn sleeps the exact remaining time.
    while True:
        now = timer.monotonic()
        at = ready_at()
        if now >= at:
            return
        await timer.sleep(at - now)


class TokenBucket:
    """A token bucket in its GCRA form (one "theoretical arrival time" instead of a refill).

    ``rate_per_s`` tokens accrue per second up to ``capacity``; the bucket starts full. The
    equivalence: ``tokens(t) = capacity - max(0, tat - t) * rate``.
    """

    def __init__(
        self,
        rate_per_s: float,
        capacity: float = 1.0,
        *,
        clock: Timer | None = None,
    ) -> None:
        if rate_per_s <= 0 or not math.isfinite(rate_per_s):
            raise ValueError("rate_per_s must be a positive number")
        if capacity < 1:
            raise ValueError("capacity must be at least 1, or nothing can ever be acquired")
        self.rate_per_s = rate_per_s
        self.capacity = capacity
        self.interval = 1.0 / rate_per_s
        self._tat = -math.inf
        self._clock: Timer = clock or SystemClock()
        self._lock = asyncio.Lock()

    def ready_at(self, weight: float = 1) -> float:
        """The monotonic time from which ``weight`` tokens are available.

        A weight above the capacity could never be available: it waits for a full bucket and
        leaves the rest as debt, so heavy requests are slowed, not starved.
        """
        usable = min(weight, self.capacity)
        return self._tat - (self.capacity - usable) * self.interval

    def consume(self, now: float, weight: float = 1) -> None:
        """Take ``weight`` tokens at ``now`` (the caller checked :meth:`ready_at`)."""
        self._tat = max(self._tat, now) + weight * self.interval

    def tokens(self, now: float) -> float:
        return self.capacity - max(0.0, self._tat - now) * self.rate_per_s

    def is_full(self, now: float) -> bool:
        return self._tat <= now

    async def acquire(self, weight: float = 1) -> float:
        """Wait until ``weight`` tokens are available, take them; return the seconds waited.

        Waiters are served first come, first served (asyncio.Lock is FIFO), so a steady stream
        of light requests cannot starve a heavy one.
        """
        start = self._clock.monotonic()
        async with self._lock:
            await _wait_until(self._clock, lambda: self.ready_at(weight))
            now = self._clock.monotonic()
            self.consume(now, weight)
        return now - start


class SlidingWindow:
    """At most ``limit`` admissions in any half-open span of ``window`` seconds."""

    def __init__(self, limit: int, window: float) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("limit must be >= 1 and window > 0")
        self.limit = limit
        self.window = window
        self._log: deque[float] = deque(maxlen=limit)

    def ready_at(self, weight: int = 1) -> float:
        weight = min(weight, self.limit)
        excess = len(self._log) + weight - self.limit
        if excess <= 0:
            return -math.inf
        # The `excess` oldest admissions must have left the window [now - window, now).
        return self._log[excess - 1] + self.window

    def record(self, now: float, weight: int = 1) -> None:
        # maxlen drops the oldest entries, which ready_at() proved are out of the window.
        self._log.extend([now] * min(weight, self.limit))

    def is_empty(self, now: float) -> bool:
        return not self._log or self._log[-1] + self.window <= now


@dataclass(eq=False)
class _Lane:
    bucket: TokenBucket
    window: SlidingWindow | None
    gate: PriorityGate = field(default_factory=PriorityGate)
    blocked_until: float = -math.inf

    def ready_at(self, weight: int) -> float:
        at = max(self.bucket.ready_at(weight), self.blocked_until)
        if self.window is not None:
            at = max(at, self.window.ready_at(weight))
        return at

    def charge(self, now: float, weight: int) -> None:
        self.bucket.consume(now, weight)
        if self.window is not None:
            self.window.record(now, weight)

    def is_idle(self, now: float) -> bool:
        return (
            not self.gate
            and self.bucket.is_full(now)
            and (self.window is None or self.window.is_empty(now))
            and self.blocked_until <= now
        )


def _is_private(chat_id: int | str) -> bool:
    # Bot API ids: users are positive, groups negative, supergroups/channels -100...;
    # "@name" addresses a public channel or supergroup, never a private chat.
    if isinstance(chat_id, int):
        return chat_id > 0
    return chat_id.lstrip().isdigit()


class RateLimiter:
    """Per-chat and global flood control; ``await acquire(chat_id)`` before each send.

    Defaults follow Telegram's published guidance. ``chat_burst`` and ``global_burst`` only
    shape the flow (how many may go back to back); the sliding windows cap the counts
    regardless, so raising them never breaks the limits. ``private_burst`` is the one count a
    private chat gets (it has no window: Telegram's rule there is a pace, not a count). The
    same channel addressed once by id and once by ``@username`` gets two lanes: address each
    channel one way.
    """

    def __init__(
        self,
        per_chat_per_minute: int = GROUP_MESSAGES_PER_MINUTE,
        global_per_second: int = MESSAGES_PER_SECOND,
        *,
        private_per_second: float = PRIVATE_MESSAGES_PER_SECOND,
        private_burst: int = PRIVATE_BURST,
        chat_burst: int = 1,
        global_burst: int = 1,
        interactive_run: int = INTERACTIVE_RUN,
        global_margin: float = 0.0,
        clock: Timer | None = None,
        sweep_every: int = 256,
        shared: RedisLimits | None = None,
    ) -> None:
        #: Several instances (``REDIS_URL``): every admission also passes the limits they
        #: share in Redis (:mod:`bot.telegram.shared_limits`); None: this process alone.
        self.shared = shared
        self.per_chat_per_minute = per_chat_per_minute
        self.private_per_second = private_per_second
        self.private_burst = private_burst
        self.chat_burst = chat_burst
        self.interactive_run = interactive_run
        self.sweep_every = sweep_every
        self._clock: Timer = clock or SystemClock()
        self._global = _Lane(
            TokenBucket(global_per_second, global_burst, clock=self._clock),
            # global_margin: Telegram counts arrivals, we count admissions; a burst reaches it
            # spread over some milliseconds, so a window of exactly 1 s can put the 31st
            # message a hair inside the second of the first one's arrival.
            SlidingWindow(global_per_second, 1.0 + global_margin),
            PriorityGate(interactive_run),
        )
        self._lanes: dict[int | str, _Lane] = {}
        self._since_sweep = 0
        #: Seconds spent waiting in acquire(), summed: a stats figure ("how throttled are we").
        self.total_wait = 0.0

    def _new_lane(self, chat_id: int | str) -> _Lane:
        gate = PriorityGate(self.interactive_run)
        if _is_private(chat_id):
            bucket = TokenBucket(self.private_per_second, self.private_burst, clock=self._clock)
            return _Lane(bucket, None, gate)
        return _Lane(
            TokenBucket(self.per_chat_per_minute / 60.0, self.chat_burst, clock=self._clock),
            SlidingWindow(self.per_chat_per_minute, 60.0),
            gate,
        )

    def _lane(self, chat_id: int | str) -> _Lane:
        key = chat_key(chat_id)
        lane = self._lanes.get(key)
        if lane is None:
            lane = self._lanes[key] = self._new_lane(chat_id)
        return lane

    async def acquire(
        self,
        chat_id: ChatId,
        *,
        weight: int = 1,
        broadcast: bool = True,
        priority: Priority = Priority.BACKGROUND,
    ) -> float:
        """Wait until a request to ``chat_id`` (``None``: no chat) may go; return the wait.

        ``broadcast``: the request is a message sent, so the global limit applies too (an edit
        passes ``False``: only its chat's limit). Chat first, then global: the global gate is
        held only for the (short) global wait, so a channel waiting out its 3-second spacing
        never blocks sends to other chats.
        """
        weight = max(1, weight)
        start = self._clock.monotonic()
        self._since_sweep += 1
        if self._since_sweep >= self.sweep_every:
            self.prune()
        glob = self._global if broadcast else None
        if chat_id is None:
            if glob is not None:
                if self.shared is not None:
                    await self.shared.admit(None, weight=weight, broadcast=True)
                await self._pass(glob, weight, priority, None)
        else:
            lane = self._lane(chat_id)
            ticket = lane.gate.enter(priority)
            try:
                await self._turn(lane, ticket, weight)
                if self.shared is not None:
                    # Holding the chat's gate: this process's waiters keep their order while
                    # the other instances' share is waited for.
                    await self.shared.admit(
                        chat_id, weight=weight, broadcast=broadcast, person=for_a_person()
                    )
                # The chat lane stays ready while we wait for the global one: its gate is held
                # by us, only the holder charges it, and readiness only improves.
                if glob is None:
                    lane.charge(self._clock.monotonic(), weight)
                else:
                    await self._pass(glob, weight, priority, lane)
            finally:
                lane.gate.leave(ticket)
        waited = self._clock.monotonic() - start
        self.total_wait += waited
        return waited

    async def _turn(self, lane: _Lane, ticket: Ticket, weight: int) -> None:
        """Return holding ``lane``'s gate once ``ticket`` is next in line and the lane ready."""
        while True:
            if not lane.gate.is_next(ticket):
                await ticket.turn.wait()
                continue
            now = self._clock.monotonic()
            at = lane.ready_at(weight)
            if now >= at:
                lane.gate.hold(ticket)
                return
            # One computed sleep; asyncio may wake us a hair early, and a waiter of higher
            # priority may have taken the turn meanwhile: both are re-checked above.
            await self._clock.sleep(at - now)

    async def _pass(
        self, glob: _Lane, weight: int, priority: Priority, lane: _Lane | None
    ) -> None:
        ticket = glob.gate.enter(priority)
        try:
            await self._turn(glob, ticket, weight)
            now = self._clock.monotonic()
            glob.charge(now, weight)
            if lane is not None:
                lane.charge(now, weight)
        finally:
            glob.gate.leave(ticket)

    def penalize(self, chat_id: ChatId, seconds: float) -> None:
        """Hold everything to ``chat_id`` (``None``: every request) for ``seconds``.

        Called on a 429: Telegram's ``retry_after`` applies to every concurrent sender, not
        only to the request that received it.
        """
        until = self._clock.monotonic() + max(0.0, seconds)
        lane = self._global if chat_id is None else self._lane(chat_id)
        lane.blocked_until = max(lane.blocked_until, until)
        if self.shared is not None:
            self.shared.pause(chat_id, seconds)  # every instance that would write to it

    def prune(self) -> int:
        """Drop lanes that are back to their initial state; return how many were dropped."""
        self._since_sweep = 0
        now = self._clock.monotonic()
        idle = [key for key, lane in self._lanes.items() if lane.is_idle(now)]
        for key in idle:
            del self._lanes[key]
        return len(idle)

    def tracked_chats(self) -> int:
        return len(self._lanes)
