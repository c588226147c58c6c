"""FakeClock, TokenBucket, SlidingWindow and RateLimiter, all on fake time (no real waiting)."""

from __future__ import annotations

import asyncio
import bisect
import itertools
import math
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import FakeClock, SystemClock
from bot.limits import PRIVATE_BURST
from bot.telegram.ratelimit import RateLimiter, SlidingWindow, TokenBucket

START = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START, monotonic_start=1000.0)


def max_in_window(times: list[float], window: float, weights: list[int] | None = None) -> int:
    """The largest count (or total weight) of events in any half-open span [t, t + window)."""
    weights = weights or [1] * len(times)
    assert times == sorted(times)
    prefix = [0]
    for w in weights:
        prefix.append(prefix[-1] + w)
    # A busiest window can always be slid right until it starts at an event.
    return max(
        (prefix[bisect.bisect_left(times, t + window)] - prefix[i] for i, t in enumerate(times)),
        default=0,
    )


# --- FakeClock --------------------------------------------------------------------------------


async def test_fake_clock_wakes_in_deadline_order(clock: FakeClock) -> None:
    woke: list[tuple[str, float, datetime]] = []

    async def sleeper(name: str, seconds: float) -> None:
        await clock.sleep(seconds)
        woke.append((name, clock.monotonic(), clock.now()))

    tasks = [
        asyncio.create_task(sleeper(name, s))
        for name, s in [("c", 3.0), ("a", 1.0), ("b", 2.0), ("b2", 2.0)]
    ]
    await clock.wait_for_sleepers(4)
    assert clock.pending_sleepers() == 4
    assert clock.pending_delays() == [1.0, 2.0, 2.0, 3.0]
    await clock.advance(2.5)
    # Each woke at its own deadline, ties in the order they went to sleep.
    assert [(n, m) for n, m, _ in woke] == [("a", 1001.0), ("b", 1002.0), ("b2", 1002.0)]
    assert woke[0][2] == START + timedelta(seconds=1)
    assert clock.monotonic() == 1002.5
    assert clock.pending_sleepers() == 1
    await clock.advance(0.5)
    await asyncio.gather(*tasks)
    assert [n for n, _, _ in woke] == ["a", "b", "b2", "c"]
    assert clock.sleeps == [3.0, 1.0, 2.0, 2.0]


async def test_fake_clock_chained_sleeps_within_one_advance(clock: FakeClock) -> None:
    ticks: list[float] = []

    async def ticker() -> None:
        for _ in range(5):
            await clock.sleep(1.0)
            ticks.append(clock.monotonic())

    task = asyncio.create_task(ticker())
    await clock.wait_for_sleepers(1)
    await clock.advance(3.5)
    assert ticks == [1001.0, 1002.0, 1003.0]
    await clock.advance(10)
    await task
    assert ticks == [1001.0, 1002.0, 1003.0, 1004.0, 1005.0]
    assert clock.monotonic() == 1013.5


