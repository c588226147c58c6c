"""End to end over HTTP: the publishing engine against the fake Bot API, with a fake clock.

Every test runs the real bot (aiogram over HTTP, polling, middlewares, SQLite) against
``fakegram/server.py``. Time is a :class:`FakeClock` shared by the bot and the fake server,
so the server stamps each message with the fake time it arrived: "not before the due time" and
"within a second of it" are read from ``SentMessage.date``, not from real-time races.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import pytest

from bot.callbacks import HeldAction, ReviewAction
from bot.clock import FakeClock
from bot.domain import (
    Article,
    ArticleContent,
    ArticleStatus,
    Photo,
    Publication,
    PublicationStatus,
)
from bot.workflow import drafts, review
from fakegram.harness import (
    ADMIN_CHAT_ID,
    ADMIN_ID,
    CHANNEL_ID,
    CHANNEL_USERNAME,
    EDITOR_ID,
    Sandbox,
)
from fakegram.server import SentMessage

# 06:00 UTC is 11:00 in Asia/Almaty (the sandbox's TIMEZONE, UTC+5, no DST).
START = datetime(2026, 3, 10, 6, 0, tzinfo=UTC)
PHOTO_URL = "https://img.example.org/photo-1.jpg"
T = TypeVar("T")


class World:
    """The sandbox plus the fake clock, and the few steps every test repeats."""

    def __init__(self, sandbox: Sandbox, clock: FakeClock) -> None:
        self.sb = sandbox
        self.tg = sandbox.tg
        self.clock = clock

    @property
    def app(self):  # type: ignore[no-untyped-def]
        return self.sb.bot_app

    async def article(self, title: str, *, photo: str | None = None) -> Article:
        content = ArticleContent(
            title=title,
            lead=f"Lead of {title}.",
            body=(f"Body of {title}, one paragraph.",),
            photos=(Photo(ref=photo, is_url=photo.startswith("http")),) if photo else (),
            source_name="Newsroom",
        )
        created = await drafts.create_draft(
            self.app.desk, content, author_id=EDITOR_ID, language="en", origin="text"
        )
        return created.article

    async def until(
        self, predicate: Callable[[], bool], *, max_fake: float = 120.0, step: float = 1.0
    ) -> None:
        """Wait for ``predicate``; whenever the bot is quiet for a moment, move time ``step``.

        Rate limiter and retry waits sleep on the fake clock, so a test that waits for a
        message must also let time pass; moving it one second at a time keeps every fake
        timestamp within a second of when it would have happened.
        """
        spent = 0.0
        while True:
            try:
                await self.tg.wait_for(predicate, timeout=0.25)
                return
            except TimeoutError:
                if spent >= max_fake:
                    raise AssertionError(f"not reached after {spent} fake seconds") from None
                # No further than the next sleeper (a 1/30 s rate-limit wait stays 1/30 s).
                deadline = self.clock.next_deadline()
                hop = step
                if deadline is not None:
                    hop = min(step, max(0.001, deadline - self.clock.monotonic()))
                await self.clock.advance(hop)
                spent += hop

    async def run(self, awaitable: Awaitable[T]) -> T:
        """Await a service call that may wait on the rate limiter (the fake clock)."""
        task = asyncio.ensure_future(awaitable)
        await self.until(task.done)
        return task.result()

    async def command(self, text: str, *, user: int = ADMIN_ID) -> SentMessage:
        """An admin types a command in their private chat; returns the bot's answer."""
        before = len(self.tg.messages(user))
        self.tg.send_text(user, text)
        await self.until(lambda: len(self.tg.messages(user)) > before)
        return self.tg.messages(user)[before]

    def channel(self, chat_id: int = CHANNEL_ID) -> list[SentMessage]:
        return self.tg.messages(chat_id)

    def admin_chat(self) -> list[SentMessage]:
        return self.tg.messages(ADMIN_CHAT_ID)

    async def pubs(self, article_id: int) -> list[Publication]:
        async with self.app.db.read() as uow:
            return await uow.publications.for_article(article_id)

    async def status(self, article_id: int) -> ArticleStatus:
        async with self.app.db.read() as uow:
            article = await uow.articles.get(article_id)
        assert article is not None
        return article.status

    async def scheduler_parked(self) -> None:
        """Wait until the publisher sleeps on the clock and no worker is running."""
        engine = self.app.engine
        await self.until(lambda: not engine._workers, max_fake=5)
        if await engine.is_paused():
            return  # paused: the scheduler waits for a wake-up only
        async with self.app.db.read() as uow:
            waiting = await uow.publications.next_due_at() is not None
        # The newsroom's background loop always sleeps on the clock; the scheduler does when
        # something is scheduled (else it waits for a wake-up only).
        await asyncio.wait_for(self.clock.wait_for_sleepers(2 if waiting else 1), timeout=5)


