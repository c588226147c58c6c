"""The database lets the bot down: read-only, disk full, locked by another process.

For each cause, while the real bot runs against the fake Bot API: the person gets a clear, polite
answer in their language, the log gets one line naming the cause (no traceback), nothing of the
failed change is kept (no partial rows), ``PRAGMA integrity_check`` stays ``ok``, ``/healthz``
says "degraded" while the cause lasts -- and once the cause goes, the same action works again
without a restart. The scheduler lives through a locked database, and a post it sent while the
database was locked is recorded once the lock goes, not lost and not sent twice.

How each cause is produced, on the bot's own connection or against its database file:

- **read-only**: ``PRAGMA query_only = ON``. ``chmod`` cannot be used: these tests may run as
  root, whom file permissions do not stop, and for anyone they are checked at ``open()`` -- a
  running bot keeps writing through the descriptors it already holds. A database that really
  turns read-only under a running bot (a file system remounted read-only) fails every write
  with ``SQLITE_READONLY`` ("attempt to write a readonly database"); ``query_only`` makes SQLite
  fail every write with that same result code and message, through the same code paths.
- **disk full**: ``PRAGMA max_page_count`` set to the current page count: a write that needs a
  new page fails with ``SQLITE_FULL`` ("database or disk is full"), as on a full disk.
- **locked**: a separate Python process opens the file and holds ``BEGIN EXCLUSIVE``. The bot
  waits ``busy_timeout`` for it (5 s in production; shortened to 250 ms on the bot's connection
  here so that giving up does not cost the test 5 s each time), then answers "busy".

Time is a :class:`FakeClock` moved only when the bot is quiet (see ``World.until``).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import sys
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.app import App
from bot.clock import FakeClock
from bot.domain import ArticleStatus, PublicationStatus
from bot.views.combined import SEPARATOR
from bot.web import health_payload
from bot.workflow import drafts
from fakegram.harness import (
    ADMIN_CHAT_ID,
    ADMIN_ID,
    CHANNEL_ID,
    CHANNEL_USERNAME,
    EDITOR_ID,
    SECOND_ADMIN_ID,
    Sandbox,
)
from fakegram.server import SentMessage
from handlers.errors import storage_error_text
from storage.db import StorageError

START = datetime(2026, 3, 10, 6, 0, tzinfo=UTC)
EN_EDITOR_ID = 2002
QUIET = 0.02  # real seconds without a change at the fake server before fake time moves
HOP = 5.0  # longest step of fake time
SHORT_BUSY_TIMEOUT_MS = 250

LOCKER = r"""
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
while line := sys.stdin.readline():
    if line.strip() == "lock":
        conn.execute("BEGIN EXCLUSIVE")
        print("locked", flush=True)
    elif line.strip() == "unlock":
        conn.execute("ROLLBACK")
        print("unlocked", flush=True)