async def test_fake_clock_cancelled_sleeper_is_forgotten(clock: FakeClock) -> None:
    task = asyncio.create_task(clock.sleep(5))
    await clock.wait_for_sleepers(1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert clock.pending_sleepers() == 0
    assert clock.next_deadline() is None
    with pytest.raises(RuntimeError):
        await clock.advance_to_next()


async def test_fake_clock_zero_sleep_does_not_park(clock: FakeClock) -> None:
    await clock.sleep(0)
    await clock.sleep(-1)
    assert clock.pending_sleepers() == 0
    assert clock.monotonic() == 1000.0


async def test_fake_clock_set_moves_wall_time_only(clock: FakeClock) -> None:
    task = asyncio.create_task(clock.sleep(10))
    await clock.wait_for_sleepers(1)
    later = START + timedelta(days=1)
    clock.set(later)
    assert clock.now() == later
    assert clock.monotonic() == 1000.0
    assert not task.done()
    await clock.advance_to(later + timedelta(seconds=10))
    await task
    assert clock.now() == later + timedelta(seconds=10)
    with pytest.raises(ValueError):
        clock.set(datetime(2026, 1, 1))  # noqa: DTZ001 - naive on purpose
    with pytest.raises(ValueError):
        await clock.advance(-1)


async def test_fake_clock_drive(clock: FakeClock) -> None:
    async def work() -> float:
        await clock.sleep(2)
        await clock.sleep(3)
        return clock.monotonic()

    assert await clock.drive(work()) == 1005.0


async def test_system_clock_is_aware_utc() -> None:
    clock = SystemClock()
    assert clock.now().tzinfo is UTC
    first = clock.monotonic()
    await clock.sleep(0)
    assert clock.monotonic() >= first


# --- TokenBucket ------------------------------------------------------------------------------


async def test_bucket_burst_then_exact_spacing(clock: FakeClock) -> None:
    bucket = TokenBucket(rate_per_s=2.0, capacity=3, clock=clock)

    async def take(n: int) -> list[float]:
        times = []
        for _ in range(n):
            await bucket.acquire()
            times.append(clock.monotonic() - 1000.0)
        return times

    times = await clock.drive(take(7))
    assert times == [0.0, 0.0, 0.0, 0.5, 1.0, 1.5, 2.0]
    # One computed sleep per wait, no polling.
    assert clock.sleeps == [0.5, 0.5, 0.5, 0.5]


async def test_bucket_refills_while_idle(clock: FakeClock) -> None:
    bucket = TokenBucket(rate_per_s=1.0, capacity=2, clock=clock)
    assert await bucket.acquire() == 0.0
    assert await bucket.acquire() == 0.0
    assert bucket.tokens(clock.monotonic()) == 0.0
    await clock.advance(1.5)
    assert bucket.tokens(clock.monotonic()) == 1.5
    assert await bucket.acquire() == 0.0
    assert await clock.drive(bucket.acquire()) == 0.5
    await clock.advance(100)
    assert bucket.tokens(clock.monotonic()) == 2  # capped at capacity
    assert bucket.is_full(clock.monotonic())


async def test_bucket_is_fifo(clock: FakeClock) -> None:
    bucket = TokenBucket(rate_per_s=1.0, capacity=1, clock=clock)
    order: list[tuple[str, float]] = []

    async def take(name: str, weight: int) -> None:
        await bucket.acquire(weight)
        order.append((name, clock.monotonic() - 1000.0))

    await clock.drive(asyncio.gather(take("a", 1), take("heavy", 3), take("b", 1), take("c", 1)))
    # The heavy request waits for a full bucket (capacity 1), leaves 2 tokens of debt, and
    # nobody overtakes it.
    assert order == [("a", 0.0), ("heavy", 1.0), ("b", 4.0), ("c", 5.0)]


def test_bucket_validates() -> None:
    with pytest.raises(ValueError):
        TokenBucket(0, 1)
    with pytest.raises(ValueError):
        TokenBucket(math.inf, 1)
    with pytest.raises(ValueError):
        TokenBucket(1, 0.5)


def test_sliding_window_unit() -> None:
    window = SlidingWindow(limit=3, window=10.0)
    assert window.ready_at() == -math.inf
    for t in (0.0, 1.0, 2.0):
        window.record(t)
    assert window.ready_at() == 10.0  # the oldest must leave [t - 10, t)
    assert window.ready_at(weight=2) == 11.0
    assert window.ready_at(weight=99) == 12.0  # clamped to the limit
    window.record(10.0)
    assert window.ready_at() == 11.0
    assert not window.is_empty(19.9)
    assert window.is_empty(20.0)
    with pytest.raises(ValueError):
        SlidingWindow(0, 1)


# --- RateLimiter ------------------------------------------------------------------------------


async def send_times(
    clock: FakeClock, limiter: RateLimiter, chat_id: int | str | None, n: int, weight: int = 1
) -> list[float]:
    times = []
    for _ in range(n):
        await limiter.acquire(chat_id, weight=weight)
        times.append(clock.monotonic() - 1000.0)
    return times


async def test_channel_backlog_drains_evenly_within_20_per_minute(clock: FakeClock) -> None:
    limiter = RateLimiter(clock=clock)
    times = await clock.drive(send_times(clock, limiter, -1001234567890, 100))
    assert max_in_window(times, 60.0) == 20
    assert times[:3] == [0.0, 3.0, 6.0]
    assert times[-1] == pytest.approx(297.0)  # 99 gaps of 60/20 s
    assert all(b - a == pytest.approx(3.0) for a, b in itertools.pairwise(times))
    assert limiter.total_wait == pytest.approx(297.0)


@pytest.mark.parametrize("burst", [3, 10, 20, 50])
async def test_channel_window_holds_for_any_burst(clock: FakeClock, burst: int) -> None:
    limiter = RateLimiter(clock=clock, chat_burst=burst)
    times = await clock.drive(send_times(clock, limiter, "@newsroom", 100))
    assert max_in_window(times, 60.0) == 20
    # The window makes 100 posts take at least four more full minutes after the first 20.
    assert 240.0 <= times[-1] <= 297.0 + 1e-9
    # The burst goes out back to back, only spaced by the global 30/s bucket.
    assert times[min(burst, 20) - 1] == pytest.approx((min(burst, 20) - 1) / 30)


async def test_albums_count_each_item(clock: FakeClock) -> None:
    # global_burst=30: keep the global 30/s spacing out of this per-chat arithmetic.
    limiter = RateLimiter(clock=clock, chat_burst=20, global_burst=30)
    times = await clock.drive(send_times(clock, limiter, -100500, 6, weight=7))
    assert max_in_window(times, 60.0, weights=[7] * 6) <= 20
    assert times[:2] == [0.0, 0.0]  # 14 items fit in the burst; the third album does not
    assert times[2] == pytest.approx(60.0)


async def test_global_30_per_second_over_many_chats(clock: FakeClock) -> None:
    limiter = RateLimiter(clock=clock)
    stamps: list[float] = []

    async def one(chat: int) -> None:
        await limiter.acquire(chat)
        stamps.append(clock.monotonic() - 1000.0)

    await clock.drive(asyncio.gather(*(one(-100 - i) for i in range(200))))
    stamps.sort()
    assert len(stamps) == 200
    assert max_in_window(stamps, 1.0) <= 30
    assert stamps[-1] == pytest.approx(199 / 30)


async def test_global_window_holds_with_large_global_burst(clock: FakeClock) -> None:
    limiter = RateLimiter(clock=clock, global_burst=100)
    times = await clock.drive(send_times(clock, limiter, None, 95))
    assert max_in_window(times, 1.0) == 30
    assert times[29] == 0.0
    assert times[30] == pytest.approx(1.0)


async def test_mixed_channels_respect_both_limits(clock: FakeClock) -> None:
    limiter = RateLimiter(clock=clock, chat_burst=5, global_burst=10)
    per_chat: dict[int, list[float]] = {}
    every: list[float] = []

    async def channel(chat: int) -> None:
        for _ in range(45):
            await limiter.acquire(chat)
            now = clock.monotonic() - 1000.0
            per_chat.setdefault(chat, []).append(now)
            every.append(now)

    await clock.drive(asyncio.gather(*(channel(-100 - i) for i in range(40))))
    every.sort()
    assert len(every) == 40 * 45
    assert max_in_window(every, 1.0) <= 30
    assert all(max_in_window(times, 60.0) <= 20 for times in per_chat.values())


async def test_private_chat_burst_then_one_per_second(clock: FakeClock) -> None:
    limiter = RateLimiter(clock=clock, global_burst=30)
    assert limiter.private_burst == PRIVATE_BURST == 3
    # A short burst back to back (Bot FAQ: "short bursts"), then the one-a-second pace.
    times = await clock.drive(send_times(clock, limiter, 42, 6))
    assert times == [0.0, 0.0, 0.0, 1.0, 2.0, 3.0]
    # A string numeric id is the same private chat; another user is independent.
    assert await clock.drive(limiter.acquire("42")) == pytest.approx(1.0)
    assert await clock.drive(limiter.acquire(43)) == 0.0
    # Idle for as long as the burst takes to refill: the next burst goes back to back again.
    await clock.advance(3.0)
    assert await clock.drive(send_times(clock, limiter, 42, 3)) == [7.0, 7.0, 7.0]


async def test_private_chat_without_burst(clock: FakeClock) -> None:
    limiter = RateLimiter(clock=clock, global_burst=30, private_burst=1)
    assert await clock.drive(send_times(clock, limiter, 42, 4)) == [0.0, 1.0, 2.0, 3.0]


async def test_same_chat_by_int_and_numeric_string(clock: FakeClock) -> None:
    limiter = RateLimiter(clock=clock, global_burst=30)
    await limiter.acquire(-1001)
    assert await clock.drive(limiter.acquire("-1001")) == pytest.approx(3.0)
    assert limiter.tracked_chats() == 1


async def test_penalize_holds_a_chat(clock: FakeClock) -> None:
    limiter = RateLimiter(clock=clock, global_burst=30)
    await limiter.acquire(-1)
    limiter.penalize(-1, 10)
    assert await clock.drive(limiter.acquire(-1)) == pytest.approx(10.0)
    assert await clock.drive(limiter.acquire(-2)) == 0.0  # other chats unaffected
    limiter.penalize(None, 5)
    assert await clock.drive(limiter.acquire(-3)) == pytest.approx(5.0)


async def test_cancelled_waiter_consumes_nothing(clock: FakeClock) -> None:
    limiter = RateLimiter(clock=clock, global_burst=30)
    await limiter.acquire(-7)
    waiter = asyncio.create_task(limiter.acquire(-7))
    await clock.wait_for_sleepers(1)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    # The next sender gets the slot the cancelled one was waiting for, not a later one.
    assert await clock.drive(limiter.acquire(-7)) == pytest.approx(3.0)


async def test_idle_lanes_are_dropped(clock: FakeClock) -> None:
    limiter = RateLimiter(clock=clock, sweep_every=10_000)
    await clock.drive(asyncio.gather(*(limiter.acquire(-i) for i in range(1, 301))))
    assert limiter.tracked_chats() == 300
    await clock.advance(30)
    assert limiter.prune() == 0  # still inside their 60 s windows: dropping would forget them
    await clock.advance(30)
    assert limiter.prune() == 300
    assert limiter.tracked_chats() == 0


async def test_sweep_runs_automatically(clock: FakeClock) -> None:
    limiter = RateLimiter(clock=clock, sweep_every=50)
    for i in range(1, 1001):
        await clock.drive(limiter.acquire(i))  # private chats: idle one second later
        await clock.advance(1.0)
    assert limiter.tracked_chats() <= 51