async def _card_with(world: World, data: str) -> SentMessage:
    """The admin-chat message that shows a button with this callback data."""

    def find() -> SentMessage | None:
        for message in world.admin_chat():
            if any(data in row for row in message.button_data):
                return message
        return None

    await world.until(lambda: find() is not None)
    card = find()
    assert card is not None
    return card


def _ts(when: datetime) -> int:
    return int(when.timestamp())


async def _world(tmp_path: Path, **settings: object) -> AsyncIterator[World]:
    clock = FakeClock(START)
    sandbox = Sandbox(workdir=tmp_path, clock=clock, default_language="en", **settings)
    async with sandbox:
        yield World(sandbox, clock)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async for w in _world(tmp_path):
        yield w


# --- publish now ----------------------------------------------------------------------------


async def test_publish_now_command(world: World) -> None:
    article = await world.article("Budget approved")
    answer = await world.command(f"/publish {article.id}")
    assert f"#{article.id}" in answer.visible
    await world.until(lambda: len(world.channel()) == 1)
    post = world.channel()[0]
    assert "Budget approved" in post.visible
    assert post.date == _ts(START)
    [pub] = await world.pubs(article.id)
    assert pub.status is PublicationStatus.PUBLISHED
    assert pub.message_ids == (post.message_id,)
    assert pub.link == f"https://t.me/{CHANNEL_USERNAME}/{post.message_id}"
    assert await world.status(article.id) is ArticleStatus.PUBLISHED
    # The admin chat and the author hear about it.
    await world.until(lambda: any("published" in m.visible for m in world.admin_chat()))
    await world.until(lambda: any(pub.link in m.visible for m in world.tg.messages(EDITOR_ID)))
    assert len(world.channel()) == 1


async def test_publish_from_review_card_button(world: World) -> None:
    article = await world.article("Card press")
    result = await world.run(
        drafts.submit(world.app.desk, article, actor_id=EDITOR_ID, author_name="Elena")
    )
    assert result.outcome.value == "ok"
    data = ReviewAction(action="publish", article_id=article.id).pack()
    card = await _card_with(world, data)
    world.tg.press_button(ADMIN_ID, chat_id=ADMIN_CHAT_ID, message_id=card.message_id, data=data)
    await world.until(lambda: len(world.channel()) == 1)
    assert "Card press" in world.channel()[0].visible
    # The card loses its buttons, so a second admin cannot publish it again.
    await world.until(lambda: not world.tg.message(ADMIN_CHAT_ID, card.message_id).buttons)
    [pub] = await world.pubs(article.id)
    assert pub.status is PublicationStatus.PUBLISHED


# --- at a time, in the queue, quiet hours ---------------------------------------------------


