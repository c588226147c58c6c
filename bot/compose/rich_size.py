"""How big a rich message is, counted the way Telegram's rich-message limits are worded.

tdlib's ``inputRichMessage`` says what each limit counts (see :mod:`bot.limits`): the length of
all texts, every block with list items and table rows, the depth of nested blocks and rich
texts, the media in all blocks, the columns of a table. Where the wording leaves a choice the
count errs on the side of more, so a message that passes here passes Telegram:

- a text is counted in code points (as for captions and texts, see TELEGRAM_NOTES), captions,
  credits and table cells included; URLs are attributes, not text;
- depth: a top-level block is 1, each block or rich-text object inside it (an array of rich
  texts too) one more.

The fake Bot API counts with a copy of its own (``fakegram/methods/rich.py``) on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.limits import (
    RICH_BLOCK_LIMIT,
    RICH_DEPTH_LIMIT,
    RICH_MEDIA_LIMIT,
    RICH_TABLE_COLUMN_LIMIT,
    RICH_TEXT_LIMIT,
)

__all__ = ["RichSize", "measure_rich"]

JsonDict = dict[str, Any]

_MEDIA = frozenset({"photo", "video", "animation", "audio", "document", "voice_note"})
# Keys of a block that hold rich text (the rest are attributes or nested blocks).
_TEXT_KEYS = ("text", "credit", "caption")


@dataclass(frozen=True, slots=True)
class RichSize:
    chars: int = 0
    blocks: int = 0
    depth: int = 0
    media: int = 0
    columns: int = 0

    def over(self) -> tuple[str, ...]:
        """The limits this size breaks, by name ("chars", "blocks", ...); empty when it fits."""
        limits = (
            ("chars", self.chars, RICH_TEXT_LIMIT),
            ("blocks", self.blocks, RICH_BLOCK_LIMIT),
            ("depth", self.depth, RICH_DEPTH_LIMIT),
            ("media", self.media, RICH_MEDIA_LIMIT),
            ("columns", self.columns, RICH_TABLE_COLUMN_LIMIT),
        )
        return tuple(name for name, value, limit in limits if value > limit)


def _text(value: object) -> tuple[int, int]:
    """(characters, depth) of a rich text: a string, an array, or a typed object."""
    if isinstance(value, str):
        return len(value), 0
    if isinstance(value, list):
        sizes = [_text(v) for v in value]
        return sum(s[0] for s in sizes), 1 + max((s[1] for s in sizes), default=0)
    if isinstance(value, dict):
        if "credit" in value and "type" not in value:  # a RichBlockCaption: text + credit
            a, b = _text(value.get("text", "")), _text(value.get("credit", ""))
            return a[0] + b[0], max(a[1], b[1])
        chars, depth = _text(value.get("text", ""))
        return chars, 1 + depth
    return 0, 0


class _Counter:
    def __init__(self) -> None:
        self.chars = self.blocks = self.media = self.columns = 0

    def block(self, block: JsonDict) -> int:
        """Count one block and what it holds; its depth (1 for a block of plain text)."""
        self.blocks += 1
        kind = block.get("type")
        if kind in _MEDIA:
            self.media += 1
        depth = 0
        for key in _TEXT_KEYS:
            if key in block and block[key] is not None:
                chars, d = _text(block[key])
                self.chars += chars
                depth = max(depth, d)
        for child in block.get("blocks") or ():
            depth = max(depth, self.block(child))
        for item in block.get("items") or ():
            self.blocks += 1  # list items count as blocks
            for child in item.get("blocks") or ():
                depth = max(depth, 1 + self.block(child))
        rows = block.get("cells") or ()
        for row in rows:
            self.blocks += 1  # table rows count as blocks
            self.columns = max(self.columns, sum(int(c.get("colspan") or 1) for c in row))
            for cell in row:
                chars, d = _text(cell.get("text", ""))
                self.chars += chars
                depth = max(depth, 1 + d)
        return 1 + depth


def measure_rich(blocks: list[JsonDict]) -> RichSize:
    """The size of a rich message made of ``blocks`` (Bot API JSON of InputRichBlock)."""
    counter = _Counter()
    depth = max((counter.block(b) for b in blocks), default=0)
    return RichSize(counter.chars, counter.blocks, depth, counter.media, counter.columns)
