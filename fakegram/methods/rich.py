"""Rich messages: sendRichMessage and editMessageText with ``rich_message`` (Bot API 10.1+).

The fake takes the *blocks* form of ``InputRichMessage`` (the one newsroom-bot sends): it checks
the structure (known block and rich-text types, their required fields, photos it can resolve)
and Telegram's documented limits, and keeps the message as the ``RichMessage`` a bot reads back
(photo blocks carry PhotoSize arrays, list items a label). The ``html`` and ``markdown`` forms
are refused as unsupported rather than accepted unchecked.

The limits are the fake's own copy (see ``bot/limits.py`` for the sources: the Bot API's "Rich
message formatting options", tdlib's inputRichMessage for what each counts). Telegram documents
no error texts for them; the descriptions below follow the MTProto style its rich-message errors
use (``RICH_VALIDATE_CTOR_NOT_ALLOWED`` for a constructor a bot may not send, quoted from the
official Bot API server by gotd/botapi's rich example), behind Telegram's "Bad Request: ".
"""

from __future__ import annotations

from typing import Any

from fakegram.errors import NOT_MODIFIED, ApiError, bad
from fakegram.methods.base import Family
from fakegram.methods.edits import EditMethods
from fakegram.params import Handler, Params
from fakegram.records import JsonDict
from fakegram.world import World

RICH_TEXT_LIMIT = 32_768
RICH_BLOCK_LIMIT = 500
RICH_DEPTH_LIMIT = 16
RICH_MEDIA_LIMIT = 50
RICH_TABLE_COLUMN_LIMIT = 20

TOO_LONG = "RICH_MESSAGE_TOO_LONG"
TOO_MANY_BLOCKS = "RICH_MESSAGE_TOO_MANY_BLOCKS"
TOO_DEEP = "RICH_MESSAGE_TOO_DEEP"
TOO_MANY_MEDIA = "RICH_MESSAGE_TOO_MANY_MEDIA"
TOO_MANY_COLUMNS = "RICH_TABLE_TOO_MANY_COLUMNS"
EMPTY = "RICH_MESSAGE_EMPTY"
NOT_ALLOWED = "RICH_VALIDATE_CTOR_NOT_ALLOWED"
INVALID = "RICH_MESSAGE_INVALID"

# The block and rich-text types the fake takes: the ones newsroom-bot sends and their plain
# relatives. Telegram takes more (details, collage, custom emoji, formulas, ...); the fake refuses
# them as not allowed rather than accept what it does not check.
_TEXT_TYPES = frozenset(
    {"bold", "italic", "underline", "strikethrough", "spoiler", "code", "url", "marked"}
    | {"subscript", "superscript", "email_address", "phone_number"}
)
# Blocks whose content is one rich text in "text".
_TEXT_BLOCKS = frozenset({"paragraph", "heading", "footer", "pullquote", "pre"})
_KNOWN_BLOCKS = _TEXT_BLOCKS | {"photo", "blockquote", "list", "table", "divider"}
_ALIGN = frozenset({"left", "center", "right"})
_VALIGN = frozenset({"top", "middle", "bottom"})