async def test_schedule_appears_once_at_due_time_not_before(world: World) -> None:
    article = await world.article("Scheduled story")
    await world.command(f"/schedule {article.id} +2h")
    due = START + timedelta(hours=2)
    [pub] = await world.pubs(article.id)
    assert pub.status is PublicationStatus.SCHEDULED
    assert pub.due_at == due
    # One second before: the scheduler sleeps towards the due time and nothing went out.
    await world.clock.advance_to(due - timedelta(seconds=1))
    await world.scheduler_parked()
    assert world.channel() == []
    assert 1.0 in [round(d, 3) for d in world.clock.pending_delays()]
    await world.clock.advance(1)
    await world.until(lambda: len(world.channel()) == 1, max_fake=1)
    assert world.channel()[0].date == _ts(due)  # on time: within the second
    # And only once, however long we wait.
    await world.clock.advance(3600)
    await world.scheduler_parked()
    assert len(world.channel()) == 1


async def test_queue_slots_fill_in_order(world: World) -> None:
    first = await world.article("Slot one")
    second = await world.article("Slot two")
    answer = await world.command("/slots 09:00 12:00 15:00")
    assert "12:00" in answer.visible
    await world.clock.advance(1)
    await world.command(f"/queue_add {first.id}")
    await world.clock.advance(1)
    await world.command(f"/queue_add {second.id}")
    # 11:00 local now: the next free slots are 12:00 and 15:00 Almaty time (07:00, 10:00 UTC).
    noon, three = START.replace(hour=7), START.replace(hour=10)
    assert [p.due_at for p in await world.pubs(first.id)] == [noon]
    assert [p.due_at for p in await world.pubs(second.id)] == [three]
    await world.clock.advance_to(noon)
    await world.until(lambda: len(world.channel()) == 1, max_fake=1)
    assert "Slot one" in world.channel()[0].visible
    assert world.channel()[0].date == _ts(noon)
    await world.clock.advance_to(three - timedelta(seconds=1))
    await world.scheduler_parked()
    assert len(world.channel()) == 1
    await world.clock.advance(1)
    await world.until(lambda: len(world.channel()) == 2, max_fake=1)
    assert "Slot two" in world.channel()[1].visible
    assert world.channel()[1].date == _ts(three)


async def test_quiet_hours_send_silently(world: World) -> None:
    night = await world.article("Night story")
    day = await world.article("Day story")
    await world.command("/quiet 23:00-07:00")
    await world.clock.advance(1)
    await world.command(f"/schedule {night.id} 23:30")  # local: 18:30 UTC
    await world.clock.advance(1)
    await world.command(f"/schedule {day.id} tomorrow 09:00")  # local: 04:00 UTC next day
    await world.clock.advance_to(START.replace(hour=18, minute=30))
    await world.until(lambda: len(world.channel()) == 1, max_fake=1)
    assert world.channel()[0].disable_notification is True
    await world.clock.advance_to(START.replace(day=11, hour=4))
    await world.until(lambda: len(world.channel()) == 2, max_fake=1)
    assert "Day story" in world.channel()[1].visible
    assert world.channel()[1].disable_notification is False


# --- the kill switch and the embargo --------------------------------------------------------


async def test_pause_stops_publishing_and_resume_restarts_it(world: World) -> None:
    article = await world.article("Paused story")
    assert "/resume" in (await world.command("/pause")).visible  # the admin speaks Russian
    await world.clock.advance(1)
    await world.command(f"/publish {article.id}")
    await world.clock.advance(1)
    queue = await world.command("/queue")
    assert queue.visible.startswith("⏸")  # /queue shows the kill switch first
    await world.clock.advance(600)
    await world.scheduler_parked()
    assert world.channel() == []
    [pub] = await world.pubs(article.id)
    assert pub.status is PublicationStatus.SCHEDULED
    resumed_at = world.clock.now()
    await world.command("/resume")
    await world.until(lambda: len(world.channel()) == 1)
    assert world.channel()[0].date >= _ts(resumed_at)


