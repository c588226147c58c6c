"""Updates per second answered end to end over HTTP: newsroom-bot vs a bare aiogram echo bot.

Both run against the same fake Bot API server on 127.0.0.1, by long polling. Each of N users
sends one message and the clock stops when every user has an answer. One message per user keeps
Telegram's per-chat limit (about one message a second in a private chat, enforced by our session
middleware) out of the figure; the global limit is raised to its maximum for the run.

    python bench/bench_updates.py [N]
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

from loadkit import FIRST_USER, echo_bot

from fakegram.harness import TOKEN, Sandbox
from fakegram.server import FakeTelegram


async def _drive(tg: FakeTelegram, users: list[int], text: str) -> float:
    start = time.perf_counter()
    for user in users:
        tg.send_text(user, text)
    await tg.wait_for(lambda: all(tg.messages(u) for u in users), timeout=300)
    return time.perf_counter() - start


async def bench_newsroom(n: int, *, limits: bool = True) -> float:
    users = list(range(FIRST_USER, FIRST_USER + n))
    with tempfile.TemporaryDirectory() as tmp:
        sandbox = Sandbox(
            workdir=Path(tmp),
            start_background=False,
            extra_editors=users,
            global_requests_per_second=100,
        )
        async with sandbox:
            if not limits:
                # What the bot itself costs, without Telegram's limits shaping the flow.
                sandbox.bot_app.retry.limiter = None
            # Warm up: the first update pays for imports and caches.
            sandbox.tg.send_text(users[0], "/help")
            await sandbox.tg.wait_for(lambda: bool(sandbox.tg.messages(users[0])), timeout=30)
            await _sleep_rate_window()
            return n / await _drive(sandbox.tg, users[1:], "/help") * (n - 1) / n


async def _sleep_rate_window() -> None:
    # Let the global one-second window empty after the warm-up (a benchmark, not a test).
    await asyncio.sleep(1.1)


async def bench_echo(n: int) -> float:
    users = list(range(FIRST_USER, FIRST_USER + n))
    async with FakeTelegram(token=TOKEN) as tg:
        for user in users:
            tg.add_user(user, f"User {user}")
        async with echo_bot(tg):
            tg.send_text(users[0], "warm-up")
            await tg.wait_for(lambda: bool(tg.messages(users[0])), timeout=30)
            return n / await _drive(tg, users[1:], "/help") * (n - 1) / n


async def main(n: int) -> None:
    echo = await bench_echo(n)
    newsroom = await bench_newsroom(n)
    unlimited = await bench_newsroom(n, limits=False)
    print(f"updates answered end to end over HTTP, {n - 1} users x 1 message")
    print(f"  bare aiogram echo bot:                    {echo:8.1f} updates/s")
    print(f"  newsroom-bot, limits on (100 req/s max):  {newsroom:8.1f} updates/s")
    print(f"  newsroom-bot, client-side limits off:     {unlimited:8.1f} updates/s")
    print(f"  ratio newsroom/echo (limits off):         {unlimited / echo:8.2f}")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 400))