"""


def article_text(title: str, *, paragraphs: int = 2) -> str:
    body = "\n\n".join(
        f"Paragraph {i} of {title}: the council met on Tuesday and voted on the budget."
        for i in range(paragraphs)
    )
    return f"{title}\n\n{body}"


class World:
    def __init__(self, sandbox: Sandbox, clock: FakeClock) -> None:
        self.sb = sandbox
        self.tg = sandbox.tg
        self.clock = clock

    @property
    def app(self) -> App:
        return self.sb.bot_app

    @property
    def path(self) -> Path:
        return Path(self.app.db.path)

    async def until(self, predicate: Callable[[], bool], *, budget: float = 120.0) -> None:
        """Wait for ``predicate``; whenever the bot is quiet for a moment and not inside the
        database, move fake time to the next sleeper's deadline (at most ``HOP``). Fails after
        ``budget`` fake seconds."""
        spent = 0.0
        while not predicate():
            try:
                await self.tg.wait_for(predicate, timeout=QUIET)
                return
            except TimeoutError:
                pass
            if self.app.db.in_use:
                continue  # waiting on the database (a lock) takes real time, not fake time
            assert spent < budget, f"not reached within {budget} fake seconds"
            deadline = self.clock.next_deadline()
            hop = (
                HOP
                if deadline is None
                else min(HOP, max(0.001, deadline - self.clock.monotonic()))
            )
            await self.clock.advance(hop)
            spent += hop

    def idle(self) -> bool:
        app = self.app
        return (
            not self.tg.pending_updates
            and not app.dp._handle_update_tasks
            and not app.engine._workers
        )

    async def settle(self) -> None:
        await self.until(self.idle)

    async def say(self, user: int, text: str) -> list[SentMessage]:
        """``user`` writes ``text`` to the bot; return what the bot sent back once it is done."""
        before = len(self.tg.messages(user))
        self.tg.send_text(user, text)
        await self.until(lambda: len(self.tg.messages(user)) > before and self.idle())
        return self.tg.messages(user)[before:]

    async def pragma(self, statement: str) -> Any:
        """Run a PRAGMA on the bot's own connection; return its first value (if any)."""
        async with self.app.db.read() as uow, uow.conn.execute(f"PRAGMA {statement}") as cur:
            row = await cur.fetchone()
        return row[0] if row else None

    def counts(self) -> dict[str, int]:
        """Rows per table, read through a connection of the test's own."""
        with sqlite3.connect(f"file:{self.path}?mode=ro", uri=True) as conn:
            tables = ("articles", "audit_log", "article_messages", "publications", "bot_state")
            return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}

    def integrity(self) -> str:
        with sqlite3.connect(f"file:{self.path}?mode=ro", uri=True) as conn:
            return str(conn.execute("PRAGMA integrity_check").fetchone()[0])

    async def health(self) -> tuple[int, dict[str, Any]]:
        return health_payload(**await self.app.health())

    def expected(self, kind: str, language: str) -> str:
        """The answer a person speaking ``language`` gets for a storage failure of ``kind``."""
        with self.app.languages.locale(language):
            return storage_error_text(StorageError("test", kind))

    async def count_writes(self) -> list[int]:
        """From now on, count the write transactions the bot starts (``[n]``, updated live):
        every attempt, including those that then wait for a lock and fail."""
        loop = asyncio.get_running_loop()
        begun = [0]

        def bump() -> None:
            begun[0] += 1
            self.tg._changed()  # wake wait_for(): the count is part of its predicates

        def trace(statement: str) -> None:  # runs in aiosqlite's thread
            if statement.startswith("BEGIN IMMEDIATE"):
                loop.call_soon_threadsafe(bump)

        async with self.app.db.read() as uow:
            await uow.conn.set_trace_callback(trace)
        return begun

    def drafts(self, user: int) -> list[SentMessage]:
        """Draft headers the bot showed the user (the message with the draft's buttons)."""
        return [
            m
            for m in self.tg.messages(user)
            if any(d.startswith("d:edit:") for row in m.button_data for d in row)
        ]


