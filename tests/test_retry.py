"""RetryMiddleware through a real aiogram Bot against a scripted Bot API server on 127.0.0.1.

The server here is deliberately tiny (a queue of canned answers per method); the full fake Bot
API lives in fakegram and is not used, so these tests pin the middleware alone. All waits go
through a FakeClock: a 429 with retry_after=7 takes no real time, and the test asserts that
exactly 7 seconds were requested.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import GetMe, SendMessage
from aiogram.types import BufferedInputFile, InputMediaPhoto
from aiogram.types.media_union import MediaUnion as InputMedia
from aiohttp import web

from bot.clock import FakeClock
from bot.telegram.ratelimit import RateLimiter
from bot.telegram.retry import (
    RetryMiddleware,
    UnknownOutcomeError,
    is_flood_limited,
    is_message_edit,
    is_message_send,
    is_unsafe_to_repeat,
    request_was_not_sent,
)

TOKEN = "42:TEST-token"
CHANNEL = -1001234567890

# --- the scripted server ----------------------------------------------------------------------


@dataclass(frozen=True)
class Ok:
    pass


@dataclass(frozen=True)
class Fail:
    status: int
    description: str = "error"
    retry_after: int | None = None


@dataclass(frozen=True)
class Drop:
    """Read the whole request, then cut the connection without answering."""


Action = Ok | Fail | Drop


def flood(seconds: int) -> Fail:
    return Fail(429, f"Too Many Requests: retry after {seconds}", retry_after=seconds)


@dataclass
class Call:
    method: str
    fields: dict[str, str]
    files: dict[str, bytes]


@dataclass
class FakeApi:
    script: defaultdict[str, deque[Action]] = field(default_factory=lambda: defaultdict(deque))
    calls: list[Call] = field(default_factory=list)
    next_message_id: int = 1
    port: int = 0

    def plan(self, method: str, *actions: Action) -> None:
        self.script[method].extend(actions)

    def count(self, method: str) -> int:
        return sum(1 for c in self.calls if c.method == method)

    def _message(self, fields: dict[str, str], **extra: Any) -> dict[str, Any]:
        chat_id = int(fields.get("chat_id", "0"))
        message = {
            "message_id": self.next_message_id,
            "date": 1_790_000_000,
            "chat": {"id": chat_id, "type": "channel" if chat_id < 0 else "private"},
            **extra,
        }
        self.next_message_id += 1
        return message

    def _photo(self, n: int) -> dict[str, Any]:
        return {"file_id": f"f{n}", "file_unique_id": f"u{n}", "width": 10, "height": 10}

    def _result(self, method: str, fields: dict[str, str]) -> Any:
        if method == "getMe":
            return {"id": 42, "is_bot": True, "first_name": "Newsroom", "username": "nr_bot"}
        if method == "sendMessage":
            return self._message(fields, text=fields.get("text", ""))
        if method == "sendPhoto":
            return self._message(fields, photo=[self._photo(self.next_message_id)])
        if method == "sendMediaGroup":
            media = json.loads(fields["media"])
            return [self._message(fields, photo=[self._photo(i)]) for i in range(len(media))]
        return True

    async def handle(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        form = await request.post()
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        files = {k: v.file.read() for k, v in form.items() if isinstance(v, web.FileField)}
        self.calls.append(Call(method, fields, files))
        queue = self.script[method]
        action = queue.popleft() if queue else Ok()
        if isinstance(action, Drop):
            # The request was fully received (maybe executed): the client never learns.
            assert request.transport is not None
            request.transport.abort()
            return web.Response()  # never reaches the client: the transport is gone
        if isinstance(action, Fail):
            body: dict[str, Any] = {
                "ok": False,
                "error_code": action.status,
                "description": action.description,
            }
            if action.retry_after is not None:
                body["parameters"] = {"retry_after": action.retry_after}
            return web.json_response(body, status=action.status)
        return web.json_response({"ok": True, "result": self._result(method, fields)})


async def start_server(api: FakeApi, port: int = 0) -> tuple[web.AppRunner, int]:
    app = web.Application(client_max_size=20 * 1024 * 1024)
    app.router.add_post("/bot{token}/{method}", api.handle)
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    sockets = runner.addresses
    return runner, int(sockets[0][1])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def api() -> AsyncIterator[FakeApi]:
    fake = FakeApi()
    runner, port = await start_server(fake)
    fake.port = port
    yield fake
    await runner.cleanup()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(monotonic_start=500.0)


BotFactory = Callable[..., tuple[Bot, RetryMiddleware]]


@pytest.fixture
async def make_bot(api: FakeApi, clock: FakeClock) -> AsyncIterator[BotFactory]:
    bots: list[Bot] = []

    def factory(
        *, port: int | None = None, limiter: bool = True, **options: Any
    ) -> tuple[Bot, RetryMiddleware]:
        base = f"http://127.0.0.1:{port or api.port}"
        bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(base)))
        options.setdefault("rng", lambda: 0.5)
        middleware = RetryMiddleware(
            limiter=RateLimiter(clock=clock) if limiter else None, clock=clock, **options
        )
        bot.session.middleware(middleware)
        bots.append(bot)
        return bot, middleware

    yield factory
    for bot in bots:
        await bot.session.close()


# --- 429 --------------------------------------------------------------------------------------


async def test_retry_after_waits_exactly_then_succeeds(
    api: FakeApi, clock: FakeClock, make_bot: BotFactory
) -> None:
    successes: list[str] = []
    bot, mw = make_bot(on_success=successes.append)
    api.plan("sendMessage", flood(7))
    message = await clock.drive(bot.send_message(CHANNEL, "breaking"))
    assert message.text == "breaking"
    assert api.count("sendMessage") == 2
    assert clock.sleeps == [7.0]  # exactly retry_after; the limiter added nothing on top
    assert clock.monotonic() == 507.0
    assert mw.retries == {"retry_after": 1}
    assert successes == ["sendMessage"]
    assert mw.last_success_method == "sendMessage"
    assert mw.last_success_at == clock.now()


async def test_retry_after_holds_other_sends_to_the_chat(
    api: FakeApi, clock: FakeClock, make_bot: BotFactory
) -> None:
    bot, _ = make_bot()
    api.plan("sendMessage", flood(10))
    first = asyncio.ensure_future(bot.send_message(CHANNEL, "one"))
    await clock.wait_for_sleepers(1)  # the 429 arrived: first is waiting out retry_after
    second = asyncio.ensure_future(bot.send_message(CHANNEL, "two"))
    await clock.wait_for_sleepers(2)  # second is parked by the limiter's penalty
    assert api.count("sendMessage") == 1
    await clock.drive(asyncio.gather(first, second))
    # Both waited the full 10 s: one sleeping out retry_after, the other on the chat's penalty.
    # (Their order after the wait is not guaranteed: the retry queues behind "two" for the
    # chat's lane.)
    assert clock.sleeps.count(10.0) == 2
    assert sorted(c.fields["text"] for c in api.calls) == ["one", "one", "two"]
    assert clock.monotonic() >= 510.0


async def test_retry_after_is_bounded(
    api: FakeApi, clock: FakeClock, make_bot: BotFactory
) -> None:
    bot, mw = make_bot(max_flood_retries=2)
    api.plan("sendMessage", *[flood(5)] * 10)
    with pytest.raises(TelegramRetryAfter) as info:
        await clock.drive(bot.send_message(CHANNEL, "x"))
    assert info.value.retry_after == 5
    assert api.count("sendMessage") == 3
    assert [s for s in clock.sleeps if s == 5.0] == [5.0, 5.0]
    assert mw.gave_up == {"retry_after": 1}


async def test_long_retry_after_is_raised_not_slept(
    api: FakeApi, clock: FakeClock, make_bot: BotFactory
) -> None:
    bot, _ = make_bot(max_flood_wait=60)
    api.plan("sendMessage", flood(3600))
    with pytest.raises(TelegramRetryAfter):
        await clock.drive(bot.send_message(CHANNEL, "x"))
    assert clock.sleeps == []
    assert api.count("sendMessage") == 1


# --- 5xx --------------------------------------------------------------------------------------


async def test_server_error_backs_off_with_jitter_then_succeeds(
    api: FakeApi, clock: FakeClock, make_bot: BotFactory
) -> None:
    bot, mw = make_bot(limiter=False, rng=lambda: 0.5)
    api.plan("getMe", Fail(500, "Internal Server Error"), Fail(502, "Bad Gateway"))
    me = await clock.drive(bot.get_me())
    assert me.id == 42
    assert api.count("getMe") == 3
    assert clock.sleeps == [0.25, 0.5]  # 0.5 * min(30, 0.5 * 2**(n-1))
    assert mw.retries == {"server": 2}


async def test_server_error_gives_up_after_max_attempts(
    api: FakeApi, clock: FakeClock, make_bot: BotFactory
) -> None:
    bot, mw = make_bot(limiter=False, max_attempts=3, rng=lambda: 1.0)
    api.plan("sendMessage", *[Fail(500, "Internal Server Error")] * 5)
    with pytest.raises(TelegramServerError):
        await clock.drive(bot.send_message(CHANNEL, "x"))
    assert api.count("sendMessage") == 3
    assert clock.sleeps == [0.5, 1.0]
    assert mw.gave_up == {"server": 1}


def test_backoff_is_capped_full_jitter() -> None:
    top = RetryMiddleware(rng=lambda: 1.0)
    assert [top.backoff(n) for n in range(1, 10)] == [0.5, 1, 2, 4, 8, 16, 30, 30, 30]
    assert RetryMiddleware(rng=lambda: 0.0).backoff(5) == 0.0


# --- errors that must not be retried ------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, TelegramBadRequest),
        (403, TelegramForbiddenError),
        (401, TelegramUnauthorizedError),
        (413, TelegramEntityTooLarge),
    ],
)
async def test_client_errors_are_not_retried(
    api: FakeApi, clock: FakeClock, make_bot: BotFactory, status: int, error: type[Exception]
) -> None:
    bot, mw = make_bot()
    api.plan("sendMessage", Fail(status, "nope"))
    with pytest.raises(error):
        await clock.drive(bot.send_message(CHANNEL, "x"))
    assert api.count("sendMessage") == 1
    assert clock.sleeps == []
    assert not mw.retries


# --- network errors -----------------------------------------------------------------------------


async def test_dropped_send_is_unknown_outcome_not_retried(
    api: FakeApi, clock: FakeClock, make_bot: BotFactory
) -> None:
    bot, mw = make_bot()
    api.plan("sendMessage", Drop())
    with pytest.raises(UnknownOutcomeError) as info:
        await clock.drive(bot.send_message(CHANNEL, "x"))
    assert isinstance(info.value, TelegramNetworkError)  # callers catching that still work
    assert isinstance(info.value.__cause__, TelegramNetworkError)
    # The server did receive it: retrying would have posted twice.
    assert api.count("sendMessage") == 1
    assert mw.gave_up == {"unknown_outcome": 1}


async def test_dropped_send_retried_when_allowed(
    api: FakeApi, clock: FakeClock, make_bot: BotFactory
) -> None:
    bot, mw = make_bot(retry_unsafe_on_network_error=True)
    api.plan("sendMessage", Drop())
    message = await clock.drive(bot.send_message(CHANNEL, "x"))
    assert message.chat.id == CHANNEL
    assert api.count("sendMessage") == 2  # the accepted risk: a possible duplicate
    assert mw.retries == {"network": 1}


async def test_dropped_read_and_edit_are_retried(
    api: FakeApi, clock: FakeClock, make_bot: BotFactory
) -> None:
    bot, mw = make_bot()
    api.plan("getMe", Drop(), Drop())
    api.plan("editMessageText", Drop())
    assert (await clock.drive(bot.get_me())).username == "nr_bot"
    assert await clock.drive(bot.edit_message_text(text="fixed", chat_id=CHANNEL, message_id=5))
    assert api.count("getMe") == 3
    assert api.count("editMessageText") == 2
    assert mw.retries == {"network": 3}


async def test_connection_refused_send_is_retried_exactly_once_delivered(
    clock: FakeClock, make_bot: BotFactory
) -> None:
    port = free_port()  # nothing listens here yet
    bot, mw = make_bot(port=port)
    late = FakeApi()
    task = asyncio.ensure_future(bot.send_message(CHANNEL, "x"))
    await clock.wait_for_sleepers(1)  # refused: the middleware is backing off
    assert mw.retries == {"network": 1}
    runner, _ = await start_server(late, port)
    try:
        message = await clock.drive(task)
    finally:
        await runner.cleanup()
    assert message.chat.id == CHANNEL
    assert late.count("sendMessage") == 1


async def test_connection_refused_gives_up_with_plain_network_error(
    clock: FakeClock, make_bot: BotFactory
) -> None:
    bot, mw = make_bot(port=free_port(), max_attempts=2)
    with pytest.raises(TelegramNetworkError) as info:
        await clock.drive(bot.send_message(CHANNEL, "x"))
    # Nothing was ever sent, so the outcome is known: not posted.
    assert not isinstance(info.value, UnknownOutcomeError)
    assert mw.gave_up == {"network": 1}


def _network_error(cause: BaseException) -> TelegramNetworkError:
    try:
        try:
            raise cause
        except BaseException as exc:
            raise TelegramNetworkError(method=GetMe(), message=str(exc)) from exc
    except TelegramNetworkError as wrapped:
        return wrapped


def test_not_sent_classification() -> None:
    assert request_was_not_sent(_network_error(ConnectionRefusedError()))
    assert request_was_not_sent(_network_error(aiohttp.ConnectionTimeoutError("connect")))
    assert not request_was_not_sent(_network_error(aiohttp.ServerDisconnectedError()))
    assert not request_was_not_sent(_network_error(aiohttp.SocketTimeoutError("read")))
    assert not request_was_not_sent(_network_error(TimeoutError()))
    assert not request_was_not_sent(TelegramNetworkError(method=GetMe(), message="?"))


@pytest.mark.parametrize(
    ("name", "unsafe", "limited", "broadcast"),
    [
        ("sendMessage", True, True, True),
        ("sendPhoto", True, True, True),
        ("sendMediaGroup", True, True, True),
        ("copyMessage", True, True, True),
        ("forwardMessage", True, True, True),
        ("forwardMessages", True, True, True),
        ("sendChatAction", False, False, False),
        ("editMessageText", False, True, False),
        ("editMessageMedia", False, True, False),
        ("editMessageReplyMarkup", False, True, False),
        ("stopPoll", False, True, False),
        ("getMe", False, False, False),
        ("getUpdates", False, False, False),
        ("getChatMember", False, False, False),
        ("getFile", False, False, False),
        ("answerCallbackQuery", False, False, False),
        ("setMyCommands", False, False, False),
        ("deleteMessage", False, False, False),
        ("pinChatMessage", False, False, False),
        # They create something, but not a message: no flood limit charged.
        ("createChatInviteLink", True, False, False),
        ("createForumTopic", True, False, False),
    ],
)
def test_method_classes(name: str, unsafe: bool, limited: bool, broadcast: bool) -> None:
    assert is_unsafe_to_repeat(name) is unsafe
    assert is_flood_limited(name) is limited
    assert is_message_send(name) is broadcast
    assert is_message_edit(name) is (limited and not broadcast)


# --- uploads, limits, hooks ---------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40


async def test_upload_is_resent_in_full_after_server_error(
    api: FakeApi, clock: FakeClock, make_bot: BotFactory
) -> None:
    bot, _ = make_bot()
    api.plan("sendPhoto", Fail(500, "Internal Server Error"))
    photo = BufferedInputFile(PNG, filename="lead.png")
    message = await clock.drive(bot.send_photo(CHANNEL, photo, caption="c"))
    assert message.photo
    uploads = [c.files for c in api.calls if c.method == "sendPhoto"]
    assert len(uploads) == 2
    assert all(list(files.values()) == [PNG] for files in uploads)


async def test_album_is_resent_and_charged_per_item(
    api: FakeApi, clock: FakeClock, make_bot: BotFactory
) -> None:
    bot, _ = make_bot()
    api.plan("sendMediaGroup", flood(4))
    media: list[InputMedia] = [
        InputMediaPhoto(media=BufferedInputFile(PNG + bytes([i]), filename=f"{i}.png"))
        for i in range(3)
    ]
    sent = await clock.drive(bot.send_media_group(CHANNEL, media=media))
    assert len(sent) == 3
    calls = [c for c in api.calls if c.method == "sendMediaGroup"]
    assert len(calls) == 2
    assert sorted(calls[0].files.values()) == sorted(calls[1].files.values())
    assert len(calls[1].files) == 3
    # Each attempt charged 3 of the chat's tokens (capacity 1, 3 s each): the retry waited
    # out retry_after (4 s) and then the rest of the 9 s the first album cost.
    assert clock.sleeps == [4.0, 5.0]


async def test_sends_to_one_channel_are_spaced(
    api: FakeApi, clock: FakeClock, make_bot: BotFactory
) -> None:
    bot, _ = make_bot()

    async def burst() -> None:
        for i in range(3):
            await bot.send_message(CHANNEL, f"m{i}")
        await bot.get_me()  # not a send: never waits

    await clock.drive(burst())
    assert clock.sleeps == [3.0, 3.0]
    assert api.count("sendMessage") == 3


async def test_broken_success_hook_does_not_fail_the_send(
    api: FakeApi, clock: FakeClock, make_bot: BotFactory, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(_: str) -> None:
        raise RuntimeError("health file unwritable")

    bot, _ = make_bot(on_success=broken)
    with caplog.at_level(logging.ERROR, logger="bot.telegram.retry"):
        message = await clock.drive(bot(SendMessage(chat_id=CHANNEL, text="x")))
    assert message.message_id == 1
    assert api.count("sendMessage") == 1
    assert "on_success hook failed" in caplog.text
