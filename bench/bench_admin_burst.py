"""The admin chat under a burst (issue 14): 60 submissions and 60 publications in ten minutes.

The admin chat is a group, which Telegram allows 20 messages a minute (sends and edits). One
run plays a busy news hour through the fake Bot API with Telegram's limits enforced by the
server (429 with ``retry_after`` past them) and the bot's real rate limiter:

* before the clock starts, six editors paste ten short articles each (their drafts);
* one submission every 10 s for ten minutes (the editors take turns pressing Submit);
* an admin presses Publish on each review card 20 s after its submission was pressed.

Time is a fake clock shared by the bot and the server, moved on whenever the bot is idle (at
most half a second at a time, never past the next sleeper), so Telegram's pacing plays out as
in real time while the run takes a minute or two of wall time.

It prints the admin-chat messages per article (all sent, deleted ones too; target at most
1.2), the 429s the server answered (target none), and how long, in fake seconds, a review card
took to appear after its Submit press and the published post's link to appear in the admin
chat after its Publish press (target: none over 60 s; p50, p95, max).

    python bench/bench_admin_burst.py [--articles 60] [--every 10] [--publish-after 20]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bot.clock import FakeClock
from fakegram.harness import ADMIN_CHAT_ID, ADMIN_ID, CHANNEL_ID, CHANNEL_USERNAME, Sandbox
from fakegram.server import FakeTelegram

EDITORS = list(range(80_000, 80_006))
HOP = 0.5  # the most fake time one step moves
IDLE = 0.02  # real seconds without news before the clock moves


def _text(i: int) -> str:
    return (
        f"Council {i} approves the budget for district {i}\n\n"
        f"The city council approved the budget for district {i} by 14 votes to 2 on Monday.\n\n"
        "The money goes to roads, schools and the new clinic, the mayor's office said."
    )


def _button(tg: FakeTelegram, chat: int, prefix: str) -> tuple[int, str] | None:
    for m in reversed(tg.messages(chat)):
        if m.deleted:
            continue
        for row in m.button_data:
            for data in row:
                if data.startswith(prefix):
                    return m.message_id, data
    return None


@dataclass
class Run:
    sandbox: Sandbox
    clock: FakeClock
    t0: float = 0.0
    drafts: list[tuple[int, int]] = field(default_factory=list)  # (editor, article id)
    submitted: dict[int, float] = field(default_factory=dict)  # article id → Submit press
    carded: dict[int, float] = field(default_factory=dict)  # card shown in the admin chat
    published: dict[int, float] = field(default_factory=dict)  # Publish press
    linked: dict[int, float] = field(default_factory=dict)  # post link shown to admins

    @property
    def tg(self) -> FakeTelegram:
        return self.sandbox.tg

    def now(self) -> float:
        return self.clock.monotonic() - self.t0

    async def step(self) -> None:
        """Let the bot work; once nothing has happened for a moment, move the clock on."""
        tg = self.tg
        seen = len(tg.world.requests)
        await asyncio.sleep(IDLE)
        # Updates still being handled may be waiting for the limiter on this very clock, so
        # "idle" is no new request and no update waiting for a moment, not "no task".
        while len(tg.world.requests) != seen or tg.pending_updates:
            seen = len(tg.world.requests)
            await asyncio.sleep(IDLE)
        deadline = self.clock.next_deadline()
        hop = HOP if deadline is None else min(HOP, max(0.001, deadline - self.clock.monotonic()))
        await self.clock.advance(hop)

    def observe(self) -> None:
        """Note the first moment each card and each post link is visible in the admin chat."""
        tg = self.tg
        for article_id in self.submitted:
            if article_id not in self.carded and _button(
                tg, ADMIN_CHAT_ID, f"r:publish:{article_id}"
            ):
                self.carded[article_id] = self.now()
        if not self.published:
            return
        posted = {m.message_id for m in tg.messages(CHANNEL_ID) if not m.deleted}
        shown = " ".join(m.visible for m in tg.messages(ADMIN_CHAT_ID) if not m.deleted)
        links = {int(n) for n in re.findall(rf"t\.me/{CHANNEL_USERNAME}/(\d+)", shown)}
        if not links & posted:
            return
        # Which article a link belongs to: the channel message that carries its title.
        for article_id in self.published:
            if article_id in self.linked:
                continue
            title = f"Council {self._index[article_id]} approves"
            for m in tg.messages(CHANNEL_ID):
                if m.message_id in links and title in m.visible:
                    self.linked[article_id] = self.now()

    _index: dict[int, int] = field(default_factory=dict)


async def _paste_all(run: Run, n: int) -> None:
    tg = run.tg
    for i in range(n):
        editor = EDITORS[i % len(EDITORS)]
        tg.send_text(editor, _text(i))
    while True:
        found = []
        for editor in EDITORS:
            for m in tg.messages(editor):
                for row in m.button_data:
                    found += [(editor, d) for d in row if d.startswith("d:submit:")]
        if len(found) >= n:
            break
        await run.step()
    for editor, data in found:
        article_id = int(data.split(":")[2])
        run.drafts.append((editor, article_id))
    run.drafts.sort(key=lambda d: d[1])
    run._index = {article_id: i for i, (_e, article_id) in enumerate(run.drafts)}


async def _play(run: Run, every: float, publish_after: float) -> None:
    tg = run.tg
    tg.enforce_rate_limits()
    run.t0 = run.clock.monotonic()
    n = len(run.drafts)
    end = n * every + publish_after + 120
    while run.now() < end and len(run.linked) < n:
        now = run.now()
        for i, (editor, article_id) in enumerate(run.drafts):
            if article_id not in run.submitted and now >= i * every:
                found = _button(tg, editor, f"d:submit:{article_id}:")
                if found is not None:
                    tg.press_button(editor, chat_id=editor, message_id=found[0], data=found[1])
                    run.submitted[article_id] = now
            due = run.submitted.get(article_id)
            if due is not None and article_id not in run.published and now >= due + publish_after:
                card = _button(tg, ADMIN_CHAT_ID, f"r:publish:{article_id}")
                if card is not None:
                    tg.press_button(
                        ADMIN_ID, chat_id=ADMIN_CHAT_ID, message_id=card[0], data=card[1]
                    )
                    run.published[article_id] = now
        await run.step()
        run.observe()


def _waits(start: dict[int, float], end: dict[int, float]) -> str:
    waits = sorted(end[k] - start[k] for k in start if k in end)
    missing = len(start) - len(waits)
    if not waits:
        return f"none seen ({missing} missing)"
    p95 = waits[min(len(waits) - 1, round(0.95 * (len(waits) - 1)))]
    text = f"p50 {statistics.median(waits):5.1f} s  p95 {p95:5.1f} s  max {waits[-1]:5.1f} s"
    return text + (f"  ({missing} never)" if missing else "")


async def main(articles: int, every: float, publish_after: float) -> None:
    clock = FakeClock(datetime(2026, 3, 10, 6, 0, tzinfo=UTC))
    with tempfile.TemporaryDirectory() as tmp:
        sandbox = Sandbox(workdir=Path(tmp), clock=clock, extra_editors=EDITORS)
        async with sandbox:
            run = Run(sandbox, clock)
            await _paste_all(run, articles)
            admin_before = len(sandbox.tg.messages(ADMIN_CHAT_ID))
            await _play(run, every, publish_after)
            admin = len(sandbox.tg.messages(ADMIN_CHAT_ID)) - admin_before
            stats = sandbox.tg.stats
    span = articles * every
    print(f"admin chat under a burst: {articles} submissions and publications in {span:.0f} s")
    print(f"  admin-chat messages per article      {admin / articles:6.2f}   (target <= 1.2)")
    print(f"  429 answers from the server          {stats.too_many_requests:6d}   (target 0)")
    print(f"  card after Submit                    {_waits(run.submitted, run.carded)}")
    print(f"  post link after Publish              {_waits(run.published, run.linked)}")
    print("  (waits in fake seconds; target: none over 60 s)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=60)
    parser.add_argument("--every", type=float, default=10.0)
    parser.add_argument("--publish-after", type=float, default=20.0)
    args = parser.parse_args()
    asyncio.run(main(args.articles, args.every, args.publish_after))