class Locker:
    """Another process that takes and releases the database's write lock on request."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc

    @classmethod
    async def start(cls, path: Path) -> Locker:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            LOCKER,
            str(path),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        return cls(proc)

    async def _ask(self, command: str, answer: str) -> None:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(f"{command}\n".encode())
        await self.proc.stdin.drain()
        line = await asyncio.wait_for(self.proc.stdout.readline(), 30)
        assert line.decode().strip() == answer, line

    async def lock(self) -> None:
        await self._ask("lock", "locked")

    async def unlock(self) -> None:
        await self._ask("unlock", "unlocked")

    async def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        await self.proc.wait()


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    clock = FakeClock(START)
    sandbox = Sandbox(workdir=tmp_path, clock=clock, editor_ids=(EDITOR_ID, EN_EDITOR_ID))
    async with sandbox:
        w = World(sandbox, clock)
        w.tg.add_user(EN_EDITOR_ID, "John", language_code="en")
        yield w
        await w.settle()


@pytest.fixture
async def locker(world: World) -> AsyncIterator[Locker]:
    lock = await Locker.start(world.path)
    try:
        yield lock
    finally:
        await lock.close()


def storage_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """What the log says about failed updates -- and nothing else worries it (one line each)."""
    lines = [r for r in caplog.records if r.name == "handlers.errors"]
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == lines
    return lines


def assert_no_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    tracebacks = [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.exc_info]
    assert not tracebacks, tracebacks


# --- read-only ---------------------------------------------------------------------------------


async def test_read_only_database(world: World, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    tg = world.tg
    await world.say(EDITOR_ID, article_text("Budget approved"))
    assert len(world.drafts(EDITOR_ID)) == 1
    # A review card in the admin chat, for an admin's button press below.
    await world.say(EDITOR_ID, "/submit 1")
    before = world.counts()

    assert await world.pragma("query_only = ON") is None
    caplog.clear()
    [reply] = await world.say(EDITOR_ID, article_text("Tram line reopens"))
    assert reply.visible == world.expected("readonly", "ru")
    assert not reply.buttons
    [line] = storage_lines(caplog)
    assert line.levelno == logging.ERROR and not line.exc_info
    assert "read-only" in line.getMessage()
    # An English-speaking admin pressing a review-card button: a short alert, in English.
    card = next(m for m in tg.messages(ADMIN_CHAT_ID) if m.button_data)
    query = tg.press_button(
        SECOND_ADMIN_ID, chat_id=card.chat_id, message_id=card.message_id, data="r:publish:1"
    )
    await world.until(lambda: any(a.query_id == query for a in tg.callback_answers))
    await world.settle()
    answer = next(a for a in tg.callback_answers if a.query_id == query)
    assert answer.show_alert and answer.text == world.expected("readonly", "en")
    assert "read-only" in answer.text
    assert len(storage_lines(caplog)) == 2
    assert_no_tracebacks(caplog)
    # Nothing of either change was kept; the file is sound; health says why it is degraded.
    assert world.counts() == before
    article = await drafts.get_live(world.app.db, 1)
    assert article is not None
    assert article.status is ArticleStatus.PENDING  # the admin's decision was not kept either
    assert world.integrity() == "ok"
    status, body = await world.health()
    assert (status, body["database"], body["scheduler"]) == (503, False, True)

    # The cause goes: health recovers, the same actions work.
    await world.pragma("query_only = OFF")
    status, body = await world.health()
    assert (status, body["status"]) == (200, "ok")
    await world.say(EDITOR_ID, article_text("Tram line reopens"))
    assert len(world.drafts(EDITOR_ID)) == 2
    assert world.counts()["articles"] == before["articles"] + 1
    assert world.integrity() == "ok"


# --- disk full ---------------------------------------------------------------------------------


async def test_disk_full(world: World, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    await world.say(EN_EDITOR_ID, article_text("Budget approved"))
    before = world.counts()
    pages = await world.pragma("page_count")
    assert await world.pragma("freelist_count") < 3  # the article below needs more new pages
    assert await world.pragma(f"max_page_count = {pages}") == pages
    long_article = article_text("A long investigation", paragraphs=400)  # ~9 pages of text

    caplog.clear()
    [reply] = await world.say(EN_EDITOR_ID, long_article)
    assert reply.visible == world.expected("full", "en")
    assert "disk is full" in reply.visible
    [line] = storage_lines(caplog)
    assert not line.exc_info and "disk is full" in line.getMessage()
    assert_no_tracebacks(caplog)
    assert world.counts() == before  # no article without its audit entry, no half row
    assert world.integrity() == "ok"
    status, body = await world.health()
    assert (status, body["database"]) == (503, False)

    # Space again: the same article goes through, whole.
    await world.pragma("max_page_count = 1073741823")
    await world.say(EN_EDITOR_ID, long_article)
    assert len(world.drafts(EN_EDITOR_ID)) == 2
    stored = await drafts.get_live(world.app.db, 2)
    assert stored is not None and len(stored.content.body) == 400
    assert world.integrity() == "ok"
    assert (await world.health())[0] == 200


# --- locked by another process -----------------------------------------------------------------


async def test_a_short_lock_is_waited_out(world: World, locker: Locker) -> None:
    """The bot waits on the busy timeout: a lock released meanwhile costs the editor nothing."""
    await locker.lock()
    writes = await world.count_writes()
    world.tg.send_text(EDITOR_ID, article_text("Budget approved"))
    await world.tg.wait_for(lambda: writes[0] >= 1, timeout=30)  # the bot waits for the lock...
    await locker.unlock()  # ...which goes well before the 5 s busy timeout
    await world.until(lambda: len(world.drafts(EDITOR_ID)) == 1)
    assert world.app.db.write_error is None
    # The header, on the post when it is one message (issue 14) or a message of its own.
    header = world.tg.messages(EDITOR_ID)[-1].visible.split(SEPARATOR + "\n")[-1]
    assert header.startswith("Черновик #1")


async def test_locked_database(
    world: World, locker: Locker, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await world.say(EDITOR_ID, article_text("Budget approved"))
    await world.pragma(f"busy_timeout = {SHORT_BUSY_TIMEOUT_MS}")
    before = world.counts()

    await locker.lock()
    caplog.clear()
    [reply] = await world.say(EDITOR_ID, article_text("Tram line reopens"))
    assert reply.visible == world.expected("busy", "ru")
    [reply] = await world.say(SECOND_ADMIN_ID, "/pause")
    assert reply.visible == world.expected("busy", "en")
    assert "busy" in reply.visible and "try again" in reply.visible
    lines = storage_lines(caplog)
    assert len(lines) == 2
    assert all("locked by another process" in r.getMessage() for r in lines)
    assert_no_tracebacks(caplog)
    assert world.counts() == before
    status, body = await world.health()
    assert (status, body["database"], body["scheduler"]) == (503, False, True)

    await locker.unlock()
    assert (await world.health())[0] == 200
    await world.say(EDITOR_ID, article_text("Tram line reopens"))
    assert len(world.drafts(EDITOR_ID)) == 2
    [reply] = await world.say(SECOND_ADMIN_ID, "/pause")
    assert "paused" in reply.visible
    assert world.integrity() == "ok"


async def _scheduled(world: World, title: str, minutes: int) -> datetime:
    """An editor's article, scheduled by an admin ``minutes`` from now; returns the due time."""
    await world.say(EDITOR_ID, article_text(title))
    article_id = len(world.drafts(EDITOR_ID))
    due = world.clock.now() + timedelta(minutes=minutes)
    await world.say(ADMIN_ID, f"/schedule {article_id} +{minutes}m")
    async with world.app.db.read() as uow:
        [pub] = await uow.publications.for_article(article_id)
    assert pub.status is PublicationStatus.SCHEDULED
    return due