class _Checker:
    """Walks one InputRichMessage: validates it, counts it, and builds the RichMessage."""

    def __init__(self, family: Family, files: dict[str, bytes]) -> None:
        self.family = family
        self.files = files
        self.chars = self.blocks = self.media = 0

    def text(self, value: Any, depth: int) -> int:
        """Check a rich text; count its characters; return the depth it reaches."""
        if isinstance(value, str):
            self.chars += len(value)
            return depth
        if isinstance(value, list):
            return max((self.text(v, depth + 1) for v in value), default=depth + 1)
        if not isinstance(value, dict) or "text" not in value:
            raise bad(INVALID)
        kind = value.get("type")
        if kind not in _TEXT_TYPES:
            raise bad(NOT_ALLOWED)
        if kind == "url" and not str(value.get("url", "")).startswith(("http", "tg://")):
            raise bad("RICH_URL_INVALID")
        return self.text(value["text"], depth + 1)

    def block(self, block: Any, depth: int) -> tuple[JsonDict, int]:
        """Check one block at ``depth`` (1 at the top); the block as read back, and its depth."""
        if not isinstance(block, dict):
            raise bad(INVALID)
        kind = block.get("type")
        if kind not in _KNOWN_BLOCKS:
            raise bad(NOT_ALLOWED)
        self.blocks += 1
        out: JsonDict = {"type": kind}
        reached = depth
        if kind in _TEXT_BLOCKS:
            if "text" not in block:
                raise bad(INVALID)
            reached = self.text(block["text"], depth)
            out["text"] = block["text"]
        if kind == "heading":
            size = block.get("size")
            if not isinstance(size, int) or not 1 <= size <= 6:
                raise bad("RICH_HEADING_SIZE_INVALID")
            out["size"] = size
        for key in ("credit", "language"):
            if block.get(key) is not None:
                out[key] = block[key]
                if key == "credit":
                    reached = max(reached, self.text(block[key], depth))
        if kind == "photo":
            reached = max(reached, self._photo(block, out, depth))
        elif kind == "blockquote":
            reached = max(reached, self._children(block.get("blocks"), out, depth))
        elif kind == "list":
            reached = max(reached, self._list(block.get("items"), out, depth))
        elif kind == "table":
            reached = max(reached, self._table(block, out, depth))
        if reached > RICH_DEPTH_LIMIT:
            raise bad(TOO_DEEP)
        return out, reached

    def _photo(self, block: JsonDict, out: JsonDict, depth: int) -> int:
        photo = block.get("photo")
        if not isinstance(photo, dict) or photo.get("type") != "photo" or not photo.get("media"):
            raise bad(INVALID)
        self.media += 1
        out["photo"] = self.family.resolve_photo(str(photo["media"]), self.files)
        caption = block.get("caption")
        if caption is None:
            return depth
        if not isinstance(caption, dict) or "text" not in caption:
            raise bad(INVALID)
        out["caption"] = caption
        reached = self.text(caption["text"], depth + 1)
        if caption.get("credit") is not None:
            reached = max(reached, self.text(caption["credit"], depth + 1))
        return reached

    def _children(self, blocks: Any, out: JsonDict, depth: int) -> int:
        if not isinstance(blocks, list) or not blocks:
            raise bad(INVALID)
        checked = [self.block(b, depth + 1) for b in blocks]
        out["blocks"] = [b for b, _ in checked]
        return max(d for _, d in checked)

    def _list(self, items: Any, out: JsonDict, depth: int) -> int:
        if not isinstance(items, list) or not items:
            raise bad(INVALID)
        reached = depth
        out["items"] = []
        for number, item in enumerate(items, 1):
            if not isinstance(item, dict):
                raise bad(INVALID)
            self.blocks += 1  # list items count as blocks
            label = str(item.get("value") or number) if "value" in item else "•"
            read: JsonDict = {"label": label}
            reached = max(reached, self._children(item.get("blocks"), read, depth + 1))
            out["items"].append(read)
        return reached

    def _table(self, block: JsonDict, out: JsonDict, depth: int) -> int:
        rows = block.get("cells")
        if not isinstance(rows, list) or not rows or not all(isinstance(r, list) for r in rows):
            raise bad(INVALID)
        reached = depth
        for row in rows:
            self.blocks += 1  # table rows count as blocks
            columns = 0
            for cell in row:
                if not isinstance(cell, dict):
                    raise bad(INVALID)
                if cell.get("align") not in _ALIGN or cell.get("valign") not in _VALIGN:
                    raise bad("RICH_TABLE_CELL_INVALID")
                columns += int(cell.get("colspan") or 1)
                if cell.get("text") is not None:
                    reached = max(reached, self.text(cell["text"], depth + 1))
            if columns > RICH_TABLE_COLUMN_LIMIT:
                raise bad(TOO_MANY_COLUMNS)
        out["cells"] = rows
        return reached

    def message(self, rich: Any) -> JsonDict:
        """The RichMessage a bot reads back for ``rich``, or the error Telegram would answer."""
        if not isinstance(rich, dict):
            raise bad("can't parse rich_message JSON object")
        forms = [key for key in ("html", "markdown", "blocks") if rich.get(key) is not None]
        if len(forms) != 1:
            raise bad(INVALID)  # exactly one of html, markdown, blocks
        if forms[0] != "blocks":
            raise bad("the fake server supports the blocks form of rich messages only")
        blocks = rich["blocks"]
        if not isinstance(blocks, list) or not blocks:
            raise bad(EMPTY)
        out = [self.block(b, 1)[0] for b in blocks]
        if self.chars > RICH_TEXT_LIMIT:
            raise bad(TOO_LONG)
        if self.blocks > RICH_BLOCK_LIMIT:
            raise bad(TOO_MANY_BLOCKS)
        if self.media > RICH_MEDIA_LIMIT:
            raise bad(TOO_MANY_MEDIA)
        result: JsonDict = {"blocks": out}
        if rich.get("is_rtl"):
            result["is_rtl"] = True
        return result


class RichMethods(Family):
    """sendRichMessage, and editMessageText taking over when the edit is a rich one."""

    def __init__(self, world: World, edits: EditMethods) -> None:
        super().__init__(world)
        self.edits = edits

    def table(self) -> dict[str, Handler]:
        return {
            "sendrichmessage": self.send_rich_message,
            "editmessagetext": self.edit_message_text,
        }

    def checked(self, params: Params) -> JsonDict:
        raw = params.json("rich_message")
        if raw is None:
            raise bad("rich_message is empty")
        return _Checker(self, params.files).message(raw)

    async def send_rich_message(self, params: Params) -> JsonDict:
        chat = self.writable_chat(params.required("chat_id"))
        rich = self.checked(params)
        markup = self.reply_markup(params, chat=chat)
        reply_to = self.reply_to(chat, params)
        msg = self.new_outgoing(chat, "sendRichMessage", params)
        msg.extra["rich_message"] = rich
        msg.reply_markup = markup
        msg.reply_to_message_id = reply_to
        return self.world.message_dict(msg)

    async def edit_message_text(self, params: Params) -> JsonDict:
        if params.opt("rich_message") is None:
            return await self.edits.edit_message_text(params)
        msg = self.editable(params)
        if "rich_message" not in msg.extra:
            # Rich content replaces rich content; a text or photo message stays what it is.
            raise bad("there is no rich message to edit")
        rich = self.checked(params)
        markup = self.reply_markup(params)
        if rich == msg.extra["rich_message"] and markup == msg.reply_markup:
            raise ApiError(400, NOT_MODIFIED)
        self.record_edit(msg, "editMessageText")
        msg.extra["rich_message"] = rich
        msg.reply_markup = markup
        return self.world.message_dict(msg)
