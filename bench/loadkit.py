"""Pieces the update benchmarks share: a bare aiogram echo bot and memory readings.

Not a benchmark itself (``make bench`` runs ``bench_*.py`` only); imported by the scripts next to
it, which Python finds because a script's own directory is on ``sys.path``.
"""

from __future__ import annotations

import asyncio
import resource
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message

from fakegram.harness import Sandbox
from fakegram.server import FakeTelegram

FIRST_USER = 50_000


@asynccontextmanager
async def echo_bot(tg: FakeTelegram) -> AsyncIterator[Dispatcher]:
    """The smallest aiogram bot worth comparing with: one handler that answers each text with
    itself, polling ``tg`` the way the newsroom does (long polling, one task per update)."""
    bot = Bot(tg.token, session=AiohttpSession(api=TelegramAPIServer.from_base(tg.api_base)))
    dp = Dispatcher()

    @dp.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "")

    polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False, polling_timeout=1))
    try:
        yield dp
    finally:
        await dp.stop_polling()
        await polling
        await bot.session.close()


async def settle(tg: FakeTelegram, dp: Dispatcher, timeout: float = 300.0) -> None:  # noqa: ASYNC109
    """Every queued update taken and every handler task finished."""
    await tg.wait_until_updates_consumed(timeout=timeout)
    tasks = dp._handle_update_tasks
    while tasks:
        _done, pending = await asyncio.wait(set(tasks), timeout=timeout)
        if pending:
            raise TimeoutError(f"{len(pending)} updates still being handled")


async def settle_sandbox(sandbox: Sandbox, timeout: float = 300.0) -> None:  # noqa: ASYNC109
    await settle(sandbox.tg, sandbox.bot_app.dp, timeout)


def rss_bytes() -> int:
    """The process's resident set size now (Linux: /proc/self/statm)."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize()


def peak_rss_bytes() -> int:
    """The highest resident set size this process has had (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
