"""Three bot processes on one PostgreSQL and Redis, SIGKILLed at random for 22 rounds (issue 17).

The fake Bot API runs in this process; so does a round-robin balancer (``fakegram.balancer``,
what ``deploy/nginx.conf`` does) in front of three replicas forked by ``tests/crash_worker.py``
(the real ``create_app`` + ``run_webhook``: start-up recovery, heartbeats, the scheduler with
LISTEN/NOTIFY wake-ups, Redis-shared limits and FSM). Every replica takes any update.

While the rounds run:
- two channels have posts scheduled every 5 s and every 10 s;
- editors paste articles, each on whichever replica the balancer picks; the editor presses
  Submit, an admin presses Publish on the review card (each step again on any replica);
- a seeded random schedule kills one replica (two, every fifth round; one always lives), either
  at a random moment or right after the server created a channel post (its sender may not have
  read the answer yet: an unknown outcome), and starts it again moments later.

The random pauses between kills are the chaos itself, not synchronisation: every wait for an
outcome is a wait on a condition with a deadline.

Then, all three replicas up, the test plays the admin on every held card (as
``tests/test_crash.py`` does) and checks: no post twice; every publication published (in its
channel once, under the recorded ids) unless held with a card in the admin chat; every post that
was not held out within 10 s of its time; never more than 20 posts in a channel in any minute;
every pasted story published once.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from bot.callbacks import HeldAction
from bot.domain import ArticleContent, ArticleStatus
from fakegram.balancer import Balancer
from fakegram.harness import ADMIN_CHAT_ID
from fakegram.records import SentMessage
from fakegram.server import FakeTelegram
from storage.db import Database
from tests.backends import POSTGRES_ENV, REDIS_ENV, Backend, server_url
from tests.crash_worker import ForkServer
from tests.test_crash import _held_cards
from tests.test_e2e_webhook import _free_port

pytestmark = pytest.mark.slow

SEED = 20261207
ROUNDS = 22
REPLICAS = 3
TOKEN = "7700001:CHAOS-token_for-scale"  # a bot id of its own: its own Redis keys
SECRET = "chaos-webhook-secret"
ADMIN_CHAT = ADMIN_CHAT_ID  # the held cards are read as tests/test_crash.py reads them
ADMINS = (5201, 5202)
EDITORS = (5101, 5102, 5103, 5104)
CHANNEL_A = (-1007700000001, "chaos_a")
CHANNEL_B = (-1007700000002, "chaos_b")  # the default channel: pasted stories go here
SCHEDULE = ((CHANNEL_A, 22, 5.0, 0.0), (CHANNEL_B, 11, 10.0, 2.5))  # channel, posts, every, offset
LEAD_IN = 8.0  # seconds from the seeding to the first due post: the replicas start meanwhile
STORIES = 8
# The admin chat takes 20 messages a minute (sends and edits) like any group, and a story costs
# it about three (the card, "approved", "published"), the digests of three replicas the rest:
# the pace above keeps the newsroom inside what Telegram allows, as a real one must be.
LATE_LIMIT = 10 + 1  # seconds; Telegram's message dates are whole seconds


@dataclass(frozen=True)
class Row:
    id: int
    title: str
    chat_id: int
    status: str
    message_ids: tuple[int, ...]
    attempts: int
    due_at: datetime


async def _seed(url: str) -> None:
    """The two channels and the scheduled posts, due from LEAD_IN seconds on."""
    db = await Database.open(url)
    start = datetime.now(UTC) + timedelta(seconds=LEAD_IN)
    try:
        async with db.transaction() as uow:
            for (chat_id, name), count, every, offset in SCHEDULE:
                channel = await uow.channels.ensure(
                    f"@{name}",
                    now=start,
                    chat_id=chat_id,
                    username=name,
                    is_default=name == CHANNEL_B[1],
                )
                for n in range(count):
                    article = await uow.articles.create(
                        ArticleContent(
                            title=f"Scheduled {name} {n:02d}",
                            lead="A post due at its minute.",
                            body=("One paragraph of the scheduled story.",),
                        ),
                        author_id=EDITORS[0],
                        origin="text",
                        now=start,
                        status=ArticleStatus.SCHEDULED,
                    )
                    due = start + timedelta(seconds=offset + n * every)
                    await uow.publications.schedule(
                        article_id=article.id,
                        channel_id=channel.id,
                        due_at=due,
                        silent=False,
                        now=start,
                    )
    finally:
        await db.close()


async def _rows(url: str) -> list[Row]:
    conn = await asyncpg.connect(url)
    try:
        records = await conn.fetch(
            "SELECT p.id, a.title, c.chat_id, p.status, p.message_ids, p.attempts, p.due_at"
            " FROM publications p JOIN articles a ON a.id = p.article_id"
            " JOIN channels c ON c.id = p.channel_id ORDER BY p.id"
        )
    finally:
        await conn.close()
    return [
        Row(r[0], r[1], r[2], r[3], tuple(json.loads(r[4])), r[5], datetime.fromisoformat(r[6]))
        for r in records
    ]


def _live(tg: FakeTelegram, chat_id: int) -> list[SentMessage]:
    return [m for m in tg.messages(chat_id) if not m.deleted]


def _title(message: SentMessage) -> str:
    return message.visible.split("\n", 1)[0].strip()


def _find(tg: FakeTelegram, chat_id: int, needle: str, prefix: str) -> tuple[int, str] | None:
    """(message id, callback data) of the first message showing ``needle`` and a button whose
    data starts with ``prefix``."""
    for message in _live(tg, chat_id):
        if needle in message.visible:
            for row in message.button_data:
                for data in row:
                    if data.startswith(prefix):
                        return message.message_id, data
    return None


async def _until(
    tg: FakeTelegram,
    probe: Callable[[], Any],
    timeout: float,  # noqa: ASYNC109 - a deadline for a condition on the fake server
    what: str,
    *chats: int,
) -> Any:
    """``probe()``'s first true value; on timeout, fails with the last messages of ``chats``."""
    found: list[Any] = []

    def check() -> bool:
        found[:] = [probe()]
        return bool(found[0])

    try:
        await tg.wait_for(check, timeout)
    except TimeoutError:
        clock = time.time()
        seen = [
            f"{chat} -{clock - m.date:.0f}s {m.method} {m.visible[:60]!r} {m.button_data[:1]}"
            for chat in chats
            for m in tg.messages(chat)[-8:]
        ]
        raise AssertionError(f"{what} not within {timeout} s; last messages: {seen}") from None
    return found[0]


