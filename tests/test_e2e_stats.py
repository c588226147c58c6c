"""End to end over HTTP: reaction counts from the channel's audience, /stats, the weekly report.

The real bot (aiogram over HTTP, polling, middlewares, SQLite, the publishing engine) against
``fakegram``, whose audience reacts to channel posts with ``message_reaction_count`` updates,
grouped and late as Telegram sends them. Time is a :class:`FakeClock` shared by the bot and the
fake server, so "pasted at 11:00, posted at 11:20" and "Monday 09:00" are exact.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from bot.app import create_app
from bot.clock import FakeClock
from bot.config import Settings
from bot.domain import Article, ArticleContent
from bot.workflow import drafts
from fakegram.harness import (
    ADMIN_CHAT_ID,
    ADMIN_ID,
    CHANNEL_ID,
    CHANNEL_USERNAME,
    EDITOR_ID,
    SECOND_ADMIN_ID,
    TOKEN,
    Sandbox,
)
from fakegram.server import FakeTelegram, SentMessage
from storage.reactions import PostReactions

# Tuesday 10 March 2026, 11:00 in Asia/Almaty (the sandbox's TIMEZONE, UTC+5, no DST).
TUESDAY = datetime(2026, 3, 10, 6, 0, tzinfo=UTC)
WEDNESDAY = TUESDAY + timedelta(days=1)
MONDAY_0900 = datetime(2026, 3, 16, 4, 0, tzinfo=UTC)  # the week's report time, local 09:00
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class World:
    """The sandbox, its fake clock, and the steps the tests repeat."""

    def __init__(self, sandbox: Sandbox, clock: FakeClock) -> None:
        self.sb = sandbox
        self.tg = sandbox.tg
        self.clock = clock

    async def until(self, predicate: Callable[[], bool], *, hops: int = 600) -> None:
        """Wait for ``predicate``; while the bot is quiet, let fake time pass (one second, or
        up to the next sleeper's deadline if that is sooner)."""
        for _ in range(hops):
            try:
                await self.tg.wait_for(predicate, timeout=0.25)
                return
            except TimeoutError:
                deadline = self.clock.next_deadline()
                hop = 1.0 if deadline is None else min(1.0, deadline - self.clock.monotonic())
                await self.clock.advance(max(0.001, hop))
        raise AssertionError("condition not reached")

    async def until_next(self, predicate: Callable[[], bool], *, hops: int = 50) -> None:
        """Like :meth:`until`, but jumping to each next sleeper's deadline (background waits
        of minutes)."""
        for _ in range(hops):
            try:
                await self.tg.wait_for(predicate, timeout=0.25)
                return
            except TimeoutError:
                if self.clock.next_deadline() is not None:  # else the bot is busy: wait
                    await self.clock.advance_to_next()
        raise AssertionError("condition not reached")

    async def settle(self) -> None:
        """Every queued update taken and handled."""
        await self.tg.wait_until_updates_consumed()
        tasks = self.sb.bot_app.dp._handle_update_tasks
        while tasks:
            await asyncio.wait(set(tasks), timeout=10)

    async def command(self, text: str, *, user: int = ADMIN_ID) -> SentMessage:
        before = len(self.tg.messages(user))
        self.tg.send_text(user, text)
        await self.until(lambda: len(self.tg.messages(user)) > before)
        return self.tg.messages(user)[before]

    async def paste(self, title: str) -> Article:
        """An article the editor pasted now (and submitted, so the newsroom knows her name)."""
        content = ArticleContent(
            title=title, lead=f"Lead of {title}.", body=(f"Body of {title}.",), source_name="N"
        )
        desk = self.sb.bot_app.desk
        created = await drafts.create_draft(
            desk, content, author_id=EDITOR_ID, language="ru", origin="text"
        )
        task = asyncio.ensure_future(
            drafts.submit(desk, created.article, actor_id=EDITOR_ID, author_name="Elena")
        )
        await self.until(task.done)
        return created.article

    async def publish(self, article: Article, *, at: datetime) -> int:
        """``/publish N`` at ``at``; the channel message id."""
        await self.clock.advance_to(at)
        before = len(self.tg.messages(CHANNEL_ID))
        await self.command(f"/publish {article.id}")
        await self.until(lambda: len(self.tg.messages(CHANNEL_ID)) > before)
        return self.tg.messages(CHANNEL_ID)[before].message_id

    async def counts(self, message_id: int) -> PostReactions | None:
        app = self.sb.bot_app
        async with app.db.read() as uow:
            channel = await uow.channels.by_ref(str(CHANNEL_ID))
            assert channel is not None
            return await uow.reactions.get(channel.id, message_id)

    def photos(self) -> list[SentMessage]:
        return [m for m in self.tg.messages(ADMIN_CHAT_ID) if m.method == "sendPhoto"]


@contextlib.asynccontextmanager
async def _world(tmp_path: Path, start: datetime, **settings: object) -> AsyncIterator[World]:
    clock = FakeClock(start)
    async with Sandbox(workdir=tmp_path, clock=clock, **settings) as sandbox:
        yield World(sandbox, clock)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with _world(tmp_path, TUESDAY) as w:
        yield w


def _links(message: SentMessage) -> list[str]:
    return [str(e["url"]) for e in message.entities if e.get("type") == "text_link"]


async def test_reactions_and_stats_end_to_end(world: World) -> None:
    tg = world.tg
    # Tuesday: one post, 5 minutes from paste to post.
    tuesday = await world.paste("Tuesday budget")
    m0 = await world.publish(tuesday, at=TUESDAY + timedelta(minutes=5))
    # Wednesday: three posts pasted at 11:00, posted after 10, 20 and 30 minutes.
    await world.clock.advance_to(WEDNESDAY)
    quiet, loud, middle = [await world.paste(t) for t in ("Quiet one", "Loud one", "Middle one")]
    m1 = await world.publish(quiet, at=WEDNESDAY + timedelta(minutes=10))
    m2 = await world.publish(loud, at=WEDNESDAY + timedelta(minutes=20))
    m3 = await world.publish(middle, at=WEDNESDAY + timedelta(minutes=30))
    now = int(world.clock.now().timestamp())
    # The audience reacts; Telegram groups the counts, also of a message the bot never posted.
    tg.reaction_batch(
        CHANNEL_ID,
        {m1: {"👍": 2}, m2: {"👍": 7, "🔥": 3}, m3: {"❤": 4, "custom:5368324170671202286": 1}},
        date=now,
    )
    tg.reaction_batch(CHANNEL_ID, {m3 + 50: {"👍": 9}}, date=now)
    tg.reaction_counts(-1007770001, 1, {"👍": 4}, date=now)  # a channel the bot doesn't know
    tg.reaction_counts(CHANNEL_ID, m2, {"👍": 1}, date=now - 60)  # late: older than the above
    await world.settle()
    stored = await world.counts(m2)
    assert stored is not None and dict(stored.reactions) == {"👍": 7, "🔥": 3}
    custom = await world.counts(m3)
    assert custom is not None and custom.total == 5
    assert await world.counts(m3 + 50) is None
    assert await world.counts(m0) is None  # nobody reacted to it

    # The week (the default), in Russian for Aigerim.
    week = await world.command("/stats")
    text = week.visible
    assert "Публикаций: 4 · реакций: 17" in text
    assert "медиана от вставки до публикации: 15 мин" in text  # of 5, 10, 20 and 30
    order = [text.index(t) for t in ("Loud one", "Middle one", "Quiet one")]
    assert order == sorted(order)
    assert "Tuesday budget" not in text  # no reactions: not among the top posts
    link = f"https://t.me/{CHANNEL_USERNAME}/"
    assert _links(week) == [f"{link}{m2}", f"{link}{m3}", f"{link}{m1}"]
    assert "10.03: 1 (реакций: 0)" in text and "11.03: 3 (реакций: 17)" in text
    assert "Elena: 4" in text
    # Today, of one channel, in English for Daniyar.
    today = await world.command(f"/stats @{CHANNEL_USERNAME} day", user=SECOND_ADMIN_ID)
    assert "Posts: 3 · reactions: 17 · median paste → post: 20 min" in today.visible
    assert "today" in today.visible and "10.03" not in today.visible
    month = await world.command("/stats month @newsroom_demo", user=SECOND_ADMIN_ID)
    assert "Posts: 4" in month.visible and "the last 30 days" in month.visible
    # The same by the channel's id, and the Russian period words.
    by_id = await world.command(f"/stats {CHANNEL_ID} неделя")
    assert "Публикаций: 4" in by_id.visible


@pytest.mark.parametrize(
    ("args", "user", "answer"),
    [
        ("year", ADMIN_ID, "Формат: /stats [@канал] [day|week|month]"),
        ("year", SECOND_ADMIN_ID, "Usage: /stats [@channel] [day|week|month]"),
        ("week month", SECOND_ADMIN_ID, "Usage: /stats"),
        ("@newsroom_demo @newsroom_demo", SECOND_ADMIN_ID, "Usage: /stats"),
        ("@no_such_channel", ADMIN_ID, "Нет такого канала: @no_such_channel"),
        ("@no_such_channel week", SECOND_ADMIN_ID, "No such channel: @no_such_channel"),
        ("-100123 day", SECOND_ADMIN_ID, "No such channel: -100123"),
        ("<b>week</b>", SECOND_ADMIN_ID, "Usage: /stats"),
    ],
)
async def test_stats_bad_input_gets_the_usage(
    world: World, args: str, user: int, answer: str
) -> None:
    reply = await world.command(f"/stats {args}", user=user)
    assert answer in reply.visible
    assert "/stats" in reply.visible  # the usage line, also after "no such channel"


async def test_stats_with_no_posts_and_for_non_admins(world: World) -> None:
    empty = await world.command("/stats day", user=SECOND_ADMIN_ID)
    assert "Posts: 0" in empty.visible and "No posts in this period." in empty.visible
    for line in ("/stats", "/stats week", "/weekly_report on"):
        refused = await world.command(line, user=EDITOR_ID)  # Elena speaks Russian
        assert refused.visible.startswith("Неизвестная команда"), line
    state = await world.command("/weekly_report", user=SECOND_ADMIN_ID)
    assert "Weekly report: off" in state.visible  # the editor's "on" changed nothing


async def test_the_bot_asks_for_reaction_counts_and_the_fake_honours_it(world: World) -> None:
    asked = json.loads((await world.tg.wait_for_call("getUpdates"))["allowed_updates"])
    assert "message_reaction_count" in asked
    # A raw client that did not ask for them gets none: Telegram drops them.
    async with FakeTelegram(token=TOKEN) as tg:
        tg.add_channel(CHANNEL_ID, title="Demo", username=CHANNEL_USERNAME)
        bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(tg.api_base)))
        try:
            tg.reaction_counts(CHANNEL_ID, 1, {"👍": 1})
            assert await bot.get_updates(allowed_updates=["message"], timeout=0) == []
            assert tg.pending_updates == []
            tg.reaction_counts(CHANNEL_ID, 2, {"👍": 3})
            [update] = await bot.get_updates(allowed_updates=["message_reaction_count"])
            counted = update.message_reaction_count
            assert counted is not None and counted.message_id == 2
            assert counted.reactions[0].total_count == 3
            # Not an admin of the channel: no counts at all.
            tg.set_channel_rights(CHANNEL_ID, member=False)
            assert tg.reaction_counts(CHANNEL_ID, 3, {"👍": 1}) is None
        finally:
            await bot.session.close()


