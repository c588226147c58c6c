"""The world the fake server keeps: people, chats, messages with per-chat ids, files, updates.

Everything runs on one event loop; state is plain Python objects mutated by the request handlers,
so no locks are needed. A change "signal" wakes whoever waits (long polls, ``wait_for``).
"""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from collections.abc import Callable

from fakegram.errors import bad
from fakegram.records import (
    ApiCall,
    CallbackAnswer,
    Chat,
    CommandsRecord,
    JsonDict,
    MessageEdit,
    PendingCallback,
    SentMessage,
    ServerStats,
    StoredFile,
    User,
)

# Update kinds Telegram leaves out unless asked for by name in allowed_updates.
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


class Signal:
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


class World:
    """Telegram's side of things, as the bot's requests and the simulated people change it."""

    def __init__(
        self,
        bot: User,
        *,
        clock: Callable[[], float],
        wall_clock: Callable[[], float],
        strict_images: bool,
        enforce_delete_window: bool,
    ) -> None:
        self.bot = bot
        self.clock = clock  # monotonic seconds: rate-limit windows
        self.wall_clock = wall_clock  # Unix time: message dates, the 48 h delete rule
        self.strict_images = strict_images  # reject uploads that are not PNG/GIF/JPEG
        self.enforce_delete_window = enforce_delete_window

        self.users: dict[int, User] = {bot.id: bot}
        self.chats: dict[int, Chat] = {}
        self.messages: dict[int, dict[int, SentMessage]] = {}
        self.files: dict[str, StoredFile] = {}
        self.url_photos: dict[str, tuple[int, int, int]] = {}  # url -> width, height, size
        self.url_cache: dict[str, list[JsonDict]] = {}
        self.unfetchable: set[str] = set()
        self.file_counter = itertools.count(1)
        self.media_group_counter = itertools.count(13_000_000_000_000_001)
        self.callback_counter = itertools.count(1)
        self.callbacks: dict[str, PendingCallback] = {}
        # Approved suggested posts Telegram publishes later: (due, direct chat, message id).
        self.suggested_due: list[tuple[int, int, int]] = []

        self.updates: deque[JsonDict] = deque()
        self.next_update_id = 100_000_001
        self.allowed_updates: list[str] | None = None
        self.poll_generation = 0

        self.requests: list[ApiCall] = []
        self.callback_answers: list[CallbackAnswer] = []
        self.commands: list[CommandsRecord] = []
        self.stats = ServerStats()

        self.signal = Signal()
        self.closing = False

    # ------------------------------------------------------------------ lookups

    def now(self) -> int:
        return int(self.wall_clock())

    def chat(self, chat_id: int | str) -> Chat:
        """Resolve a numeric id or "@username"; raises ApiError 400 chat not found."""
        if isinstance(chat_id, str):
            if chat_id.startswith("@"):
                name = chat_id[1:].lower()
                for chat in self.chats.values():
                    if chat.username is not None and chat.username.lower() == name:
                        return chat
                raise bad("chat not found")
            try:
                chat_id = int(chat_id)
            except ValueError:
                raise bad("chat not found") from None
        found = self.chats.get(chat_id)
        if found is None:
            raise bad("chat not found")
        return found

    def user(self, user_id: int) -> User:
        user = self.users.get(user_id)
        if user is None:
            raise KeyError(f"unknown user {user_id}: call add_user() first")
        return user

    def message(self, chat_id: int | str, message_id: int) -> SentMessage:
        """Any stored message (the bot's or a person's) by id; KeyError if there is none."""
        return self.messages[self.chat(chat_id).id][message_id]

    # ------------------------------------------------------------------ changes

    def changed(self) -> None:
        self.signal.notify()

    def new_message(self, chat: Chat, method: str, *, outgoing: bool) -> SentMessage:
        """A message with the chat's next id: ids count per chat, as on Telegram."""
        msg = SentMessage(
            chat_id=chat.id,
            message_id=chat.next_message_id,
            date=self.now(),
            method=method,
            outgoing=outgoing,
        )
        chat.next_message_id += 1
        self.messages.setdefault(chat.id, {})[msg.message_id] = msg
        return msg

    def snapshot(self, msg: SentMessage, method: str) -> MessageEdit:
        return MessageEdit(
            method=method,
            text=msg.text,
            caption=msg.caption,
            entities=list(msg.entities),
            html=msg.html,
            photo_file_id=msg.photo_file_id,
            reply_markup=msg.reply_markup,
            edit_date=self.now(),
        )

    def push_update(self, body: JsonDict, update_id: int | None = None) -> JsonDict:
        if update_id is None:
            update_id = self.next_update_id
        self.next_update_id = max(self.next_update_id, update_id) + 1
        update = {"update_id": update_id, **body}
        self.updates.append(update)
        self.changed()
        return update

    def confirm(self, offset: int) -> None:
        """Forget the updates before ``offset``, as getUpdates' offset confirms them."""
        if offset < 0:
            # A negative offset keeps only the last -offset updates.
            while len(self.updates) > -offset:
                self.updates.popleft()
        else:
            while self.updates and self.updates[0]["update_id"] < offset:
                self.updates.popleft()
        self.changed()

    def deliverable(self) -> list[JsonDict]:
        """Pending updates of kinds the bot asked for; the others are discarded like Telegram."""
        kept: deque[JsonDict] = deque()
        out: list[JsonDict] = []
        for update in self.updates:
            kind = next((k for k in update if k != "update_id"), "")
            if self.allowed_updates is None:
                wanted = kind not in _OPT_IN_UPDATES
            else:
                wanted = kind in self.allowed_updates
            if wanted:
                kept.append(update)
                out.append(update)
        self.updates = kept
        return out

    # ------------------------------------------------------------------ Bot API objects

    def message_dict(self, msg: SentMessage, *, with_reply: bool = True) -> JsonDict:
        """The Bot API Message object for a stored message."""
        chat = self.chats[msg.chat_id]
        out: JsonDict = {"message_id": msg.message_id, "date": msg.date, "chat": chat.to_dict()}
        if chat.type == "channel":
            out["sender_chat"] = chat.to_dict()
        elif msg.outgoing:
            out["from"] = self.bot.to_dict()
        elif msg.from_user_id is not None:
            out["from"] = self.user(msg.from_user_id).to_dict()
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
            replied = self.messages.get(msg.chat_id, {}).get(msg.reply_to_message_id)
            if replied is not None and not replied.deleted:
                out["reply_to_message"] = self.message_dict(replied, with_reply=False)
        out.update(msg.extra)
        return out

    # ------------------------------------------------------------------ files

    def new_file(self, kind: str, size: int, data: bytes | None) -> StoredFile:
        n = next(self.file_counter)
        prefix = {"photo": "AgACAgIAAxkBAAI", "document": "BQACAgIAAxkBAAI"}.get(
            kind, "CAACAgIAAxkBAAI"
        )
        file = StoredFile(
            file_id=f"{prefix}{n:08d}{(n * 2654435761) % 16**10:010x}",
            file_unique_id=f"AQAD{n:08d}",
            kind=kind,
            file_size=size,
            data=data,
            file_path=f"{kind}s/file_{n}.{'jpg' if kind == 'photo' else 'bin'}",
        )
        self.files[file.file_id] = file
        return file

    def new_sticker(self, emoji: str) -> JsonDict:
        """A Sticker object for an incoming message (a person's sticker, in any chat)."""
        file = self.new_file("sticker", 20_000, None)
        return {
            "file_id": file.file_id,
            "file_unique_id": file.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }

    def new_photo_set(
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
        files: list[StoredFile] = []
        for w, h in sizes:
            size = max(1, round(file_size * (w * h) / max(1, width * height)))
            last = (w, h) == sizes[-1]
            file = self.new_file("photo", size, data if last else None)
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