async def _story(tg: FakeTelegram, n: int) -> str:
    """An editor pastes a story, submits it; an admin publishes it. Returns its title."""
    title = f"Chaos story {n:02d} on the city budget"
    editor = EDITORS[n % len(EDITORS)]
    tg.send_text(
        editor,
        f"{title}\n\nThe council met for the {n}th time this week.\n\n"
        "Members argued about roads, schools and the heating network for three hours.",
    )
    message_id, data = await _until(
        tg, lambda: _find(tg, editor, title, "d:submit:"), 90, f"{title}: draft", editor
    )
    tg.press_button(editor, chat_id=editor, message_id=message_id, data=data, check=False)
    article_id = data.split(":")[2]
    publish = f"r:publish:{article_id}"
    card = await _until(
        tg, lambda: _find(tg, ADMIN_CHAT, "", publish), 90, f"{title}: card", ADMIN_CHAT, editor
    )
    admin = ADMINS[n % len(ADMINS)]
    tg.press_button(admin, chat_id=ADMIN_CHAT, message_id=card[0], data=publish, check=False)
    await _until(
        tg,
        lambda: any(_title(m) == title for m in _live(tg, CHANNEL_B[0])),
        90,
        f"{title}: post",
        CHANNEL_B[0],
        ADMIN_CHAT,
    )
    return title


async def _stories(tg: FakeTelegram, rng: random.Random) -> list[str]:
    """The editors' stories, started a few seconds apart, each running on its own."""
    tasks = []
    for n in range(STORIES):
        tasks.append(asyncio.create_task(_story(tg, n)))
        await asyncio.sleep(rng.uniform(8.0, 14.0))  # chaos pacing, not synchronisation
    return list(await asyncio.gather(*tasks))


