"""Messages the bot sends per article: to the admin chat and to the editor, before and after.

Issue 14: the admin chat is a group Telegram allows 20 messages a minute, and the editor's
private chat is paced at about one a second, so every message per article counts. One run plays
the newsroom through the fake Bot API with the real rate limiter:

* ``short``: N one-message articles pasted by an editor, submitted, and published from their
  review cards, with the Publish presses of all N cards in one burst;
* ``long``: N/4 articles too long for one message, the same way;
* ``direct``: N articles an admin publishes with ``/publish`` (no review card), in one burst.

and counts the messages sent (deleted ones included) per paste, per submission and per published
post. Time is a fake clock moved forward whenever the bot is idle (as ``tests/test_e2e_publish``
does), so Telegram's pacing and the notices' digest window play out as they would in real time.

``--before REF`` (default ``main``) runs the same scenario on ``git archive REF`` in a
temporary directory and prints both side by side.

    python bench/bench_messages.py [N] [--before REF]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bot.clock import FakeClock
from fakegram.harness import ADMIN_CHAT_ID, ADMIN_ID, CHANNEL_ID, EDITOR_ID, Sandbox
from fakegram.server import FakeTelegram

ROOT = Path(__file__).resolve().parent.parent
TOPICS = (
    "bus lanes",
    "tram depot",
    "school meals",
    "river bridge",
    "night market",
    "bike paths",
    "city library",
    "water tariffs",
    "park lighting",
    "airport shuttle",
    "street trees",
    "heating plant",
    "museum roof",
    "rail crossing",
    "food prices",
    "snow removal",
    "zoo opening",
    "parking fees",
    "clinic hours",
    "football stadium",
    "metro line",
)


def _short(i: int) -> str:
    topic = TOPICS[i % len(TOPICS)]
    return (
        f"Council {i} votes on the {topic}\n\n"
        f"The council voted 12 to 3 on the {topic} plan number {i}.\n\n"
        "Work starts in spring and should take four months, the mayor's office said."
    )


def _long(i: int) -> str:
    topic = TOPICS[i % len(TOPICS)]
    body = "\n\n".join(
        f"Paragraph {n} of the report on the {topic}, with every figure the council "
        "published this week and what the districts said about them." * 3
        for n in range(30)
    )
    return f"Long report {i} on the {topic}\n\n{body}"


def _data(message_buttons: list[list[str]], prefix: str) -> str | None:
    return next((d for row in message_buttons for d in row if d.startswith(prefix)), None)


def _find(tg: FakeTelegram, chat: int, prefix: str) -> tuple[int, str] | None:
    for m in reversed(tg.messages(chat)):
        if not m.deleted and (data := _data(m.button_data, prefix)) is not None:
            return m.message_id, data
    return None


_CLOCKS: dict[int, FakeClock] = {}


async def _until(tg: FakeTelegram, predicate: Callable[[], bool]) -> None:
    """Wait for ``predicate``; whenever nothing happens for a moment, move the clock on (at most
    a second, and no further than the next sleeper)."""
    clock = _CLOCKS[id(tg)]
    for _ in range(20_000):
        try:
            await tg.wait_for(predicate, timeout=0.05)
            return
        except TimeoutError:
            deadline = clock.next_deadline()
            hop = 1.0 if deadline is None else min(1.0, max(0.001, deadline - clock.monotonic()))
            await clock.advance(hop)
    raise TimeoutError("the scenario did not finish")


def _sandbox(tmp: str) -> Sandbox:
    clock = FakeClock(datetime(2026, 3, 10, 6, 0, tzinfo=UTC))
    sandbox = Sandbox(workdir=Path(tmp), clock=clock)
    _CLOCKS[id(sandbox.tg)] = clock
    return sandbox


def _quiet(sb: Sandbox) -> bool:
    """No update waiting or being handled, no channel post or notice under way (a benchmark
    may peek at the engine's and aiogram's insides)."""
    engine = sb.bot_app.engine
    return not (
        sb.tg.pending_updates
        or sb.bot_app.dp._handle_update_tasks
        or engine.notices.sending
        or engine._workers
    )


async def _settle(sb: Sandbox, predicate: Callable[[], bool] = lambda: True) -> None:
    await _until(sb.tg, lambda: predicate() and _quiet(sb))


def _has(tg: FakeTelegram, chat: int, prefix: str) -> Callable[[], bool]:
    return lambda: _find(tg, chat, prefix) is not None


async def _paste(tg: FakeTelegram, text: str) -> int:
    """The editor pastes ``text``; the new draft's id, once its buttons are shown."""
    before = {m.message_id for m in tg.messages(EDITOR_ID)}
    tg.send_text(EDITOR_ID, text)

    def new() -> str | None:
        for m in tg.messages(EDITOR_ID):
            if m.message_id not in before and (data := _data(m.button_data, "d:submit:")):
                return data
        return None

    await _until(tg, lambda: new() is not None)
    return int(str(new()).split(":")[2])


