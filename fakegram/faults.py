"""Faults a test asks for: errors, dropped connections, slow or held answers, seeded chaos.

Queued faults (``fail_next`` & co) hit the next calls of a method in order; chaos fails a random
share of send/edit/delete calls from a seeded generator, so runs are repeatable.
"""

from __future__ import annotations

import asyncio
import random
from collections import deque
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from fakegram.limits import SEND_METHODS, RateLimits
from fakegram.records import InjectedFault

_CHAOS_DEFAULT_METHODS = SEND_METHODS | frozenset(
    {
        "editmessagetext",
        "editmessagecaption",
        "editmessagemedia",
        "editmessagereplymarkup",
        "deletemessage",
        "pinchatmessage",
        "answercallbackquery",
    }
)


@dataclass(slots=True)
class Fault:
    kind: str  # error | drop | drop_after | slow | hold
    error_code: int = 0
    description: str = ""
    retry_after: int | None = None
    seconds: float = 0.0
    release: asyncio.Event | None = None  # hold: handled once this is set


class Faults:
    """The queued faults and the chaos settings; ``take`` says what happens to one call."""

    def __init__(self) -> None:
        self.queued: dict[str, deque[Fault]] = {}
        self.chaos_rate = 0.0
        self.chaos_rng = random.Random(0)
        self.chaos_kinds: tuple[int | str, ...] = ()
        self.chaos_methods: frozenset[str] = _CHAOS_DEFAULT_METHODS
        self.chaos_slow_seconds = 0.2
        self.chaos_seed = 0
        self.chaos_per_chat = False
        self.chaos_streams: dict[tuple[str, str], random.Random] = {}
        #: Every fault chaos injected, in order (not the ones queued with fail_next & co).
        self.chaos_log: list[InjectedFault] = []

    def queue(self, method: str, faults: Iterable[Fault]) -> None:
        self.queued.setdefault(method.lower(), deque()).extend(faults)

    def take(self, key: str, chat_id: str = "") -> Fault | None:
        """The fault for this call of method ``key`` (lower case), or None to carry it out."""
        for name in (key, "*"):
            queue = self.queued.get(name)
            if queue:
                return queue.popleft()
        if self.chaos_rate <= 0 or key not in self.chaos_methods or not self.chaos_kinds:
            return None
        rng = self._chaos_stream(key, chat_id)
        if rng.random() >= self.chaos_rate:
            return None
        kind = rng.choice(self.chaos_kinds)
        self.chaos_log.append(InjectedFault(key, chat_id, str(kind)))
        if kind in ("drop", "drop_after"):
            return Fault(str(kind))
        if kind == "slow":
            return Fault("slow", seconds=self.chaos_slow_seconds)
        code = int(kind)
        if code == 429:
            return Fault("error", 429, "Too Many Requests: retry after 1", 1)
        names = {500: "Internal Server Error", 502: "Bad Gateway"}
        return Fault("error", code, names.get(code, f"Error {code}"))

    def _chaos_stream(self, key: str, chat_id: str) -> random.Random:
        if not self.chaos_per_chat:
            return self.chaos_rng
        stream = self.chaos_streams.get((key, chat_id))
        if stream is None:
            # A str seed is hashed with SHA-512 by random.Random: stable across processes.
            stream = random.Random(f"{self.chaos_seed}:{key}:{chat_id}")
            self.chaos_streams[(key, chat_id)] = stream
        return stream


class FaultControls:
    """The switches a test flips, mixed into :class:`~fakegram.server.FakeTelegram`."""

    faults: Faults
    rate_limits: RateLimits

    @property
    def chaos_log(self) -> list[InjectedFault]:
        """Every fault chaos injected, in order (not the ones queued with fail_next & co)."""
        return self.faults.chaos_log

    def fail_next(
        self,
        method: str,
        *,
        error_code: int,
        description: str,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """The next ``times`` calls of ``method`` ("*" for any) get this error instead."""
        fault = Fault("error", error_code, description, retry_after)
        self.faults.queue(method, [fault] * times)

    def drop_next(self, method: str, times: int = 1, *, after: bool = False) -> None:
        """Close the connection without answering the next ``times`` calls of ``method``.

        ``after=True`` carries the call out first (the message is sent) and then drops the
        answer: the bot cannot know whether it worked, like a timeout after Telegram acted.
        """
        fault = Fault("drop_after" if after else "drop")
        self.faults.queue(method, [fault] * times)

    def slow_next(self, method: str, seconds: float, times: int = 1) -> None:
        """Delay the answer of the next ``times`` calls of ``method``."""
        fault = Fault("slow", seconds=seconds)
        self.faults.queue(method, [fault] * times)

    def hold_next(self, method: str) -> asyncio.Event:
        """Keep the next call of ``method`` waiting -- arrived, not yet carried out nor answered
        -- until the returned event is set; then it is handled as usual.

        For tests that need something to happen while a request is on the wire, in order and
        without timing: wait for the call to arrive (``wait_for_call``), act, release it.
        """
        release = asyncio.Event()
        self.faults.queue(method, [Fault("hold", release=release)])
        return release

    def set_chaos(
        self,
        rate: float,
        seed: int,
        kinds: Collection[int | str] = (429, 500, 502, "drop", "slow"),
        *,
        methods: Collection[str] | None = None,
        slow_seconds: float = 0.2,
        per_chat: bool = False,
    ) -> None:
        """Fail a random ``rate`` of send/edit/delete calls (seeded: runs are repeatable).

        ``kinds``: HTTP error codes (429 comes with retry_after 1), "drop" (no answer, nothing
        done), "drop_after" (done, no answer) and "slow" (answered after ``slow_seconds``).
        ``rate=0`` turns chaos off.

        With one generator for all calls, which call gets which fault depends on how concurrent
        requests happen to interleave. ``per_chat=True`` draws each (method, ``chat_id``) pair's
        faults from a stream of its own, seeded from ``seed`` and the pair: the n-th
        ``sendMessage`` to a chat meets the same fault in every run, however the bot's tasks
        interleave across chats.
        """
        faults = self.faults
        faults.chaos_rate = rate
        faults.chaos_rng = random.Random(seed)
        faults.chaos_seed = seed
        faults.chaos_per_chat = per_chat
        faults.chaos_streams = {}
        faults.chaos_kinds = tuple(kinds)
        faults.chaos_slow_seconds = slow_seconds
        if methods is not None:
            faults.chaos_methods = frozenset(m.lower() for m in methods)

    def enforce_rate_limits(
        self,
        per_chat_per_minute: int | None = 20,
        global_per_second: int | None = 30,
        *,
        private_per_second: float | None = 1.0,
        private_burst: int = 3,
    ) -> None:
        """Answer 429 over Telegram's limits, measured on ``clock``.

        ``per_chat_per_minute`` applies to groups and channels (Telegram's 20/min, sends and
        edits), ``private_per_second`` with ``private_burst`` to each private chat (about one a
        second after a short burst, sends and edits), ``global_per_second`` to all messages the
        bot sends (edits, reads and other methods are not counted). ``None`` lifts a limit.
        """
        self.rate_limits.per_chat_minute = per_chat_per_minute
        self.rate_limits.global_second = global_per_second
        self.rate_limits.private_per_second = private_per_second
        self.rate_limits.private_burst = private_burst