class Replicas:
    """The three replicas: their ports behind the balancer, and the pid each runs as now."""

    def __init__(self, server: ForkServer, ports: list[int]) -> None:
        self.server = server
        self.ports = ports
        self.pids: dict[int, int] = {}
        self.kills = 0

    async def start(self, index: int) -> None:
        self.pids[index] = await self.server.start_bot(
            webhook_listen=f"127.0.0.1:{self.ports[index]}"
        )

    async def kill(self, index: int) -> None:
        await self.server.kill_bot(self.pids.pop(index))
        self.kills += 1


def _posts(tg: FakeTelegram) -> int:
    return len(tg.messages(CHANNEL_A[0])) + len(tg.messages(CHANNEL_B[0]))


def _one_more_post(tg: FakeTelegram) -> Callable[[], bool]:
    posts = _posts(tg)
    return lambda: _posts(tg) > posts


async def _rounds(tg: FakeTelegram, replicas: Replicas, rng: random.Random) -> int:
    """ROUNDS kills, each followed by a restart; one replica always lives."""
    for n in range(ROUNDS):
        if rng.random() < 0.5:
            await asyncio.sleep(rng.uniform(1.5, 4.0))  # a kill at a random moment
        else:
            # Right after the server created a channel post: its sender may not know yet.
            await tg.wait_for(_one_more_post(tg), 30)
        victims = rng.sample(range(REPLICAS), 2 if n % 5 == 4 else 1)
        for index in victims:
            await replicas.kill(index)
        await asyncio.sleep(rng.uniform(0.3, 1.5))  # down for a moment, as a crash loop is
        for index in victims:
            await replicas.start(index)
    return replicas.kills


async def _poll(probe: Callable[[], Any], timeout: float, what: str) -> None:  # noqa: ASYNC109
    """Re-check an async condition on the database every 0.25 s until it holds."""
    deadline = time.monotonic() + timeout
    while not await probe():
        assert time.monotonic() < deadline, f"not within {timeout} s: {what}"
        await asyncio.sleep(0.25)  # polling a condition with a deadline


async def _settle_held(tg: FakeTelegram, url: str) -> set[int]:
    """Wait until every publication is published or held with its card; answer every card
    ("It is in the channel" when the post is there, else "Send it again"). Returns their ids."""

    async def settled() -> bool:
        rows = await _rows(url)
        held = {r.id for r in rows if r.status == "held"}
        return all(r.status in ("published", "held") for r in rows) and held <= set(
            _held_cards(tg, 0)
        )

    await _poll(settled, 60, "every publication published or held with a card")
    cards = _held_cards(tg, 0)
    held = [r for r in await _rows(url) if r.status == "held"]
    for row in held:
        in_channel = any(_title(m) == row.title for m in _live(tg, row.chat_id))
        action = "sent" if in_channel else "resend"
        tg.press_button(
            ADMINS[0],
            chat_id=ADMIN_CHAT,
            message_id=cards[row.id][action],
            data=HeldAction(action=action, publication_id=row.id).pack(),
            check=False,
        )

    async def published() -> bool:
        return all(r.status == "published" for r in await _rows(url))

    await _poll(published, 60, "every held publication settled by its admin")
    return {r.id for r in held}


def _settings(tg: FakeTelegram, url: str, redis_url: str, balancer: str) -> dict[str, Any]:
    return {
        "bot_token": TOKEN,
        "telegram_api_url": tg.api_base,
        "channel_id": f"@{CHANNEL_B[1]}",
        "admin_chat_id": ADMIN_CHAT,
        "admin_ids": list(ADMINS),
        "editor_ids": list(EDITORS),
        "database_url": url,
        "redis_url": redis_url,
        "default_language": "en",
        "webhook_url": f"{balancer}/telegram/webhook",
        "webhook_secret": SECRET,
        "shutdown_grace_seconds": 0,
    }


