"""A fake Telegram Bot API server that the real aiogram client talks to over 127.0.0.1.

Tests and the offline demo run the actual bot against it: aiogram serialises requests exactly as
it would for api.telegram.org, and this server answers the way Telegram does where it matters to
a publishing bot (limits counted after entity parsing, "message is not modified", 403 for chats
the bot may not post to, 429 with ``retry_after``, long polling, webhooks). It also plays the
people: users write to the bot, forward channel posts and press inline buttons, and every call the
bot made can be read back.

Everything runs on one event loop; state is plain Python objects mutated by the request handlers,
so no locks are needed. A change "signal" wakes whoever waits (long polls, ``wait_for``).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import math
import random
import re
import struct
import time
from collections import deque
from collections.abc import Awaitable, Callable, Collection, Iterable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, NamedTuple, Self

from aiohttp import ClientSession, ClientTimeout, web

from fakegram.tg_html import (
    HtmlParseError,
    ParsedText,
    apply_entities,
    parse_html,
    plain_text,
)

__all__ = [
    "ApiCall",
    "ApiError",
    "CallbackAnswer",
    "CommandsRecord",
    "FakeTelegram",
    "InjectedFault",
    "MessageEdit",
    "SentMessage",
    "ServerStats",
    "WebhookDelivery",
]

JsonDict = dict[str, Any]

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
ENTITY_LIMIT = 100
CALLBACK_DATA_LIMIT = 64
UPLOAD_PHOTO_LIMIT = 10 * 1024 * 1024
URL_PHOTO_LIMIT = 5 * 1024 * 1024
DELETE_WINDOW_SECONDS = 48 * 3600

_TOKEN_RE = re.compile(r"^(\d+):[A-Za-z0-9_-]+$")
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_COMMAND_RE = re.compile(r"^/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]+)?")
_BUTTON_URL_RE = re.compile(r"^(?:https?|tg)://\S+$", re.IGNORECASE)
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
_WRONG_FILE = "Bad Request: wrong file identifier/HTTP URL specified"
# Update kinds Telegram leaves out unless asked for by name in allowed_updates.
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
# Methods that put a message into a chat: the ones rate limits and chaos apply to.
_SEND_METHODS = frozenset(
    {"sendmessage", "sendphoto", "sendmediagroup", "copymessage", "senddocument"}
)
_CHAOS_DEFAULT_METHODS = _SEND_METHODS | frozenset(
    {
        "editmessagetext",
        "editmessagecaption",
        "editmessagemedia",
        "editmessagereplymarkup",
        "deletemessage",
        "pinchatmessage",
        "answercallbackquery",
    }
)
_ADMIN_RIGHTS_FALSE = (
    "is_anonymous",
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_send_welcome_messages",
)


class ApiError(Exception):
    """An error answer: ``{"ok": false, "error_code": …, "description": …}``."""

    def __init__(self, error_code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after

    def body(self) -> JsonDict:
        out: JsonDict = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.retry_after is not None:
            out["parameters"] = {"retry_after": self.retry_after}
        return out


def _bad(description: str) -> ApiError:
    return ApiError(400, "Bad Request: " + description)


class ApiCall(NamedTuple):
    """One request the bot made. ``params`` holds the form fields as sent (strings); uploaded
    file parts appear as ``bytes``."""

    method: str
    params: dict[str, Any]


@dataclass(slots=True)
class MessageEdit:
    """The state of a message before one edit (``SentMessage.edits`` keeps them in order)."""

    method: str
    text: str | None
    caption: str | None
    entities: list[JsonDict]
    html: str | None
    photo_file_id: str | None
    reply_markup: JsonDict | None
    edit_date: int  # when the edit that replaced this state happened


@dataclass(slots=True)
class SentMessage:
    """A message in a chat, in its current state (``deleted`` ones are kept, flagged)."""

    chat_id: int
    message_id: int
    date: int
    method: str  # "sendMessage", "sendPhoto", … or "user" / "channel" for incoming ones
    outgoing: bool  # sent by the bot
    text: str | None = None  # visible text after entity parsing
    caption: str | None = None
    entities: list[JsonDict] = field(default_factory=list)  # of the text or the caption
    html: str | None = None  # the raw text/caption string as the bot sent it
    parse_mode: str | None = None
    photo: list[JsonDict] = field(default_factory=list)  # PhotoSize dicts, largest last
    media_group_id: str | None = None
    reply_markup: JsonDict | None = None
    disable_notification: bool = False
    protect_content: bool = False
    link_preview_options: JsonDict | None = None
    show_caption_above_media: bool = False
    reply_to_message_id: int | None = None
    from_user_id: int | None = None
    forward_origin: JsonDict | None = None
    extra: JsonDict = field(default_factory=dict)  # other Message fields (document, sticker…)
    service: bool = False  # e.g. the "pinned_message" notice Telegram adds when pinning
    edits: list[MessageEdit] = field(default_factory=list)
    edit_date: int | None = None
    deleted: bool = False
    pinned: bool = False
    copied_from: tuple[int, int] | None = None  # (chat_id, message_id) for copyMessage

    @property
    def photo_file_id(self) -> str | None:
        """The largest size's ``file_id``: the one a bot would store and reuse."""
        return self.photo[-1]["file_id"] if self.photo else None

    @property
    def visible(self) -> str:
        """Text or caption, whichever the message has ("" for neither)."""
        return self.text if self.text is not None else (self.caption or "")

    @property
    def buttons(self) -> list[JsonDict]:
        """All inline keyboard buttons, row by row."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [button for row in rows for button in row]

    @property
    def button_data(self) -> list[list[str]]:
        """callback_data of the inline buttons, row by row (rows without any left out)."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        data = [[b["callback_data"] for b in row if "callback_data" in b] for row in rows]
        return [row for row in data if row]

    @property
    def photos(self) -> list[str]:
        """file_ids of every size of the photo (largest last); empty for other messages."""
        return [size["file_id"] for size in self.photo]


@dataclass(frozen=True, slots=True)
class CallbackAnswer:
    query_id: str
    user_id: int
    data: str | None
    text: str | None
    show_alert: bool
    url: str | None


class InjectedFault(NamedTuple):
    """One fault chaos injected: the method, the request's ``chat_id`` ("" if none), the kind."""

    method: str
    chat_id: str
    kind: str


@dataclass(frozen=True, slots=True)
class CommandsRecord:
    commands: list[JsonDict]
    scope: JsonDict
    language_code: str


@dataclass(frozen=True, slots=True)
class WebhookDelivery:
    update_id: int
    status: int | None  # HTTP status, None when the receiver could not be reached
    error: str | None


@dataclass(slots=True)
class ServerStats:
    requests: int = 0
    errors: int = 0  # error answers of any kind, injected or not
    too_many_requests: int = 0  # 429s sent
    dropped: int = 0  # connections closed without an answer
    slowed: int = 0