async def test_embargo_wins_over_every_action(world: World) -> None:
    article = await world.article("Embargoed report")
    embargo = START + timedelta(hours=3)
    await world.command(f"/embargo {article.id} +3h")
    await world.clock.advance(1)
    await world.command(f"/schedule {article.id} +1h")  # earlier than the embargo
    [pub] = await world.pubs(article.id)
    assert (pub.status, pub.due_at) == (PublicationStatus.SCHEDULED, embargo)
    await world.clock.advance(1)
    await world.command(f"/unschedule {article.id}")
    [pub] = await world.pubs(article.id)
    assert pub.status is PublicationStatus.CANCELLED
    await world.clock.advance(1)
    await world.command(f"/publish {article.id}")  # "now"
    [pub] = await world.pubs(article.id)
    assert (pub.status, pub.due_at) == (PublicationStatus.SCHEDULED, embargo)
    # The review card's "Publish now" button of another embargoed article: the same.
    pressed = await world.article("Embargoed and pressed")
    await world.clock.advance(1)
    await world.command(f"/embargo {pressed.id} +3h")
    await world.run(
        drafts.submit(world.app.desk, pressed, actor_id=EDITOR_ID, author_name="Elena")
    )
    data = ReviewAction(action="publish", article_id=pressed.id).pack()
    card = await _card_with(world, data)
    world.tg.press_button(ADMIN_ID, chat_id=ADMIN_CHAT_ID, message_id=card.message_id, data=data)
    await world.until(lambda: len(world.tg.callback_answers) == 1)
    [pressed_pub] = await world.pubs(pressed.id)
    async with world.app.db.read() as uow:
        stored = await uow.articles.get(pressed.id)
    assert stored is not None and stored.embargo_until is not None
    embargo2 = stored.embargo_until  # its own "+3h", a few seconds after the first
    assert pressed_pub.due_at == embargo2
    # Even the engine asked directly only moves it to the embargo time.
    again = await world.app.engine.publish_one(pub.id)
    assert again is not None
    assert (again.status, again.due_at) == (PublicationStatus.SCHEDULED, embargo)
    await world.clock.advance_to(START + timedelta(hours=1, seconds=5))
    await world.scheduler_parked()
    assert world.channel() == []
    await world.clock.advance_to(embargo - timedelta(seconds=1))
    await world.scheduler_parked()
    assert world.channel() == []
    await world.clock.advance(1)
    await world.until(lambda: len(world.channel()) == 1, max_fake=1)
    assert world.channel()[0].date == _ts(embargo)
    await world.clock.advance_to(embargo2 - timedelta(seconds=1))
    await world.scheduler_parked()
    assert len(world.channel()) == 1
    await world.clock.advance_to(embargo2)
    await world.until(lambda: len(world.channel()) == 2, max_fake=1)
    assert world.channel()[1].date == _ts(embargo2)


# --- several channels -----------------------------------------------------------------------


async def test_multi_channel_publication(world: World) -> None:
    second_id = -1005550000001
    world.tg.add_channel(second_id, title="Second", username="second_news")
    async with world.app.db.transaction() as uow:
        default = await uow.channels.default()
        second = await uow.channels.ensure(
            "@second_news", now=world.clock.now(), chat_id=second_id, username="second_news"
        )
    assert default is not None
    article = await world.article("Everywhere")
    result = await world.run(
        review.publish(
            world.app.desk,
            article.id,
            actor_id=ADMIN_ID,
            actor_name="Aigerim",
            channel_ids=[default.id, second.id],
        )
    )
    assert result.outcome.value == "ok"
    await world.until(lambda: len(world.channel()) == 1 and len(world.channel(second_id)) == 1)
    pubs = await world.pubs(article.id)
    assert {p.status for p in pubs} == {PublicationStatus.PUBLISHED}
    links = sorted(p.link for p in pubs)
    assert links == sorted(
        [
            f"https://t.me/{CHANNEL_USERNAME}/{world.channel()[0].message_id}",
            f"https://t.me/second_news/{world.channel(second_id)[0].message_id}",
        ]
    )
    assert await world.status(article.id) is ArticleStatus.PUBLISHED


