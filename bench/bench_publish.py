"""Publishing engine under Telegram's limits: lateness, drain rate and 429s, over real HTTP.

The real app (create_app: aiogram over HTTP, the retry/rate-limit session middleware, SQLite,
the publishing engine) publishes N publications over C channels to the fake Bot API server,
which answers 429 above 20 posts a minute per channel and 30 messages a second overall.

Both run on one :class:`FakeClock`, so hours of schedule take seconds. Time moves only when the
bot is idle: no HTTP request in flight, no database call in flight, and nothing runnable for a
few event-loop turns; then the clock jumps to the earliest sleeper's deadline. Processing thus
costs no fake time, so the figures measure the engine's decisions (when it sends, how it waits),
and the real time per publication is printed separately (what the machine can sustain).

Two scenarios:

- ``on-time``: every channel has a post due every 3 s, exactly Telegram's 20 a minute, for
  N/C posts each. Lateness = published_at - due_at; the target is under 1 s.
- ``backlog``: the same N posts all due at once (after a pause, an outage). Drain rate =
  N / time to publish them all, as a fraction of the allowed C x 20 a minute.

    python bench/bench_publish.py [N] [--channels C] [--scenario on-time|backlog|both]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware
from loadkit import schedule_story

from bot.app import App, create_app
from bot.clock import FakeClock
from bot.config import Settings
from bot.domain import PublicationStatus
from bot.startup import resolve_channels
from fakegram.harness import ADMIN_CHAT_ID, ADMIN_ID, EDITOR_ID, TOKEN
from fakegram.server import FakeTelegram
from storage.db import Database, UnitOfWork

START = datetime(2026, 3, 10, 6, 0, tzinfo=UTC)
PER_CHANNEL_PER_MINUTE = 20
SPACING = 60 / PER_CHANNEL_PER_MINUTE


class Busy:
    """Counts HTTP calls and database units of work in flight; ``idle`` is set at zero."""

    def __init__(self) -> None:
        self.count = 0
        self.idle = asyncio.Event()
        self.idle.set()

    def enter(self) -> None:
        self.count += 1
        self.idle.clear()

    def leave(self) -> None:
        self.count -= 1
        if self.count == 0:
            self.idle.set()


class InFlight(BaseRequestMiddleware):
    """Innermost session middleware: brackets the HTTP exchange itself (not limiter waits)."""

    def __init__(self, busy: Busy) -> None:
        self.busy = busy

    async def __call__(self, make_request: Any, bot: Bot, method: Any) -> Any:
        self.busy.enter()
        try:
            return await make_request(bot, method)
        finally:
            self.busy.leave()


def _instrument_db(db: Database, busy: Busy) -> None:
    transaction, read = db.transaction, db.read

    @contextlib.asynccontextmanager
    async def counted_transaction() -> AsyncIterator[UnitOfWork]:
        busy.enter()
        try:
            async with transaction() as uow:
                yield uow
        finally:
            busy.leave()

    @contextlib.asynccontextmanager
    async def counted_read() -> AsyncIterator[UnitOfWork]:
        busy.enter()
        try:
            async with read() as uow:
                yield uow
        finally:
            busy.leave()

    db.transaction = counted_transaction  # type: ignore[method-assign]
    db.read = counted_read  # type: ignore[method-assign]


async def _wait_idle(busy: Busy) -> None:
    while True:
        await busy.idle.wait()
        # Nothing in flight; let whatever is runnable run (a worker between two awaits, a
        # wake-up being handled) and require quiet for several turns in a row.
        for _ in range(6):
            await asyncio.sleep(0)
            if busy.count:
                break
        else:
            return


@dataclass
class Result:
    scenario: str
    n: int
    channels: int
    lateness: list[float]
    fake_span: float
    real_seconds: float
    too_many_requests: int
    flood_retries: int


async def _run(n: int, channels: int, scenario: str) -> Result:
    clock = FakeClock(START)
    tg = FakeTelegram(
        token=TOKEN, clock=clock.monotonic, wall_clock=lambda: clock.now().timestamp()
    )
    tg.enforce_rate_limits(PER_CHANNEL_PER_MINUTE, 30)
    busy = Busy()
    with tempfile.TemporaryDirectory(prefix="bench-publish-") as tmp:
        await tg.start()
        try:
            tg.add_user(EDITOR_ID, "Elena", language_code="en")
            tg.add_user(ADMIN_ID, "Aigerim", language_code="en")
            tg.add_group(ADMIN_CHAT_ID, "Newsroom admins")
            chat_ids = [-1008000000000 - i for i in range(channels)]
            for i, chat_id in enumerate(chat_ids):
                tg.add_channel(chat_id, title=f"Channel {i}", username=f"bench_ch_{i}")
            settings = Settings(
                _env_file=None,
                bot_token=TOKEN,
                telegram_api_url=tg.api_base,
                channel_id="@bench_ch_0",
                admin_chat_id=ADMIN_CHAT_ID,
                admin_ids=(ADMIN_ID,),
                editor_ids=(EDITOR_ID,),
                database_path=Path(tmp) / "bench.sqlite3",
                default_language="en",
                channel_posts_per_minute=PER_CHANNEL_PER_MINUTE,
                global_requests_per_second=30,
            )
            app = await create_app(settings, clock=clock)
            try:
                await resolve_channels(app.bot, app.db, app.clock)
                await _schedule(app, chat_ids, n, scenario)
                app.bot.session.middleware(InFlight(busy))
                _instrument_db(app.db, busy)
                real = time.perf_counter()
                await app.start_background()
                last_report = real
                while app.engine.sent_count < n:
                    await _wait_idle(busy)
                    if app.engine.sent_count >= n:
                        break
                    await clock.advance_to_next()
                    if time.perf_counter() - last_report > 10:
                        last_report = time.perf_counter()
                        print(f"  … {app.engine.sent_count}/{n} sent", file=sys.stderr)
                real = time.perf_counter() - real
                lateness, span = await _lateness(app)
                retry = app.bot.session.middleware[0]
                flood_retries = int(getattr(retry, "retries", {}).get("retry_after", 0))
            finally:
                await app.close()
        finally:
            await tg.stop()
    return Result(
        scenario, n, channels, lateness, span, real, tg.stats.too_many_requests, flood_retries
    )


async def _schedule(app: App, chat_ids: list[int], n: int, scenario: str) -> None:
    now = app.clock.now()
    async with app.db.transaction() as uow:
        channels = [await uow.channels.by_ref(str(c)) for c in chat_ids]
        channel_ids = []
        for i, channel in enumerate(channels):
            if channel is None:
                channel = await uow.channels.ensure(
                    f"@bench_ch_{i}", now=now, chat_id=chat_ids[i], username=f"bench_ch_{i}"
                )
            channel_ids.append(channel.id)
        for k in range(n):
            index = k % len(channel_ids)
            if scenario == "on-time":
                # Channel i posts at i*0.15 s, then every 3 s: its full 20 a minute.
                slot = k // len(channel_ids)
                due = now + timedelta(seconds=5 + slot * SPACING + index * 0.15)
            else:
                due = now
            await schedule_story(
                uow,
                f"Bench story {k}",
                channel_id=channel_ids[index],
                due_at=due,
                now=now,
                author_id=EDITOR_ID,
            )


async def _lateness(app: App) -> tuple[list[float], float]:
    async with app.db.read() as uow:
        pubs = await uow.publications.recent_published(limit=10**9)
    assert all(p.status is PublicationStatus.PUBLISHED for p in pubs)
    late = [
        (p.published_at - p.due_at).total_seconds() for p in pubs if p.published_at is not None
    ]
    first_due = min(p.due_at for p in pubs)
    last = max(p.published_at for p in pubs if p.published_at is not None)
    return late, (last - first_due).total_seconds()


def _report(r: Result) -> None:
    late = sorted(r.lateness)
    q = statistics.quantiles(late, n=100, method="inclusive") if len(late) > 1 else late * 99
    allowed_per_min = r.channels * PER_CHANNEL_PER_MINUTE
    rate_per_min = r.n / (r.fake_span / 60) if r.fake_span > 0 else float("inf")
    print(f"== {r.scenario}: {r.n} publications over {r.channels} channels")
    print(
        f"lateness      p50 {q[49]:.3f} s   p99 {q[98]:.3f} s   max {late[-1]:.3f} s"
        f"   (fake time; processing is free)"
    )
    print(
        f"drain rate    {rate_per_min:.1f}/min of {allowed_per_min}/min allowed"
        f" = {rate_per_min / allowed_per_min:.3f}  (first due → last published:"
        f" {r.fake_span / 60:.1f} fake min)"
    )
    print(f"429s received {r.too_many_requests}   (flood retries {r.flood_retries})")
    print(
        f"real time     {r.real_seconds:.1f} s = {r.real_seconds / r.n * 1000:.2f} ms per"
        f" publication → this machine sustains ~{r.n / r.real_seconds:.0f} publications/s"
        f" (Telegram allows {allowed_per_min / 60:.1f}/s here)"
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=10_000)
    parser.add_argument("--channels", type=int, default=20)
    parser.add_argument("--scenario", choices=("on-time", "backlog", "both"), default="both")
    args = parser.parse_args()
    scenarios = ("on-time", "backlog") if args.scenario == "both" else (args.scenario,)
    for scenario in scenarios:
        _report(asyncio.run(_run(args.n, args.channels, scenario)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
