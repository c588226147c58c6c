"""The ``rich`` layout (issue 15): a whole article as one rich message (sendRichMessage).

The message is built in the *blocks* form of ``InputRichMessage``, not its ``html`` or
``markdown`` form: blocks are the structure itself, so the limits Telegram sets on it (blocks,
depth, media, text length; :mod:`bot.compose.rich_size`) are counted exactly on what is sent,
nothing has to be escaped, and the fake Bot API can check the same structure without a rich-HTML
parser. The blocks are plain Bot API JSON (no aiogram here): ``bot.telegram.send`` validates them
into aiogram's ``InputRichMessage``.

What the article becomes, top to bottom:

- the title as a section heading (size 1);
- the photos as photo blocks, the first with the credit ("Фото: …") as its caption;
- the lead as an *italic paragraph*, not a pull quote: a pull quote is a quotation lifted from
  the text and Telegram sets it centred like one, while a lead is the editor's own summary; the
  ordinary layouts set it in italics too, so the rich post reads like them;
- the body paragraphs with the editor's formatting (bold, italic, links, ... as rich texts);
- "Read more" as a link when the channel has no button for it, and the "Updated" mark;
- the hashtags as a paragraph, then the footer: credit, attribution (each name linked when it
  has a URL) and signature, in the template's order.

Nothing is ever cut: an article over a rich limit gets ``None`` and the composer falls back to
an ordinary layout, which keeps the attribution whole.
"""

from __future__ import annotations

import json
from typing import Any

from bot.compose.drafts import BODY, Prepared
from bot.compose.marks import Span
from bot.compose.paragraphs import Para
from bot.compose.rich_size import RichSize, measure_rich
from bot.domain import OutMessage, Photo, UrlButton

__all__ = ["rich_blocks", "rich_message"]

JsonDict = dict[str, Any]
RichText = str | list[Any] | JsonDict

# HTML tag of a span (bot.compose.marks) -> RichText type (https://core.telegram.org/bots/api#richtext).
_RICH_TYPES = {
    "b": "bold",
    "i": "italic",
    "u": "underline",
    "s": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "a": "url",
}
# The parts that go into the footer, in the template's order.
_FOOTER = ("credit", "source", "signature")


def _simplify(pieces: list[RichText]) -> RichText:
    return pieces[0] if len(pieces) == 1 else pieces


def _wrap(span: Span, children: list[RichText]) -> RichText:
    kind = _RICH_TYPES.get(span.tag)
    if kind is None or (kind == "url" and not span.url):
        return _simplify(children)  # nothing Telegram could show: the words stay, plain
    out: JsonDict = {"type": kind, "text": _simplify(children)}
    if kind == "url":
        out["url"] = span.url
    return out


def rich_text(text: str, spans: tuple[Span, ...]) -> RichText:
    """``text`` with its (sorted, nested) spans as a RichText tree; a plain string without."""
    if not spans:
        return text
    root: list[RichText] = []
    stack: list[tuple[Span, list[RichText]]] = []
    pos = 0

    def into() -> list[RichText]:
        return stack[-1][1] if stack else root

    def close_until(limit: int) -> None:
        nonlocal pos
        while stack and stack[-1][0].end <= limit:
            span, children = stack.pop()
            if pos < span.end:
                children.append(text[pos : span.end])
                pos = span.end
            into().append(_wrap(span, children))

    for span in spans:
        close_until(span.start)
        if pos < span.start:
            into().append(text[pos : span.start])
            pos = span.start
        stack.append((span, []))
    close_until(len(text))
    if pos < len(text):
        root.append(text[pos:])
    return _simplify(root)


def _link(text: str, url: str | None) -> RichText:
    return {"type": "url", "text": text, "url": url} if url is not None else text


def _paragraph(text: RichText) -> JsonDict:
    return {"type": "paragraph", "text": text}


def _italic(text: str) -> JsonDict:
    return _paragraph({"type": "italic", "text": text})


def _attribution(c: Prepared) -> RichText | None:
    if not c.source_name and not c.original:
        return None
    pieces: list[RichText] = [f"{c.labels.source}: "]
    if c.source_name:
        pieces.append(_link(c.source_name, c.source_url))
    if c.original:
        if c.source_name:
            pieces.append(f" {c.labels.via} ")
        pieces.append(_link(c.original, c.original_url))
    return pieces


def _footer(c: Prepared, part: str) -> JsonDict | None:
    text: RichText | None = None
    if part == "credit" and c.credit:
        text = f"{c.labels.photo}: {c.credit}"
    elif part == "source":
        text = _attribution(c)
    elif part == "signature" and c.signature:
        text = _link(c.signature, c.signature_url)
    return {"type": "footer", "text": text} if text is not None else None


def _photos(c: Prepared, photos: tuple[Photo, ...]) -> list[JsonDict]:
    out: list[JsonDict] = []
    for index, photo in enumerate(photos):
        block: JsonDict = {"type": "photo", "photo": {"type": "photo", "media": photo.ref}}
        if index == 0 and c.credit:
            block["caption"] = {"text": f"{c.labels.photo}: {c.credit}"}
        out.append(block)
    return out


def _body(c: Prepared, paras: tuple[Para, ...], read_more_in_text: bool) -> list[JsonDict]:
    out = [_paragraph(rich_text(p.text, p.spans)) for p in paras]
    if read_more_in_text and c.read_more_url is not None:
        out.append(_paragraph(_link(c.labels.read_more, c.read_more_url)))
    return out


def rich_blocks(
    c: Prepared, photos: tuple[Photo, ...], *, read_more_in_text: bool
) -> list[JsonDict]:
    """The blocks of the article's rich message (Bot API JSON of InputRichBlock)."""
    top: list[JsonDict] = []
    if c.title:
        top.append({"type": "heading", "text": c.title, "size": 1})
    blocks = [*top, *_photos(c, photos)]
    for part in c.parts:
        if part == "lead" and c.lead:
            blocks.append(_italic(c.lead))
        elif part == BODY:
            blocks.extend(_body(c, c.paras, read_more_in_text))
    if c.updated:
        blocks.append(_italic(c.labels.updated))
    if c.tags:
        blocks.append(_paragraph(" ".join(c.tags)))
    footer = [f for part in c.parts if part in _FOOTER and (f := _footer(c, part)) is not None]
    return blocks + footer


def rich_message(
    c: Prepared,
    photos: tuple[Photo, ...],
    buttons: tuple[UrlButton, ...],
    silent: bool,
) -> tuple[OutMessage | None, RichSize]:
    """The one rich message of the article, or None when it breaks a rich limit; its size.

    ``visible_length`` is the rich text length Telegram limits, ``entity_count`` the blocks.
    """
    blocks = rich_blocks(c, photos, read_more_in_text=not buttons)
    size = measure_rich(blocks)
    if size.over() or not blocks:
        return None, size
    message = OutMessage(
        kind="rich",
        html="",
        visible_length=size.chars,
        entity_count=size.blocks,
        photos=photos,
        buttons=buttons,
        disable_notification=silent,
        rich=json.dumps({"blocks": blocks}, ensure_ascii=False, separators=(",", ":")),
    )
    return message, size
