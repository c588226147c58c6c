"""Where a paste's (and a button press's) CPU goes: the breakdown issue 14 asks for first.

One newsroom bot in this process, the fake Bot API beside it (so the server's own cost is shown
as a row of its own and left out of the bot's share), a WarpClock so Telegram's pacing costs no
wall time. After a warm-up, N editors paste one article each (the fixture-sized copy of
bench/bench_load.py), then press one button each (the channel toggle of their draft); the main
thread runs under cProfile and the process's CPU is read before and after, so the SQLite worker
thread (aiosqlite) shows as "other threads".

The rows are inclusive times of the named entry points (a row contains what it calls, so rows
nest and do not add up; "rest" is what none of the rows covers).

    python bench/profile_paste.py [--editors 50] [--dump PREFIX]

``--dump PREFIX`` also writes each phase's raw cProfile stats to ``PREFIX-paste.prof`` and
``PREFIX-press.prof`` (read them with ``python -m pstats``) for the rows this table leaves out.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from bench_load import FIRST_USER, TIMEOUT, article
from loadkit import settle_sandbox

from bot.callbacks import DraftAction
from fakegram.harness import Sandbox, WarpClock

# (label, file suffix, function name): inclusive time of each.
ROWS: tuple[tuple[str, str, str], ...] = (
    ("aiogram: dispatch an update (all of it)", "aiogram/dispatcher/dispatcher.py", "feed_update"),
    ("  parse the pasted copy", "bot/ingest/text.py", "parse_article_report"),
    ("  store the draft (+ audit, duplicates)", "bot/workflow/drafts.py", "create_draft"),
    ("    duplicate candidates query", "storage/articles.py", "duplicate_candidates"),
    ("  compose the post", "bot/compose/composer.py", "compose"),
    ("  post and its checks (one read, one compose)", "bot/workflow/drafts.py", "post_and_checks"),
    ("  show preview + card (presenter)", "bot/presenters/cards.py", "show_draft"),
    ("  toggle a channel (workflow)", "bot/workflow/drafts.py", "toggle_channel"),
    ("  i18n lookups", "aiogram/utils/i18n/core.py", "gettext"),
    ("aiogram: send a request (client)", "aiogram/client/session/aiohttp.py", "make_request"),
    ("  rate limiter", "bot/telegram/ratelimit.py", "acquire"),
    ("fake Bot API server (not the bot)", "fakegram/server.py", "_call"),
)


def _inclusive(stats: pstats.Stats, suffix: str, name: str) -> float:
    total = 0.0
    raw = stats.stats  # type: ignore[attr-defined]
    for (file, _line, func), (_cc, _nc, _tt, ct, callers) in raw.items():
        if func == name and file.endswith(suffix):
            # Count only the outermost calls: a recursive or nested entry adds nothing.
            outer = [c for c in callers if not (c[0] == file and c[2] == func)]
            if outer or not callers:
                total += ct
    return float(total)


async def _profiled(
    label: str,
    n: int,
    go: Callable[[], None],
    done: Callable[[], Awaitable[None]],
    dump: Path | None = None,
) -> None:
    profile = cProfile.Profile()
    cpu0, main0, wall0 = time.process_time(), time.thread_time(), time.perf_counter()
    profile.enable()
    go()
    await done()
    profile.disable()
    cpu = time.process_time() - cpu0
    main = time.thread_time() - main0
    wall = time.perf_counter() - wall0
    stats = pstats.Stats(profile)
    if dump is not None:
        stats.dump_stats(dump)
    per = 1000.0 / n
    print(f"\n{label}: {n} updates, wall {wall:.2f} s")
    print(f"  {'process CPU per update':48}{cpu * per:8.2f} ms")
    print(f"  {'  main thread':48}{main * per:8.2f} ms")
    print(f"  {'  other threads (SQLite worker)':48}{(cpu - main) * per:8.2f} ms")
    print(f"  {'main thread, by entry point (inclusive):':48}")
    for row, suffix, name in ROWS:
        spent = _inclusive(stats, suffix, name)
        if spent:
            print(f"  {row:48}{spent * per:8.2f} ms  {100 * spent / main:5.1f} %")


def _dump_path(prefix: str | None, phase: str) -> Path | None:
    return None if prefix is None else Path(f"{prefix}-{phase}.prof")


async def main(editors: int, dump: str | None) -> None:
    users = list(range(FIRST_USER, FIRST_USER + editors))
    with tempfile.TemporaryDirectory() as tmp:
        sandbox = Sandbox(workdir=Path(tmp), clock=WarpClock(), extra_editors=users)
        async with sandbox:
            tg = sandbox.tg
            for user in users:  # warm-up: imports, caches, connections, per-chat state
                tg.send_text(user, article(user, 99))
            # A paste whose post is one message is answered with one message (the preview that
            # carries the draft's buttons, issue 14); a longer one with the preview and a card.
            await tg.wait_for(lambda: all(len(tg.messages(u)) >= 1 for u in users), TIMEOUT)
            await settle_sandbox(sandbox)
            before = {u: len(tg.messages(u)) for u in users}

            def paste() -> None:
                for user in users:
                    tg.send_text(user, article(user, 1))

            async def pasted() -> None:
                await tg.wait_for(
                    lambda: all(len(tg.messages(u)) >= before[u] + 1 for u in users), TIMEOUT
                )
                await settle_sandbox(sandbox)

            await _profiled("paste an article", editors, paste, pasted, _dump_path(dump, "paste"))

            async with sandbox.bot_app.db.read() as uow:
                drafts, _total = await uow.articles.page(limit=10 * editors)
            newest = {d.author_id: d.id for d in sorted(drafts, key=lambda a: a.id)}
            answered = len(tg.callback_answers)

            def press() -> None:
                for user in users:
                    data = DraftAction(action="channels", article_id=newest[user]).pack()
                    shown = [m for m in tg.messages(user) if any(data in r for r in m.button_data)]
                    tg.press_button(user, chat_id=user, message_id=shown[-1].message_id, data=data)

            async def pressed() -> None:
                await tg.wait_for(lambda: len(tg.callback_answers) >= answered + editors, TIMEOUT)
                await settle_sandbox(sandbox)

            await _profiled(
                "press a button (channels)", editors, press, pressed, _dump_path(dump, "press")
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--editors", type=int, default=50)
    parser.add_argument("--dump", default=None, help="raw stats to PREFIX-*.prof")
    args = parser.parse_args()
    asyncio.run(main(args.editors, args.dump))
