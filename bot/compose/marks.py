"""Formatting spans on one paragraph: clipping, nesting and rendering as Telegram HTML.

A span is ``(start, end, tag, url)`` in code points of its paragraph. The spans of a paragraph
are kept sorted by start (outer before inner) and properly nested, so each renders as exactly
one entity and the HTML is always well formed, whatever cuts the composer makes.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Iterable
from typing import NamedTuple

from bot.strings import escape

__all__ = [
    "Span",
    "auto_entities",
    "auto_entities_cached",
    "clip",
    "nest",
    "render",
    "tag_of",
]

# Telegram entity type -> HTML tag (https://core.telegram.org/bots/api#html-style).
_TAGS = {
    "bold": "b",
    "italic": "i",
    "underline": "u",
    "strikethrough": "s",
    "spoiler": "tg-spoiler",
    "code": "code",
    "text_link": "a",
}

# What Telegram links by itself in any text it receives: @mentions, #hashtags, $CASHTAGS,
# /commands, and domains with or without a scheme ("El.kz" and e-mail addresses become links).
# These entities count towards the 100 a message may carry, so the composer counts them too;
# the counts err on the side of a little more than Telegram, never less.
_TAGGED = re.compile(r"(?<![\w@#$/])[@#$/][^\W\d_]\w*")


class Span(NamedTuple):
    start: int
    end: int
    tag: str  # an HTML tag name from _TAGS
    url: str | None = None


def tag_of(entity_type: str) -> str | None:
    return _TAGS.get(entity_type)


def _domains(text: str) -> int:
    """Domain-like tokens ("El.kz", "www.example.com/x", "a@b.org"): a letter pair after a dot.

    A loop over the dots, which prose has few of, beats a regex scanning every character.
    """
    count = 0
    n = len(text)
    i = text.find(".")
    while 0 <= i < n - 2:
        if (
            i > 0
            and (text[i - 1].isalnum() or text[i - 1] == "_")
            and text[i + 1 : i + 3].isascii()
            and text[i + 1 : i + 3].isalpha()
        ):
            count += 1
            i += 1
            while i < n and (text[i].isalnum() or text[i] in "-._"):
                i += 1  # the rest of this domain is the same link
        i = text.find(".", i + 1)
    return count


def auto_entities(text: str) -> int:
    """How many entities Telegram will detect in ``text`` (an upper estimate)."""
    count = _domains(text) if "." in text else 0
    if "@" in text or "#" in text or "$" in text or "/" in text:
        count += len(_TAGGED.findall(text))
    return count


@functools.lru_cache(maxsize=1024)
def auto_entities_cached(text: str) -> int:
    """:func:`auto_entities` for the short parts measured again on every fitting step."""
    return auto_entities(text)


def nest(spans: Iterable[Span], length: int) -> tuple[Span, ...]:
    """Spans within ``[0, length)``, sorted, properly nested, one entity each.

    A span that partly overlaps an earlier one is cut at the earlier one's end; a span inside
    another of the same tag, or inside code (which cannot hold formatting), adds nothing and is
    dropped; so are empty spans.
    """
    out: list[Span] = []
    stack: list[Span] = []
    for s in sorted(spans, key=lambda s: (s.start, -s.end)):
        start, end = max(0, s.start), min(length, s.end)
        while stack and stack[-1].end <= start:
            stack.pop()
        if stack:
            end = min(end, stack[-1].end)
            if any(outer.tag in (s.tag, "code") for outer in stack):
                continue
        if end <= start:
            continue
        span = Span(start, end, s.tag, s.url)
        out.append(span)
        stack.append(span)
    return tuple(out)


def clip(spans: tuple[Span, ...], start: int, end: int) -> tuple[Span, ...]:
    """The spans of ``text[start:end]``, re-based to it (nesting is preserved by clipping)."""
    if not spans:
        return ()
    return tuple(
        Span(max(s.start, start) - start, min(s.end, end) - start, s.tag, s.url)
        for s in spans
        if s.start < end and s.end > start
    )


def _open(span: Span) -> str:
    if span.url is not None:
        return f'<a href="{html.escape(span.url, quote=True)}">'
    return f"<{span.tag}>"


def render(text: str, spans: tuple[Span, ...]) -> str:
    """``text`` escaped for Telegram HTML with ``spans`` (as :func:`nest` leaves them) as tags."""
    if not spans:
        return escape(text)
    out: list[str] = []
    pos = 0
    stack: list[Span] = []

    def close_until(limit: int) -> None:
        nonlocal pos
        while stack and stack[-1].end <= limit:
            top = stack.pop()
            out.append(escape(text[pos : top.end]))
            out.append(f"</{top.tag}>")
            pos = top.end

    for span in spans:
        close_until(span.start)
        out.append(escape(text[pos : span.start]))
        out.append(_open(span))
        pos = span.start
        stack.append(span)
    close_until(len(text))
    out.append(escape(text[pos:]))
    return "".join(out)