# --- Telegram errors, by class --------------------------------------------------------------


async def _publish(world: World, article: Article) -> None:
    result = await world.run(
        review.publish(world.app.desk, article.id, actor_id=ADMIN_ID, actor_name="Aigerim")
    )
    assert result.outcome.value == "ok"


async def test_429_waits_retry_after_and_posts_once(world: World) -> None:
    article = await world.article("Throttled", photo=PHOTO_URL)
    world.tg.fail_next(
        "sendPhoto", error_code=429, description="Too Many Requests: retry after 7", retry_after=7
    )
    await _publish(world, article)
    await world.until(lambda: len(world.channel()) == 1, max_fake=30)
    assert world.channel()[0].date == _ts(START) + 7  # exactly the wait Telegram asked for
    assert len(world.tg.calls("sendPhoto")) == 2
    assert world.tg.stats.too_many_requests == 1
    [pub] = await world.pubs(article.id)
    assert pub.status is PublicationStatus.PUBLISHED
    assert pub.attempts == 1  # a flood wait is not a failed attempt
    await world.clock.advance(60)
    await world.scheduler_parked()
    assert len(world.channel()) == 1


async def test_server_error_then_success(world: World) -> None:
    article = await world.article("Flaky gateway", photo=PHOTO_URL)
    world.tg.fail_next("sendPhoto", error_code=502, description="Bad Gateway")
    await _publish(world, article)
    await world.until(lambda: len(world.channel()) == 1, max_fake=30)
    assert len(world.tg.calls("sendPhoto")) == 2
    [pub] = await world.pubs(article.id)
    assert pub.status is PublicationStatus.PUBLISHED
    assert not any("could not be published" in m.visible for m in world.admin_chat())


async def test_forbidden_fails_and_alerts_lost_rights(world: World) -> None:
    article = await world.article("No rights", photo=PHOTO_URL)
    world.tg.set_channel_rights(CHANNEL_ID, can_post=False)
    await _publish(world, article)
    await world.until(lambda: any("lost its rights" in m.visible for m in world.admin_chat()))
    alert = next(m for m in world.admin_chat() if "lost its rights" in m.visible)
    assert f"#{article.id}" in alert.visible
    assert world.channel() == []
    assert len(world.tg.calls("sendPhoto")) == 1  # a 403 is not retried
    [pub] = await world.pubs(article.id)
    assert pub.status is PublicationStatus.FAILED
    assert pub.last_error.startswith("forbidden")


