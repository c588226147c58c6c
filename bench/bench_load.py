"""Load: 50 editors send 20 updates each at once; updates/s and memory, newsroom-bot vs a bare
aiogram echo bot on the same fake Bot API server.

Each bot runs in a process of its own (so each peak RSS is its own), polls the fake server on
127.0.0.1, and gets a warm-up round first (every user sends a few updates: connections, caches
and per-chat state exist before measuring). Then all E x U updates are queued at once and the
clock runs until every one is answered and every handler has finished.

- newsroom-bot: the full app (SQLite, middlewares, i18n, compose, the rate limiter). Each
  editor's updates are the mix of tests/test_reliability_load.py: /start, /help, 8 pasted
  articles (a draft each: preview + header), /drafts x3, two texts too short to be an article,
  and 5 presses of the buttons under the editor's warm-up drafts (edit x2, channels x2,
  delete). The bot runs on a WarpClock: its rate limiter still orders the sends, but the
  spacing Telegram asks for (about one message a second per private chat) passes at once, so
  the figure is what the bot costs, not what Telegram allows.
- echo bot: one message handler answering each text with itself; every user sends the same
  20 texts (the button presses become texts: the echo bot has no buttons).

Memory: the peak RSS of the process (ru_maxrss: startup, warm-up and load, the fake server
included), the same peak above the RSS right before the load, and the RSS after the load
(after gc) above that baseline. ``--tracemalloc`` adds a second, traced run of each bot: the
peak of memory allocated during the load and still held at its busiest moment, and what is
still held after it (tracemalloc slows the newsroom run several times, so it is not the
default and its run is not timed; the whole script then takes about 2.5 minutes instead of 30 s).
Every memory figure includes the fake server in the same process ("+srv"), which keeps every
request and message it saw: most of what is "held after the load". What the newsroom bot itself
keeps is checked by tests/test_reliability_load.py (about 0.1 MB after these 1000 updates).

    python bench/bench_load.py [--editors 50] [--updates 20] [--tracemalloc]

Linux only (RSS from /proc and getrusage).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from loadkit import FIRST_USER, echo_bot, peak_rss_bytes, rss_bytes, settle, settle_sandbox

from bot.callbacks import DraftAction
from fakegram.harness import TOKEN, Sandbox, WarpClock
from fakegram.server import FakeTelegram

TIMEOUT = 600.0
MB = 1024 * 1024


def article(user: int, n: int) -> str:
    """A pasted article with a title of its own (similar titles add a duplicate warning)."""
    subjects = ("Акимат", "Минфин", "Нацбанк", "Сенат", "Минздрав", "Аэропорт", "Университет")
    objects = ("ремонт мостов", "ночные рейсы", "тарифы на воду", "велодорожки", "экспорт зерна")
    i = (user - FIRST_USER) * 10 + n
    title = f"{subjects[i % 7]} одобрил {objects[i // 7 % 5]}: решение № {i + 1}"
    return (
        f"{title}\n\n"
        f"Решение № {i + 1} приняли после долгого обсуждения с жителями и экспертами.\n\n"
        + "Работы начнутся весной и займут около четырёх месяцев, сообщили в ведомстве. " * 3
        + f"\n\nПодрядчика выберут на открытом конкурсе (заявка {user}-{n})."
    )


def texts(user: int, updates: int) -> list[str]:
    """``updates`` texts of the newsroom mix (presses excluded), for the echo bot too."""
    base = ["/start", "/help", "/drafts", "/drafts", "/drafts", "...", "?"]
    out = base + [article(user, n) for n in range(max(0, updates - len(base)))]
    return out[:updates]


# --- one run in a child process ---------------------------------------------------------------


class Run:
    def __init__(self, trace: bool) -> None:
        self.trace = trace
        self.figures: dict[str, Any] = {}

    async def measure(
        self, tg: FakeTelegram, queue: Callable[[], int], wait: Callable[[], Any]
    ) -> None:
        """Queue the load, wait for it; record time and memory."""
        gc.collect()
        baseline = rss_bytes()
        if self.trace:
            tracemalloc.start()
        start = time.perf_counter()
        updates = queue()
        await wait()
        elapsed = time.perf_counter() - start
        gc.collect()
        self.figures.update(
            updates=updates,
            seconds=elapsed,
            rss_baseline=baseline,
            rss_peak=peak_rss_bytes(),
            rss_after=rss_bytes(),
            requests=len(tg.requests),
        )
        if self.trace:
            current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            self.figures.update(traced_peak=peak, traced_after=current)


async def run_echo(run: Run, editors: int, updates: int) -> None:
    users = list(range(FIRST_USER, FIRST_USER + editors))
    async with FakeTelegram(token=TOKEN) as tg:
        for user in users:
            tg.add_user(user, f"User {user}")
        async with echo_bot(tg) as dp:
            for user in users:
                for text in ("/start", "...", article(user, 99)):
                    tg.send_text(user, text)
            await tg.wait_for(lambda: all(len(tg.messages(u)) >= 3 for u in users), TIMEOUT)
            await settle(tg, dp)

            def queue() -> int:
                for user in users:
                    for text in texts(user, updates):
                        tg.send_text(user, text)
                return editors * updates

            async def wait() -> None:
                want = 3 + updates
                await tg.wait_for(lambda: all(len(tg.messages(u)) >= want for u in users), TIMEOUT)
                await settle(tg, dp)

            await run.measure(tg, queue, wait)
            run.figures["replies"] = sum(len(tg.messages(u)) - 3 for u in users)


async def run_newsroom(run: Run, editors: int, updates: int) -> None:
    users = list(range(FIRST_USER, FIRST_USER + editors))
    presses = min(5, updates)
    with tempfile.TemporaryDirectory() as tmp:
        sandbox = Sandbox(workdir=Path(tmp), clock=WarpClock(), extra_editors=users)
        async with sandbox:
            tg = sandbox.tg
            # Warm-up: two drafts each (the load presses their buttons), /help, a short text.
            for user in users:
                for text in (article(user, 98), article(user, 99), "/help", "..."):
                    tg.send_text(user, text)
            await tg.wait_for(lambda: all(len(tg.messages(u)) >= 6 for u in users), TIMEOUT)
            await settle_sandbox(sandbox)
            async with sandbox.bot_app.db.read() as uow:
                drafts, _total = await uow.articles.page(limit=10 * editors)
            mine: dict[int, list[int]] = {}
            for draft in sorted(drafts, key=lambda a: a.id):
                mine.setdefault(draft.author_id, []).append(draft.id)
            before = {u: len(tg.messages(u)) for u in users}

            def press(user: int, action: str, article_id: int) -> None:
                data = DraftAction(action=action, article_id=article_id).pack()
                shown = [m for m in tg.messages(user) if any(data in r for r in m.button_data)]
                tg.press_button(user, chat_id=user, message_id=shown[-1].message_id, data=data)

            def queue() -> int:
                for user in users:
                    kept, doomed = mine[user]
                    plan = [("edit", kept), ("channels", kept)] * 2 + [("delete", doomed)]
                    for text in texts(user, updates - presses):
                        tg.send_text(user, text)
                    for action, article_id in plan[:presses]:
                        press(user, action, article_id)
                return editors * updates

            async def wait() -> None:
                # Every press answered and every text answered (an article twice), then idle.
                queries = editors * presses
                await tg.wait_for(lambda: len(tg.callback_answers) >= queries, TIMEOUT)
                await tg.wait_until_updates_consumed(timeout=TIMEOUT)
                await settle_sandbox(sandbox)

            await run.measure(tg, queue, wait)
            run.figures["replies"] = sum(len(tg.messages(u)) - before[u] for u in users)
            run.figures["answers"] = len(tg.callback_answers)


def child(kind: str, editors: int, updates: int, trace: bool) -> None:
    run = Run(trace)
    bench = run_echo if kind == "echo" else run_newsroom
    asyncio.run(bench(run, editors, updates))
    print(json.dumps(run.figures))


# --- the parent: run both, print the table ----------------------------------------------------


def measure(kind: str, editors: int, updates: int, trace: bool) -> dict[str, Any]:
    args = [sys.executable, __file__, "--child", kind, "--editors", str(editors)]
    args += ["--updates", str(updates)] + (["--tracemalloc"] if trace else [])
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"{kind} run failed")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def mb(value: float) -> str:
    return f"{value / MB:8.1f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--editors", type=int, default=50)
    parser.add_argument("--updates", type=int, default=20)
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--child", choices=("echo", "newsroom"), help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.child:
        child(opts.child, opts.editors, opts.updates, opts.tracemalloc)
        return

    kinds = ("echo", "newsroom")
    runs = {k: measure(k, opts.editors, opts.updates, trace=False) for k in kinds}
    rows: list[tuple[str, Callable[[dict[str, Any]], float], Callable[[float], str]]] = [
        ("updates/s", lambda f: f["updates"] / f["seconds"], lambda v: f"{v:11.1f}"),
        ("seconds for the load", lambda f: f["seconds"], lambda v: f"{v:11.2f}"),
        ("bot messages sent", lambda f: f["replies"], lambda v: f"{v:11.0f}"),
        ("Bot API requests (whole run)", lambda f: f["requests"], lambda v: f"{v:11.0f}"),
        ("peak RSS (whole process)", lambda f: f["rss_peak"], lambda v: f"{mb(v):>11}"),
        ("peak RSS above pre-load", lambda f: f["rss_peak"] - f["rss_baseline"], mb),
        ("RSS after load above pre-load", lambda f: f["rss_after"] - f["rss_baseline"], mb),
    ]
    if opts.tracemalloc:
        traced = {k: measure(k, opts.editors, opts.updates, trace=True) for k in kinds}
        for kind in kinds:
            runs[kind]["traced_peak"] = traced[kind]["traced_peak"]
            runs[kind]["traced_after"] = traced[kind]["traced_after"]
        rows += [
            ("traced peak during load (+srv)", lambda f: f["traced_peak"], mb),
            ("traced held after load (+srv)", lambda f: f["traced_after"], mb),
        ]
    total = opts.editors * opts.updates
    print(
        f"{opts.editors} users x {opts.updates} updates queued at once ({total} updates), "
        "long polling over HTTP from the same fake Bot API server"
    )
    print(f"{'':32}{'echo bot':>12}{'newsroom':>12}{'newsroom/echo':>15}")
    for label, get, fmt in rows:
        echo, news = get(runs["echo"]), get(runs["newsroom"])
        ratio = f"{news / echo:15.2f}" if echo > 0 else f"{'-':>15}"
        print(f"{label:32}{fmt(echo):>12}{fmt(news):>12}{ratio}")
    print(
        "newsroom: rate-limit spacing skipped by a WarpClock; at Telegram's ~1 message/s per "
        "private chat this load takes at least "
        f"{runs['newsroom']['replies'] / max(1, opts.editors):.0f} s per chat."
    )


if __name__ == "__main__":
    main()
