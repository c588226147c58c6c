"""Editor latency with the real rate limiter (real time, no WarpClock) on the fake Bot API.

Two figures from issue 14 ("Limits as Telegram applies them"):

- one editor pastes an article: how long until the first reply message (the preview), and
  until the draft's buttons are shown (the same message when the preview carries them, as a
  one-message post's does), and how many messages a paste got. Repeated a few times in one
  private chat, far enough apart for the chat's limit to recover;
- 50 editors paste at the same moment: the first reply's latency for each, p50 / p95 / max.

The fake server enforces Telegram's limits as it models them (``enforce_rate_limits``), so
the 429 count says whether the client-side limiter agrees with them. Times come from
``time.perf_counter`` on the server's change signal (woken as each message is stored). The
same script runs unchanged on an older checkout to compare before and after:

    python bench/bench_latency.py [--editors 50] [--repeats 5]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from functools import partial
from pathlib import Path

from loadkit import FIRST_USER

from fakegram.harness import Sandbox

TIMEOUT = 120.0


def article(user: int, n: int) -> str:
    """A pasted article with a title of its own, so no duplicate warning joins the replies."""
    places = ("Алматы", "Астане", "Шымкенте", "Караганде", "Актобе", "Павлодаре", "Таразе")
    topics = ("ремонт мостов", "ночные рейсы", "тарифы на воду", "велодорожки", "экспорт зерна")
    i = (user - FIRST_USER) * 10 + n
    title = f"В {places[i % 7]} обсудили {topics[i // 7 % 5]}: заседание № {i + 1}"
    return (
        f"{title}\n\n"
        f"Заседание № {i + 1} прошло после долгого обсуждения с жителями и экспертами.\n\n"
        + "Работы начнутся весной и займут около четырёх месяцев, сообщили в ведомстве. " * 3
        + f"\n\nПодрядчика выберут на открытом конкурсе (заявка {user}-{n})."
    )


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


async def _arrivals(sandbox: Sandbox, users: list[int], count: int) -> dict[int, list[float]]:
    """perf_counter times at which each user's first ``count`` new bot messages appeared."""
    tg = sandbox.tg
    base = {u: len(tg.messages(u)) for u in users}
    seen: dict[int, list[float]] = {u: [] for u in users}

    def check() -> bool:
        now = time.perf_counter()
        for user in users:
            got = len(tg.messages(user)) - base[user]
            while len(seen[user]) < min(got, count):
                seen[user].append(now)
        return all(len(times) >= count for times in seen.values())

    await tg.wait_for(check, TIMEOUT)
    return seen


def _has_buttons(sandbox: Sandbox, user: int, after: int) -> bool:
    """Whether a message of ``user``'s chat past the first ``after`` has the draft's buttons."""
    return any(
        d.startswith("d:submit:")
        for m in sandbox.tg.messages(user)[after:]
        for row in m.button_data
        for d in row
    )


async def single(
    sandbox: Sandbox, editor: int, repeats: int
) -> tuple[list[float], list[float], list[int]]:
    """Per paste: seconds to the first reply, seconds to the draft's buttons (the same message
    when the preview carries them), and how many messages the paste got."""
    tg = sandbox.tg
    firsts: list[float] = []
    buttons: list[float] = []
    counts: list[int] = []
    for n in range(repeats):
        base = len(tg.messages(editor))
        waiting = asyncio.create_task(_arrivals(sandbox, [editor], 1))
        await asyncio.sleep(0)  # the watcher reads the counts before the paste
        start = time.perf_counter()
        tg.send_text(editor, article(editor, n))
        (first,) = (await waiting)[editor]
        await tg.wait_for(partial(_has_buttons, sandbox, editor, base), TIMEOUT)
        firsts.append(first - start)
        buttons.append(time.perf_counter() - start)
        await asyncio.sleep(3.5)  # the private chat's limit recovers (a benchmark, not a test)
        counts.append(len(tg.messages(editor)) - base)
    return firsts, buttons, counts


async def crowd(sandbox: Sandbox, users: list[int]) -> list[float]:
    waiting = asyncio.create_task(_arrivals(sandbox, users, 1))
    await asyncio.sleep(0)
    start = time.perf_counter()
    for user in users:
        sandbox.tg.send_text(user, article(user, 50))
    seen = await waiting
    return [times[0] - start for times in seen.values()]


async def main(editors: int, repeats: int) -> None:
    users = list(range(FIRST_USER, FIRST_USER + editors))
    warm = FIRST_USER + editors
    with tempfile.TemporaryDirectory() as tmp:
        sandbox = Sandbox(
            workdir=Path(tmp), start_background=False, extra_editors=[*users, warm, warm + 1]
        )
        async with sandbox:
            tg = sandbox.tg
            tg.enforce_rate_limits()  # Telegram's numbers, as the fake models them
            # Warm-up: the first paste pays for imports and caches.
            tg.send_text(warm, article(warm, 0))
            await tg.wait_for(lambda: _has_buttons(sandbox, warm, 0), TIMEOUT)
            await asyncio.sleep(2)
            firsts, buttons, counts = await single(sandbox, warm + 1, repeats)
            latencies = await crowd(sandbox, users)
            await asyncio.sleep(1)
            too_many = tg.stats.too_many_requests
    print(f"one editor, {repeats} pastes in one private chat (real limiter, real time)")
    print(f"  paste -> first reply       median {statistics.median(firsts):6.3f} s")
    print(
        f"  paste -> draft's buttons   median {statistics.median(buttons):6.3f} s"
        f"   max {max(buttons):6.3f} s   (messages per paste: {sorted(set(counts))})"
    )
    print(f"{editors} editors pasting at the same moment: first reply latency")
    print(
        f"  p50 {pct(latencies, 0.5):6.3f} s   p95 {pct(latencies, 0.95):6.3f} s"
        f"   max {max(latencies):6.3f} s"
    )
    print(f"429 answers from the fake Bot API during the run: {too_many}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--editors", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=5)
    opts = parser.parse_args()
    asyncio.run(main(opts.editors, opts.repeats))
