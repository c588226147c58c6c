"""A preview's header below a rich post, in the same message (issue 15 with issue 14).

Issue 14 put a one-message post's header and buttons on the post itself, below a separator, so
that a draft or a review card is one message in the admin chat (a group: 20 messages a minute).
A rich post gets the same: its blocks exactly as the channel gets them, a divider, then the
header's lines as paragraphs. The header is Telegram HTML (``bot/views``); its few tags become
rich texts here, line by line (no header tag spans lines). Pure: no aiogram, no I/O.
"""

from __future__ import annotations

import json
from dataclasses import replace
from html.parser import HTMLParser
from typing import Any

from bot.compose.rich_size import measure_rich
from bot.domain import OutMessage, Post

__all__ = ["header_blocks", "with_rich_header"]

JsonDict = dict[str, Any]

_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "del": "strikethrough",
    "strike": "strikethrough",
    "code": "code",
    "tg-spoiler": "spoiler",
    "a": "url",
}


class _Line(HTMLParser):
    """One line of Telegram HTML as a RichText tree; unknown tags keep their text only."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root: list[Any] = []
        self.stack: list[tuple[str, JsonDict]] = []

    def _into(self) -> list[Any]:
        return self.stack[-1][1]["text"] if self.stack else self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        kind = _TYPES.get(tag)
        if kind is None:
            return
        node: JsonDict = {"type": kind, "text": []}
        href = dict(attrs).get("href")
        if kind == "url":
            if not href:
                return  # a link without a target is its text
            node["url"] = href
        self._into().append(node)
        self.stack.append((tag, node))

    def handle_endtag(self, tag: str) -> None:
        if self.stack and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if data:
            self._into().append(data)


def _simplify(value: Any) -> Any:
    if isinstance(value, dict):
        return {**value, "text": _simplify(value["text"])}
    if isinstance(value, list):
        items = [_simplify(v) for v in value if v != [] and v != ""]
        return items[0] if len(items) == 1 else items
    return value


def header_blocks(header_html: str) -> list[JsonDict]:
    """A divider, then one paragraph per non-empty line of ``header_html``."""
    blocks: list[JsonDict] = [{"type": "divider"}]
    for line in header_html.split("\n"):
        parser = _Line()
        parser.feed(line)
        parser.close()
        text = _simplify(parser.root)
        if text:
            blocks.append({"type": "paragraph", "text": text})
    return blocks


def with_rich_header(post: Post, header_html: str) -> Post | None:
    """``post`` (one rich message) carrying ``header_html`` below it; None when the post is not
    one rich message or the two would break a rich limit."""
    if len(post.messages) != 1 or post.messages[0].kind != "rich":
        return None
    message: OutMessage = post.messages[0]
    blocks = [*json.loads(message.rich)["blocks"], *header_blocks(header_html)]
    size = measure_rich(blocks)
    if size.over():
        return None
    rich = json.dumps({"blocks": blocks}, ensure_ascii=False, separators=(",", ":"))
    one = replace(message, rich=rich, visible_length=size.chars, entity_count=size.blocks)
    return replace(post, messages=(one,))