def channel_posts(world: World, title: str) -> list[SentMessage]:
    return [m for m in world.tg.messages(CHANNEL_ID) if not m.deleted and title in m.visible]


async def test_scheduler_survives_a_locked_database(
    world: World, locker: Locker, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    due = await _scheduled(world, "Budget approved", 10)
    await world.pragma(f"busy_timeout = {SHORT_BUSY_TIMEOUT_MS}")
    await locker.lock()
    caplog.clear()
    writes = await world.count_writes()
    await world.clock.advance_to(due)
    await world.until(lambda: writes[0] >= 3)  # the claim failed, and was tried again twice
    assert world.app.engine.alive
    assert channel_posts(world, "Budget approved") == []
    async with world.app.db.read() as uow:
        [pub] = await uow.publications.for_article(1)
    assert pub.status is PublicationStatus.SCHEDULED  # never claimed: nothing in flight
    status, body = await world.health()
    assert (status, body["database"], body["scheduler"]) == (503, False, True)

    await locker.unlock()
    await world.until(lambda: len(channel_posts(world, "Budget approved")) == 1)
    await world.settle()
    async with world.app.db.read() as uow:
        [pub] = await uow.publications.for_article(1)
    [post] = channel_posts(world, "Budget approved")
    assert pub.status is PublicationStatus.PUBLISHED and pub.message_ids == (post.message_id,)
    assert (await world.health())[0] == 200
    # A later due post goes out as usual.
    later = await _scheduled(world, "Tram line reopens", 5)
    await world.clock.advance_to(later)
    await world.until(lambda: len(channel_posts(world, "Tram line reopens")) == 1)
    assert world.integrity() == "ok"
    # Each failed attempt is one line naming the cause, not a traceback (the publishing worker
    # in bot/publishing/ must tell a StorageError from a bug).
    assert_no_tracebacks(caplog)
    assert any("locked by another process" in r.getMessage() for r in caplog.records)


async def test_a_post_sent_while_the_database_locks_is_recorded_afterwards(
    world: World, locker: Locker, caplog: pytest.LogCaptureFixture
) -> None:
    """The send went out, then recording it failed: the outcome is known (Telegram answered with
    the message id), so it must be recorded once the lock goes -- not left "publishing" until a
    restart, not sent again."""
    caplog.set_level(logging.INFO)
    due = await _scheduled(world, "Budget approved", 10)
    await world.pragma(f"busy_timeout = {SHORT_BUSY_TIMEOUT_MS}")
    await world.settle()
    sends = len(world.tg.calls("sendMessage"))
    release = world.tg.hold_next("sendMessage")  # the channel post: nothing else is due
    await world.clock.advance_to(due)
    await world.until(lambda: len(world.tg.calls("sendMessage")) > sends)
    assert world.tg.calls("sendMessage")[sends]["chat_id"] in (
        str(CHANNEL_ID),
        f"@{CHANNEL_USERNAME}",
    )
    await locker.lock()  # claimed and on the wire: now the database locks
    writes = await world.count_writes()
    release.set()
    await world.until(lambda: world.app.db.write_error is not None)  # recording it failed
    await world.until(lambda: writes[0] >= 3 or world.idle())  # and whatever comes next
    assert len(channel_posts(world, "Budget approved")) == 1

    await locker.unlock()
    await world.clock.advance(60)
    await world.settle()
    [post] = channel_posts(world, "Budget approved")  # once: not sent again
    async with world.app.db.read() as uow:
        [pub] = await uow.publications.for_article(1)
    assert pub.status is PublicationStatus.PUBLISHED, pub
    assert pub.message_ids == (post.message_id,)
    assert world.integrity() == "ok"
    assert_no_tracebacks(caplog)