@dataclass(slots=True)
class _Chat:
    id: int
    type: str  # private | group | supergroup | channel
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    can_post: bool = True
    can_edit: bool = True
    can_delete: bool = True
    bot_member: bool = True
    blocked: bool = False  # a private chat whose user blocked the bot
    members: dict[int, JsonDict] = field(default_factory=dict)  # user_id -> ChatMember extras
    next_message_id: int = 1

    def to_dict(self) -> JsonDict:
        out: JsonDict = {"id": self.id, "type": self.type}
        for key in ("title", "username", "first_name", "last_name"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out


@dataclass(slots=True)
class _User:
    id: int
    first_name: str
    is_bot: bool = False
    username: str | None = None
    language_code: str | None = None
    last_name: str | None = None

    def to_dict(self) -> JsonDict:
        out: JsonDict = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out


@dataclass(slots=True)
class _File:
    file_id: str
    file_unique_id: str
    kind: str  # photo | document | sticker
    file_size: int
    data: bytes | None = None
    photo_set: list[JsonDict] | None = None  # all sizes of the photo this file belongs to
    file_path: str | None = None


@dataclass(slots=True)
class _Fault:
    kind: str  # error | drop | drop_after | slow | hold
    error_code: int = 0
    description: str = ""
    retry_after: int | None = None
    seconds: float = 0.0
    release: asyncio.Event | None = None  # hold: handled once this is set


@dataclass(slots=True)
class _Callback:
    user_id: int
    data: str | None
    answered: bool = False


class _Signal:
    """Wakes every waiter on each change.

    An ``asyncio.Condition`` needs its lock held to notify, which the synchronous "act as a
    person" helpers cannot do; a fresh Event per generation gives the same wake-all semantics
    from plain functions.
    """

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait_until(self, predicate: Callable[[], bool], timeout: float | None) -> bool:  # noqa: ASYNC109
        """True once ``predicate()`` holds, False when ``timeout`` runs out first."""
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while not predicate():
            event = self._event
            remaining = None if deadline is None else deadline - loop.time()
            if remaining is not None and remaining <= 0:
                return False
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                return predicate()
        return True


class _Params:
    """Form fields of one request, with Telegram's parsing rules (every value is a string)."""

    def __init__(self, fields: dict[str, str], files: dict[str, bytes]) -> None:
        self.fields = fields
        self.files = files

    def opt(self, name: str) -> str | None:
        return self.fields.get(name)

    def required(self, name: str) -> str:
        value = self.fields.get(name)
        if value is None or value == "":
            raise _bad(f"{name} is empty")
        return value

    def opt_int(self, name: str, default: int | None = None) -> int | None:
        value = self.fields.get(name)
        if value is None or value == "":
            return default
        try:
            return int(value)
        except ValueError:
            raise _bad(f"invalid {name} specified") from None

    def required_int(self, name: str) -> int:
        value = self.opt_int(name)
        if value is None:
            raise _bad(f"{name} is empty")
        return value

    def flag(self, name: str) -> bool:
        return (self.fields.get(name) or "").lower() in ("true", "1")

    def json(self, name: str) -> Any:
        value = self.fields.get(name)
        if value is None or value == "":
            return None
        try:
            return json.loads(value)
        except ValueError:
            raise _bad(f"can't parse {name} JSON object") from None


def _image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG, GIF or JPEG, read from its header; None for anything else."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:4] == b"GIF8" and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7 or marker == 0xFF:
                i += 1 if marker == 0xFF else 2
                continue
            (seg_len,) = struct.unpack(">H", data[i + 2 : i + 4])
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                return int(width), int(height)
            i += 2 + seg_len
    return None


class FakeTelegram:
    """The fake Bot API server; use ``async with FakeTelegram(token=…) as tg``."""

    def __init__(
        self,
        token: str = "123456:TEST-token_for-newsroom",
        *,
        bot_username: str = "newsroom_bot",
        bot_name: str = "Newsroom",
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        strict_images: bool = False,
        enforce_delete_window: bool = True,
    ) -> None:
        match = _TOKEN_RE.match(token)
        if match is None:
            raise ValueError("a bot token looks like '<digits>:<letters, digits, _ or ->'")
        self.token = token
        self.bot_id = int(match.group(1))
        self.bot_username = bot_username
        self._bot = _User(self.bot_id, bot_name, is_bot=True, username=bot_username)
        self._host = host
        self._port = port
        self.clock = clock  # monotonic seconds: rate-limit windows
        self.wall_clock = wall_clock  # Unix time: message dates, the 48 h delete rule
        self.strict_images = strict_images  # reject uploads that are not PNG/GIF/JPEG
        self.enforce_delete_window = enforce_delete_window

        self._users: dict[int, _User] = {self.bot_id: self._bot}
        self._chats: dict[int, _Chat] = {}
        self._messages: dict[int, dict[int, SentMessage]] = {}
        self._files: dict[str, _File] = {}
        self._url_photos: dict[str, tuple[int, int, int]] = {}  # url -> width, height, size
        self._url_cache: dict[str, list[JsonDict]] = {}
        self._unfetchable: set[str] = set()
        self._file_counter = itertools.count(1)
        self._media_group_counter = itertools.count(13_000_000_000_000_001)
        self._callback_counter = itertools.count(1)
        self._callbacks: dict[str, _Callback] = {}

        self._updates: deque[JsonDict] = deque()
        self._next_update_id = 100_000_001
        self._allowed_updates: list[str] | None = None
        self._poll_generation = 0

        self._webhook_url = ""
        self._webhook_secret: str | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._webhook_last_error: tuple[int, str] | None = None
        self.webhook_retry_delay = 0.2
        self.webhook_deliveries: list[WebhookDelivery] = []

        self._faults: dict[str, deque[_Fault]] = {}
        self._chaos_rate = 0.0
        self._chaos_rng = random.Random(0)
        self._chaos_kinds: tuple[int | str, ...] = ()
        self._chaos_methods: frozenset[str] = _CHAOS_DEFAULT_METHODS
        self._chaos_slow_seconds = 0.2
        self._chaos_seed = 0
        self._chaos_per_chat = False
        self._chaos_streams: dict[tuple[str, str], random.Random] = {}
        #: Every fault chaos injected, in order (not the ones queued with fail_next & co).
        self.chaos_log: list[InjectedFault] = []
        self._rate_per_chat_minute: int | None = None
        self._rate_global_second: int | None = None
        self._chat_sends: dict[int, deque[float]] = {}
        self._global_sends: deque[float] = deque()

        self.requests: list[ApiCall] = []
        self.callback_answers: list[CallbackAnswer] = []
        self.commands: list[CommandsRecord] = []
        self.stats = ServerStats()

        self._signal = _Signal()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._client: ClientSession | None = None
        self.api_base = ""
        self._methods: dict[str, Callable[[_Params], Awaitable[Any]]] = {
            "getme": self._m_get_me,
            "getupdates": self._m_get_updates,
            "setwebhook": self._m_set_webhook,
            "deletewebhook": self._m_delete_webhook,
            "getwebhookinfo": self._m_get_webhook_info,
            "sendmessage": self._m_send_message,
            "sendphoto": self._m_send_photo,
            "senddocument": self._m_send_document,
            "sendmediagroup": self._m_send_media_group,
            "copymessage": self._m_copy_message,
            "editmessagetext": self._m_edit_message_text,
            "editmessagecaption": self._m_edit_message_caption,
            "editmessagemedia": self._m_edit_message_media,
            "editmessagereplymarkup": self._m_edit_message_reply_markup,
            "deletemessage": self._m_delete_message,
            "pinchatmessage": self._m_pin_chat_message,
            "unpinchatmessage": self._m_unpin_chat_message,
            "answercallbackquery": self._m_answer_callback_query,
            "setmycommands": self._m_set_my_commands,
            "getmycommands": self._m_get_my_commands,
            "deletemycommands": self._m_delete_my_commands,
            "getchat": self._m_get_chat,
            "getchatmember": self._m_get_chat_member,
            "getfile": self._m_get_file,
            "sendchataction": self._m_true,
            "setmydescription": self._m_true,
            "setmyshortdescription": self._m_true,
            "setchatmenubutton": self._m_true,
            "logout": self._m_true,
            "close": self._m_true,
        }

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        app = web.Application(client_max_size=20 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        # Pending long polls are woken in stop(), so a short shutdown grace is enough.
        self._runner = web.AppRunner(app, shutdown_timeout=2.0, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        port = self._runner.addresses[0][1]
        self.api_base = f"http://{self._host}:{port}"
        self._client = ClientSession(timeout=ClientTimeout(total=10))

    async def stop(self) -> None:
        self._closing = True
        self._signal.notify()  # long polls return now instead of holding the shutdown
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
            self._webhook_task = None
        if self._client is not None:
            await self._client.close()
            self._client = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # ------------------------------------------------------------------ world setup

    @property
    def bot_user(self) -> JsonDict:
        return self._bot.to_dict()

    def add_user(
        self,
        user_id: int,
        first_name: str,
        *,
        language_code: str | None = "en",
        username: str | None = None,
        last_name: str | None = None,
    ) -> JsonDict:
        """A person who has started the bot (so the bot may write to them); returns the User."""
        user = _User(user_id, first_name, username=username, language_code=language_code)
        user.last_name = last_name
        self._users[user_id] = user
        self._chats[user_id] = _Chat(
            user_id, "private", username=username, first_name=first_name, last_name=last_name
        )
        self._messages.setdefault(user_id, {})
        return user.to_dict()

    def block_bot(self, user_id: int, blocked: bool = True) -> None:
        """The user blocks (or unblocks) the bot: sends then fail with 403."""
        self._chat(user_id).blocked = blocked

    def add_channel(
        self,
        chat_id: int,
        *,
        title: str,
        username: str | None = None,
        can_post: bool = True,
        can_edit: bool = True,
        can_delete: bool = True,
        member: bool = True,
        admins: Iterable[int] = (),
    ) -> JsonDict:
        """A channel; the bot is an administrator with the given rights (``member=False``: the
        bot is not in it). ``admins`` are users reported as administrators by getChatMember."""
        chat = _Chat(
            chat_id,
            "channel",
            title=title,
            username=username,
            can_post=can_post,
            can_edit=can_edit,
            can_delete=can_delete,
            bot_member=member,
        )
        for user_id in admins:
            chat.members[user_id] = {"status": "administrator"}
        self._chats[chat_id] = chat
        self._messages.setdefault(chat_id, {})
        return chat.to_dict()

    def set_channel_rights(
        self,
        chat_id: int | str,
        *,
        can_post: bool | None = None,
        can_edit: bool | None = None,
        can_delete: bool | None = None,
        member: bool | None = None,
    ) -> None:
        chat = self._chat(chat_id)
        if can_post is not None:
            chat.can_post = can_post
        if can_edit is not None:
            chat.can_edit = can_edit
        if can_delete is not None:
            chat.can_delete = can_delete
        if member is not None:
            chat.bot_member = member

    def add_group(
        self,
        chat_id: int,
        title: str,
        *,
        supergroup: bool = True,
        members: Iterable[int] = (),
        admins: Iterable[int] = (),
        username: str | None = None,
    ) -> JsonDict:
        """A group the bot is a member of."""
        chat = _Chat(
            chat_id, "supergroup" if supergroup else "group", title=title, username=username
        )
        for user_id in members:
            chat.members[user_id] = {"status": "member"}
        for user_id in admins:
            chat.members[user_id] = {"status": "administrator"}
        self._chats[chat_id] = chat
        self._messages.setdefault(chat_id, {})
        return chat.to_dict()

    def set_chat_member(self, chat_id: int | str, user_id: int, status: str) -> None:
        """What getChatMember reports for a user: creator/administrator/member/left/kicked."""
        self._chat(chat_id).members[user_id] = {"status": status}

    def add_photo_url(
        self, url: str, *, width: int = 1280, height: int = 720, file_size: int = 150_000
    ) -> None:
        """Describe what an http(s) photo URL serves (unregistered URLs serve 1280x720)."""
        self._url_photos[url] = (width, height, file_size)

    def mark_url_unfetchable(self, url: str) -> None:
        """Telegram cannot download this URL: sendPhoto answers 400 wrong file identifier."""
        self._unfetchable.add(url)

    # ------------------------------------------------------------------ faults

    def fail_next(
        self,
        method: str,
        *,
        error_code: int,
        description: str,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """The next ``times`` calls of ``method`` ("*" for any) get this error instead."""
        fault = _Fault("error", error_code, description, retry_after)
        self._faults.setdefault(method.lower(), deque()).extend([fault] * times)

    def drop_next(self, method: str, times: int = 1, *, after: bool = False) -> None:
        """Close the connection without answering the next ``times`` calls of ``method``.

        ``after=True`` carries the call out first (the message is sent) and then drops the
        answer: the bot cannot know whether it worked, like a timeout after Telegram acted.
        """
        fault = _Fault("drop_after" if after else "drop")
        self._faults.setdefault(method.lower(), deque()).extend([fault] * times)

    def slow_next(self, method: str, seconds: float, times: int = 1) -> None:
        """Delay the answer of the next ``times`` calls of ``method``."""
        fault = _Fault("slow", seconds=seconds)
        self._faults.setdefault(method.lower(), deque()).extend([fault] * times)

    def hold_next(self, method: str) -> asyncio.Event:
        """Keep the next call of ``method`` waiting -- arrived, not yet carried out nor answered
        -- until the returned event is set; then it is handled as usual.

        For tests that need something to happen while a request is on the wire, in order and
        without timing: wait for the call to arrive (``wait_for_call``), act, release it.
        """
        release = asyncio.Event()
        fault = _Fault("hold", release=release)
        self._faults.setdefault(method.lower(), deque()).append(fault)
        return release

    def set_chaos(
        self,
        rate: float,
        seed: int,
        kinds: Collection[int | str] = (429, 500, 502, "drop", "slow"),
        *,
        methods: Collection[str] | None = None,
        slow_seconds: float = 0.2,
        per_chat: bool = False,
    ) -> None:
        """Fail a random ``rate`` of send/edit/delete calls (seeded: runs are repeatable).

        ``kinds``: HTTP error codes (429 comes with retry_after 1), "drop" (no answer, nothing
        done), "drop_after" (done, no answer) and "slow" (answered after ``slow_seconds``).
        ``rate=0`` turns chaos off.

        With one generator for all calls, which call gets which fault depends on how concurrent
        requests happen to interleave. ``per_chat=True`` draws each (method, ``chat_id``) pair's
        faults from a stream of its own, seeded from ``seed`` and the pair: the n-th
        ``sendMessage`` to a chat meets the same fault in every run, however the bot's tasks
        interleave across chats.
        """
        self._chaos_rate = rate
        self._chaos_rng = random.Random(seed)
        self._chaos_seed = seed
        self._chaos_per_chat = per_chat
        self._chaos_streams = {}
        self._chaos_kinds = tuple(kinds)
        self._chaos_slow_seconds = slow_seconds
        if methods is not None:
            self._chaos_methods = frozenset(m.lower() for m in methods)

    def enforce_rate_limits(
        self, per_chat_per_minute: int | None = 20, global_per_second: int | None = 30
    ) -> None:
        """Answer 429 over Telegram's limits, measured on ``clock``.

        ``per_chat_per_minute`` applies to groups and channels (Telegram's 20/min),
        ``global_per_second`` to all messages the bot sends. ``None`` lifts a limit.
        """
        self._rate_per_chat_minute = per_chat_per_minute
        self._rate_global_second = global_per_second

    # ------------------------------------------------------------------ reading back

    def messages(
        self, chat_id: int | str, *, include_incoming: bool = False, include_service: bool = False
    ) -> list[SentMessage]:
        """Messages the bot sent to a chat, oldest first, in their current state."""
        chat = self._chat(chat_id)
        return [
            m
            for m in self._messages.get(chat.id, {}).values()
            if (m.outgoing or include_incoming) and (include_service or not m.service)
        ]

    def last_message(self, chat_id: int | str) -> SentMessage | None:
        sent = self.messages(chat_id)
        return sent[-1] if sent else None

    def message(self, chat_id: int | str, message_id: int) -> SentMessage:
        """Any stored message (the bot's or a person's) by id; KeyError if there is none."""
        return self._messages[self._chat(chat_id).id][message_id]

    def calls(self, method: str) -> list[dict[str, Any]]:
        """Parameters of every call of ``method`` (case-insensitive), in order."""
        return [c.params for c in self.requests if c.method.lower() == method.lower()]

    def history(self) -> tuple[object, ...]:
        """The containers that keep everything the server has recorded (requests, messages,
        callback queries and answers, files, command menus, webhook deliveries, chaos faults).

        They grow with the traffic by design, as Telegram's own storage would: a load test that
        measures the bot's memory leaves whatever is reachable from them out.
        """
        return (
            self.requests,
            self._messages,
            self._callbacks,
            self.callback_answers,
            self._files,
            self._url_cache,
            self.commands,
            self.webhook_deliveries,
            self.chaos_log,
        )

    @property
    def pending_updates(self) -> list[JsonDict]:
        return list(self._updates)

    @property
    def webhook_url(self) -> str:
        return self._webhook_url

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until ``predicate()`` holds, re-checked on every change the server records."""
        if not await self._signal.wait_until(predicate, timeout):
            raise TimeoutError(f"condition not met within {timeout} s")

    async def wait_for_message(
        self,
        chat_id: int | str,
        *,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> SentMessage:
        """Wait until the bot has sent ``count`` messages to the chat; return the count-th."""
        try:
            await self.wait_for(lambda: len(self.messages(chat_id)) >= count, timeout)
        except TimeoutError:
            got = len(self.messages(chat_id))
            raise TimeoutError(
                f"chat {chat_id}: {got} bot message(s) after {timeout} s, wanted {count}"
            ) from None
        return self.messages(chat_id)[count - 1]

    async def wait_for_call(
        self,
        method: str,
        *,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> dict[str, Any]:
        """Wait until ``method`` was called ``count`` times; return that call's parameters."""
        await self.wait_for(lambda: len(self.calls(method)) >= count, timeout)
        return self.calls(method)[count - 1]

    async def wait_until_updates_consumed(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until the bot has confirmed (or received by webhook) every queued update."""
        await self.wait_for(lambda: not self._updates, timeout)

    # ------------------------------------------------------------------ acting as people

    def send_text(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: int | str | None = None,
        reply_to_message_id: int | None = None,
        entities: list[JsonDict] | None = None,
    ) -> JsonDict:
        """The user writes ``text``; a leading /command gets its bot_command entity."""
        if entities is None:
            entities = []
            command = _COMMAND_RE.match(text)
            if command is not None:
                entities = [{"type": "bot_command", "offset": 0, "length": len(command.group())}]
        msg = self._incoming(user_id, chat_id, reply_to_message_id)
        msg.text = text
        msg.entities = list(entities)
        return self._push_message_update(msg)

    def send_photo(
        self,
        user_id: int,
        *,
        caption: str | None = None,
        caption_entities: list[JsonDict] | None = None,
        chat_id: int | str | None = None,
        media_group_id: str | None = None,
        width: int = 1280,
        height: int = 720,
        file_size: int = 150_000,
        reply_to_message_id: int | None = None,
    ) -> JsonDict:
        """The user sends a photo (Telegram's sizes, with file_ids this server knows)."""
        msg = self._incoming(user_id, chat_id, reply_to_message_id)
        msg.photo = self._new_photo_set(width, height, file_size, None)
        msg.caption = caption
        msg.entities = list(caption_entities or [])
        msg.media_group_id = media_group_id
        return self._push_message_update(msg)

    def send_document(
        self,
        user_id: int,
        file_name: str,
        mime_type: str,
        *,
        chat_id: int | str | None = None,
        caption: str | None = None,
        file_size: int = 25_000,
        data: bytes | None = None,
    ) -> JsonDict:
        msg = self._incoming(user_id, chat_id, None)
        file = self._new_file("document", len(data) if data is not None else file_size, data)
        msg.extra["document"] = {
            "file_id": file.file_id,
            "file_unique_id": file.file_unique_id,
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": file.file_size,
        }
        msg.caption = caption
        return self._push_message_update(msg)

    def send_sticker(
        self, user_id: int, *, emoji: str = "👍", chat_id: int | str | None = None
    ) -> JsonDict:
        msg = self._incoming(user_id, chat_id, None)
        file = self._new_file("sticker", 20_000, None)
        msg.extra["sticker"] = {
            "file_id": file.file_id,
            "file_unique_id": file.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        return self._push_message_update(msg)

    def forward_channel_post(
        self,
        user_id: int,
        *,
        channel_id: int,
        channel_username: str | None,
        channel_title: str,
        message_id: int,
        text: str | None = None,
        caption: str | None = None,
        photo: bool = False,
        entities: list[JsonDict] | None = None,
        author_signature: str | None = None,
        date: int | None = None,
    ) -> JsonDict:
        """The user forwards a post of some channel to the bot (``forward_origin`` channel)."""
        msg = self._incoming(user_id, None, None)
        chat: JsonDict = {"id": channel_id, "type": "channel", "title": channel_title}
        if channel_username is not None:
            chat["username"] = channel_username
        origin: JsonDict = {
            "type": "channel",
            "date": date if date is not None else msg.date - 60,
            "chat": chat,
            "message_id": message_id,
        }
        if author_signature is not None:
            origin["author_signature"] = author_signature
        msg.forward_origin = origin
        if photo:
            msg.photo = self._new_photo_set(1280, 720, 150_000, None)
            msg.caption = caption if caption is not None else text
        else:
            msg.text = text if text is not None else (caption or "")
        msg.entities = list(entities or [])
        return self._push_message_update(msg)

    def send_edited_message(
        self, user_id: int, *, message_id: int, text: str, chat_id: int | str | None = None
    ) -> JsonDict:
        """The user edits one of their messages: an ``edited_message`` update."""
        msg = self.message(chat_id if chat_id is not None else user_id, message_id)
        msg.edits.append(self._snapshot(msg, "user"))
        msg.text = text
        msg.edit_date = self._now()
        payload = self._message_dict(msg)
        self._push_update({"edited_message": payload})
        return payload

    def send_channel_post(
        self,
        chat_id: int | str,
        text: str | None = None,
        *,
        caption: str | None = None,
        photo: bool = False,
        author_signature: str | None = None,
    ) -> JsonDict:
        """An admin posts in a channel by hand: a ``channel_post`` update."""
        chat = self._chat(chat_id)
        msg = self._new_message(chat, "channel", outgoing=False)
        if photo:
            msg.photo = self._new_photo_set(1280, 720, 150_000, None)
            msg.caption = caption
        else:
            msg.text = text or ""
        if author_signature is not None:
            msg.extra["author_signature"] = author_signature
        payload = self._message_dict(msg)
        self._push_update({"channel_post": payload})
        return payload

    def press_button(
        self, user_id: int, *, chat_id: int | str, message_id: int, data: str, check: bool = True
    ) -> str:
        """The user presses an inline button; returns the callback query id.

        With ``check`` the message must currently show a button with this callback_data, as in
        a real client (catches tests pressing buttons that are not there).
        """
        msg = self.message(chat_id, message_id)
        if check and not any(b.get("callback_data") == data for b in msg.buttons):
            raise ValueError(f"message {chat_id}/{message_id} has no button with data {data!r}")
        query_id = f"{self.bot_id}{next(self._callback_counter):09d}"
        self._callbacks[query_id] = _Callback(user_id, data)
        self._push_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": self._user(user_id).to_dict(),
                    "message": self._message_dict(msg),
                    "chat_instance": str(abs(msg.chat_id) * 7919 % 10**15),
                    "data": data,
                }
            }
        )
        return query_id

    def send_raw_update(self, update: JsonDict) -> JsonDict:
        """Queue any update dict (an ``update_id`` is assigned when it has none)."""
        body = {k: v for k, v in update.items() if k != "update_id"}
        return self._push_update(body, update.get("update_id"))

    # ------------------------------------------------------------------ internals: model

    def _now(self) -> int:
        return int(self.wall_clock())

    def _chat(self, chat_id: int | str) -> _Chat:
        """Resolve a numeric id or "@username"; raises ApiError 400 chat not found."""
        if isinstance(chat_id, str):
            if chat_id.startswith("@"):
                name = chat_id[1:].lower()
                for chat in self._chats.values():
                    if chat.username is not None and chat.username.lower() == name:
                        return chat
                raise _bad("chat not found")
            try:
                chat_id = int(chat_id)
            except ValueError:
                raise _bad("chat not found") from None
        found = self._chats.get(chat_id)
        if found is None:
            raise _bad("chat not found")
        return found

    def _user(self, user_id: int) -> _User:
        user = self._users.get(user_id)
        if user is None:
            raise KeyError(f"unknown user {user_id}: call add_user() first")
        return user

    def _new_message(self, chat: _Chat, method: str, *, outgoing: bool) -> SentMessage:
        msg = SentMessage(
            chat_id=chat.id,
            message_id=chat.next_message_id,
            date=self._now(),
            method=method,
            outgoing=outgoing,
        )
        chat.next_message_id += 1
        self._messages.setdefault(chat.id, {})[msg.message_id] = msg
        return msg

    def _incoming(
        self, user_id: int, chat_id: int | str | None, reply_to_message_id: int | None
    ) -> SentMessage:
        self._user(user_id)
        chat = self._chat(chat_id if chat_id is not None else user_id)
        msg = self._new_message(chat, "user", outgoing=False)
        msg.from_user_id = user_id
        msg.reply_to_message_id = reply_to_message_id
        return msg

    def _push_message_update(self, msg: SentMessage) -> JsonDict:
        payload = self._message_dict(msg)
        self._push_update({"message": payload})
        return payload

    def _push_update(self, body: JsonDict, update_id: int | None = None) -> JsonDict:
        if update_id is None:
            update_id = self._next_update_id
        self._next_update_id = max(self._next_update_id, update_id) + 1
        update = {"update_id": update_id, **body}
        self._updates.append(update)
        self._changed()
        return update

    def _changed(self) -> None:
        self._signal.notify()

    def _message_dict(self, msg: SentMessage, *, with_reply: bool = True) -> JsonDict:
        """The Bot API Message object for a stored message."""
        chat = self._chats[msg.chat_id]
        out: JsonDict = {"message_id": msg.message_id, "date": msg.date, "chat": chat.to_dict()}
        if chat.type == "channel":
            out["sender_chat"] = chat.to_dict()
        elif msg.outgoing:
            out["from"] = self._bot.to_dict()
        elif msg.from_user_id is not None:
            out["from"] = self._user(msg.from_user_id).to_dict()
        if msg.forward_origin is not None:
            out["forward_origin"] = msg.forward_origin
        if msg.edit_date is not None:
            out["edit_date"] = msg.edit_date
        if msg.media_group_id is not None:
            out["media_group_id"] = msg.media_group_id
        if msg.text is not None:
            out["text"] = msg.text
            if msg.entities:
                out["entities"] = msg.entities
            if msg.link_preview_options is not None:
                out["link_preview_options"] = msg.link_preview_options
        if msg.photo:
            out["photo"] = msg.photo
        if msg.caption is not None and msg.text is None:
            out["caption"] = msg.caption
            if msg.entities:
                out["caption_entities"] = msg.entities
            if msg.show_caption_above_media:
                out["show_caption_above_media"] = True
        if msg.protect_content:
            out["has_protected_content"] = True
        if msg.reply_markup is not None and "inline_keyboard" in msg.reply_markup:
            out["reply_markup"] = msg.reply_markup
        if with_reply and msg.reply_to_message_id is not None:
            replied = self._messages.get(msg.chat_id, {}).get(msg.reply_to_message_id)
            if replied is not None and not replied.deleted:
                out["reply_to_message"] = self._message_dict(replied, with_reply=False)
        out.update(msg.extra)
        return out

    def _snapshot(self, msg: SentMessage, method: str) -> MessageEdit:
        return MessageEdit(
            method=method,
            text=msg.text,
            caption=msg.caption,
            entities=list(msg.entities),
            html=msg.html,
            photo_file_id=msg.photo_file_id,
            reply_markup=msg.reply_markup,
            edit_date=self._now(),
        )

    def _new_file(self, kind: str, size: int, data: bytes | None) -> _File:
        n = next(self._file_counter)
        prefix = {"photo": "AgACAgIAAxkBAAI", "document": "BQACAgIAAxkBAAI"}.get(
            kind, "CAACAgIAAxkBAAI"
        )
        file = _File(
            file_id=f"{prefix}{n:08d}{(n * 2654435761) % 16**10:010x}",
            file_unique_id=f"AQAD{n:08d}",
            kind=kind,
            file_size=size,
            data=data,
            file_path=f"{kind}s/file_{n}.{'jpg' if kind == 'photo' else 'bin'}",
        )
        self._files[file.file_id] = file
        return file

    def _new_photo_set(
        self, width: int, height: int, file_size: int, data: bytes | None
    ) -> list[JsonDict]:
        """PhotoSize list like Telegram's: thumbnails up to the original, largest last."""
        longest = max(width, height, 1)
        sizes: list[tuple[int, int]] = []
        for limit in (90, 320, 800, 1280):
            if limit < longest:
                scale = limit / longest
                sizes.append((max(1, round(width * scale)), max(1, round(height * scale))))
        scale = min(1.0, 2560 / longest)
        sizes.append((max(1, round(width * scale)), max(1, round(height * scale))))
        photo_set: list[JsonDict] = []
        files: list[_File] = []
        for w, h in sizes:
            size = max(1, round(file_size * (w * h) / max(1, width * height)))
            last = (w, h) == sizes[-1]
            file = self._new_file("photo", size, data if last else None)
            files.append(file)
            photo_set.append(
                {
                    "file_id": file.file_id,
                    "file_unique_id": file.file_unique_id,
                    "width": w,
                    "height": h,
                    "file_size": size,
                }
            )
        for file in files:
            file.photo_set = photo_set
        return photo_set

    # ------------------------------------------------------------------ internals: HTTP

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.stats.requests += 1
        method = request.match_info["method"]
        key = method.lower()
        fields: dict[str, str] = dict(request.query)
        files: dict[str, bytes] = {}
        if request.method == "POST":
            if request.content_type == "application/json":
                body = await request.json()
                fields.update(
                    {k: v if isinstance(v, str) else json.dumps(v) for k, v in body.items()}
                )
            else:
                post = await request.post()
                for name, value in post.items():
                    if isinstance(value, web.FileField):
                        files[name] = value.file.read()
                    elif isinstance(value, str):
                        fields[name] = value
                    else:
                        files[name] = bytes(value)
        self.requests.append(ApiCall(method, {**fields, **files}))
        self._changed()
        if request.match_info["token"] != self.token:
            return self._error_response(ApiError(401, "Unauthorized"))
        fault = self._take_fault(key, fields.get("chat_id") or "")
        if fault is not None:
            if fault.kind == "error":
                error = ApiError(fault.error_code, fault.description, fault.retry_after)
                return self._error_response(error)
            if fault.kind == "drop":
                return self._drop(request)
            if fault.kind == "slow":
                self.stats.slowed += 1
                await asyncio.sleep(fault.seconds)
            if fault.kind == "hold" and fault.release is not None:
                await fault.release.wait()
        try:
            result = await self._call(key, _Params(fields, files))
        except ApiError as error:
            return self._error_response(error)
        if fault is not None and fault.kind == "drop_after":
            return self._drop(request)
        return web.json_response({"ok": True, "result": result})

    async def _call(self, key: str, params: _Params) -> Any:
        handler = self._methods.get(key)
        if handler is None:
            raise ApiError(404, "Not Found")
        self._check_rate_limits(key, params)
        result = await handler(params)
        self._changed()
        return result

    def _error_response(self, error: ApiError) -> web.Response:
        self.stats.errors += 1
        if error.error_code == 429:
            self.stats.too_many_requests += 1
        self._changed()
        return web.json_response(error.body(), status=error.error_code)

    def _drop(self, request: web.Request) -> web.StreamResponse:
        self.stats.dropped += 1
        self._changed()
        transport = request.transport
        if transport is not None:
            transport.close()
        # aiohttp has nothing to write to any more; the client sees a disconnect.
        raise web.HTTPServiceUnavailable()

    def _chaos_stream(self, key: str, chat_id: str) -> random.Random:
        if not self._chaos_per_chat:
            return self._chaos_rng
        stream = self._chaos_streams.get((key, chat_id))
        if stream is None:
            # A str seed is hashed with SHA-512 by random.Random: stable across processes.
            stream = random.Random(f"{self._chaos_seed}:{key}:{chat_id}")
            self._chaos_streams[(key, chat_id)] = stream
        return stream

    def _take_fault(self, key: str, chat_id: str = "") -> _Fault | None:
        for name in (key, "*"):
            queue = self._faults.get(name)
            if queue:
                return queue.popleft()
        if self._chaos_rate <= 0 or key not in self._chaos_methods or not self._chaos_kinds:
            return None
        rng = self._chaos_stream(key, chat_id)
        if rng.random() >= self._chaos_rate:
            return None
        kind = rng.choice(self._chaos_kinds)
        self.chaos_log.append(InjectedFault(key, chat_id, str(kind)))
        if kind in ("drop", "drop_after"):
            return _Fault(str(kind))
        if kind == "slow":
            return _Fault("slow", seconds=self._chaos_slow_seconds)
        code = int(kind)
        if code == 429:
            return _Fault("error", 429, "Too Many Requests: retry after 1", 1)
        names = {500: "Internal Server Error", 502: "Bad Gateway"}
        return _Fault("error", code, names.get(code, f"Error {code}"))

    def _check_rate_limits(self, key: str, params: _Params) -> None:
        if key not in _SEND_METHODS:
            return
        if self._rate_per_chat_minute is None and self._rate_global_second is None:
            return
        now = self.clock()
        count = 1
        if key == "sendmediagroup":
            media = params.json("media")
            count = len(media) if isinstance(media, list) else 1
        chat: _Chat | None = None
        with contextlib.suppress(ApiError):
            chat = self._chat(params.required("chat_id"))
        retry = 0.0
        per_chat: deque[float] | None = None
        if chat is not None and chat.type != "private" and self._rate_per_chat_minute is not None:
            per_chat = self._chat_sends.setdefault(chat.id, deque())
            while per_chat and per_chat[0] <= now - 60:
                per_chat.popleft()
            if len(per_chat) + count > self._rate_per_chat_minute:
                retry = max(retry, per_chat[0] + 60 - now if per_chat else 60)
        if self._rate_global_second is not None:
            while self._global_sends and self._global_sends[0] <= now - 1:
                self._global_sends.popleft()
            if len(self._global_sends) + count > self._rate_global_second:
                first = self._global_sends[0] if self._global_sends else now
                retry = max(retry, first + 1 - now)
        if retry > 0:
            seconds = max(1, math.ceil(retry))
            raise ApiError(429, f"Too Many Requests: retry after {seconds}", seconds)
        for _ in range(count):
            if per_chat is not None:
                per_chat.append(now)
            self._global_sends.append(now)

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            raise web.HTTPUnauthorized()
        path = request.match_info["path"]
        for file in self._files.values():
            if file.file_path == path:
                return web.Response(body=file.data or b"\xff\xd8\xff\xd9")
        raise web.HTTPNotFound()

    # ------------------------------------------------------------------ internals: checks

    def _writable_chat(self, chat_id: str) -> _Chat:
        chat = self._chat(chat_id)
        if chat.type == "private":
            if chat.blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
        elif not chat.bot_member:
            kind = "channel" if chat.type == "channel" else "group"
            raise ApiError(403, f"Forbidden: bot is not a member of the {kind} chat")
        elif chat.type == "channel" and not chat.can_post:
            # Telegram answers this one with 400; 403 keeps "may not post here" in one class.
            raise ApiError(403, "Forbidden: need administrator rights in the channel chat")
        return chat

    def _formatted(
        self, raw: str | None, parse_mode: str | None, entities: Any, *, caption: bool
    ) -> ParsedText:
        raw = raw or ""
        mode = (parse_mode or "").lower()
        try:
            if mode == "html":
                parsed = parse_html(raw)
            elif mode in ("", "markdown", "markdownv2"):
                # Markdown is not parsed here (the bot uses HTML): it counts as plain text.
                if entities and not mode:
                    if not isinstance(entities, list):
                        raise _bad("can't parse entities JSON object")
                    parsed = apply_entities(raw, entities)
                else:
                    parsed = plain_text(raw)
            else:
                raise _bad("unsupported parse_mode")
        except HtmlParseError as error:
            raise ApiError(400, str(error)) from None
        except ValueError as error:
            raise ApiError(400, str(error)) from None
        if caption:
            if parsed.length > CAPTION_LIMIT:
                raise _bad("message caption is too long")
        else:
            if parsed.length == 0:
                raise _bad("message text is empty")
            if parsed.length > TEXT_LIMIT:
                raise _bad("message is too long")
        if len(parsed.entities) > ENTITY_LIMIT:
            raise _bad("too many entities")
        return parsed

    def _reply_markup(self, params: _Params, *, chat: _Chat | None = None) -> JsonDict | None:
        markup = params.json("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise _bad("can't parse reply keyboard markup JSON object")
        rows = markup.get("inline_keyboard")
        if rows is not None:
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise _bad(
                    "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
                )
            for row in rows:
                for button in row:
                    self._check_button(button)
        elif chat is not None and chat.type == "channel":
            raise _bad("reply markup is not allowed in channels except inline keyboards")
        return markup

    @staticmethod
    def _check_button(button: Any) -> None:
        if not isinstance(button, dict) or not button.get("text"):
            raise _bad(
                "can't parse inline keyboard button: Text buttons are unallowed in the "
                "inline keyboard"
            )
        if "callback_data" in button:
            data = button["callback_data"]
            if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
                raise _bad("BUTTON_DATA_INVALID")
        if "url" in button:
            url = button["url"]
            if not isinstance(url, str) or _BUTTON_URL_RE.match(url) is None:
                raise _bad("BUTTON_URL_INVALID")

    def _reply_to(self, chat: _Chat, params: _Params) -> int | None:
        reply = params.json("reply_parameters")
        message_id: int | None = None
        allow_missing = params.flag("allow_sending_without_reply")
        if isinstance(reply, dict):
            message_id = reply.get("message_id")
            allow_missing = allow_missing or bool(reply.get("allow_sending_without_reply"))
        if message_id is None:
            message_id = params.opt_int("reply_to_message_id")
        if message_id is None:
            return None
        target = self._messages.get(chat.id, {}).get(message_id)
        if target is None or target.deleted:
            if allow_missing:
                return None
            raise _bad("message to be replied not found")
        return message_id

    def _resolve_photo(self, ref: str, files: dict[str, bytes]) -> list[JsonDict]:
        """A photo given as attach://part, an uploaded part, an http(s) URL or a file_id."""
        if ref.startswith("attach://"):
            data = files.get(ref[len("attach://") :])
            if data is None:
                raise _bad(_WRONG_FILE[len("Bad Request: ") :])
            return self._upload_photo(data)
        if ref.startswith(("http://", "https://")):
            if ref in self._unfetchable:
                raise _bad(_WRONG_FILE[len("Bad Request: ") :])
            cached = self._url_cache.get(ref)
            if cached is not None:
                return cached
            width, height, size = self._url_photos.get(ref, (1280, 720, 150_000))
            if size > URL_PHOTO_LIMIT:
                raise _bad("failed to get HTTP URL content")
            self._check_dimensions(width, height)
            photo_set = self._new_photo_set(width, height, size, None)
            self._url_cache[ref] = photo_set
            return photo_set
        file = self._files.get(ref)
        if file is None:
            raise _bad(_WRONG_FILE[len("Bad Request: ") :])
        if file.photo_set is None:
            raise _bad(f"type of file mismatch: expected photo, got {file.kind}")
        return file.photo_set

    def _upload_photo(self, data: bytes) -> list[JsonDict]:
        if len(data) > UPLOAD_PHOTO_LIMIT:
            raise _bad("file is too big")
        size = _image_size(data)
        if size is None:
            if self.strict_images or not data:
                raise _bad("IMAGE_PROCESS_FAILED")
            size = (1280, 720)  # unrecognised bytes: tests often upload placeholders
        self._check_dimensions(*size)
        return self._new_photo_set(size[0], size[1], len(data), data)

    @staticmethod
    def _check_dimensions(width: int, height: int) -> None:
        if width + height > 10_000 or max(width, height) > 20 * max(1, min(width, height)):
            raise _bad("PHOTO_INVALID_DIMENSIONS")

    def _editable(self, params: _Params, *, what: str = "edit") -> SentMessage:
        if params.opt("inline_message_id"):
            raise _bad("inline messages are not supported by the fake server")
        chat = self._chat(params.required("chat_id"))
        message_id = params.required_int("message_id")
        msg = self._messages.get(chat.id, {}).get(message_id)
        if msg is None or msg.deleted or msg.service:
            raise _bad(f"message to {what} not found")
        if what == "edit":
            if not msg.outgoing and not (chat.type == "channel" and chat.can_edit):
                raise _bad("message can't be edited")
            if chat.type == "channel" and (not chat.bot_member or not chat.can_post):
                raise ApiError(403, "Forbidden: need administrator rights in the channel chat")
        return msg

    def _record_edit(self, msg: SentMessage, method: str) -> None:
        msg.edits.append(self._snapshot(msg, method))
        msg.edit_date = self._now()

    def _new_outgoing(self, chat: _Chat, method: str, params: _Params) -> SentMessage:
        msg = self._new_message(chat, method, outgoing=True)
        msg.disable_notification = params.flag("disable_notification")
        msg.protect_content = params.flag("protect_content")
        return msg

    # ------------------------------------------------------------------ Bot API methods

    async def _m_true(self, params: _Params) -> bool:
        return True

    async def _m_get_me(self, params: _Params) -> JsonDict:
        return {
            **self._bot.to_dict(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _m_get_updates(self, params: _Params) -> list[JsonDict]:
        if self._webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        offset = params.opt_int("offset", 0) or 0
        limit = min(max(params.opt_int("limit", 100) or 100, 1), 100)
        timeout = max(params.opt_int("timeout", 0) or 0, 0)
        allowed = params.json("allowed_updates")
        if isinstance(allowed, list):
            # Telegram remembers allowed_updates until the next call that sets it.
            self._allowed_updates = [str(kind) for kind in allowed] or None
        self._confirm(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        await self._signal.wait_until(
            lambda: (
                bool(self._deliverable()) or self._closing or generation != self._poll_generation
            ),
            timeout,
        )
        if generation != self._poll_generation and not self._closing:
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; make sure that only one "
                "bot instance is running",
            )
        return self._deliverable()[:limit]

    def _confirm(self, offset: int) -> None:
        if offset < 0:
            # A negative offset keeps only the last -offset updates.
            while len(self._updates) > -offset:
                self._updates.popleft()
        else:
            while self._updates and self._updates[0]["update_id"] < offset:
                self._updates.popleft()
        self._changed()

    def _deliverable(self) -> list[JsonDict]:
        """Pending updates of kinds the bot asked for; the others are discarded like Telegram."""
        kept: deque[JsonDict] = deque()
        out: list[JsonDict] = []
        for update in self._updates:
            kind = next((k for k in update if k != "update_id"), "")
            if self._allowed_updates is None:
                wanted = kind not in _OPT_IN_UPDATES
            else:
                wanted = kind in self._allowed_updates
            if wanted:
                kept.append(update)
                out.append(update)
        self._updates = kept
        return out

    async def _m_set_webhook(self, params: _Params) -> bool:
        url = params.opt("url") or ""
        if url and not url.startswith(("http://", "https://")):
            raise _bad("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
        secret = params.opt("secret_token")
        if secret is not None and not _SECRET_RE.match(secret):
            raise _bad("bad webhook: secret token contains unallowed characters")
        allowed = params.json("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(kind) for kind in allowed] or None
        if params.flag("drop_pending_updates"):
            self._updates.clear()
        self._webhook_url = url
        self._webhook_secret = secret
        self._webhook_last_error = None
        self._poll_generation += 1  # a pending getUpdates ends with 409 like on Telegram
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            self._webhook_task = None
        if url:
            self._webhook_task = asyncio.create_task(self._webhook_loop(url, secret))
        return True

    async def _m_delete_webhook(self, params: _Params) -> bool:
        if params.flag("drop_pending_updates"):
            self._updates.clear()
        self._webhook_url = ""
        self._webhook_secret = None
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            self._webhook_task = None
        return True

    async def _m_get_webhook_info(self, params: _Params) -> JsonDict:
        info: JsonDict = {
            "url": self._webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self._webhook_url:
            info["max_connections"] = 40
            if self._allowed_updates is not None:
                info["allowed_updates"] = self._allowed_updates
        if self._webhook_last_error is not None:
            info["last_error_date"], info["last_error_message"] = self._webhook_last_error
        return info

    async def _webhook_loop(self, url: str, secret: str | None) -> None:
        """Deliver queued updates one at a time, in order; retry failures after a delay."""
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
        while not self._closing:
            await self._signal.wait_until(lambda: bool(self._deliverable()), None)
            pending = self._deliverable()
            if not pending or self._client is None:
                continue
            update = pending[0]
            status: int | None = None
            error: str | None = None
            reply: Any = None
            try:
                async with self._client.post(url, json=update, headers=headers) as resp:
                    status = resp.status
                    if 200 <= status < 300:
                        text = await resp.text()
                        with contextlib.suppress(ValueError):
                            reply = json.loads(text) if text else None
                    else:
                        error = f"Wrong response from the webhook: {status} {resp.reason}"
            except (OSError, TimeoutError) as exc:
                error = f"Connection failed: {type(exc).__name__}"
            except Exception as exc:  # aiohttp's ClientError family and friends
                error = f"Connection failed: {type(exc).__name__}: {exc}"
            self.webhook_deliveries.append(WebhookDelivery(update["update_id"], status, error))
            if error is None:
                if self._updates and self._updates[0] is update:
                    self._updates.popleft()
                self._changed()
                await self._webhook_reply(reply)
            else:
                self._webhook_last_error = (self._now(), error)
                self._changed()
                await self._signal.wait_until(lambda: self._closing, self.webhook_retry_delay)

    async def _webhook_reply(self, reply: Any) -> None:
        """A webhook answer may itself be a Bot API call ({"method": …, params…})."""
        if not isinstance(reply, dict) or not isinstance(reply.get("method"), str):
            return
        method = reply["method"]
        fields = {
            k: v if isinstance(v, str) else json.dumps(v)
            for k, v in reply.items()
            if k != "method" and v is not None
        }
        self.requests.append(ApiCall(method, dict(fields)))
        with contextlib.suppress(ApiError):
            await self._call(method.lower(), _Params(fields, {}))

    async def _m_send_message(self, params: _Params) -> JsonDict:
        chat = self._writable_chat(params.required("chat_id"))
        raw = params.opt("text")
        parsed = self._formatted(
            raw, params.opt("parse_mode"), params.json("entities"), caption=False
        )
        markup = self._reply_markup(params, chat=chat)
        reply_to = self._reply_to(chat, params)
        preview = params.json("link_preview_options")
        if preview is None and params.flag("disable_web_page_preview"):
            preview = {"is_disabled": True}
        msg = self._new_outgoing(chat, "sendMessage", params)
        msg.text, msg.entities, msg.html = parsed.text, list(parsed.entities), raw
        msg.parse_mode = params.opt("parse_mode")
        msg.reply_markup = markup
        msg.reply_to_message_id = reply_to
        msg.link_preview_options = preview if isinstance(preview, dict) else None
        return self._message_dict(msg)

    async def _m_send_photo(self, params: _Params) -> JsonDict:
        chat = self._writable_chat(params.required("chat_id"))
        if params.opt("photo") is None and "photo" in params.files:
            photo_set = self._upload_photo(params.files["photo"])
        else:
            photo_set = self._resolve_photo(params.required("photo"), params.files)
        raw = params.opt("caption")
        parsed = self._formatted(
            raw, params.opt("parse_mode"), params.json("caption_entities"), caption=True
        )
        markup = self._reply_markup(params, chat=chat)
        reply_to = self._reply_to(chat, params)
        msg = self._new_outgoing(chat, "sendPhoto", params)
        msg.photo = photo_set
        msg.caption = parsed.text if parsed.text else None
        msg.entities, msg.html = list(parsed.entities), raw
        msg.parse_mode = params.opt("parse_mode")
        msg.reply_markup = markup
        msg.reply_to_message_id = reply_to
        msg.show_caption_above_media = params.flag("show_caption_above_media")
        return self._message_dict(msg)

    async def _m_send_document(self, params: _Params) -> JsonDict:
        chat = self._writable_chat(params.required("chat_id"))
        ref = params.required("document")
        if ref.startswith("attach://"):
            data = params.files.get(ref[len("attach://") :])
            if data is None:
                raise _bad(_WRONG_FILE[len("Bad Request: ") :])
            file = self._new_file("document", len(data), data)
        else:
            known = self._files.get(ref)
            if known is None:
                raise _bad(_WRONG_FILE[len("Bad Request: ") :])
            file = known
        raw = params.opt("caption")
        parsed = self._formatted(
            raw, params.opt("parse_mode"), params.json("caption_entities"), caption=True
        )
        markup = self._reply_markup(params, chat=chat)
        msg = self._new_outgoing(chat, "sendDocument", params)
        msg.extra["document"] = {
            "file_id": file.file_id,
            "file_unique_id": file.file_unique_id,
            "file_size": file.file_size,
        }
        msg.caption = parsed.text if parsed.text else None
        msg.entities, msg.html = list(parsed.entities), raw
        msg.reply_markup = markup
        return self._message_dict(msg)

    async def _m_send_media_group(self, params: _Params) -> list[JsonDict]:
        chat = self._writable_chat(params.required("chat_id"))
        media = params.json("media")
        if not isinstance(media, list) or not media:
            raise _bad("media is empty")
        if len(media) < 2:
            raise _bad("wrong number of media specified")  # Telegram: an album is 2–10
        if len(media) > 10:
            raise _bad("too many messages to send as an album")
        prepared: list[tuple[list[JsonDict], ParsedText, JsonDict]] = []
        for item in media:
            if not isinstance(item, dict) or item.get("type") != "photo":
                raise _bad("the fake server supports photo albums only")
            photo_set = self._resolve_photo(str(item.get("media", "")), params.files)
            parsed = self._formatted(
                item.get("caption"),
                item.get("parse_mode"),
                item.get("caption_entities"),
                caption=True,
            )
            prepared.append((photo_set, parsed, item))
        reply_to = self._reply_to(chat, params)
        group_id = str(next(self._media_group_counter))
        out: list[JsonDict] = []
        for photo_set, parsed, item in prepared:
            msg = self._new_outgoing(chat, "sendMediaGroup", params)
            msg.photo = photo_set
            msg.caption = parsed.text if parsed.text else None
            msg.entities, msg.html = list(parsed.entities), item.get("caption")
            msg.parse_mode = item.get("parse_mode")
            msg.media_group_id = group_id
            msg.reply_to_message_id = reply_to
            msg.show_caption_above_media = bool(item.get("show_caption_above_media"))
            out.append(self._message_dict(msg))
        return out

    async def _m_copy_message(self, params: _Params) -> JsonDict:
        source_chat = self._chat(params.required("from_chat_id"))
        source = self._messages.get(source_chat.id, {}).get(params.required_int("message_id"))
        if source is None or source.deleted or source.service:
            raise _bad("message to copy not found")
        chat = self._writable_chat(params.required("chat_id"))
        raw_caption = params.opt("caption")
        parsed: ParsedText | None = None
        if source.text is None and raw_caption is not None:
            parsed = self._formatted(
                raw_caption,
                params.opt("parse_mode"),
                params.json("caption_entities"),
                caption=True,
            )
        markup = self._reply_markup(params, chat=chat)
        reply_to = self._reply_to(chat, params)
        msg = self._new_outgoing(chat, "copyMessage", params)
        msg.text = source.text
        msg.photo = source.photo
        msg.extra = dict(source.extra)
        if parsed is not None:
            msg.caption = parsed.text if parsed.text else None
            msg.entities, msg.html = list(parsed.entities), raw_caption
        else:
            msg.caption, msg.entities, msg.html = (
                source.caption,
                list(source.entities),
                source.html,
            )
        msg.reply_markup = markup
        msg.reply_to_message_id = reply_to
        msg.link_preview_options = source.link_preview_options
        msg.copied_from = (source.chat_id, source.message_id)
        return {"message_id": msg.message_id}

    async def _m_edit_message_text(self, params: _Params) -> JsonDict:
        msg = self._editable(params)
        if msg.text is None:
            raise _bad("there is no text in the message to edit")
        raw = params.opt("text")
        parsed = self._formatted(
            raw, params.opt("parse_mode"), params.json("entities"), caption=False
        )
        # Omitting reply_markup in an edit removes the keyboard, as on Telegram.
        markup = self._reply_markup(params)
        preview = params.json("link_preview_options")
        preview = preview if isinstance(preview, dict) else None
        if (
            parsed.text == msg.text
            and list(parsed.entities) == msg.entities
            and markup == msg.reply_markup
            and (preview is None or preview == msg.link_preview_options)
        ):
            raise ApiError(400, _NOT_MODIFIED)
        self._record_edit(msg, "editMessageText")
        msg.text, msg.entities, msg.html = parsed.text, list(parsed.entities), raw
        msg.parse_mode = params.opt("parse_mode")
        msg.reply_markup = markup
        if preview is not None:
            msg.link_preview_options = preview
        return self._message_dict(msg)

    async def _m_edit_message_caption(self, params: _Params) -> JsonDict:
        msg = self._editable(params)
        if msg.text is not None:
            raise _bad("there is no caption in the message to edit")
        raw = params.opt("caption")
        parsed = self._formatted(
            raw, params.opt("parse_mode"), params.json("caption_entities"), caption=True
        )
        markup = self._reply_markup(params)
        caption = parsed.text if parsed.text else None
        if (
            caption == msg.caption
            and list(parsed.entities) == msg.entities
            and markup == msg.reply_markup
        ):
            raise ApiError(400, _NOT_MODIFIED)
        self._record_edit(msg, "editMessageCaption")
        msg.caption, msg.entities, msg.html = caption, list(parsed.entities), raw
        msg.parse_mode = params.opt("parse_mode")
        msg.reply_markup = markup
        if params.opt("show_caption_above_media") is not None:
            msg.show_caption_above_media = params.flag("show_caption_above_media")
        return self._message_dict(msg)

    async def _m_edit_message_media(self, params: _Params) -> JsonDict:
        msg = self._editable(params)
        media = params.json("media")
        if not isinstance(media, dict) or media.get("type") != "photo":
            raise _bad("the fake server supports editing to a photo only")
        if not msg.photo:
            raise _bad("there is no media in the message to edit")
        photo_set = self._resolve_photo(str(media.get("media", "")), params.files)
        parsed = self._formatted(
            media.get("caption"),
            media.get("parse_mode"),
            media.get("caption_entities"),
            caption=True,
        )
        markup = self._reply_markup(params)
        caption = parsed.text if parsed.text else None
        if (
            photo_set is msg.photo
            and caption == msg.caption
            and list(parsed.entities) == msg.entities
            and markup == msg.reply_markup
        ):
            raise ApiError(400, _NOT_MODIFIED)
        self._record_edit(msg, "editMessageMedia")
        msg.photo = photo_set
        msg.caption, msg.entities, msg.html = caption, list(parsed.entities), media.get("caption")
        msg.parse_mode = media.get("parse_mode")
        msg.reply_markup = markup
        msg.show_caption_above_media = bool(media.get("show_caption_above_media"))
        return self._message_dict(msg)

    async def _m_edit_message_reply_markup(self, params: _Params) -> JsonDict:
        msg = self._editable(params)
        markup = self._reply_markup(params)
        if markup == msg.reply_markup:
            raise ApiError(400, _NOT_MODIFIED)
        self._record_edit(msg, "editMessageReplyMarkup")
        msg.reply_markup = markup
        return self._message_dict(msg)

    async def _m_delete_message(self, params: _Params) -> bool:
        msg = self._editable(params, what="delete")
        chat = self._chats[msg.chat_id]
        if chat.type == "channel":
            if not chat.bot_member or not (chat.can_delete or (msg.outgoing and chat.can_post)):
                raise _bad("message can't be deleted")
        elif self.enforce_delete_window and self._now() - msg.date > DELETE_WINDOW_SECONDS:
            # Bots may delete messages in private chats and groups only within 48 hours.
            raise _bad("message can't be deleted for everyone")
        msg.deleted = True
        return True

    async def _m_pin_chat_message(self, params: _Params) -> bool:
        msg = self._editable(params, what="pin")
        chat = self._chats[msg.chat_id]
        if chat.type == "channel" and not chat.can_edit:
            raise _bad("not enough rights to manage pinned messages in the chat")
        msg.pinned = True
        if chat.type != "private":
            # Telegram adds a "pinned_message" service message, which takes a message id.
            notice = self._new_message(chat, "pinChatMessage", outgoing=True)
            notice.service = True
            notice.extra["pinned_message"] = self._message_dict(msg, with_reply=False)
        return True

    async def _m_unpin_chat_message(self, params: _Params) -> bool:
        chat = self._chat(params.required("chat_id"))
        message_id = params.opt_int("message_id")
        for msg in self._messages.get(chat.id, {}).values():
            if message_id is None or msg.message_id == message_id:
                msg.pinned = False
        return True

    async def _m_answer_callback_query(self, params: _Params) -> bool:
        query_id = params.required("callback_query_id")
        callback = self._callbacks.get(query_id)
        if callback is None or callback.answered:
            raise _bad("query is too old and response timeout expired or query ID is invalid")
        callback.answered = True
        text = params.opt("text")
        if text is not None and len(text) > 200:
            raise _bad("MESSAGE_TOO_LONG")
        self.callback_answers.append(
            CallbackAnswer(
                query_id=query_id,
                user_id=callback.user_id,
                data=callback.data,
                text=text,
                show_alert=params.flag("show_alert"),
                url=params.opt("url"),
            )
        )
        return True

    def _scope(self, params: _Params) -> tuple[JsonDict, str]:
        scope = params.json("scope")
        if not isinstance(scope, dict):
            scope = {"type": "default"}
        return scope, params.opt("language_code") or ""

    async def _m_set_my_commands(self, params: _Params) -> bool:
        commands = params.json("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise _bad("commands are invalid")
        for command in commands:
            name = command.get("command", "") if isinstance(command, dict) else ""
            if not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise _bad("BOT_COMMAND_INVALID")
            if not 1 <= len(command.get("description", "")) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
        scope, language = self._scope(params)
        self.commands.append(CommandsRecord(commands, scope, language))
        return True

    def _current_commands(self, scope: JsonDict, language: str) -> list[JsonDict]:
        for record in reversed(self.commands):
            if record.scope == scope and record.language_code == language:
                return record.commands
        return []

    async def _m_get_my_commands(self, params: _Params) -> list[JsonDict]:
        return self._current_commands(*self._scope(params))

    async def _m_delete_my_commands(self, params: _Params) -> bool:
        scope, language = self._scope(params)
        self.commands.append(CommandsRecord([], scope, language))
        return True

    async def _m_get_chat(self, params: _Params) -> JsonDict:
        chat = self._chat(params.required("chat_id"))
        return {
            **chat.to_dict(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    async def _m_get_chat_member(self, params: _Params) -> JsonDict:
        chat = self._chat(params.required("chat_id"))
        user_id = params.required_int("user_id")
        if user_id == self.bot_id:
            user = self._bot.to_dict()
            if not chat.bot_member:
                return {"status": "left", "user": user}
            if chat.type == "channel":
                rights: JsonDict = dict.fromkeys(_ADMIN_RIGHTS_FALSE, False)
                rights["can_delete_messages"] = chat.can_delete
                return {
                    "status": "administrator",
                    "user": user,
                    "can_be_edited": False,
                    **rights,
                    "can_manage_chat": True,
                    "can_post_messages": chat.can_post,
                    "can_edit_messages": chat.can_edit,
                }
            return {"status": "member", "user": user}
        known = self._users.get(user_id)
        if known is None:
            raise _bad("user not found")
        user = known.to_dict()
        if chat.type == "private":
            return {"status": "member", "user": user}
        status = chat.members.get(user_id, {}).get("status", "left")
        if status == "administrator":
            return {
                "status": "administrator",
                "user": user,
                "can_be_edited": False,
                **dict.fromkeys(_ADMIN_RIGHTS_FALSE, False),
                "can_manage_chat": True,
                "can_post_messages": True,
                "can_edit_messages": True,
            }
        if status == "creator":
            return {"status": "creator", "user": user, "is_anonymous": False}
        if status == "kicked":
            return {"status": "kicked", "user": user, "until_date": 0}
        return {"status": status, "user": user}

    async def _m_get_file(self, params: _Params) -> JsonDict:
        file = self._files.get(params.required("file_id"))
        if file is None:
            raise _bad("invalid file_id")
        return {
            "file_id": file.file_id,
            "file_unique_id": file.file_unique_id,
            "file_size": file.file_size,
            "file_path": file.file_path,
        }