def _people(tg: FakeTelegram) -> None:
    for n, user_id in enumerate(ADMINS):
        tg.add_user(user_id, f"Admin {n}", language_code="en")
    for n, user_id in enumerate(EDITORS):
        tg.add_user(user_id, f"Editor {n}", language_code="en")
    for chat_id, name in (CHANNEL_A, CHANNEL_B):
        tg.add_channel(chat_id, title=name, username=name)
    tg.add_group(ADMIN_CHAT, "Newsroom admins")
    tg.enforce_rate_limits()  # Telegram's own: 429 over 20 a minute in a channel, and so on


def _check(tg: FakeTelegram, rows: list[Row], stories: list[str], held: set[int]) -> list[float]:
    """The invariants after the run; returns the lateness (s) of every post not held."""
    assert all(r.status == "published" for r in rows)
    late: list[float] = []
    for chat_id, _name in (CHANNEL_A, CHANNEL_B):
        posts = _live(tg, chat_id)
        counts = Counter(_title(m) for m in posts)
        mine = [r for r in rows if r.chat_id == chat_id]
        assert set(counts) == {r.title for r in mine}, "a post that belongs to no publication"
        assert max(counts.values()) == 1, [t for t, c in counts.items() if c > 1]
        by_id = {m.message_id: m for m in posts}
        for row in mine:
            shown = [m.message_id for m in posts if _title(m) == row.title]
            # "It is in the channel" on a held card records no message ids: nobody knows them.
            if row.id not in held or row.message_ids:
                assert shown == list(row.message_ids), row
            if row.id not in held:
                late.append(by_id[row.message_ids[0]].date - row.due_at.timestamp())
        dates = sorted(m.date for m in posts)
        busiest = max(sum(1 for d in dates if 0 <= d - first < 60) for first in dates)
        assert busiest <= 20, f"{busiest} posts in one minute in {chat_id}"
    published_titles = {r.title for r in rows if r.chat_id == CHANNEL_B[0]}
    assert set(stories) <= published_titles
    assert len(stories) == STORIES
    assert max(late) <= LATE_LIMIT, sorted(late)[-5:]
    return late


async def test_three_replicas_under_sigkills_post_once_and_on_time(tmp_path: Path) -> None:
    postgres = server_url(POSTGRES_ENV, "PostgreSQL")
    redis_url = server_url(REDIS_ENV, "Redis")
    backend = Backend("postgresql", tmp_path, postgres)
    kill_rng, story_rng = random.Random(SEED), random.Random(SEED + 1)
    try:
        url = await backend.new("chaos")
        async with FakeTelegram(token=TOKEN) as tg:
            _people(tg)
            ports = [_free_port() for _ in range(REPLICAS)]
            async with Balancer([f"127.0.0.1:{p}" for p in ports]) as balancer:
                server = await ForkServer.launch(
                    _settings(tg, url, redis_url, balancer.url), tmp_path
                )
                replicas = Replicas(server, ports)
                try:
                    await _seed(url)
                    for index in range(REPLICAS):
                        await replicas.start(index)
                    stories = asyncio.create_task(_stories(tg, story_rng))
                    kills = await _rounds(tg, replicas, kill_rng)
                    titles = await asyncio.wait_for(stories, 240)
                    held = await _settle_held(tg, url)
                finally:
                    for index in list(replicas.pids):
                        await replicas.kill(index)
                    await server.close()
                answered = dict(balancer.answered)
            rows = await _rows(url)
            late = _check(tg, rows, titles, held)
            refused = tg.stats.too_many_requests
    finally:
        await backend.drop_all()
    late.sort()
    print(
        f"\nchaos: {kills} kills in {ROUNDS} rounds, {len(rows)} publications,"
        f" {len(held)} held and settled by an admin, lateness p50 {late[len(late) // 2]:.1f} s"
        f" max {late[-1]:.1f} s, 429s {refused}, updates per replica {answered}"
    )
    # Not asserted zero: one 429 was seen in a run (which chat is not recorded yet), answered
    # by the retry after retry_after; the channels' minute is checked above, post by post.
    assert refused <= 3, f"{refused} answers of 429 from Telegram"
    assert kills >= ROUNDS
