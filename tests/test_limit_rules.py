"""Telegram's flood rules, one test each, on both sides: the client's RateLimiter (on a FakeClock,
no real waiting) and the fake Bot API's 429s (on a hand-moved clock). Issue 14, "Limits as
Telegram applies them"."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramRetryAfter
from aiogram.types import BotCommand, Chat, Update, User

from bot.clock import FakeClock
from bot.telegram.priority import (
    InteractiveMiddleware,
    Priority,
    PriorityGate,
    priority_for,
    replying_to,
)
from bot.telegram.ratelimit import RateLimiter
from bot.telegram.retry import RetryMiddleware
from fakegram.server import FakeTelegram

TOKEN = "42:TEST-token"
GROUP = -1009000000001
USER = 501
READERS = range(600, 640)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(monotonic_start=1000.0)


def t(clock: FakeClock) -> float:
    return clock.monotonic() - 1000.0


# --- client: which limit applies ---------------------------------------------------------------


@pytest.fixture
async def server(clock: FakeClock) -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN, clock=clock.monotonic) as tg:
        tg.add_user(USER, "Ann")
        for reader in READERS:
            tg.add_user(reader, f"Reader {reader}")
        tg.add_group(GROUP, "Desk")
        tg.enforce_rate_limits()
        yield tg


@pytest.fixture
async def limited_bot(server: FakeTelegram, clock: FakeClock) -> AsyncIterator[Bot]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(server.api_base))
    bot = Bot(TOKEN, session=session)
    # global_burst=30: the whole second's allowance at once, so "full" is one instant.
    limiter = RateLimiter(clock=clock, global_burst=30)
    bot.session.middleware(RetryMiddleware(limiter=limiter, clock=clock))
    yield bot
    await session.close()


async def test_non_message_methods_are_free_of_the_global_limit(
    server: FakeTelegram, clock: FakeClock, limited_bot: Bot
) -> None:
    bot = limited_bot
    first = await bot.send_message(USER, "one to edit later")
    for reader in list(READERS)[:29]:
        await bot.send_message(reader, "news")  # the global second is now full
    assert t(clock) == 0.0
    # None of these posts a message: none waits for the full global second.
    await bot.get_me()
    await bot.get_updates(timeout=0)
    await bot.get_chat_member(GROUP, 42)
    await bot.set_my_commands([BotCommand(command="help", description="Help")])
    await bot.send_chat_action(USER, "typing")
    await bot.edit_message_text("edited", chat_id=USER, message_id=first.message_id)
    assert t(clock) == 0.0
    assert clock.sleeps == []
    # A message does wait: the 31st of the second goes when the first leaves the window.
    await clock.drive(bot.send_message(list(READERS)[29], "news"))
    assert t(clock) == pytest.approx(1.0)
    assert server.stats.too_many_requests == 0


async def test_edits_take_their_chat_lane(clock: FakeClock) -> None:
    limiter = RateLimiter(clock=clock, global_burst=30)
    for _ in range(3):
        await limiter.acquire(USER)  # the private burst is spent
    # An edit in the same chat waits for the pace; in another chat it does not.
    assert await clock.drive(limiter.acquire(USER, broadcast=False)) == pytest.approx(1.0)
    assert await limiter.acquire(USER + 1, broadcast=False) == 0.0


# --- client: the rules -------------------------------------------------------------------------


async def test_group_window_exact_at_20_and_21(clock: FakeClock) -> None:
    limiter = RateLimiter(clock=clock, chat_burst=20, global_burst=30)
    for _ in range(20):
        assert await limiter.acquire(GROUP) == 0.0  # 20 in one instant: within the window
    twenty_first = asyncio.create_task(limiter.acquire(GROUP))
    await clock.wait_for_sleepers(1)
    await clock.advance(59.999)
    assert not twenty_first.done()  # 21 in [0, 60) would be one too many
    await clock.advance(0.001)
    assert await twenty_first == pytest.approx(60.0)


async def test_interactive_goes_ahead_of_background_on_the_same_lane(clock: FakeClock) -> None:
    limiter = RateLimiter(clock=clock, global_burst=30)
    for _ in range(3):
        await limiter.acquire(USER)  # background work spent the burst
    order: list[tuple[str, float]] = []

    async def send(name: str, priority: Priority) -> None:
        await limiter.acquire(USER, priority=priority)
        order.append((name, t(clock)))

    notice = asyncio.create_task(send("notice", Priority.BACKGROUND))
    await clock.wait_for_sleepers(1)  # the notice waits for the pace...
    reply = asyncio.create_task(send("reply", Priority.INTERACTIVE))  # ...when the person acts
    await clock.drive(asyncio.gather(notice, reply))
    assert order == [("reply", 1.0), ("notice", 2.0)]


async def test_interactive_goes_ahead_on_the_global_lane(clock: FakeClock) -> None:
    limiter = RateLimiter(clock=clock, global_burst=30)
    for reader in READERS[:30]:
        await limiter.acquire(reader)
    order: list[str] = []

    async def send(chat: int, priority: Priority) -> None:
        await limiter.acquire(chat, priority=priority)
        order.append(f"{chat}:{priority.name}")

    feed = [asyncio.create_task(send(-100 - i, Priority.BACKGROUND)) for i in range(3)]
    await clock.wait_for_sleepers(1)
    reply = asyncio.create_task(send(USER, Priority.INTERACTIVE))
    await clock.drive(asyncio.gather(*feed, reply))
    assert order[0] == f"{USER}:INTERACTIVE"


async def test_background_still_proceeds_under_interactive_load(clock: FakeClock) -> None:
    limiter = RateLimiter(clock=clock, global_burst=30, private_burst=1, interactive_run=4)
    await limiter.acquire(USER)
    order: list[str] = []

    async def send(name: str, priority: Priority) -> None:
        await limiter.acquire(USER, priority=priority)
        order.append(name)

    background = asyncio.create_task(send("B", Priority.BACKGROUND))
    await clock.wait_for_sleepers(1)
    replies = [asyncio.create_task(send(f"I{i}", Priority.INTERACTIVE)) for i in range(8)]
    await clock.drive(asyncio.gather(background, *replies))
    # Four interactive turns while the background one waits, then its turn, then the rest.
    assert order == ["I0", "I1", "I2", "I3", "B", "I4", "I5", "I6", "I7"]


def test_gate_order_and_fairness_rule() -> None:
    gate = PriorityGate(interactive_run=2)
    b1 = gate.enter(Priority.BACKGROUND)
    assert gate.is_next(b1)
    i1 = gate.enter(Priority.INTERACTIVE)
    i2 = gate.enter(Priority.INTERACTIVE)
    i3 = gate.enter(Priority.INTERACTIVE)
    assert gate.is_next(i1) and not b1.turn.is_set()
    for ticket in (i1, i2):
        gate.hold(ticket)
        assert not gate.is_next(i3)  # the order is frozen while a holder finishes
        gate.leave(ticket)
    assert gate.is_next(b1)  # two interactive turns passed it: background's turn
    gate.hold(b1)
    gate.leave(b1)
    assert gate.is_next(i3)
    gate.leave(i3)  # given up without holding (cancelled)
    assert len(gate) == 0


async def test_priority_follows_the_update_being_answered() -> None:
    assert priority_for(USER) is Priority.BACKGROUND
    with replying_to(str(USER)):
        assert priority_for(USER) is Priority.INTERACTIVE
        assert priority_for(GROUP) is Priority.BACKGROUND  # a notice to someone else
        assert priority_for(None) is Priority.BACKGROUND
    assert priority_for(USER) is Priority.BACKGROUND

    async def handler(event: Any, data: dict[str, Any]) -> Priority:
        return priority_for(USER)

    middleware = InteractiveMiddleware()
    update = Update(update_id=1)
    person = User(id=USER, is_bot=False, first_name="Ann")
    chat = Chat(id=USER, type="private")
    data = {"event_chat": chat, "event_from_user": person}
    assert await middleware(handler, update, data) is Priority.INTERACTIVE
    assert await middleware(handler, update, {"event_chat": chat}) is Priority.BACKGROUND


# --- the fake Bot API --------------------------------------------------------------------------


@pytest.fixture
async def plain_bot(server: FakeTelegram) -> AsyncIterator[Bot]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(server.api_base))
    yield Bot(TOKEN, session=session)  # no limiter: the server's rules alone
    await session.close()


async def test_fake_private_burst_then_pace(
    server: FakeTelegram, clock: FakeClock, plain_bot: Bot
) -> None:
    for i in range(3):
        await plain_bot.send_message(USER, f"burst {i}")
    with pytest.raises(TelegramRetryAfter) as info:
        await plain_bot.send_message(USER, "fourth at once")
    assert info.value.retry_after == 1
    await plain_bot.send_message(READERS[0], "another chat is not held")
    await clock.advance(1.0)
    await plain_bot.send_message(USER, "one a second")
    with pytest.raises(TelegramRetryAfter):
        await plain_bot.edit_message_text("edits are paced too", chat_id=USER, message_id=1)


async def test_fake_group_window_exact(
    server: FakeTelegram, clock: FakeClock, plain_bot: Bot
) -> None:
    for i in range(20):
        await plain_bot.send_message(GROUP, f"card {i}")
    await clock.advance(59.5)
    with pytest.raises(TelegramRetryAfter) as info:
        await plain_bot.send_message(GROUP, "21st inside the minute")
    assert info.value.retry_after == 1  # ceil(0.5): Telegram sends whole seconds
    await clock.advance(0.5)
    await plain_bot.send_message(GROUP, "21st once the first left the window")


async def test_fake_global_counts_messages_only(
    server: FakeTelegram, clock: FakeClock, plain_bot: Bot
) -> None:
    for reader in READERS[:30]:
        await plain_bot.send_message(reader, "news")
    await plain_bot.get_me()
    await plain_bot.get_chat_member(GROUP, 42)
    await plain_bot.edit_message_text("fixed", chat_id=READERS[0], message_id=1)
    with pytest.raises(TelegramRetryAfter):
        await plain_bot.send_message(READERS[31], "31st message of the second")
    assert server.stats.too_many_requests == 1
