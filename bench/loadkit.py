"""Pieces the update benchmarks share: a bare aiogram echo bot and memory readings.

Not a benchmark itself (``make bench`` runs ``bench_*.py`` only); imported by the scripts next to
it, which Python finds because a script's own directory is on ``sys.path``.
"""

from __future__ import annotations

import asyncio
import os
import resource
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message

from bot.domain import ArticleContent, ArticleStatus
from fakegram.harness import Sandbox
from fakegram.server import FakeTelegram
from storage.db import UnitOfWork

FIRST_USER = 50_000
TICK = os.sysconf("SC_CLK_TCK")


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


def cpu_seconds(pid: int) -> float:
    """CPU time process ``pid`` has used so far (Linux: utime + stime of /proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime (fields 14 and 15)


async def schedule_story(
    uow: UnitOfWork,
    title: str,
    *,
    channel_id: int,
    due_at: datetime,
    now: datetime,
    author_id: int,
    silent: bool = False,
) -> None:
    """A short scheduled article and its publication in one channel, as the scheduler finds
    them (the publishing benchmarks seed hundreds or thousands of these)."""
    article = await uow.articles.create(
        ArticleContent(title=title, lead="A short lead.", body=("One paragraph of body text.",)),
        author_id=author_id,
        origin="text",
        now=now,
        status=ArticleStatus.SCHEDULED,
    )
    await uow.publications.schedule(
        article_id=article.id, channel_id=channel_id, due_at=due_at, silent=silent, now=now
    )
