"""Telegram's limits shared by every instance through Redis (``REDIS_URL``, issue 17).

Two :class:`RateLimiter` objects, each with its own Redis client (two "instances"), on one
Redis server and one fake clock. Time moves only when every sender is parked in a sleep, so
the admission instants the test writes down are the ones the Lua script recorded.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime

import pytest
import redis.asyncio as redis
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from bot.clock import FakeClock
from bot.telegram.ratelimit import RateLimiter
from bot.telegram.retry import RetryMiddleware
from bot.telegram.shared_limits import RedisLimits
from fakegram.server import FakeTelegram
from tests.backends import REDIS_ENV, server_url

START = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
CHANNEL = -1001234567890
OTHER = -1009876543210
Pair = tuple[RateLimiter, RateLimiter]


@pytest.fixture
async def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
async def pair(clock: FakeClock) -> AsyncIterator[Pair]:
    url = server_url(REDIS_ENV, "Redis")
    prefix = f"test:limits:{uuid.uuid4().hex}"  # a fresh set of keys for each test
    shared = [
        RedisLimits(redis.from_url(url), clock=clock, prefix=prefix, global_per_second=30)
        for _ in range(2)
    ]
    limiters = (
        RateLimiter(clock=clock, chat_burst=3, global_burst=30, shared=shared[0]),
        RateLimiter(clock=clock, chat_burst=3, global_burst=30, shared=shared[1]),
    )
    try:
        yield limiters
    finally:
        cleanup = shared[0].redis
        keys = [key async for key in cleanup.scan_iter(match=f"{prefix}:*")]
        if keys:
            await cleanup.delete(*keys)
        for one in shared:
            await one.close()


async def drive(clock: FakeClock, jobs: list[Awaitable[None]], budget_s: float = 30.0) -> None:
    """Run ``jobs``; advance the fake clock only when every unfinished job sleeps on it."""
    tasks = [asyncio.ensure_future(job) for job in jobs]
    start = time.monotonic()
    try:
        while not all(t.done() for t in tasks):
            assert time.monotonic() - start < budget_s, "the senders did not finish"
            live = sum(not t.done() for t in tasks)
            if clock.pending_sleepers() >= live:
                await clock.advance_to_next()
            else:
                await asyncio.sleep(0.001)  # a Redis round trip is under way
        for t in tasks:
            t.result()
    finally:
        for t in tasks:
            t.cancel()


def sender(
    limiter: RateLimiter, clock: FakeClock, chat: int, count: int, stamps: list[tuple[float, int]]
) -> Callable[[], Awaitable[None]]:
    async def send() -> None:
        for _ in range(count):
            await limiter.acquire(chat)
            stamps.append((clock.monotonic(), id(limiter)))

    return send


def most_in_any(times: list[float], span: float) -> int:
    """The largest number of ``times`` inside one half-open span ``[t, t + span)``."""
    times = sorted(times)
    best, first = 0, 0
    for last, at in enumerate(times):
        while times[first] + span <= at:
            first += 1
        best = max(best, last - first + 1)
    return best


async def test_two_instances_never_put_more_than_20_in_any_minute_into_one_channel(
    pair: Pair, clock: FakeClock
) -> None:
    first, second = pair
    stamps: list[tuple[float, int]] = []
    await drive(
        clock,
        [
            sender(first, clock, CHANNEL, 30, stamps)(),
            sender(second, clock, CHANNEL, 30, stamps)(),
        ],
    )
    times = [at for at, _ in stamps]
    assert len(times) == 60
    assert most_in_any(times, 60.0) == 20  # alone, each instance would have let 20 through
    assert {who for _, who in stamps} == {id(first), id(second)}  # both took turns
    # The shared window is the only thing holding them back: 60 posts take 2 minutes and a bit.
    assert 120.0 <= max(times) - min(times) < 150.0


async def test_a_429_on_one_instance_pauses_the_other_for_that_chat(
    pair: Pair, clock: FakeClock
) -> None:
    first, second = pair
    await first.acquire(CHANNEL)
    first.penalize(CHANNEL, 30)  # what RetryMiddleware does on retry_after=30
    assert first.shared is not None
    await first.shared.flush()
    start = clock.monotonic()
    other: list[tuple[float, int]] = []
    same: list[tuple[float, int]] = []
    await drive(
        clock,
        [
            sender(second, clock, OTHER, 1, other)(),
            sender(second, clock, CHANNEL, 1, same)(),
        ],
    )
    assert other[0][0] - start < 1.0  # another chat is not held back
    assert same[0][0] - start >= 30.0  # the paused chat waits the whole retry_after
    assert same[0][0] - start < 31.0


async def test_the_private_pace_and_the_global_rate_are_shared_too(
    pair: Pair, clock: FakeClock
) -> None:
    first, second = pair
    person: list[tuple[float, int]] = []
    await drive(
        clock,
        [sender(first, clock, 42, 6, person)(), sender(second, clock, 42, 6, person)()],
    )
    times = sorted(at for at, _ in person)
    # A burst of 3 (PRIVATE_BURST), then one a second, counted over both instances.
    for i, early in enumerate(times):
        for j in range(i, len(times)):
            assert j - i + 1 <= 3 + (times[j] - early) + 1e-6
    assert times[-1] - times[0] >= 12 - 3 - 1e-6

    # 80 messages to 80 groups from two instances: never more than 30 in any second.
    crowd: list[tuple[float, int]] = []
    jobs = [sender(pair[n % 2], clock, -(1000 + n), 1, crowd)() for n in range(80)]
    await drive(clock, jobs)
    assert most_in_any([at for at, _ in crowd], 1.0) == 30


# --- through aiogram and the fake Bot API -------------------------------------------------------

TOKEN = "42:TEST-token"


@pytest.fixture
async def server(clock: FakeClock) -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN, clock=clock.monotonic) as tg:
        tg.add_group(CHANNEL, "Newsroom")
        tg.enforce_rate_limits()  # Telegram's 429s, measured on the fake clock
        yield tg


@pytest.fixture
async def bots(pair: Pair, server: FakeTelegram, clock: FakeClock) -> AsyncIterator[list[Bot]]:
    """Two instances of one bot: each its own session, retry policy and limiter."""
    made = []
    for limiter in pair:
        bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(server.api_base)))
        bot.session.middleware(RetryMiddleware(limiter=limiter, clock=clock))
        made.append(bot)
    yield made
    for bot in made:
        await bot.session.close()


def poster(bot: Bot, clock: FakeClock, count: int, done: list[float]) -> Awaitable[None]:
    async def post() -> None:
        for n in range(count):
            await bot.send_message(CHANNEL, f"post {n}")
            done.append(clock.monotonic())

    return post()


async def test_two_bot_instances_stay_under_the_channel_limit_telegram_enforces(
    bots: list[Bot], server: FakeTelegram, clock: FakeClock
) -> None:
    done: list[float] = []
    await drive(clock, [poster(bot, clock, 15, done) for bot in bots])
    assert len(server.messages(CHANNEL)) == 30
    assert server.stats.too_many_requests == 0  # Telegram never had to say "too many"
    assert most_in_any(done, 60.0) == 20


async def test_telegrams_retry_after_to_one_instance_holds_the_other_back(
    bots: list[Bot], server: FakeTelegram, clock: FakeClock, pair: Pair
) -> None:
    first, second = bots
    server.fail_next(
        "sendMessage",
        error_code=429,
        description="Too Many Requests: retry after 30",
        retry_after=30,
    )
    start = clock.monotonic()
    throttled = asyncio.ensure_future(first.send_message(CHANNEL, "throttled"))
    await clock.wait_for_sleepers(1)  # the first instance waits out its retry_after
    assert pair[0].shared is not None
    await pair[0].shared.flush()  # its pause is in Redis
    done: list[float] = []
    await drive(clock, [throttled, poster(second, clock, 1, done)])
    assert done[0] - start >= 30.0  # the second instance did not write to the paused chat
    assert server.stats.too_many_requests == 1
    assert len(server.messages(CHANNEL)) == 2