async def _reviewed(sb: Sandbox, texts: list[str]) -> dict[str, float]:
    tg = sb.tg
    counts = {"admin": len(tg.messages(ADMIN_CHAT_ID)), "editor": len(tg.messages(EDITOR_ID))}

    def delta() -> tuple[int, int]:
        admin = len(tg.messages(ADMIN_CHAT_ID)) - counts["admin"]
        editor = len(tg.messages(EDITOR_ID)) - counts["editor"]
        counts.update(admin=len(tg.messages(ADMIN_CHAT_ID)), editor=len(tg.messages(EDITOR_ID)))
        return admin, editor

    ids = [await _paste(tg, text) for text in texts]
    await _settle(sb)
    _, paste_editor = delta()
    for article_id in ids:
        found = _find(tg, EDITOR_ID, f"d:submit:{article_id}:")
        assert found is not None
        tg.press_button(EDITOR_ID, chat_id=EDITOR_ID, message_id=found[0], data=found[1])
        await _until(tg, _has(tg, ADMIN_CHAT_ID, f"r:publish:{article_id}"))
    await _settle(sb)
    submit_admin, submit_editor = delta()
    channel_before = len(tg.messages(CHANNEL_ID))
    for article_id in ids:  # one burst of presses
        found = _find(tg, ADMIN_CHAT_ID, f"r:publish:{article_id}")
        assert found is not None
        tg.press_button(ADMIN_ID, chat_id=ADMIN_CHAT_ID, message_id=found[0], data=found[1])
    await _published(sb, channel_before, len(ids))
    publish_admin, publish_editor = delta()
    n = len(ids)
    return {
        "editor per paste": paste_editor / n,
        "admin per submission": submit_admin / n,
        "editor per submission": submit_editor / n,
        "admin per published post": publish_admin / n,
        "editor per published post": publish_editor / n,
    }


async def _published(sb: Sandbox, channel_before: int, n: int) -> None:
    """Every post is in the channel and its link told in the admin chat and to the author."""
    tg = sb.tg
    await _until(tg, lambda: len({m.message_id for m in tg.messages(CHANNEL_ID)}) > channel_before)

    def told() -> bool:
        admin = " ".join(m.visible for m in tg.messages(ADMIN_CHAT_ID))
        editor = " ".join(m.visible for m in tg.messages(EDITOR_ID))
        return admin.count("t.me/") >= n and editor.count("t.me/") >= n

    await _settle(sb, told)


async def _direct(sb: Sandbox, texts: list[str]) -> dict[str, float]:
    tg = sb.tg
    ids = [await _paste(tg, text) for text in texts]
    admin_before = len(tg.messages(ADMIN_CHAT_ID))
    for article_id in ids:
        tg.send_text(ADMIN_ID, f"/publish {article_id}")
    await _published_direct(sb, admin_before, len(ids))
    return {
        "admin per published post": (len(tg.messages(ADMIN_CHAT_ID)) - admin_before) / len(ids)
    }


async def _published_direct(sb: Sandbox, admin_before: int, n: int) -> None:
    tg = sb.tg

    def told() -> bool:
        admin = " ".join(m.visible for m in tg.messages(ADMIN_CHAT_ID)[admin_before:])
        return admin.count("t.me/") >= n

    await _settle(sb, told)


async def scenario(n: int) -> dict[str, dict[str, float]]:
    result: dict[str, dict[str, float]] = {}
    for name, texts in (
        ("short", [_short(i) for i in range(n)]),
        ("long", [_long(100 + i) for i in range(max(1, n // 4))]),
    ):
        with tempfile.TemporaryDirectory() as tmp:
            async with _sandbox(tmp) as sb:
                result[name] = await _reviewed(sb, texts)
    with tempfile.TemporaryDirectory() as tmp:
        async with _sandbox(tmp) as sb:
            result["direct"] = await _direct(sb, [_short(200 + i) for i in range(n)])
    return result


def _run_tree(tree: Path, n: int) -> dict[str, dict[str, float]]:
    """The scenario in a child process importing ``bot`` (and the rest) from ``tree``."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    script = Path(__file__).resolve()
    out = subprocess.run(
        [sys.executable, str(script), str(n), "--child"],
        cwd=tree,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("n", type=int, nargs="?", default=8)
    parser.add_argument("--before", default="main", help="git ref to compare with")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(scenario(args.n))))
        return
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", args.before], check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        before = _run_tree(Path(tmp), args.n)
    after = _run_tree(ROOT, args.n)
    print(f"messages sent per article, N={args.n} (long: N/4), before = {args.before}")
    print(f"{'':8} {'figure':28} {'before':>7} {'after':>7}")
    for part, figures in after.items():
        for name, value in figures.items():
            old = before.get(part, {}).get(name, float("nan"))
            print(f"{part:8} {name:28} {old:7.2f} {value:7.2f}")


if __name__ == "__main__":
    main()
