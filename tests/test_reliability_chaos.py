"""Faults from Telegram while a whole workflow runs: nothing torn, nothing posted twice.

Two editors send articles (pasted text, photo + caption), two admins approve, schedule and
reject them with the review-card buttons and with commands, and the scheduler publishes to two
channels on a :class:`FakeClock` -- while the fake Bot API answers a random quarter of the bot's
calls (sends, edits, deletes, callback answers, getUpdates) with 429, 500, 502, a connection
closed before or after the call was carried out, or a slow answer. The faults are seeded per
(method, chat) (``FakeTelegram.set_chaos(per_chat=True)``), so each seed replays the same
faults chat by chat however the bot's tasks interleave.

Then chaos stops, time moves on until every due post has had its turn, and:

- every article is in a state the status machine allows, and its publications agree with it;
- nothing is in flight any more, and nothing due is left unsent;
- a post is in a channel at most once; a ``published`` publication is there exactly once under
  the message ids it recorded; ``failed``/``scheduled``/``cancelled`` ones are not there at all;
- a ``held`` publication (the connection died after the request left, so the bot cannot know
  whether Telegram posted it) was not re-sent, and the admin chat has its card; the test then
  plays the admin ("It is in the channel" when it is, else "Send it again") and every
  publication ends published, each post exactly once;
- no traceback was logged (Telegram failures are one-line warnings), and the bot still answers.

How the test waits: on the fake server's change signal (``wait_for``); when nothing happens for
a moment the fake clock moves to the next sleeper's deadline (rate-limit spacing, retry back-off,
429 waits, scheduled posts), at most a few seconds at a time. The moment only decides how fast
the test runs, not what it checks: moving fake time while the bot does real I/O is harmless here
because nothing asserts timestamps.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import App
from bot.callbacks import HeldAction
from bot.clock import FakeClock
from bot.domain import Article, ArticleStatus, Publication, PublicationStatus
from fakegram.harness import (
    ADMIN_CHAT_ID,
    ADMIN_ID,
    CHANNEL_ID,
    CHANNEL_USERNAME,
    EDITOR_ID,
    SECOND_ADMIN_ID,
    Sandbox,
)
from fakegram.server import FakeTelegram, SentMessage

SEEDS = (7, 1234, 20260310)
RATE = 0.25
KINDS = (429, 500, 502, "drop", "drop_after", "slow")
CHAOS_METHODS = (
    "sendMessage",
    "sendPhoto",
    "sendMediaGroup",
    "copyMessage",
    "editMessageText",
    "editMessageCaption",
    "editMessageMedia",
    "editMessageReplyMarkup",
    "deleteMessage",
    "answerCallbackQuery",
    "getUpdates",
)
START = datetime(2026, 3, 10, 6, 0, tzinfo=UTC)
EDITOR2_ID = 2002
SECOND_CHANNEL_ID = -1005550000002
SECOND_CHANNEL = "second_news"
TEXT_ARTICLES = 6
PHOTO_ARTICLES = 4
#: Real seconds without any change at the fake server before fake time moves on.
QUIET = 0.02
#: Longest single step of fake time while the bot is busy, and while it is idle.
HOP = 5.0
IDLE_HOP = 60.0


def _tag(seed: int, n: int) -> str:
    return f"S{seed}N{n:02d}"


@dataclass
class Story:
    tag: str
    author: int
    article_id: int = 0


class World:
    """The sandbox on a fake clock, and the people in it."""

    def __init__(self, sandbox: Sandbox, clock: FakeClock) -> None:
        self.sb = sandbox
        self.tg: FakeTelegram = sandbox.tg
        self.clock = clock

    @property
    def app(self) -> App:
        return self.sb.bot_app

    # --- waiting -------------------------------------------------------------------------------

    async def until(self, predicate: Callable[[], bool], *, budget: float = 300.0) -> bool:
        """Wait for ``predicate``, moving fake time whenever the bot is quiet; False when
        ``budget`` fake seconds pass first."""
        spent = 0.0
        while not predicate():
            try:
                await self.tg.wait_for(predicate, timeout=QUIET)
                return True
            except TimeoutError:
                pass
            if spent >= budget:
                return False
            # While the bot works, small steps; while it only waits for a due time, jump there.
            cap = IDLE_HOP if self.idle() else HOP
            deadline = self.clock.next_deadline()
            hop = cap
            if deadline is not None:
                hop = min(cap, max(0.001, deadline - self.clock.monotonic()))
            await self.clock.advance(hop)
            spent += hop
        return True

    def idle(self) -> bool:
        """Every update taken and handled, no channel worker and no notice being sent."""
        app = self.app
        return (
            not self.tg.pending_updates
            and not app.dp._handle_update_tasks
            and not app.engine._workers
            and not app.engine.notices.sending
        )

    async def settle(self, *, budget: float = 300.0) -> None:
        assert await self.until(self.idle, budget=budget), "the bot never went quiet"

    # --- reading the chats -----------------------------------------------------------------

    def with_button(self, chat_id: int, data: str) -> SentMessage | None:
        """The latest live message in the chat showing a button with this callback data."""
        found = [
            m
            for m in self.tg.messages(chat_id)
            if not m.deleted and any(data in row for row in m.button_data)
        ]
        return found[-1] if found else None

    def press(self, user: int, chat_id: int, data: str) -> bool:
        """Press the button if the chat shows it; False when it is not there (lost)."""
        message = self.with_button(chat_id, data)
        if message is None:
            return False
        self.tg.press_button(user, chat_id=chat_id, message_id=message.message_id, data=data)
        return True

    async def reply_after(self, chat_id: int, action: Callable[[], object]) -> bool:
        """Do ``action`` and wait for the bot's next message in the chat; False if none came
        before the bot went quiet (the reply was lost to a fault)."""
        before = len(self.tg.messages(chat_id))
        action()
        got = await self.until(
            lambda: len(self.tg.messages(chat_id)) > before or self.idle(), budget=120
        )
        assert got
        return len(self.tg.messages(chat_id)) > before

    # --- reading the database ---------------------------------------------------------------

    async def articles(self) -> list[Article]:
        async with self.app.db.read() as uow:
            items, _total = await uow.articles.page(limit=1000)
        return items

    async def pubs(self) -> list[Publication]:
        articles = await self.articles()
        async with self.app.db.read() as uow:
            return [p for a in articles for p in await uow.publications.for_article(a.id)]

    async def channel_ids(self) -> dict[int, int]:
        """Database channel id -> Telegram chat id."""
        async with self.app.db.read() as uow:
            return {c.id: c.chat_id or 0 for c in await uow.channels.all()}


def _live(tg: FakeTelegram, chat_id: int) -> list[SentMessage]:
    return [m for m in tg.messages(chat_id) if not m.deleted]


def _copies(tg: FakeTelegram, chat_id: int, tag: str) -> list[SentMessage]:
    return [m for m in _live(tg, chat_id) if tag in m.visible]


@pytest.fixture
async def newsroom(tmp_path: Path) -> AsyncIterator[World]:
    clock = FakeClock(START)
    sandbox = Sandbox(workdir=tmp_path, clock=clock, editor_ids=(EDITOR_ID, EDITOR2_ID))
    async with sandbox:
        world = World(sandbox, clock)
        world.tg.add_user(EDITOR2_ID, "Marat", language_code="en")
        world.tg.add_channel(SECOND_CHANNEL_ID, username=SECOND_CHANNEL, title="Second News")
        try:
            yield world
        finally:
            world.tg.set_chaos(0, 0)
            await world.until(world.idle, budget=600)


# --- the workflow, step by step ----------------------------------------------------------------


async def _submit_articles(world: World, seed: int) -> list[Story]:
    tg = world.tg
    stories: list[Story] = []
    for n in range(TEXT_ARTICLES):
        story = Story(_tag(seed, n), EDITOR_ID)
        tg.send_text(
            EDITOR_ID,
            f"Council story {story.tag} on bus lanes\n\n"
            f"The council voted on item {story.tag} on Tuesday evening.\n\n"
            "Work starts in spring, the mayor's office said.",
        )
        stories.append(story)
    for n in range(TEXT_ARTICLES, TEXT_ARTICLES + PHOTO_ARTICLES):
        story = Story(_tag(seed, n), EDITOR2_ID)
        tg.send_photo(
            EDITOR2_ID,
            caption=f"Photo story {story.tag} from the square\n\nCrowds gathered at noon.",
        )
        stories.append(story)
    await world.settle()
    # Whatever Telegram lost, the drafts are in the database: an editor would find them in
    # /drafts; the test reads them directly.
    by_tag = {s.tag: s for s in stories}
    for article in await world.articles():
        for tag, story in by_tag.items():
            if tag in article.content.title:
                story.article_id = article.id
    assert all(s.article_id for s in stories), stories
    # Submit with the draft's button, or with /submit when the preview never arrived.
    for story in stories:
        data = f"d:submit:{story.article_id}:"
        if not world.press(story.author, story.author, data):
            tg.send_text(story.author, f"/submit {story.article_id}")
    await world.settle()
    return stories


async def _prompted(
    world: World, admin: int, article_id: int, button: str, answer: str, fallback: str
) -> None:
    """Press a card button that asks a question, answer it; the command if anything is lost."""
    before = len(world.tg.messages(ADMIN_CHAT_ID))

    def asked() -> bool:
        return any(
            f"#{article_id}" in m.visible and "?" in m.visible and not m.buttons
            for m in world.tg.messages(ADMIN_CHAT_ID)[before:]
        )

    if world.press(admin, ADMIN_CHAT_ID, f"{button}:{article_id}"):
        await world.until(lambda: asked() or world.idle())
    if asked():
        world.tg.send_text(admin, answer, chat_id=ADMIN_CHAT_ID)
    else:  # the prompt was lost: the command does the same (and closes the open prompt)
        world.tg.send_text(admin, fallback, chat_id=ADMIN_CHAT_ID)
    await world.settle()


async def _decide(world: World, stories: list[Story]) -> None:
    """Seven kinds of decision, by button and by command, by both admins."""
    tg = world.tg
    both = f"@{CHANNEL_USERNAME} @{SECOND_CHANNEL}"
    for i, story in enumerate(stories):
        article_id = story.article_id
        card = world.with_button(ADMIN_CHAT_ID, f"r:publish:{article_id}")
        plan = i % 7
        if plan == 0:
            # Publish now from the card; on the first one both admins press at once.
            if card is None:
                tg.send_text(ADMIN_ID, f"/publish {article_id}", chat_id=ADMIN_CHAT_ID)
            else:
                data = f"r:publish:{article_id}"
                tg.press_button(
                    ADMIN_ID, chat_id=ADMIN_CHAT_ID, message_id=card.message_id, data=data
                )
                if i == 0:
                    tg.press_button(
                        SECOND_ADMIN_ID,
                        chat_id=ADMIN_CHAT_ID,
                        message_id=card.message_id,
                        data=data,
                    )
        elif plan == 1:
            tg.send_text(
                SECOND_ADMIN_ID, f"/schedule {article_id} +15m {both}", chat_id=ADMIN_CHAT_ID
            )
        elif plan == 2:
            await _prompted(
                world,
                ADMIN_ID,
                article_id,
                "r:schedule",
                "+10m",
                f"/schedule {article_id} +10m",
            )
        elif plan == 3:
            await _prompted(
                world,
                ADMIN_ID,
                article_id,
                "r:reject",
                "Нужен второй источник",
                f"/reject {article_id} Нужен второй источник",
            )
        elif plan == 4:
            tg.send_text(ADMIN_ID, f"/publish {article_id} {both}", chat_id=ADMIN_CHAT_ID)
        elif plan == 5:
            await _prompted(
                world,
                SECOND_ADMIN_ID,
                article_id,
                "r:schedule",
                "+20m",
                f"/schedule {article_id} +20m",
            )
        else:
            tg.send_text(
                SECOND_ADMIN_ID,
                f"/reject {article_id} Needs a second source --sign",
                chat_id=ADMIN_CHAT_ID,
            )
    await world.settle()


# --- what must hold afterwards -----------------------------------------------------------------

_OPEN = (PublicationStatus.SCHEDULED, PublicationStatus.PUBLISHING, PublicationStatus.HELD)


async def _check_consistency(
    world: World, stories: list[Story], confirmed: frozenset[int] = frozenset()
) -> list[Publication]:
    """The invariants; returns the held publications. ``confirmed``: held publications an
    admin said are in the channel (the bot never learnt their message ids)."""
    tg = world.tg
    now = world.clock.now()
    chats = await world.channel_ids()
    assert set(chats.values()) == {CHANNEL_ID, SECOND_CHANNEL_ID}
    articles = {a.id: a for a in await world.articles()}
    pubs = await world.pubs()
    by_article: dict[int, list[Publication]] = {}
    for pub in pubs:
        by_article.setdefault(pub.article_id, []).append(pub)
    tags = {s.article_id: s.tag for s in stories}
    held: list[Publication] = []
    for article_id, article in articles.items():
        mine = by_article.get(article_id, [])
        statuses = {p.status for p in mine}
        where = f"#{article_id} {article.status} {sorted(statuses)}"
        if article.status in (ArticleStatus.DRAFT, ArticleStatus.PENDING):
            assert not mine, where
        elif article.status is ArticleStatus.REJECTED:
            assert statuses <= {PublicationStatus.CANCELLED}, where
        elif article.status is ArticleStatus.PUBLISHED:
            assert PublicationStatus.PUBLISHED in statuses, where
            assert not statuses & set(_OPEN), where
        elif article.status is ArticleStatus.SCHEDULED:
            # Still open: something held for an admin, or failed with an alert.
            assert statuses & {PublicationStatus.HELD, PublicationStatus.FAILED}, where
        else:
            raise AssertionError(f"unexpected state {where}")
        for pub in mine:
            chat = chats[pub.channel_id]
            copies = _copies(tg, chat, tags[article_id])
            what = f"{where}: publication {pub.id} in {chat} ({pub.status}, {pub.last_error})"
            async with world.app.db.read() as uow:
                trail = await uow.audit.for_article(article_id)
            what += "\n" + "\n".join(f"{e.at} {e.actor_id} {e.action} {e.details}" for e in trail)
            assert pub.status is not PublicationStatus.PUBLISHING, what  # nothing in flight
            assert len(copies) <= 1, what + " posted twice"
            if pub.status is PublicationStatus.PUBLISHED:
                assert len(copies) == 1, what + " recorded as published but not there"
                if pub.id in confirmed:
                    assert pub.message_ids == (), what
                else:
                    assert pub.message_ids == (copies[0].message_id,), what
                    assert pub.link.endswith(f"/{copies[0].message_id}"), what
            elif pub.status is PublicationStatus.HELD:
                assert pub.last_error.startswith("unknown_outcome"), what
                held.append(pub)
            else:
                if pub.status is PublicationStatus.SCHEDULED:
                    assert pub.due_at > now, what + " due but not sent"
                assert not copies, what + " is in the channel but not recorded"
    # Every channel post belongs to a publication of that channel (no stray copies).
    for db_id, chat in chats.items():
        for message in _live(tg, chat):
            owners = [
                p
                for p in pubs
                if p.channel_id == db_id and tags.get(p.article_id, "\0") in message.visible
            ]
            assert len(owners) == 1, (chat, message.visible[:80])
            assert owners[0].status in (PublicationStatus.PUBLISHED, PublicationStatus.HELD)
    return held


async def _resolve_held(
    world: World, held: list[Publication], stories: list[Story]
) -> frozenset[int]:
    """Play the admin on each held card: the channel tells which answer is true. Returns the
    publications confirmed as sent."""
    chats = await world.channel_ids()
    tags = {s.article_id: s.tag for s in stories}
    confirmed: set[int] = set()
    for pub in held:
        there = bool(_copies(world.tg, chats[pub.channel_id], tags[pub.article_id]))
        action = "sent" if there else "resend"
        if there:
            confirmed.add(pub.id)
        data = HeldAction(action=action, publication_id=pub.id).pack()
        assert world.press(ADMIN_ID, ADMIN_CHAT_ID, data), (
            f"publication {pub.id} is held but the admin chat has no card for it"
        )
        await world.settle()
    return frozenset(confirmed)


def _no_tracebacks(records: list[logging.LogRecord]) -> None:
    """Telegram's failures are warnings; errors and tracebacks are for bugs. (aiogram logs an
    error of its own when getUpdates still fails after our retries; it polls on regardless.)"""
    bad = [
        r
        for r in records
        if r.exc_info
        or (
            r.levelno >= logging.ERROR
            and not (r.name == "aiogram.dispatcher" and "Failed to fetch" in r.getMessage())
        )
    ]
    assert not bad, [f"{r.levelname} {r.name}: {r.getMessage()}" for r in bad]


@pytest.mark.parametrize("seed", SEEDS)
async def test_chaos_from_telegram_leaves_every_article_consistent(
    newsroom: World, seed: int, caplog: pytest.LogCaptureFixture
) -> None:
    world, tg = newsroom, newsroom.tg
    caplog.set_level(logging.WARNING)
    # A second channel, added the way an admin does it (before the trouble starts).
    assert await world.reply_after(
        ADMIN_ID, lambda: tg.send_text(ADMIN_ID, f"/channel_add @{SECOND_CHANNEL}")
    )
    assert "Second News" in tg.messages(ADMIN_ID)[-1].visible

    tg.set_chaos(RATE, seed, KINDS, methods=CHAOS_METHODS, slow_seconds=0.01, per_chat=True)
    stories = await _submit_articles(world, seed)
    await _decide(world, stories)
    # Scheduled posts fall due and go out while Telegram still misbehaves.
    await world.until(lambda: False, budget=25 * 60)
    await world.settle()

    tg.set_chaos(0, seed)
    faults = Counter(f.kind for f in tg.chaos_log)
    # The run met every kind of fault, and enough of them to matter.
    assert set(faults) == {str(k) for k in KINDS}, faults
    assert sum(faults.values()) >= 25, faults
    # Let everything settle: retries end, anything still due goes out.
    await world.clock.advance(3600)
    await world.settle()

    held = await _check_consistency(world, stories)
    confirmed = await _resolve_held(world, held, stories)
    await _check_consistency(world, stories, confirmed)
    pubs = await world.pubs()
    assert not [p for p in pubs if p.status is PublicationStatus.HELD]
    # No post twice, in any channel (compared by text).
    for chat in (CHANNEL_ID, SECOND_CHANNEL_ID):
        texts = Counter(m.visible for m in _live(tg, chat))
        assert all(n == 1 for n in texts.values()), texts

    # Chaos is over: the bot answers as usual.
    assert await world.reply_after(EDITOR_ID, lambda: tg.send_text(EDITOR_ID, "/start"))
    assert await world.reply_after(ADMIN_ID, lambda: tg.send_text(ADMIN_ID, "/queue"))
    queue = tg.messages(ADMIN_ID)[-1].visible
    for article in await world.articles():
        if article.status is ArticleStatus.PENDING:
            assert f"#{article.id}" in queue, queue
    _no_tracebacks(caplog.records)
