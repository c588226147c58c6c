"""Telegram's limits: lengths counted after entity parsing, buttons, photos, sending rates."""

from __future__ import annotations

import contextlib
import math
import re
from collections import deque
from typing import Any

from fakegram.entities import HtmlParseError, ParsedText, apply_entities, parse_html, plain_text
from fakegram.errors import ApiError, bad
from fakegram.params import Params
from fakegram.records import Chat
from fakegram.world import World

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
ENTITY_LIMIT = 100
CALLBACK_DATA_LIMIT = 64
UPLOAD_PHOTO_LIMIT = 10 * 1024 * 1024
URL_PHOTO_LIMIT = 5 * 1024 * 1024
DELETE_WINDOW_SECONDS = 48 * 3600

# Flood limits as the fake plays them (Bot FAQ; its own copy, see bot/limits.py): a private
# chat takes a short burst, then one message a second; a group or channel 20 in any 60 s; the
# whole bot 30 messages in any second. Kept apart from the bot's numbers on purpose.
PRIVATE_PER_SECOND = 1.0
PRIVATE_BURST = 3
GROUP_PER_MINUTE = 20
GLOBAL_PER_SECOND = 30

# Methods that put a message into a chat: the ones every flood limit and chaos apply to.
SEND_METHODS = frozenset(
    {
        "sendmessage",
        "sendphoto",
        "sendmediagroup",
        "copymessage",
        "copymessages",
        "forwardmessage",
        "forwardmessages",
        "senddocument",
        "sendrichmessage",
    }
)
# Methods that change a message in place: paced per chat like sends, outside the broadcast
# limit (an edit notifies no one). Reads, deletes, callback answers, settings pass free.
EDIT_METHODS = frozenset(
    {"editmessagetext", "editmessagecaption", "editmessagemedia", "editmessagereplymarkup"}
)
_BUTTON_URL_RE = re.compile(r"^(?:https?|tg)://\S+$", re.IGNORECASE)


def formatted(
    raw: str | None, parse_mode: str | None, entities: Any, *, caption: bool
) -> ParsedText:
    """Parse a text or caption as Telegram does and hold it to the limits, which count the
    visible text after entity parsing (not the markup the bot sent)."""
    raw = raw or ""
    mode = (parse_mode or "").lower()
    try:
        if mode == "html":
            parsed = parse_html(raw)
        elif mode in ("", "markdown", "markdownv2"):
            # Markdown is not parsed here (the bot uses HTML): it counts as plain text.
            if entities and not mode:
                if not isinstance(entities, list):
                    raise bad("can't parse entities JSON object")
                parsed = apply_entities(raw, entities)
            else:
                parsed = plain_text(raw)
        else:
            raise bad("unsupported parse_mode")
    except HtmlParseError as error:
        raise ApiError(400, str(error)) from None
    except ValueError as error:
        raise ApiError(400, str(error)) from None
    if caption:
        if parsed.length > CAPTION_LIMIT:
            raise bad("message caption is too long")
    else:
        if parsed.length == 0:
            raise bad("message text is empty")
        if parsed.length > TEXT_LIMIT:
            raise bad("message is too long")
    if len(parsed.entities) > ENTITY_LIMIT:
        raise bad("too many entities")
    return parsed


def check_button(button: Any) -> None:
    """One inline keyboard button: text, callback_data of 1-64 bytes, an http(s)/tg URL."""
    if not isinstance(button, dict) or not button.get("text"):
        raise bad(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= CALLBACK_DATA_LIMIT:
            raise bad("BUTTON_DATA_INVALID")
    if "url" in button:
        url = button["url"]
        if not isinstance(url, str) or _BUTTON_URL_RE.match(url) is None:
            raise bad("BUTTON_URL_INVALID")


def check_dimensions(width: int, height: int) -> None:
    if width + height > 10_000 or max(width, height) > 20 * max(1, min(width, height)):
        raise bad("PHOTO_INVALID_DIMENSIONS")


def _message_count(key: str, params: Params) -> int:
    """How many messages Telegram counts for a send (an album's items, a bulk copy's ids)."""
    field = {"sendmediagroup": "media", "copymessages": "message_ids"}.get(key)
    field = field or ("message_ids" if key == "forwardmessages" else None)
    if field is None:
        return 1
    items = params.json(field)
    return max(1, len(items)) if isinstance(items, list) else 1


class RateLimits:
    """Telegram's flood limits, off until a test enforces them, measured on the world's
    monotonic clock: 429 with ``retry_after`` (whole seconds, rounded up, as Telegram sends)
    when a call would go over.

    - private chat: a token bucket of ``private_burst`` refilled at ``private_per_second``
      (sends and edits);
    - group or channel: at most ``per_chat_minute`` in any 60 s (sends and edits);
    - global: at most ``global_second`` messages in any second (sends only).
    """

    def __init__(self, world: World) -> None:
        self.world = world
        self.per_chat_minute: int | None = None
        self.global_second: int | None = None
        self.private_per_second: float | None = None
        self.private_burst = PRIVATE_BURST
        self._chat_sends: dict[int, deque[float]] = {}
        # Per private chat, the GCRA "theoretical arrival time": the bucket is full at or after it.
        self._private_tat: dict[int, float] = {}
        self._global_sends: deque[float] = deque()

    def check(self, key: str, params: Params) -> None:
        """Count a call of method ``key`` (lower case), or raise 429 if it is one too many."""
        send = key in SEND_METHODS
        if not send and key not in EDIT_METHODS:
            return
        if (self.per_chat_minute, self.global_second, self.private_per_second) == (None,) * 3:
            return
        now = self.world.clock()
        count = _message_count(key, params) if send else 1
        chat: Chat | None = None
        with contextlib.suppress(ApiError):
            chat = self.world.chat(params.required("chat_id"))
        retry = 0.0
        per_chat: deque[float] | None = None
        private_tat: float | None = None
        if chat is not None and chat.type == "private" and self.private_per_second is not None:
            interval = 1.0 / self.private_per_second
            tat = max(self._private_tat.get(chat.id, now), now)
            # Room for `count` more in a bucket of private_burst: tat may run that far ahead. An
            # album larger than the bucket needs a full one and leaves the rest as debt.
            usable = min(count, self.private_burst)
            ahead = tat + usable * interval - now - self.private_burst * interval
            if ahead > 1e-9:
                retry = max(retry, ahead)
            private_tat = tat + count * interval
        elif chat is not None and chat.type != "private" and self.per_chat_minute is not None:
            per_chat = self._chat_sends.setdefault(chat.id, deque())
            while per_chat and per_chat[0] <= now - 60:
                per_chat.popleft()
            if len(per_chat) + count > self.per_chat_minute:
                over = len(per_chat) + count - self.per_chat_minute
                retry = max(retry, per_chat[over - 1] + 60 - now if per_chat else 60)
        if send and self.global_second is not None:
            while self._global_sends and self._global_sends[0] <= now - 1:
                self._global_sends.popleft()
            if len(self._global_sends) + count > self.global_second:
                over = len(self._global_sends) + count - self.global_second
                first = self._global_sends[over - 1] if self._global_sends else now
                retry = max(retry, first + 1 - now)
        if retry > 0:
            seconds = max(1, math.ceil(retry))
            raise ApiError(429, f"Too Many Requests: retry after {seconds}", seconds)
        if private_tat is not None and chat is not None:
            self._private_tat[chat.id] = private_tat
        for _ in range(count):
            if per_chat is not None:
                per_chat.append(now)
            if send and self.global_second is not None:
                self._global_sends.append(now)
