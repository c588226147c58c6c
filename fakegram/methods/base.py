"""What the Bot API methods share: the checks Telegram applies before it sends or edits
anything (may the bot write here, is the keyboard valid, does the replied message exist), and
photos given by upload, URL or file_id."""

from __future__ import annotations

import struct

from fakegram.entities import ParsedText
from fakegram.errors import WRONG_FILE, ApiError, bad
from fakegram.limits import (
    UPLOAD_PHOTO_LIMIT,
    URL_PHOTO_LIMIT,
    check_button,
    check_dimensions,
    formatted,
)
from fakegram.params import Handler, Params
from fakegram.records import Chat, JsonDict, SentMessage
from fakegram.world import World


async def accepted(params: Params) -> bool:
    """Methods whose effect nothing here observes (sendChatAction, setMyDescription, ...)."""
    return True


class Family:
    """A family of Bot API methods over the shared world."""

    def __init__(self, world: World) -> None:
        self.world = world

    def table(self) -> dict[str, Handler]:
        """The family's methods by lower-case name."""
        raise NotImplementedError

    def writable_chat(self, chat_id: str) -> Chat:
        chat = self.world.chat(chat_id)
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

    def reply_markup(self, params: Params, *, chat: Chat | None = None) -> JsonDict | None:
        markup = params.json("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise bad("can't parse reply keyboard markup JSON object")
        rows = markup.get("inline_keyboard")
        if rows is not None:
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise bad(
                    "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
                )
            for row in rows:
                for button in row:
                    check_button(button)
        elif chat is not None and chat.type == "channel":
            raise bad("reply markup is not allowed in channels except inline keyboards")
        return markup

    def reply_to(self, chat: Chat, params: Params) -> int | None:
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
        target = self.world.messages.get(chat.id, {}).get(message_id)
        if target is None or target.deleted:
            if allow_missing:
                return None
            raise bad("message to be replied not found")
        return message_id

    def editable(self, params: Params, *, what: str = "edit") -> SentMessage:
        if params.opt("inline_message_id"):
            raise bad("inline messages are not supported by the fake server")
        chat = self.world.chat(params.required("chat_id"))
        message_id = params.required_int("message_id")
        msg = self.world.messages.get(chat.id, {}).get(message_id)
        if msg is None or msg.deleted or msg.service:
            raise bad(f"message to {what} not found")
        if what == "edit":
            if not msg.outgoing and not (chat.type == "channel" and chat.can_edit):
                raise bad("message can't be edited")
            if chat.type == "channel" and (not chat.bot_member or not chat.can_post):
                raise ApiError(403, "Forbidden: need administrator rights in the channel chat")
        return msg

    def record_edit(self, msg: SentMessage, method: str) -> None:
        msg.edits.append(self.world.snapshot(msg, method))
        msg.edit_date = self.world.now()

    def new_outgoing(self, chat: Chat, method: str, params: Params) -> SentMessage:
        msg = self.world.new_message(chat, method, outgoing=True)
        msg.disable_notification = params.flag("disable_notification")
        msg.protect_content = params.flag("protect_content")
        return msg

    def resolve_photo(self, ref: str, files: dict[str, bytes]) -> list[JsonDict]:
        """A photo given as attach://part, an uploaded part, an http(s) URL or a file_id."""
        world = self.world
        if ref.startswith("attach://"):
            data = files.get(ref[len("attach://") :])
            if data is None:
                raise bad(WRONG_FILE)
            return self.upload_photo(data)
        if ref.startswith(("http://", "https://")):
            if ref in world.unfetchable:
                raise bad(WRONG_FILE)
            cached = world.url_cache.get(ref)
            if cached is not None:
                return cached
            width, height, size = world.url_photos.get(ref, (1280, 720, 150_000))
            if size > URL_PHOTO_LIMIT:
                raise bad("failed to get HTTP URL content")
            check_dimensions(width, height)
            photo_set = world.new_photo_set(width, height, size, None)
            world.url_cache[ref] = photo_set
            return photo_set
        file = world.files.get(ref)
        if file is None:
            raise bad(WRONG_FILE)
        if file.photo_set is None:
            raise bad(f"type of file mismatch: expected photo, got {file.kind}")
        return file.photo_set

    def input_photo(
        self, item: JsonDict, files: dict[str, bytes]
    ) -> tuple[list[JsonDict], ParsedText]:
        """The photo and the parsed caption of an InputMediaPhoto (albums, editMessageMedia)."""
        photo_set = self.resolve_photo(str(item.get("media", "")), files)
        parsed = formatted(
            item.get("caption"),
            item.get("parse_mode"),
            item.get("caption_entities"),
            caption=True,
        )
        return photo_set, parsed

    def upload_photo(self, data: bytes) -> list[JsonDict]:
        if len(data) > UPLOAD_PHOTO_LIMIT:
            raise bad("file is too big")
        size = image_size(data)
        if size is None:
            if self.world.strict_images or not data:
                raise bad("IMAGE_PROCESS_FAILED")
            size = (1280, 720)  # unrecognised bytes: tests often upload placeholders
        check_dimensions(*size)
        return self.world.new_photo_set(size[0], size[1], len(data), data)


def image_size(data: bytes) -> tuple[int, int] | None:
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
