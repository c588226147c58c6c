"""A burst of mixed traffic through the real aiogram HTTP path against the fake Bot API with
Telegram's limits enforced: the client-side limiter keeps every request inside them (no 429).

Editors paste articles and ask for /help (interactive replies in private chats), then submit
them (review cards to the admin group: background work for the group's 20-a-minute window),
while callback answers and reads pass free. Bot and server share a FakeClock, and time moves
only while no limited request is between its admission and the server's answer, so the server
measures each request at the instant the limiter admitted it (as Telegram would, minus the
network). Nothing here asserts a duration.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType

from bot.clock import FakeClock
from fakegram.harness import ADMIN_CHAT_ID, Sandbox

EDITORS = list(range(70_000, 70_008))


class Gate(BaseRequestMiddleware):
    """Outermost: new requests wait while the test moves the clock."""

    def __init__(self) -> None:
        self.open = asyncio.Event()
        self.open.set()

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        await self.open.wait()
        return await make_request(bot, method)


class InFlight(BaseRequestMiddleware):
    """Innermost: requests on the wire (admitted by the limiter, not answered yet)."""

    def __init__(self) -> None:
        self.count = 0
        self.idle = asyncio.Event()
        self.idle.set()

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if method.__api_method__ == "getUpdates":  # a long poll, not a limited request
            return await make_request(bot, method)
        self.count += 1
        self.idle.clear()
        try:
            return await make_request(bot, method)
        finally:
            self.count -= 1
            if self.count == 0:
                self.idle.set()


def article(user: int) -> str:
    return (
        f"В Актобе открыли новую библиотеку № {user}\n\n"
        f"Библиотеку № {user} открыли после ремонта, сообщили в акимате.\n\n"
        + "Фонд пополнили книгами на казахском и русском языках. "
        * 3
    )


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[Sandbox, FakeClock, Gate, InFlight]]:
    clock = FakeClock()
    sandbox = Sandbox(clock=clock, workdir=tmp_path, start_background=False, extra_editors=EDITORS)
    async with sandbox:
        sandbox.tg.enforce_rate_limits()
        session = sandbox.bot_app.bot.session
        retry = sandbox.bot_app.retry
        gate, inflight = Gate(), InFlight()
        session.middleware.unregister(retry)
        session.middleware(gate)
        session.middleware(retry)
        session.middleware(inflight)
        yield sandbox, clock, gate, inflight


async def until(
    world: tuple[Sandbox, FakeClock, Gate, InFlight], predicate: Callable[[], bool]
) -> None:
    """Wait for ``predicate``; when the bot is quiet, move the clock to the next sleeper."""
    sandbox, clock, gate, inflight = world
    for _ in range(2000):
        with contextlib.suppress(TimeoutError):
            await sandbox.tg.wait_for(predicate, timeout=0.2)
            return
        gate.open.clear()
        try:
            await inflight.idle.wait()
            deadline = clock.next_deadline()
            if deadline is not None:
                await clock.advance(max(0.0, deadline - clock.monotonic()))
        finally:
            gate.open.set()
    raise AssertionError("the traffic never settled")


async def test_mixed_burst_gets_no_429(world: tuple[Sandbox, FakeClock, Gate, InFlight]) -> None:
    sandbox, _clock, _gate, _inflight = world
    tg = sandbox.tg
    for user in EDITORS:
        tg.send_text(user, article(user))
        tg.send_text(user, "/help")

    def submit_button(user: int) -> tuple[int, str] | None:
        for message in tg.messages(user):
            for row in message.button_data:
                for data in row:
                    if data.startswith("d:submit:"):
                        return message.message_id, data
        return None

    await until(world, lambda: all(submit_button(u) is not None for u in EDITORS))
    # The draft (one message: the post carries its header and buttons) and the /help answer.
    await until(world, lambda: all(len(tg.messages(u)) >= 2 for u in EDITORS))
    cards_before = len(tg.messages(ADMIN_CHAT_ID))
    for user in EDITORS:
        found = submit_button(user)
        assert found is not None
        tg.press_button(user, chat_id=user, message_id=found[0], data=found[1])
    await until(world, lambda: len(tg.callback_answers) >= len(EDITORS))
    await until(world, lambda: len(tg.messages(ADMIN_CHAT_ID)) >= cards_before + len(EDITORS))
    await until(world, lambda: tg.stats.requests > 0)
    assert tg.stats.too_many_requests == 0
    assert sandbox.bot_app.retry.retries["retry_after"] == 0
