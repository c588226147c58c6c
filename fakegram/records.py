"""What the fake server keeps: the records tests read back, and the entities of its world.

The public records (``SentMessage``, ``CallbackAnswer``, ...) are what a test inspects; the
entities below them (``Chat``, ``User``, ...) are the server's own model of Telegram's world.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

JsonDict = dict[str, Any]


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
        """Text or caption, whichever the message has ("" for neither); a rich message's
        texts, one block a line."""
        if self.text is not None:
            return self.text
        if self.rich is not None:
            return "\n".join(rich_lines(self.rich))
        return self.caption or ""

    @property
    def rich(self) -> JsonDict | None:
        """The RichMessage of a sendRichMessage message (``blocks``), else None."""
        rich = self.extra.get("rich_message")
        return rich if isinstance(rich, dict) else None

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


def _plain(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return _plain(value.get("text", ""))
    return ""


def rich_lines(rich: JsonDict) -> list[str]:
    """The plain text of each block of a RichMessage, in order (nested blocks included); a
    photo block reads as its caption ("" without)."""
    out: list[str] = []
    for block in rich.get("blocks") or ():
        text = block.get("text")
        caption = block.get("caption")
        if text is not None:
            out.append(_plain(text))
        elif isinstance(caption, dict):
            out.append(_plain(caption.get("text", "")))
        elif block.get("type") == "photo":
            out.append("")
        for item in block.get("items") or ():
            out.extend(rich_lines(item))
        if block.get("blocks"):
            out.extend(rich_lines(block))
    return out


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


# ---------------------------------------------------------------------- the world's entities


def _with_present(out: JsonDict, source: object, keys: tuple[str, ...]) -> JsonDict:
    """Add the optional fields that are set: the Bot API leaves unset ones out, not null."""
    for key in keys:
        value = getattr(source, key)
        if value is not None:
            out[key] = value
    return out


@dataclass(slots=True)
class Chat:
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
    # Channel direct messages (Bot API 9.2): a channel's ``direct_messages_id`` is its direct
    # messages chat, which has ``is_direct_messages`` and its channel as ``parent_id``.
    can_manage_direct_messages: bool = True
    direct_messages_id: int | None = None
    is_direct_messages: bool = False
    parent_id: int | None = None

    def to_dict(self) -> JsonDict:
        out: JsonDict = {"id": self.id, "type": self.type}
        out = _with_present(out, self, ("title", "username", "first_name", "last_name"))
        if self.is_direct_messages:
            out["is_direct_messages"] = True
        return out


@dataclass(slots=True)
class User:
    id: int
    first_name: str
    is_bot: bool = False
    username: str | None = None
    language_code: str | None = None
    last_name: str | None = None

    def to_dict(self) -> JsonDict:
        out: JsonDict = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        return _with_present(out, self, ("last_name", "username", "language_code"))


@dataclass(slots=True)
class StoredFile:
    file_id: str
    file_unique_id: str
    kind: str  # photo | document | sticker
    file_size: int
    data: bytes | None = None
    photo_set: list[JsonDict] | None = None  # all sizes of the photo this file belongs to
    file_path: str | None = None


@dataclass(slots=True)
class PendingCallback:
    """A callback query a person sent; answered at most once."""

    user_id: int
    data: str | None
    answered: bool = False
