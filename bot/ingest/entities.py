"""Keep the formatting of a caption or a forwarded post on the body the parser made of it.

Telegram sends formatting as entities over the original text (UTF-16 offsets). The parser
rebuilds the text (drops chrome lines, joins wrapped lines, removes invisible characters), so
each body paragraph is located in the original text and the entities that cover it become
:class:`~bot.domain.Mark` spans on the paragraph, in code points. A paragraph that cannot be
located keeps its text and loses its formatting: never misplaced bold.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import replace

from bot.domain import MARK_TYPES, ArticleContent, Formatting, Mark

__all__ = ["carry_marks", "keep_formatting", "utf16_to_index"]


def utf16_to_index(text: str) -> list[int]:
    """``m[u]`` = the code-point index where UTF-16 offset ``u`` falls, for u in 0..len16."""
    out: list[int] = []
    for i, ch in enumerate(text):
        out.append(i)
        if ord(ch) > 0xFFFF:
            out.append(i + 1)  # the low surrogate: an offset inside a pair rounds up
    out.append(len(text))
    return out


def _align(para: str, text: str, start: int) -> list[int] | None:
    """Positions in ``text`` of each character of ``para``, searching from ``start``.

    Whitespace in the paragraph matches any whitespace in the text (the parser joins wrapped
    lines with a space), and extra whitespace and characters the parser dropped (stripped
    indentation, zero-width and other invisible ones) are skipped.
    """
    first_line = para.split("\n", 1)[0]
    anchor = text.find(first_line[:40], start)
    if anchor < 0:
        return None
    pos: list[int] = []
    j = anchor
    n = len(text)
    for ch in para:
        while j < n and text[j] != ch and not (ch.isspace() and text[j].isspace()):
            if text[j].isprintable() and not text[j].isspace():
                return None  # a visible character the paragraph does not have
            j += 1
        if j >= n:
            return None
        pos.append(j)
        j += 1
    return pos


def keep_formatting(
    content: ArticleContent, text: str, entities: Sequence[Formatting]
) -> ArticleContent:
    """``content`` (parsed from ``text``) with the body formatting ``entities`` describe."""
    wanted = [e for e in entities if e.type in MARK_TYPES and e.length > 0]
    if not wanted or not content.body:
        return content
    to_index = utf16_to_index(text)
    last = len(to_index) - 1
    spans = [
        (to_index[min(e.offset, last)], to_index[min(e.offset + e.length, last)], e)
        for e in wanted
    ]
    out: list[Mark] = []
    cursor = 0
    for p, para in enumerate(content.body):
        pos = _align(para, text, cursor)
        if pos is None:
            continue
        cursor = pos[-1] + 1 if pos else cursor
        for s, e, ent in spans:
            # The paragraph's characters inside [s, e): pos is increasing, so bisect.
            a = bisect.bisect_left(pos, s)
            b = bisect.bisect_left(pos, e)
            if b > a:
                out.append(Mark(p, a, b, ent.type, ent.url))
    return replace(content, marks=tuple(out)) if out else content


def carry_marks(old: Sequence[str], marks: Sequence[Mark], new: Sequence[str]) -> tuple[Mark, ...]:
    """The ``marks`` of paragraphs ``old`` re-indexed for ``new``, a selection of them in order
    (a lead taken off the front, a repeated description dropped)."""
    if not marks:
        return ()
    moved: dict[int, int] = {}
    j = 0
    for i, para in enumerate(old):
        if j < len(new) and new[j] == para:
            moved[i] = j
            j += 1
    return tuple(replace(m, para=moved[m.para]) for m in marks if m.para in moved)