def _png(width: int = 64, height: int = 48) -> bytes:
    """A real (tiny, valid) PNG, so the fake server reads its size from the header."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\x00\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
async def image_server() -> AsyncIterator[str]:
    """An image host on 127.0.0.1: /photo.png serves a PNG, anything else is a 404."""
    from aiohttp import web

    png = _png()

    async def photo(_request: web.Request) -> web.Response:
        return web.Response(body=png, content_type="image/png")

    app = web.Application()
    app.router.add_get("/photo.png", photo)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


async def test_unfetchable_photo_url_is_downloaded_and_uploaded_once(
    world: World, image_server: str
) -> None:
    url = f"{image_server}/photo.png"
    world.tg.mark_url_unfetchable(url)
    article = await world.article("Photo Telegram cannot fetch", photo=url)
    await _publish(world, article)
    await world.until(lambda: len(world.channel()) == 1, max_fake=30)
    calls = world.tg.calls("sendPhoto")
    assert len(calls) == 2
    assert calls[0]["photo"] == url
    assert _png() in calls[1].values()  # the bytes we downloaded, uploaded
    post = world.channel()[0]
    assert post.photo and post.photo[-1]["width"] == 64
    [pub] = await world.pubs(article.id)
    assert pub.status is PublicationStatus.PUBLISHED


async def test_unfetchable_photo_that_we_cannot_download_either_fails_clearly(
    world: World, image_server: str
) -> None:
    url = f"{image_server}/missing.png"
    world.tg.mark_url_unfetchable(url)
    article = await world.article("Broken photo", photo=url)
    await _publish(world, article)
    await world.until(lambda: any("refused the post" in m.visible for m in world.admin_chat()))
    assert world.channel() == []
    assert len(world.tg.calls("sendPhoto")) == 1  # no blind retry of the same URL
    [pub] = await world.pubs(article.id)
    assert pub.status is PublicationStatus.FAILED


# --- unknown outcome: held for an admin -----------------------------------------------------


async def _held_card(world: World, pub_id: int, action: str) -> SentMessage:
    data = HeldAction(action=action, publication_id=pub_id).pack()
    return await _card_with(world, data)


async def _press(world: World, card: SentMessage, data: str) -> None:
    answers = len(world.tg.callback_answers)
    world.tg.press_button(ADMIN_ID, chat_id=ADMIN_CHAT_ID, message_id=card.message_id, data=data)
    await world.until(lambda: len(world.tg.callback_answers) > answers)


async def test_unknown_outcome_is_held_and_it_is_in_the_channel(world: World) -> None:
    article = await world.article("Lost answer", photo=PHOTO_URL)
    world.tg.drop_next("sendPhoto", after=True)  # posted, but the answer never arrives
    await _publish(world, article)
    [pub] = await world.pubs(article.id)
    card = await _held_card(world, pub.id, "sent")
    assert "It is in the channel" in str(card.buttons)
    assert "Send it again" in str(card.buttons)
    assert len(world.channel()) == 1  # Telegram did post it...
    assert len(world.tg.calls("sendPhoto")) == 1  # ...and the bot did not resend on its own
    [pub] = await world.pubs(article.id)
    assert pub.status is PublicationStatus.HELD
    await _press(world, card, HeldAction(action="sent", publication_id=pub.id).pack())
    [pub] = await world.pubs(article.id)
    assert pub.status is PublicationStatus.PUBLISHED
    assert await world.status(article.id) is ArticleStatus.PUBLISHED
    # A second admin pressing the other button of the same card is told it is handled.
    await world.until(lambda: not world.tg.message(ADMIN_CHAT_ID, card.message_id).buttons)
    resend = HeldAction(action="resend", publication_id=pub.id).pack()
    answers = len(world.tg.callback_answers)
    world.tg.press_button(
        ADMIN_ID, chat_id=ADMIN_CHAT_ID, message_id=card.message_id, data=resend, check=False
    )
    await world.until(lambda: len(world.tg.callback_answers) > answers)
    assert world.tg.callback_answers[-1].show_alert  # "Already handled." (in Russian)
    await world.clock.advance(60)
    await world.scheduler_parked()
    assert len(world.channel()) == 1
    assert len(world.tg.calls("sendPhoto")) == 1


async def test_unknown_outcome_send_it_again(world: World) -> None:
    article = await world.article("Send twice on purpose")
    # A text post: pause first so the only sendMessage when we resume is the channel's.
    await review.set_paused(world.app.desk, True, actor_id=None)
    await _publish(world, article)
    world.tg.drop_next("sendMessage", after=True)
    await review.set_paused(world.app.desk, False, actor_id=None)
    [pub] = await world.pubs(article.id)
    card = await _held_card(world, pub.id, "resend")
    assert len(world.channel()) == 1
    await _press(world, card, HeldAction(action="resend", publication_id=pub.id).pack())
    await world.until(lambda: len(world.channel()) == 2)  # the admin chose a second copy
    [pub] = await world.pubs(article.id)
    assert pub.status is PublicationStatus.PUBLISHED
    assert pub.message_ids == (world.channel()[1].message_id,)


# --- start-up: missed posts and sends cut short ---------------------------------------------


@pytest.fixture
async def stopped_world(tmp_path: Path) -> AsyncIterator[World]:
    """The bot polls, but its scheduler has not started: the state a restart finds."""
    async for w in _world(tmp_path, start_background=False):
        yield w


async def test_startup_publishes_recent_misses_and_holds_the_rest(stopped_world: World) -> None:
    world = stopped_world
    recent = await world.article("Missed by ten minutes")
    stale = await world.article("Missed by two hours")
    cut = await world.article("Cut short mid-send")
    now = world.clock.now()
    async with world.app.db.transaction() as uow:
        channel = await uow.channels.default()
        assert channel is not None
        ids = {}
        for article, due in (
            (recent, now - timedelta(minutes=10)),
            (stale, now - timedelta(hours=2)),
            (cut, now - timedelta(minutes=1)),
        ):
            pub = await uow.publications.schedule(
                article_id=article.id, channel_id=channel.id, due_at=due, silent=False, now=now
            )
            assert pub is not None
            ids[article.id] = pub.id
        # The previous process claimed this one and died before recording the outcome.
        assert await uow.publications.claim(ids[cut.id], now=now) is not None
    await world.run(world.app.start_background())
    await world.until(lambda: len(world.channel()) == 1)
    assert "Missed by ten minutes" in world.channel()[0].visible  # within the 30 min grace
    missed_card = await _held_card(world, ids[stale.id], "resend")
    assert "while the bot was down" in missed_card.visible
    cut_card = await _held_card(world, ids[cut.id], "sent")
    assert "no way to know" in cut_card.visible
    held = {p.article_id: p for a in (stale, cut) for p in await world.pubs(a.id)}
    assert held[stale.id].status is PublicationStatus.HELD
    assert held[stale.id].last_error.startswith("missed")
    assert held[cut.id].status is PublicationStatus.HELD
    assert held[cut.id].last_error.startswith("unknown_outcome")
    await world.clock.advance(120)
    await world.scheduler_parked()
    assert len(world.channel()) == 1  # held ones wait for the admins
    # The admins decide: send the stale one now; the cut one is already in the channel.
    await _press(
        world, missed_card, HeldAction(action="resend", publication_id=ids[stale.id]).pack()
    )
    await world.until(lambda: len(world.channel()) == 2)
    assert "Missed by two hours" in world.channel()[1].visible
    await _press(world, cut_card, HeldAction(action="sent", publication_id=ids[cut.id]).pack())
    for article in (recent, stale, cut):
        [pub] = await world.pubs(article.id)
        assert pub.status is PublicationStatus.PUBLISHED
    assert len(world.channel()) == 2


async def test_torn_post_is_taken_back_when_its_second_message_fails(world: World) -> None:
    """A photo + text post whose text is refused: "failed" means nothing left in the channel."""
    long_body = tuple(f"Paragraph {i}. " + "Words of the body text. " * 12 for i in range(8))
    content = ArticleContent(
        title="Two-part story", lead="Lead.", body=long_body, photos=(Photo(PHOTO_URL, True),)
    )
    article = (
        await drafts.create_draft(
            world.app.desk, content, author_id=EDITOR_ID, language="en", origin="text"
        )
    ).article
    async with world.app.db.transaction() as uow:
        channel = await uow.channels.default()
        assert channel is not None
        await uow.channels.update(channel.id, template={"layout": "split"})
    await review.set_paused(world.app.desk, True, actor_id=None)
    await _publish(world, article)
    # The channel's text part is the next sendMessage: the photo goes out, the text is refused.
    world.tg.fail_next("sendMessage", error_code=400, description="Bad Request: text is odd")
    await review.set_paused(world.app.desk, False, actor_id=None)
    await world.until(lambda: any("refused the post" in m.visible for m in world.admin_chat()))
    photo = world.tg.messages(CHANNEL_ID)
    assert [m.method for m in photo] == ["sendPhoto"]
    assert photo[0].deleted  # taken back: no half post left in the channel
    [pub] = await world.pubs(article.id)
    assert pub.status is PublicationStatus.FAILED