# --- the weekly report --------------------------------------------------------------------------


async def _one_post_with_reactions(w: World) -> None:
    article = await w.paste("Story of the week")
    message_id = await w.publish(article, at=w.clock.now() + timedelta(minutes=15))
    w.tg.reaction_counts(CHANNEL_ID, message_id, {"👍": 6})
    await w.settle()


async def _parked(w: World) -> None:
    """The background loop (and the scheduler) wait on the clock: nothing runs."""
    await w.settle()
    await asyncio.wait_for(w.clock.wait_for_sleepers(1), timeout=10)
    await w.tg.wait_for(lambda: not w.sb.bot_app.db.in_use, timeout=10)


async def _eventually(predicate: Callable[[], bool], timeout: float = 10.0) -> None:  # noqa: ASYNC109
    """Poll a condition the fake server is not told about (the clock's sleepers)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "condition not reached"
        await asyncio.sleep(0.01)


async def test_weekly_report_is_off_by_default(world: World) -> None:
    await _one_post_with_reactions(world)
    off = await world.command("/weekly_report", user=SECOND_ADMIN_ID)
    assert "Weekly report: off" in off.visible
    await world.clock.advance_to(MONDAY_0900 + timedelta(hours=1))
    await world.clock.advance(3600)
    await _parked(world)
    assert world.photos() == [] and world.tg.calls("sendPhoto") == []


async def test_weekly_report_once_with_a_chart_and_not_again_after_a_restart(
    tmp_path: Path,
) -> None:
    async with _world(tmp_path, WEDNESDAY) as w:
        await _one_post_with_reactions(w)
        on = await w.command("/weekly_report on")
        assert "Еженедельный отчёт включён" in on.visible and "2026-03-16 09:00" in on.visible
        await w.clock.advance_to(MONDAY_0900 - timedelta(minutes=1))
        await _parked(w)
        assert w.photos() == []  # not before its time
        # The loop looks again now (it woke last during the jump, some fake minutes ago)...
        w.sb.bot_app.background.wake()
        # ... and sleeps exactly until the report time.
        await _eventually(lambda: any(abs(d - 60) < 1 for d in w.clock.pending_delays()))
        await w.clock.advance(60)
        await w.until_next(lambda: len(w.photos()) == 1)
        [photo] = w.photos()
        assert photo.caption is not None and "Отчёт за неделю" in photo.caption
        assert "Story of the week" in photo.caption and "реакций: 6" in photo.caption
        data = w.tg.world.files[photo.photo_file_id or ""].data
        assert data is not None and data.startswith(PNG_MAGIC) and len(data) > 5000
        assert photo.date == int(MONDAY_0900.timestamp())
        await w.clock.advance(3 * 3600)
        await _parked(w)
        assert len(w.photos()) == 1
    # The bot restarts the same Monday: the week was reported, nothing is sent again.
    async with _world(tmp_path, MONDAY_0900 + timedelta(hours=4)) as w:
        await _parked(w)
        await w.clock.advance(6 * 3600)
        await _parked(w)
        assert w.tg.calls("sendPhoto") == []


async def test_weekly_report_missed_while_down_is_sent_at_start(tmp_path: Path) -> None:
    async with _world(tmp_path, WEDNESDAY, default_language="en") as w:
        await _one_post_with_reactions(w)
        await w.command("/weekly_report on", user=SECOND_ADMIN_ID)
    # Down over Monday morning; back at noon: the report is not skipped.
    async with _world(tmp_path, MONDAY_0900 + timedelta(hours=3), default_language="en") as w:
        await w.until_next(lambda: len(w.photos()) == 1)
        [photo] = w.photos()
        assert photo.caption is not None and "Weekly report" in photo.caption
        assert "Story of the week" in photo.caption
        off = await w.command("/weekly_report off", user=SECOND_ADMIN_ID)
        assert "Weekly report: off" in off.visible


async def test_webhook_mode_asks_for_reaction_counts_too(tmp_path: Path) -> None:
    """setWebhook carries the same allowed_updates, so the counts come in webhook mode."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    async with FakeTelegram(token=TOKEN) as tg:
        tg.add_channel(CHANNEL_ID, username=CHANNEL_USERNAME, title="Demo")
        tg.add_group(ADMIN_CHAT_ID, "Admins")
        settings = Settings(
            _env_file=None,
            bot_token=TOKEN,
            telegram_api_url=tg.api_base,
            channel_id=f"@{CHANNEL_USERNAME}",
            admin_chat_id=ADMIN_CHAT_ID,
            admin_ids=(ADMIN_ID,),
            database_path=tmp_path / "db.sqlite3",
            webhook_url=f"http://127.0.0.1:{port}/telegram/webhook",
            webhook_secret="s3cret-webhook-token",
            webhook_listen=f"127.0.0.1:{port}",
        )
        app = await create_app(settings)
        task = asyncio.create_task(app.run_webhook(handle_signals=False))
        try:
            call = await tg.wait_for_call("setWebhook")
            assert "message_reaction_count" in json.loads(call["allowed_updates"])
            update = tg.reaction_counts(CHANNEL_ID, 1, {"👍": 2})
            assert update is not None
            await tg.wait_for(
                lambda: any(d.update_id == update["update_id"] for d in tg.webhook_deliveries)
            )
            [delivery] = [d for d in tg.webhook_deliveries if d.update_id == update["update_id"]]
            assert delivery.status == 200 and delivery.error is None
        finally:
            app.stop_event.set()
            await task
            await app.close()
